package main

import (
	"encoding/base64"
	"strings"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"meshproof/tools/loadgen/llmstream"
)

func TestMeasureStreamCountsContentEventsAndUsage(t *testing.T) {
	events := []llmstream.Event{
		{Data: `{"choices":[{"delta":{"role":"assistant"}}]}`, AtMs: 50},
		{Data: `{"choices":[{"delta":{"content":"a"}}]}`, AtMs: 100},
		{Data: `not json`, AtMs: 105},
		{Data: `{"choices":[{"delta":{"reasoning_content":"b"}}]}`, AtMs: 110},
		{Data: `{"choices":[{"text":"c"}]}`, AtMs: 125},
		{Data: `{"choices":[],"usage":{"completion_tokens":3}}`, AtMs: 126},
		{Data: `[DONE]`, AtMs: 127},
	}
	m := MeasureStream(events, 130)
	if !m.HasTTFT || m.TTFTMs != 100 || len(m.ITLMs) != 2 || m.ITLMs[0] != 10 || m.ITLMs[1] != 15 {
		t.Fatalf("want TTFT 100 and gaps [10 15], got %+v", m)
	}
	if m.OutputTokens != 3 || !m.HasTPOT || m.TPOTMs != 15 || m.TokensPerSec != 3/0.13 {
		t.Fatalf("unexpected token figures %+v", m)
	}
	empty := MeasureStream(nil, 0)
	if empty.HasTTFT || empty.HasTokensRate || len(empty.ITLMs) != 0 {
		t.Fatalf("an empty stream has no timings: %+v", empty)
	}
}

func TestSLO(t *testing.T) {
	slo := SLO{TTFTMs: 200, TPOTMs: 20}
	m := StreamMeasurement{HasTTFT: true, TTFTMs: 150, HasTPOT: true, TPOTMs: 10}
	if !MeetsSLO(true, 150, m, slo) || MeetsSLO(false, 150, m, slo) || MeetsSLO(true, 250, m, slo) {
		t.Fatal("SLO test wrong")
	}
	m.TPOTMs = 30
	if MeetsSLO(true, 150, m, slo) {
		t.Fatal("a slow TPOT misses the SLO")
	}
	if _, err := ParseSLO(`{"ttftMs":1}`); err == nil {
		t.Fatal("an SLO without tpotMs is refused")
	}
}

func TestEcho(t *testing.T) {
	spiffe := "spiffe://cluster.local/ns/a/sa/loadgen"
	peer, attempt := Echo(map[string]string{
		"x-llm-peer-xfcc": `By=spiffe://x;Hash=ab;URI=` + spiffe + `,By=spiffe://y;URI=spiffe://far`,
		"x-llm-attempt":   "2",
	})
	if peer != spiffe || attempt != 2 {
		t.Fatalf("got %q %d", peer, attempt)
	}
	if peer, _ := Echo(map[string]string{"x-llm-peer-l5d": "loadgen.ns.serviceaccount.identity.linkerd.cluster.local"}); !strings.HasPrefix(peer, "loadgen.ns") {
		t.Fatalf("Linkerd's client id: got %q", peer)
	}
	if peer, attempt := Echo(map[string]string{}); peer != "none" || attempt != 0 {
		t.Fatalf("no echo: got %q %d", peer, attempt)
	}
}

func TestHistogramEncodingRoundTrips(t *testing.T) {
	r := NewRecorder()
	for i := 1; i <= 1000; i++ {
		r.Add(Sample{Outcome: OutcomeKey{Version: "stable", Status: 200, OK: true}, Values: map[string]float64{histE2E: float64(i)}})
	}
	var s Summary
	if err := r.fill(&s); err != nil {
		t.Fatal(err)
	}
	enc := s.Histograms[histE2E].Encoded
	if !strings.HasPrefix(enc, "HISTF") {
		t.Fatalf("want base64 of the compressed V2 encoding, got %q", enc)
	}
	if _, err := base64.StdEncoding.DecodeString(enc); err != nil {
		t.Fatal(err)
	}
	h, err := hdrhistogram.Decode([]byte(enc))
	if err != nil {
		t.Fatal(err)
	}
	if h.TotalCount() != 1000 || h.ValueAtQuantile(50) < 499_000 || h.ValueAtQuantile(50) > 501_000 {
		t.Fatalf("decoded %d values, p50 %d us", h.TotalCount(), h.ValueAtQuantile(50))
	}
	if s.Histograms[histTTFT].Encoded != "" || s.Requests != 1000 || s.Outcomes[0].Count != 1000 {
		t.Fatalf("unexpected summary %+v", s)
	}
}

func TestProfileChecks(t *testing.T) {
	good := `{"name":"a","executor":"constant-arrival-rate","rate":1,"durationSeconds":1,"mode":"plain"}`
	p, err := ParseProfile(good)
	if err != nil || p.MaxVUs != 200 || p.Path != "/v1/chat/completions" || p.RequestTimeoutMs != 120000 {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	_, err = ParseProfile(`{"name":"","executor":"closed","rate":0,"durationSeconds":1,"mode":"x"}`)
	if err == nil || !strings.Contains(err.Error(), "executor") || !strings.Contains(err.Error(), "rate") || !strings.Contains(err.Error(), "mode") {
		t.Fatalf("want every problem named, got %v", err)
	}
	if _, err := ParseProfile(`{"name":"a","executor":"constant-arrival-rate","rate":1000,"durationSeconds":100000,"mode":"plain"}`); err == nil {
		t.Fatal("a schedule past 24 h is refused")
	}
	if _, err := ParseProfile(`{"name":"a","executor":"constant-arrival-rate","rate":100000,"durationSeconds":1000,"mode":"plain"}`); err == nil {
		t.Fatal("a schedule of 100 million requests is refused")
	}
}

func TestRequestBody(t *testing.T) {
	chat := string(RequestBody(Profile{Mode: "stream", Path: "/v1/chat/completions", MaxTokens: 8}, "m"))
	if !strings.Contains(chat, `"messages"`) || !strings.Contains(chat, `"include_usage":true`) || !strings.Contains(chat, `"max_tokens":8`) {
		t.Fatal(chat)
	}
	plain := string(RequestBody(Profile{Mode: "plain", Path: "/v1/completions", MaxTokens: 8}, "m"))
	if !strings.Contains(plain, `"prompt"`) || strings.Contains(plain, "stream_options") || !strings.Contains(plain, `"stream":false`) {
		t.Fatal(plain)
	}
}
