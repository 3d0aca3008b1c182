package llmstream

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func sseServer(t *testing.T, write func(w http.ResponseWriter, flush func())) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.Header().Set("X-LLM-Version", "canary")
		flusher := w.(http.Flusher)
		write(w, flusher.Flush)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, url string, timeout time.Duration) Result {
	t.Helper()
	body := `{"stream":true}`
	return Do(context.Background(), http.DefaultTransport, Request{
		Method: "POST", URL: url, Body: &body, Header: http.Header{}, Timeout: timeout,
	})
}

func TestStreamStampsEachEventAndStopsAtDone(t *testing.T) {
	const gap = 30 * time.Millisecond
	srv := sseServer(t, func(w http.ResponseWriter, flush func()) {
		for i := range 3 {
			time.Sleep(gap)
			fmt.Fprintf(w, "data: {\"n\":%d}\n\n", i)
			flush()
		}
		fmt.Fprint(w, ": keep-alive comment\n\ndata: [DONE]\n\n")
	})

	res := do(t, srv.URL, 5*time.Second)

	if res.Error != "" || res.Status != 200 || !res.Done {
		t.Fatalf("want a clean stream ending in [DONE], got %+v", res)
	}
	if len(res.Events) != 4 || res.Events[3].Data != "[DONE]" || res.Events[0].Data != `{"n":0}` {
		t.Fatalf("unexpected events %+v", res.Events)
	}
	if res.Headers["x-llm-version"] != "canary" {
		t.Fatalf("headers should be lower-cased, got %v", res.Headers)
	}
	for i := 1; i < 3; i++ {
		d := res.Events[i].AtMs - res.Events[i-1].AtMs
		if d < float64(gap.Milliseconds())*0.8 {
			t.Fatalf("event %d arrived %.1fms after the previous one, want about %v", i, d, gap)
		}
	}
	if *res.FirstEventMs != res.Events[0].AtMs || *res.EndMs != res.Events[3].AtMs || *res.FirstByteMs > *res.FirstEventMs {
		t.Fatalf("inconsistent stamps %+v", res)
	}
}

func TestMultiLineDataJoinsWithNewline(t *testing.T) {
	srv := sseServer(t, func(w http.ResponseWriter, _ func()) {
		fmt.Fprint(w, "event: message\r\ndata: a\r\ndata:b\r\n\r\ndata: [DONE]\r\n\r\n")
	})
	res := do(t, srv.URL, 5*time.Second)
	if len(res.Events) != 2 || res.Events[0].Data != "a\nb" || !res.Done {
		t.Fatalf("unexpected events %+v", res.Events)
	}
}

func TestStreamCutBeforeDoneIsReportedNotPanicked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		fmt.Fprint(w, "data: one\n\ndata: half an ev")
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close() // a chunked body cut mid-chunk
		}
	}))
	t.Cleanup(srv.Close)

	res := do(t, srv.URL, 5*time.Second)
	if res.Done || res.Error == "" || res.EndMs == nil {
		t.Fatalf("want an error and no [DONE], got %+v", res)
	}
	if len(res.Events) != 1 || res.Events[0].Data != "one" {
		t.Fatalf("the event before the cut should be kept and the partial one dropped: %+v", res.Events)
	}
}

func TestTimeoutEndsAStalledStream(t *testing.T) {
	release := make(chan struct{})
	srv := sseServer(t, func(w http.ResponseWriter, flush func()) {
		fmt.Fprint(w, "data: first\n\n")
		flush()
		<-release
	})
	// Registered after the server so it runs first: srv.Close waits for this handler.
	t.Cleanup(func() { close(release) })
	res := do(t, srv.URL, 200*time.Millisecond)
	if !strings.Contains(res.Error, "timeout") || len(res.Events) != 1 || res.Done {
		t.Fatalf("want a timeout after one event, got %+v", res)
	}
}

func TestPlainBodyIsOneEvent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(503)
		fmt.Fprint(w, `{"error":"overloaded"}`)
	}))
	t.Cleanup(srv.Close)
	res := do(t, srv.URL, 5*time.Second)
	if res.Status != 503 || len(res.Events) != 1 || res.Events[0].Data != `{"error":"overloaded"}` || res.Done || res.Error != "" {
		t.Fatalf("unexpected %+v", res)
	}
}

func TestConnectionRefusedIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	res := do(t, url, 5*time.Second)
	if res.Status != 0 || res.Error == "" || res.FirstByteMs != nil {
		t.Fatalf("unexpected %+v", res)
	}
}

func TestOnEventReceivesEventsInsteadOfTheResult(t *testing.T) {
	srv := sseServer(t, func(w http.ResponseWriter, flush func()) {
		fmt.Fprint(w, "data: a\n\n")
		flush()
		fmt.Fprint(w, "data: b\n\ndata: [DONE]\n\n")
	})
	var got []string
	body := `{}`
	res := Do(context.Background(), http.DefaultTransport, Request{
		Method: "POST", URL: srv.URL, Body: &body, Header: http.Header{}, Timeout: 5 * time.Second,
		OnEvent: func(ev Event) { got = append(got, ev.Data) },
	})
	if strings.Join(got, ",") != "a,b,[DONE]" || len(res.Events) != 0 || !res.Done {
		t.Fatalf("want a, b, [DONE] through OnEvent and none kept, got %v and %+v", got, res)
	}
}
