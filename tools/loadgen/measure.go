package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"meshproof/tools/loadgen/llmstream"
)

// StreamMeasurement is what one OpenAI-compatible stream says about latency. Definitions
// follow vLLM's benchmarks: TTFT is the request's start to the first event carrying output
// text; ITL is every gap between consecutive such events; TPOT is (e2e - TTFT) / (tokens - 1);
// output tokens per second is tokens / e2e. Times are milliseconds since the request was sent.
type StreamMeasurement struct {
	ContentTimesMs []float64
	OutputTokens   int
	TTFTMs         float64
	HasTTFT        bool
	ITLMs          []float64
	E2EMs          float64
	TPOTMs         float64
	HasTPOT        bool
	TokensPerSec   float64
	HasTokensRate  bool
}

type chunkShape struct {
	Choices []struct {
		Delta *struct {
			Content          any `json:"content"`
			ReasoningContent any `json:"reasoning_content"`
		} `json:"delta"`
		Text any `json:"text"`
	} `json:"choices"`
	Usage *struct {
		CompletionTokens *float64 `json:"completion_tokens"`
	} `json:"usage"`
}

func nonEmptyString(v any) bool {
	s, ok := v.(string)
	return ok && s != ""
}

// StreamMeter measures a stream event by event, keeping only arrival times of content events
// and the usage count, never the event text.
type StreamMeter struct {
	contentTimesMs []float64
	usage          int
}

func NewStreamMeter() *StreamMeter { return &StreamMeter{usage: -1} }

// Add takes one timed event.
func (s *StreamMeter) Add(ev llmstream.Event) {
	if ev.Data == "[DONE]" {
		return
	}
	var chunk chunkShape
	if json.Unmarshal([]byte(ev.Data), &chunk) != nil {
		return // a non-JSON event (keep-alive text, proxy noise) carries no tokens
	}
	for _, c := range chunk.Choices {
		if nonEmptyString(c.Text) || (c.Delta != nil && (nonEmptyString(c.Delta.Content) || nonEmptyString(c.Delta.ReasoningContent))) {
			s.contentTimesMs = append(s.contentTimesMs, ev.AtMs)
			break
		}
	}
	if chunk.Usage != nil && chunk.Usage.CompletionTokens != nil && *chunk.Usage.CompletionTokens >= 0 {
		s.usage = int(*chunk.Usage.CompletionTokens)
	}
}

// MeasureStream reads the timed events of one stream; endMs is when it ended.
func MeasureStream(events []llmstream.Event, endMs float64) StreamMeasurement {
	meter := NewStreamMeter()
	for _, ev := range events {
		meter.Add(ev)
	}
	return meter.Result(endMs)
}

// Result is the measurement of the events added so far; endMs is when the stream ended.
func (s *StreamMeter) Result(endMs float64) StreamMeasurement {
	m := StreamMeasurement{ContentTimesMs: s.contentTimesMs}
	usage := s.usage
	for i := 1; i < len(m.ContentTimesMs); i++ {
		m.ITLMs = append(m.ITLMs, m.ContentTimesMs[i]-m.ContentTimesMs[i-1])
	}
	m.E2EMs = endMs
	m.OutputTokens = len(m.ContentTimesMs)
	if usage >= 0 {
		m.OutputTokens = usage
	}
	if len(m.ContentTimesMs) > 0 {
		m.TTFTMs, m.HasTTFT = m.ContentTimesMs[0], true
		if m.OutputTokens > 1 {
			m.TPOTMs, m.HasTPOT = (endMs-m.TTFTMs)/float64(m.OutputTokens-1), true
		}
	}
	if endMs > 0 && m.OutputTokens > 0 {
		m.TokensPerSec, m.HasTokensRate = float64(m.OutputTokens)/(endMs/1000), true
	}
	return m
}

// SLO is a goodput target: TTFT and mean time per output token, in milliseconds.
type SLO struct {
	TTFTMs float64 `json:"ttftMs"`
	TPOTMs float64 `json:"tpotMs"`
}

// ParseSLO reads --slo; empty means none.
func ParseSLO(text string) (*SLO, error) {
	if text == "" {
		return nil, nil
	}
	var s SLO
	if err := json.Unmarshal([]byte(text), &s); err != nil || !(s.TTFTMs > 0) || !(s.TPOTMs > 0) {
		return nil, fmt.Errorf(`--slo needs {"ttftMs": n, "tpotMs": n} with positive milliseconds, got %s`, text)
	}
	return &s, nil
}

// MeetsSLO is goodput's per-request test: success, and both targets met. ttftMs is the TTFT
// the caller judges by (from the due time). A one-token answer has no TPOT and meets it.
func MeetsSLO(ok bool, ttftMs float64, m StreamMeasurement, slo SLO) bool {
	if !ok || !m.HasTTFT {
		return false
	}
	return ttftMs <= slo.TTFTMs && (!m.HasTPOT || m.TPOTMs <= slo.TPOTMs)
}

// Echo is what the reference server says it saw: the peer identity (Istio's SPIFFE URI from
// the forwarded client certificate, else Linkerd's client id, else "none") and its attempt
// count for this request id (0 when it did not say, as a real vLLM would not).
func Echo(headers map[string]string) (peer string, attempt int) {
	peer = "none"
	if xfcc := headers["x-llm-peer-xfcc"]; xfcc != "" {
		// Elements are separated by ",", fields by ";"; the first element is the nearest peer.
		first, _, _ := strings.Cut(xfcc, ",")
		for _, field := range strings.Split(first, ";") {
			field = strings.TrimSpace(field)
			if len(field) >= 4 && strings.EqualFold(field[:4], "uri=") {
				peer = strings.Trim(field[4:], `"`)
				break
			}
		}
	}
	if peer == "none" {
		if l5d := headers["x-llm-peer-l5d"]; l5d != "" {
			peer = l5d
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(headers["x-llm-attempt"])); err == nil {
		attempt = n
	}
	return peer, attempt
}
