package main

import (
	"math"
	"sort"
	"sync"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram settings shared with the harness (src/analysis/hdr.ts): integer microseconds from
// 1 µs to one hour, three significant digits. Values above the ceiling are recorded at it.
const (
	lowestUs        = 1
	highestUs       = 3_600_000_000
	significantDigs = 3
)

// Histogram names in the output, each in microseconds (outputTps: tokens/s x 1000, the scale
// the harness's LatencyRecorder uses for every value it records).
const (
	histE2E         = "e2e"          // from the due time: no coordinated omission
	histE2EFromSend = "e2eFromSend"  // from when the request was handed to the transport
	histTTFT        = "ttft"         // from the due time
	histTTFTSend    = "ttftFromSend" // from the send time
	histITL         = "itl"          // one sample per gap between content events
	histOutputTps   = "outputTps"
	histStartDelay  = "startDelay" // send time minus due time: the generator's own lateness
)

var histNames = []string{histE2E, histE2EFromSend, histTTFT, histTTFTSend, histITL, histOutputTps, histStartDelay}

// failedHistNames are kept per HTTP status for failed requests (status 0: no HTTP response,
// e.g. a connection refused or the client's own timeout): how long a request took to fail,
// until its response ended or the exchange broke off. A gateway's 504 after its route timeout
// is told apart from a fast 503 or a client timeout by its status, and none of them can flatter
// the latency of successful requests, which the histograms above keep alone.
var failedHistNames = []string{histE2E, histE2EFromSend}

// OutcomeKey is one outcome tag set: who answered, with what, seen as whom, on which attempt.
type OutcomeKey struct {
	Version string `json:"version"`
	Status  int    `json:"status"`
	OK      bool   `json:"ok"`
	Peer    string `json:"peer"`
	Attempt int    `json:"attempt"`
}

// Outcome is a count of requests with one tag set.
type Outcome struct {
	OutcomeKey
	Count int64 `json:"count"`
}

// maxErrorKinds bounds the distinct error messages kept: a flood of unique errors must not
// grow memory; the rest are counted under one line.
const maxErrorKinds = 20

// Recorder gathers every request's measurements; safe for concurrent use.
type Recorder struct {
	mu       sync.Mutex
	hists    map[string]*hdrhistogram.Histogram
	failedBy map[int]map[string]*hdrhistogram.Histogram // status -> failedHistNames
	outcomes map[OutcomeKey]int64
	requests int64
	failed   int64
	sloMet   int64
	sloTotal int64
	errors   map[string]int64
}

func NewRecorder() *Recorder {
	r := &Recorder{hists: map[string]*hdrhistogram.Histogram{}, failedBy: map[int]map[string]*hdrhistogram.Histogram{}, outcomes: map[OutcomeKey]int64{}, errors: map[string]int64{}}
	for _, name := range histNames {
		r.hists[name] = hdrhistogram.New(lowestUs, highestUs, significantDigs)
	}
	return r
}

func toMicros(ms float64) int64 {
	if math.IsNaN(ms) || ms < 0 {
		return -1
	}
	us := math.Round(ms * 1000)
	return int64(math.Min(math.Max(us, lowestUs), highestUs))
}

// Sample is what one finished request adds.
type Sample struct {
	Outcome    OutcomeKey
	Error      string
	StartDelay float64            // ms
	Values     map[string]float64 // histogram name -> one value (ms), successful requests only
	// Failed holds a failed request's latency by failedHistNames (ms); it is recorded under
	// Outcome.Status.
	Failed map[string]float64
	ITL    []float64 // ms
	SLO    *bool     // nil when no SLO was given or the request was not a stream
}

func (r *Recorder) Add(s Sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if !s.Outcome.OK {
		r.failed++
	}
	r.outcomes[s.Outcome]++
	r.record(histStartDelay, s.StartDelay)
	for name, v := range s.Values {
		r.record(name, v)
	}
	if len(s.Failed) > 0 {
		hists := r.failedBy[s.Outcome.Status]
		if hists == nil {
			hists = map[string]*hdrhistogram.Histogram{}
			for _, name := range failedHistNames {
				hists[name] = hdrhistogram.New(lowestUs, highestUs, significantDigs)
			}
			r.failedBy[s.Outcome.Status] = hists
		}
		for name, v := range s.Failed {
			if h := hists[name]; h != nil {
				recordInto(h, v)
			}
		}
	}
	for _, gap := range s.ITL {
		r.record(histITL, gap)
	}
	if s.SLO != nil {
		r.sloTotal++
		if *s.SLO {
			r.sloMet++
		}
	}
	if s.Error != "" {
		msg := s.Error
		if len(msg) > 200 {
			msg = msg[:200]
		}
		if _, seen := r.errors[msg]; !seen && len(r.errors) >= maxErrorKinds {
			msg = "(other errors)"
		}
		r.errors[msg]++
	}
}

func (r *Recorder) record(name string, ms float64) {
	recordInto(r.hists[name], ms)
}

func recordInto(h *hdrhistogram.Histogram, ms float64) {
	if us := toMicros(ms); us > 0 {
		_ = h.RecordValue(us) // in range by construction
	}
}

// Counts returns requests finished and failed so far, for progress lines.
func (r *Recorder) Counts() (requests, failed int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, r.failed
}

// EncodedHistogram is one histogram in the output: hdr-histogram-js reads Encoded with
// decodeFromCompressedBase64.
type EncodedHistogram struct {
	Count   int64  `json:"count"`
	Encoded string `json:"encoded"`
}

// FailedLatency is the latency of the failed requests answered with one HTTP status (0: no
// HTTP response), histograms named as in failedHistNames.
type FailedLatency struct {
	Status     int                         `json:"status"`
	Histograms map[string]EncodedHistogram `json:"histograms"`
}

func encode(h *hdrhistogram.Histogram) (EncodedHistogram, error) {
	if h.TotalCount() == 0 {
		return EncodedHistogram{}, nil
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return EncodedHistogram{}, err
	}
	return EncodedHistogram{Count: h.TotalCount(), Encoded: string(b)}, nil
}

// ErrorCount is one kind of failure and how often it happened.
type ErrorCount struct {
	Message string `json:"message"`
	Count   int64  `json:"count"`
}

func (r *Recorder) fill(out *Summary) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	out.Requests, out.Failed = r.requests, r.failed
	out.Histograms = map[string]EncodedHistogram{}
	for _, name := range histNames {
		enc, err := encode(r.hists[name])
		if err != nil {
			return err
		}
		out.Histograms[name] = enc
	}
	// Never null: an empty list says failures were timed and there were none; a summary
	// without the field comes from a generator that did not time them.
	out.FailedLatency = make([]FailedLatency, 0, len(r.failedBy))
	for status, hists := range r.failedBy {
		f := FailedLatency{Status: status, Histograms: map[string]EncodedHistogram{}}
		for _, name := range failedHistNames {
			enc, err := encode(hists[name])
			if err != nil {
				return err
			}
			f.Histograms[name] = enc
		}
		out.FailedLatency = append(out.FailedLatency, f)
	}
	sort.Slice(out.FailedLatency, func(i, j int) bool { return out.FailedLatency[i].Status < out.FailedLatency[j].Status })
	out.Outcomes = make([]Outcome, 0, len(r.outcomes))
	for k, n := range r.outcomes {
		out.Outcomes = append(out.Outcomes, Outcome{OutcomeKey: k, Count: n})
	}
	sort.Slice(out.Outcomes, func(i, j int) bool {
		a, b := out.Outcomes[i], out.Outcomes[j]
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		if a.Peer != b.Peer {
			return a.Peer < b.Peer
		}
		return a.Attempt < b.Attempt
	})
	if r.sloTotal > 0 {
		out.SLO = &SLOCount{Met: r.sloMet, Total: r.sloTotal}
	}
	out.Errors = make([]ErrorCount, 0, len(r.errors))
	for msg, n := range r.errors {
		out.Errors = append(out.Errors, ErrorCount{Message: msg, Count: n})
	}
	sort.Slice(out.Errors, func(i, j int) bool { return out.Errors[i].Count > out.Errors[j].Count })
	return nil
}
