package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Profile is the harness's LoadProfile (src/load/profile.ts) as JSON, defaults filled in by
// its zod schema. Only the fields the generator acts on are read.
type Profile struct {
	Name             string            `json:"name"`
	Executor         string            `json:"executor"`
	Rate             float64           `json:"rate"`
	Stages           []Stage           `json:"stages"`
	DurationSeconds  float64           `json:"durationSeconds"`
	Mode             string            `json:"mode"`
	MaxTokens        int               `json:"maxTokens"`
	Headers          map[string]string `json:"headers"`
	Path             string            `json:"path"`
	MaxVUs           int               `json:"maxVUs"`
	RequestTimeoutMs int               `json:"requestTimeoutMs"`
}

// Stage is one leg of a ramping profile: the rate moves linearly to Target over Seconds.
type Stage struct {
	Target  float64 `json:"target"`
	Seconds float64 `json:"seconds"`
}

// Limits that keep every run bounded in count and in time, whatever a profile asks for.
const (
	maxScheduleSeconds = 24 * 3600
	maxRequests        = 50_000_000
	maxInFlightCap     = 100_000
)

// ParseProfile reads and checks a profile; every problem is named in one error.
func ParseProfile(text string) (Profile, error) {
	p := Profile{MaxTokens: 32, Path: "/v1/chat/completions", MaxVUs: 200, RequestTimeoutMs: 120_000}
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("--profile is not a LoadProfile as JSON: %v", err)
	}
	var problems []string
	if p.Name == "" {
		problems = append(problems, "name is empty")
	}
	if p.Executor != "constant-arrival-rate" && p.Executor != "ramping-arrival-rate" {
		problems = append(problems, fmt.Sprintf("executor %q is not constant-arrival-rate or ramping-arrival-rate", p.Executor))
	}
	if !(p.Rate > 0) {
		problems = append(problems, "rate must be above 0")
	}
	if !(p.DurationSeconds > 0) {
		problems = append(problems, "durationSeconds must be above 0")
	}
	for i, s := range p.Stages {
		if !(s.Seconds > 0) || s.Target < 0 {
			problems = append(problems, fmt.Sprintf("stage %d needs seconds > 0 and target >= 0", i))
		}
	}
	if p.Mode != "stream" && p.Mode != "plain" {
		problems = append(problems, fmt.Sprintf("mode %q is not stream or plain", p.Mode))
	}
	if !strings.HasPrefix(p.Path, "/") {
		problems = append(problems, fmt.Sprintf("path %q must start with /", p.Path))
	}
	if p.MaxVUs < 1 || p.MaxVUs > maxInFlightCap {
		problems = append(problems, fmt.Sprintf("maxVUs (the cap on requests in flight) must be 1..%d", maxInFlightCap))
	}
	if p.RequestTimeoutMs < 1 {
		problems = append(problems, "requestTimeoutMs must be at least 1")
	}
	if p.MaxTokens < 1 {
		problems = append(problems, "maxTokens must be at least 1")
	}
	if len(problems) == 0 {
		s := NewSchedule(p)
		if s.Length() > maxScheduleSeconds*time.Second {
			problems = append(problems, fmt.Sprintf("the schedule lasts %s, over the %d h limit", s.Length(), maxScheduleSeconds/3600))
		}
		if s.Total() > maxRequests {
			problems = append(problems, fmt.Sprintf("the schedule holds %d requests, over the %d limit", s.Total(), maxRequests))
		}
	}
	if len(problems) > 0 {
		return p, fmt.Errorf("--profile: %s", strings.Join(problems, "; "))
	}
	return p, nil
}

// RequestBody is an OpenAI-compatible body: chat messages for /chat/completions, a prompt
// otherwise; streamed bodies ask for the final usage chunk so token counts are the server's.
func RequestBody(p Profile, model string) []byte {
	const prompt = "Summarise the benefits of a service mesh for inference traffic."
	body := map[string]any{"model": model, "max_tokens": p.MaxTokens, "stream": p.Mode == "stream"}
	if strings.HasSuffix(p.Path, "/chat/completions") {
		body["messages"] = []map[string]string{{"role": "user", "content": prompt}}
	} else {
		body["prompt"] = prompt
	}
	if p.Mode == "stream" {
		body["stream_options"] = map[string]bool{"include_usage": true}
	}
	out, _ := json.Marshal(body) // a map of plain values always marshals
	return out
}
