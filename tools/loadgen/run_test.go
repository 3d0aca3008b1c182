package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"meshproof/tools/loadgen/llmstream"
)

// streamServer answers like llm-sim: a version header, the attempt count, tokens as SSE events
// `gap` apart, a usage chunk and [DONE]. It records every x-request-id it sees.
func streamServer(t *testing.T, tokens int, gap time.Duration) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var ids []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, r.Header.Get("X-Request-Id"))
		mu.Unlock()
		w.Header().Set("X-LLM-Version", "canary")
		w.Header().Set("X-LLM-Attempt", "1")
		if r.URL.Path == "/v1/completions" {
			time.Sleep(gap)
			fmt.Fprint(w, `{"choices":[{"text":"hi"}]}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		flush := w.(http.Flusher).Flush
		for i := 0; i < tokens; i++ {
			time.Sleep(gap)
			fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":\"t%d\"}}]}\n\n", i)
			flush()
		}
		fmt.Fprintf(w, "data: {\"choices\":[],\"usage\":{\"completion_tokens\":%d}}\n\ndata: [DONE]\n\n", tokens)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), ids...) }
}

func profile(mode string, rate, seconds float64, maxVUs int) Profile {
	p, err := ParseProfile(fmt.Sprintf(`{"name":"t","executor":"constant-arrival-rate","rate":%g,"durationSeconds":%g,"mode":%q,"maxVUs":%d}`, rate, seconds, mode, maxVUs))
	if err != nil {
		panic(err)
	}
	return p
}

func TestStreamsAreCountedAndTimedPerEvent(t *testing.T) {
	srv, ids := streamServer(t, 5, 20*time.Millisecond)
	slo := &SLO{TTFTMs: 5000, TPOTMs: 5000}
	s, err := Run(Config{Profile: profile("stream", 10, 1, 50), Target: srv.URL + "/", RunID: "r", SLO: slo, GracefulStop: 10 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Scheduled != 10 || s.Started != 10 || s.Requests != 10 || s.Failed != 0 || s.Dropped != 0 {
		t.Fatalf("want 10 clean requests, got %+v", s)
	}
	seen := map[string]bool{}
	for _, id := range ids() {
		if !strings.HasPrefix(id, "r-t-") || seen[id] {
			t.Fatalf("x-request-id %q is missing its prefix or repeated", id)
		}
		seen[id] = true
	}
	if len(seen) != 10 {
		t.Fatalf("server saw %d requests", len(seen))
	}
	if h := s.Histograms; h[histITL].Count != 10*4 || h[histTTFT].Count != 10 || h[histTTFTSend].Count != 10 || h[histE2E].Count != 10 || h[histOutputTps].Count != 10 || h[histStartDelay].Count != 10 {
		t.Fatalf("one ITL sample per token gap and one of the rest per request: %+v", h)
	}
	if len(s.Outcomes) != 1 || s.Outcomes[0].OutcomeKey != (OutcomeKey{Version: "canary", Status: 200, OK: true, Peer: "none", Attempt: 1}) {
		t.Fatalf("outcomes %+v", s.Outcomes)
	}
	if s.SLO == nil || s.SLO.Met != 10 || s.SLO.Total != 10 {
		t.Fatalf("goodput %+v", s.SLO)
	}
}

func TestPlainCompletions(t *testing.T) {
	srv, _ := streamServer(t, 0, 10*time.Millisecond)
	p := profile("plain", 10, 0.5, 10)
	p.Path = "/v1/completions"
	s, err := Run(Config{Profile: p, Target: srv.URL, GracefulStop: 10 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Requests != 5 || s.Failed != 0 || s.Histograms[histE2E].Count != 5 || s.Histograms[histTTFT].Count != 0 || s.Histograms[histITL].Count != 0 {
		t.Fatalf("%+v", s)
	}
}

func TestRequestsBeyondTheInFlightCapAreDropped(t *testing.T) {
	srv, _ := streamServer(t, 0, 400*time.Millisecond)
	p := profile("plain", 20, 1, 2)
	p.Path = "/v1/completions"
	s, err := Run(Config{Profile: p, Target: srv.URL, GracefulStop: 10 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Dropped == 0 || s.Started+s.Dropped != int64(s.Scheduled) || s.PeakInFlight > 2 || s.Requests != s.Started {
		t.Fatalf("want drops beyond 2 in flight, every scheduled request either sent or dropped: %+v", s)
	}
}

func hangingServer(t *testing.T) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}

func TestGracefulStopEndsRequestsStillRunning(t *testing.T) {
	srv := hangingServer(t)
	started := time.Now()
	s, err := Run(Config{Profile: profile("stream", 10, 0.3, 10), Target: srv.URL, GracefulStop: 200 * time.Millisecond}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(started); elapsed > 5*time.Second {
		t.Fatalf("took %s: the graceful stop was not applied", elapsed)
	}
	if s.Requests != s.Started || s.Failed != s.Requests || s.Requests == 0 || !strings.Contains(s.Errors[0].Message, "interrupted") {
		t.Fatalf("every interrupted request is still counted, as failed: %+v", s)
	}
}

func TestPerRequestTimeout(t *testing.T) {
	srv := hangingServer(t)
	p := profile("stream", 5, 0.2, 10)
	p.RequestTimeoutMs = 100
	s, err := Run(Config{Profile: p, Target: srv.URL, GracefulStop: 10 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Failed != s.Requests || !strings.Contains(s.Errors[0].Message, "request timeout after 100ms") {
		t.Fatalf("%+v", s)
	}
}

func TestStopSignalEndsTheRunAtOnce(t *testing.T) {
	srv := hangingServer(t)
	stop := make(chan struct{})
	time.AfterFunc(300*time.Millisecond, func() { close(stop) })
	started := time.Now()
	s, err := Run(Config{Profile: profile("stream", 10, 60, 100), Target: srv.URL, GracefulStop: 30 * time.Second}, stop, func() string { return "SIGINT" })
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(started) > 10*time.Second || s.Interrupted != "SIGINT" || s.NotStarted == 0 || s.Requests != s.Started {
		t.Fatalf("%s: %+v", time.Since(started), s)
	}
}

func TestCLI(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := cli([]string{"run", "--target", "http://127.0.0.1:1", "--profile", `{"name":"x"}`}, &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "executor") {
		t.Fatalf("a bad profile is a usage error: %d %s", code, errOut.String())
	}
	errOut.Reset()
	if code := cli([]string{"run", "--target", "ftp://x", "--profile", `{"name":"x","executor":"constant-arrival-rate","rate":1,"durationSeconds":1,"mode":"plain"}`}, &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "base URL") {
		t.Fatalf("a bad target is a usage error: %d %s", code, errOut.String())
	}
	out.Reset()
	if code := cli([]string{"version"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), version) {
		t.Fatal(out.String())
	}
	srv, _ := streamServer(t, 2, time.Millisecond)
	out.Reset()
	code := cli([]string{"run", "--target", srv.URL, "--profile", `{"name":"x","executor":"constant-arrival-rate","rate":4,"durationSeconds":0.5,"mode":"stream"}`}, &out, &errOut)
	var s Summary
	if code != 0 || json.Unmarshal(out.Bytes(), &s) != nil || s.Schema != schemaName || s.Requests != 2 {
		t.Fatalf("exit %d, summary %s", code, out.String())
	}
}

func TestCatPrintsASummaryWrittenWithOut(t *testing.T) {
	srv, _ := streamServer(t, 2, time.Millisecond)
	path := filepath.Join(t.TempDir(), "summary.json")
	var out, errOut bytes.Buffer
	if code := cli([]string{"run", "--target", srv.URL, "--profile", `{"name":"x","executor":"constant-arrival-rate","rate":4,"durationSeconds":0.5,"mode":"stream"}`, "--out", path}, &out, &errOut); code != 0 || out.Len() != 0 {
		t.Fatalf("with --out FILE the summary goes to the file only: exit %d, stdout %q", code, out.String())
	}
	var s Summary
	if code := cli([]string{"cat", path}, &out, &errOut); code != 0 || json.Unmarshal(out.Bytes(), &s) != nil || s.Requests != 2 {
		t.Fatalf("cat: exit %d, %s", code, out.String())
	}
	if code := cli([]string{"cat", path + ".missing"}, &out, &errOut); code != 1 {
		t.Fatalf("cat of a missing file exits 1, got %d", code)
	}
	if code := cli([]string{"cat"}, &out, &errOut); code != exitUsage {
		t.Fatalf("cat without a file is a usage error, got %d", code)
	}
}

func TestAStreamWithoutDoneFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n") // and then the body just ends
	}))
	t.Cleanup(srv.Close)
	s, err := Run(Config{Profile: profile("stream", 4, 0.5, 10), Target: srv.URL, GracefulStop: 10 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Requests != 2 || s.Failed != 2 || s.Histograms[histTTFT].Count != 0 || s.Histograms[histE2E].Count != 0 || len(s.Errors) != 1 || s.Errors[0].Message != "the stream ended without [DONE]" {
		t.Fatalf("a 200 without [DONE] is a failure, and its timings are not kept with the successes: %+v", s)
	}
	if len(s.FailedLatency) != 1 || s.FailedLatency[0].Status != 200 || s.FailedLatency[0].Histograms[histE2E].Count != 2 {
		t.Fatalf("its time to fail is kept under its status: %+v", s.FailedLatency)
	}
}

func TestLatencyCountsFromTheDueTimeAndFromTheSend(t *testing.T) {
	end := 130.0
	res := llmstream.Result{Status: 200, Done: true, EndMs: &end, Headers: map[string]string{}, Events: []llmstream.Event{
		{Data: `{"choices":[{"delta":{"content":"a"}}]}`, AtMs: 100},
		{Data: `{"choices":[{"delta":{"content":"b"}}]}`, AtMs: 120},
		{Data: "[DONE]", AtMs: 130},
	}}
	s := sampleOf(profile("stream", 1, 1, 1), &SLO{TTFTMs: 103, TPOTMs: 100}, res, nil, 5*time.Millisecond)
	if s.Values[histTTFT] != 105 || s.Values[histTTFTSend] != 100 || s.Values[histE2E] != 135 || s.Values[histE2EFromSend] != 130 || s.StartDelay != 5 {
		t.Fatalf("due-time figures add the 5 ms start delay: %+v", s)
	}
	if len(s.ITL) != 1 || s.ITL[0] != 20 || s.SLO == nil || *s.SLO {
		t.Fatalf("one gap; the SLO is judged on TTFT from the due time (105 > 103): %+v", s)
	}
}

// decoded reads one histogram of the summary back, as the harness does.
func decoded(t *testing.T, h EncodedHistogram) *hdrhistogram.Histogram {
	t.Helper()
	if h.Encoded == "" {
		t.Fatalf("histogram of %d samples has no encoding", h.Count)
	}
	out, err := hdrhistogram.Decode([]byte(h.Encoded))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFailedResponsesAreTimedApartByStatus(t *testing.T) {
	// Every other request is held 150 ms and answered 504, as a gateway whose route timeout fired;
	// the rest are served in 10 ms.
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		cut := n%2 == 1
		mu.Unlock()
		if cut {
			time.Sleep(150 * time.Millisecond)
			http.Error(w, "upstream request timeout", http.StatusGatewayTimeout)
			return
		}
		time.Sleep(10 * time.Millisecond)
		fmt.Fprint(w, `{"choices":[{"text":"hi"}]}`)
	}))
	t.Cleanup(srv.Close)
	p := profile("plain", 20, 0.5, 20)
	p.Path = "/v1/completions"
	s, err := Run(Config{Profile: p, Target: srv.URL, GracefulStop: 10 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Requests != 10 || s.Failed != 5 {
		t.Fatalf("want 10 requests, 5 of them failed: %+v", s)
	}
	if s.Histograms[histE2E].Count != 5 || decoded(t, s.Histograms[histE2E]).Max() >= 150_000 {
		t.Fatalf("the latency of successes keeps the 5 fast ones only: %+v", s.Histograms[histE2E])
	}
	if len(s.FailedLatency) != 1 || s.FailedLatency[0].Status != 504 {
		t.Fatalf("want the failures' latency under 504 alone: %+v", s.FailedLatency)
	}
	for _, name := range failedHistNames {
		h := s.FailedLatency[0].Histograms[name]
		if h.Count != 5 {
			t.Fatalf("%s: want 5 samples, got %d", name, h.Count)
		}
		if d := decoded(t, h); d.Min() < 150_000 || d.Max() > 5_000_000 {
			t.Fatalf("%s: each 504 took at least the 150 ms it was held: min %d µs, max %d µs", name, d.Min(), d.Max())
		}
	}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"failedLatency":[{"status":504,"histograms":{"e2e":{"count":5,`) {
		t.Fatalf("summary JSON: %s", raw)
	}
}

func TestARunWithoutFailuresSaysSo(t *testing.T) {
	srv, _ := streamServer(t, 0, time.Millisecond)
	p := profile("plain", 10, 0.2, 10)
	p.Path = "/v1/completions"
	s, err := Run(Config{Profile: p, Target: srv.URL, GracefulStop: 10 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(s)
	// An empty list, never null or absent: absent is what a generator that did not time failures wrote.
	if s.Failed != 0 || !strings.Contains(string(raw), `"failedLatency":[]`) {
		t.Fatalf("%s", raw)
	}
}

func TestNoResponseIsTimedUnderStatusZero(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more: every request is refused
	s, err := Run(Config{Profile: profile("stream", 10, 0.2, 10), Target: url, GracefulStop: 10 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Failed != 2 || len(s.FailedLatency) != 1 || s.FailedLatency[0].Status != 0 || s.FailedLatency[0].Histograms[histE2E].Count != 2 {
		t.Fatalf("refused connections are failures with status 0, timed: %+v", s)
	}
}

func TestAFailedRequestKeepsItsLatencyApart(t *testing.T) {
	end := 60_000.0
	res := llmstream.Result{Status: 504, EndMs: &end, Headers: map[string]string{}}
	s := sampleOf(profile("plain", 1, 1, 1), nil, res, nil, 5*time.Millisecond)
	if len(s.Values) != 0 || s.Failed[histE2EFromSend] != 60_000 || s.Failed[histE2E] != 60_005 {
		t.Fatalf("a 504 after 60 s: no success latency, and 60 s from the send, 60.005 s from the due time: %+v", s)
	}
	ok := sampleOf(profile("plain", 1, 1, 1), nil, llmstream.Result{Status: 200, EndMs: &end, Headers: map[string]string{}}, nil, 0)
	if len(ok.Failed) != 0 || ok.Values[histE2E] != 60_000 {
		t.Fatalf("a success is kept with the successes only: %+v", ok)
	}
}
