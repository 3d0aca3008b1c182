package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"meshproof/tools/loadgen/llmstream"
)

// Config is one run: a checked profile and where to send it.
type Config struct {
	Profile      Profile
	Target       string // base URL, e.g. http://127.0.0.1:8000
	Model        string
	RunID        string
	SLO          *SLO
	GracefulStop time.Duration
	Progress     time.Duration // 0: no progress lines
	ProgressOut  io.Writer
	Transport    http.RoundTripper // nil: a fresh one sized for the profile
	now          func() time.Time
	// eventHook, for precision measurements in tests only: called once per streamed request,
	// it returns what sees each of that request's events right after the generator stamped it.
	eventHook func() func(data string, at time.Time)
}

// Summary is the run's JSON output (schema meshproof-loadgen/1), read by src/load/loadgen.ts.
type Summary struct {
	Schema           string                      `json:"schema"`
	Version          string                      `json:"loadgenVersion"`
	Profile          string                      `json:"profile"`
	Mode             string                      `json:"mode"`
	StartedAt        string                      `json:"startedAt"`
	EndedAt          string                      `json:"endedAt"`
	ScheduledSeconds float64                     `json:"scheduledSeconds"`
	Scheduled        int                         `json:"scheduled"`
	Started          int64                       `json:"started"`
	Dropped          int64                       `json:"dropped"`
	NotStarted       int64                       `json:"notStarted"`
	Requests         int64                       `json:"requests"`
	Failed           int64                       `json:"failed"`
	PeakInFlight     int64                       `json:"peakInFlight"`
	MaxInFlight      int                         `json:"maxInFlight"`
	Interrupted      string                      `json:"interrupted,omitempty"`
	Outcomes         []Outcome                   `json:"outcomes"`
	Histograms       map[string]EncodedHistogram `json:"histograms"`
	FailedLatency    []FailedLatency             `json:"failedLatency"`
	SLO              *SLOCount                   `json:"slo,omitempty"`
	Errors           []ErrorCount                `json:"errors"`
}

// SLOCount is goodput: streamed requests that met the SLO, out of all streamed requests.
type SLOCount struct {
	Met   int64 `json:"met"`
	Total int64 `json:"total"`
}

const schemaName = "meshproof-loadgen/1"

// NewTransport is one connection pool for the whole run, sized to the in-flight cap so every
// request can reuse a kept-alive connection. Proxy variables of the environment are ignored:
// load goes to the target and nowhere else.
func NewTransport(maxInFlight int) *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          maxInFlight,
		MaxIdleConnsPerHost:   maxInFlight,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		ExpectContinueTimeout: 0,
	}
}

// Run drives the profile's schedule until it ends or stop is closed, then gives requests in
// flight the graceful stop to finish (none after stop), and returns the summary. interrupt
// names why stop was closed ("SIGINT"); it is read only after stop closes.
func Run(cfg Config, stop <-chan struct{}, interrupt func() string) (*Summary, error) {
	p := cfg.Profile
	if cfg.now == nil {
		cfg.now = time.Now
	}
	target := strings.TrimRight(cfg.Target, "/")
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		return nil, fmt.Errorf("--target must be a base URL like http://127.0.0.1:8000, got %q", cfg.Target)
	}
	url := target + p.Path
	transport := cfg.Transport
	if transport == nil {
		t := NewTransport(p.MaxVUs)
		defer t.CloseIdleConnections()
		transport = t
	}
	sched := NewSchedule(p)
	body := string(RequestBody(p, cfg.Model))
	accept := "application/json"
	if p.Mode == "stream" {
		accept = "text/event-stream"
	}
	idPrefix := fmt.Sprintf("%s-%s-%s", cfg.RunID, p.Name, randomToken())
	timeout := time.Duration(p.RequestTimeoutMs) * time.Millisecond

	rec := NewRecorder()
	var inFlight, peak, started, dropped atomic.Int64
	var wg sync.WaitGroup
	// requests ends every request still running when the graceful stop runs out or on stop.
	requests, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()

	one := func(i int, due time.Time) {
		defer wg.Done()
		defer inFlight.Add(-1)
		header := make(http.Header, len(p.Headers)+3)
		for k, v := range p.Headers {
			header.Set(k, v)
		}
		header.Set("Content-Type", "application/json")
		header.Set("Accept", accept)
		header.Set("X-Request-Id", fmt.Sprintf("%s-%d", idPrefix, i))
		req := llmstream.Request{Method: "POST", URL: url, Body: &body, Header: header, Timeout: timeout}
		var meter *StreamMeter
		if p.Mode == "stream" {
			meter = NewStreamMeter()
			req.OnEvent = meter.Add
			if cfg.eventHook != nil {
				hook := cfg.eventHook()
				req.OnEvent = func(ev llmstream.Event) {
					hook(ev.Data, time.Now())
					meter.Add(ev)
				}
			}
		}
		res := llmstream.Do(requests, transport, req)
		rec.Add(sampleOf(p, cfg.SLO, res, meter, res.Start.Sub(due)))
	}

	t0 := cfg.now()
	var progressDone chan struct{}
	if cfg.Progress > 0 && cfg.ProgressOut != nil {
		progressDone = make(chan struct{})
		go progress(cfg, t0, sched, rec, &started, &dropped, &inFlight, progressDone)
	}

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	stopped := false
	next := 0
dispatch:
	for ; next < sched.Total(); next++ {
		due := t0.Add(sched.Due(next))
		if wait := due.Sub(cfg.now()); wait > 0 {
			timer.Reset(wait)
			select {
			case <-stop:
				timer.Stop()
				stopped = true
				break dispatch
			case <-timer.C:
			}
		} else {
			select {
			case <-stop:
				stopped = true
				break dispatch
			default:
			}
		}
		// The cap on requests in flight: a request that cannot start on time is dropped, as
		// k6 drops an iteration with no free VU; waiting would quietly lower the offered load.
		if inFlight.Load() >= int64(p.MaxVUs) {
			dropped.Add(1)
			continue
		}
		n := inFlight.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		started.Add(1)
		wg.Add(1)
		go one(next, due)
	}
	notStarted := int64(sched.Total() - next)

	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	if !stopped {
		grace := time.NewTimer(cfg.GracefulStop)
		select {
		case <-finished:
		case <-grace.C:
		case <-stop:
			stopped = true
		}
		grace.Stop()
	}
	cancelRequests()
	<-finished // every request returns promptly once its context is cancelled
	if progressDone != nil {
		close(progressDone)
	}

	out := &Summary{
		Schema:           schemaName,
		Version:          version,
		Profile:          p.Name,
		Mode:             p.Mode,
		StartedAt:        t0.UTC().Format(time.RFC3339Nano),
		EndedAt:          cfg.now().UTC().Format(time.RFC3339Nano),
		ScheduledSeconds: sched.Length().Seconds(),
		Scheduled:        sched.Total(),
		Started:          started.Load(),
		Dropped:          dropped.Load(),
		NotStarted:       notStarted,
		PeakInFlight:     peak.Load(),
		MaxInFlight:      p.MaxVUs,
	}
	if stopped && interrupt != nil {
		out.Interrupted = interrupt()
	}
	if err := rec.fill(out); err != nil {
		return nil, err
	}
	return out, nil
}

// sampleOf turns one exchange into what the recorder keeps. The latency histograms count only
// successful requests, so fast failures (a proxy's 503) cannot flatter them; a failed request's
// time until it ended is kept apart, by its status (Sample.Failed).
// meter holds the stream's events when they were measured on arrival; nil means res.Events.
func sampleOf(p Profile, slo *SLO, res llmstream.Result, meter *StreamMeter, lateness time.Duration) Sample {
	late := float64(lateness) / float64(time.Millisecond)
	version := res.Headers["x-llm-version"]
	if version == "" {
		version = "unknown"
	}
	peer, attempt := Echo(res.Headers)
	ok := res.Status >= 200 && res.Status < 300 && res.Error == ""
	stream := p.Mode == "stream"
	if stream {
		ok = ok && res.Done
	}
	s := Sample{
		Outcome:    OutcomeKey{Version: version, Status: res.Status, OK: ok, Peer: peer, Attempt: attempt},
		Error:      res.Error,
		StartDelay: late,
		Values:     map[string]float64{},
	}
	if !ok && s.Error == "" && res.Status >= 200 && res.Status < 300 {
		s.Error = "the stream ended without [DONE]"
	}
	end := 0.0
	if res.EndMs != nil {
		end = *res.EndMs
	}
	if !ok && res.EndMs != nil {
		s.Failed = map[string]float64{histE2EFromSend: end, histE2E: end + late}
	}
	if !stream {
		if ok {
			s.Values[histE2EFromSend] = end
			s.Values[histE2E] = end + late
		}
		return s
	}
	var m StreamMeasurement
	if meter != nil {
		m = meter.Result(end)
	} else {
		m = MeasureStream(res.Events, end)
	}
	if ok {
		if m.HasTTFT {
			s.Values[histTTFTSend] = m.TTFTMs
			s.Values[histTTFT] = m.TTFTMs + late
		}
		s.ITL = m.ITLMs
		s.Values[histE2EFromSend] = end
		s.Values[histE2E] = end + late
		if m.HasTokensRate {
			s.Values[histOutputTps] = m.TokensPerSec
		}
	}
	if slo != nil {
		met := MeetsSLO(ok, m.TTFTMs+late, m, *slo)
		s.SLO = &met
	}
	return s
}

func progress(cfg Config, t0 time.Time, sched Schedule, rec *Recorder, started, dropped, inFlight *atomic.Int64, done <-chan struct{}) {
	tick := time.NewTicker(cfg.Progress)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			finished, failed := rec.Counts()
			fmt.Fprintf(cfg.ProgressOut, "loadgen %s: %.0fs of %.0fs, sent %d, finished %d, in flight %d, dropped %d, failed %d\n",
				cfg.Profile.Name, cfg.now().Sub(t0).Seconds(), sched.Length().Seconds(), started.Load(), finished, inFlight.Load(), dropped.Load(), failed)
		}
	}
}

// randomToken keeps request ids unique across processes and batches that share a run id:
// the reference server counts attempts per id, so a repeated id would read as a retry.
func randomToken() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand never fails on Linux
	return hex.EncodeToString(b)
}
