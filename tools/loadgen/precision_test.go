package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestPrecisionFigures measures the generator's own share of each inter-token gap, gap by gap:
// a Go server stamps every event with the time it wrote it, the generator stamps it when it
// read it, and the generator's share of a gap is how much that read delay changed from one
// event of a stream to the next. It prints figures for `npm run bench` and asserts nothing
// about them (timings on a shared machine are not a test); it runs only with
// LOADGEN_PRECISION=1.
func TestPrecisionFigures(t *testing.T) {
	if os.Getenv("LOADGEN_PRECISION") != "1" {
		t.Skip("figures for `npm run bench`: set LOADGEN_PRECISION=1")
	}
	const itl = 20 * time.Millisecond
	const tokens = 50
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		flush := w.(http.Flusher).Flush
		start := time.Now()
		for i := 0; i < tokens; i++ {
			time.Sleep(time.Until(start.Add(itl * time.Duration(i+1))))
			fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":\"t\"}}],\"sent\":%d}\n\n", time.Now().UnixNano())
			flush()
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()

	for _, streams := range []int{40, 80} {
		var mu sync.Mutex
		var shares, delays []float64
		rate := float64(streams) / (itl * tokens).Seconds()
		p, err := ParseProfile(fmt.Sprintf(`{"name":"precision","executor":"constant-arrival-rate","rate":%g,"durationSeconds":10,"mode":"stream","maxVUs":1000}`, rate))
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Profile: p, Target: srv.URL, GracefulStop: 30 * time.Second}
		cfg.eventHook = func() func(string, time.Time) {
			var previous float64
			seen := false
			return func(data string, at time.Time) {
				var chunk struct {
					Sent int64 `json:"sent"`
				}
				if json.Unmarshal([]byte(data), &chunk) != nil || chunk.Sent == 0 {
					return
				}
				delay := float64(at.UnixNano()-chunk.Sent) / 1e6
				mu.Lock()
				defer mu.Unlock()
				delays = append(delays, delay)
				if seen {
					shares = append(shares, math.Abs(delay-previous))
				}
				previous, seen = delay, true
			}
		}
		s, err := Run(cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("precision: %d streams at %s ITL: %d gaps; the generator's share of a gap p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms; read delay p50 %.3f ms, p99 %.3f ms; failed %d, peak in flight %d\n",
			streams, itl, len(shares), quantile(shares, 0.5), quantile(shares, 0.99), quantile(shares, 0.999), quantile(delays, 0.5), quantile(delays, 0.99), s.Failed, s.PeakInFlight)
	}
}

func quantile(values []float64, q float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	return sorted[int(math.Min(float64(len(sorted)-1), math.Floor(q*float64(len(sorted)))))]
}
