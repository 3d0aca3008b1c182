module meshproof.local/tools/pause

go 1.22
