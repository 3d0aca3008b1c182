module meshproof/tools/loadgen

go 1.25.0

require github.com/HdrHistogram/hdrhistogram-go v1.2.0
