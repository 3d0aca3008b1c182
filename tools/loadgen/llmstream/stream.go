// Package llmstream makes one HTTP exchange and stamps every server-sent event of the response
// the moment its closing blank line arrives, so time to first token and inter-token gaps are
// measured per event rather than per response.
package llmstream

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"
)

const (
	// maxLineBytes bounds one SSE line; a token chunk is tens of bytes, so a longer line means
	// a broken or hostile stream, reported as an error instead of growing memory without end.
	maxLineBytes = 1 << 20
	// maxPlainBytes bounds a non-streamed body for the same reason.
	maxPlainBytes = 16 << 20
	// drainGrace is how long we keep reading after [DONE] so the server can finish the
	// chunked body and the connection returns to the pool. Without it every request would
	// open a new connection (and, on a mesh with mTLS, a new handshake) and inflate TTFT.
	drainGrace = 50 * time.Millisecond
	doneMarker = "[DONE]"
)

// Request is one HTTP exchange to make on the load generator's shared transport.
type Request struct {
	Method  string
	URL     string
	Body    *string
	Header  http.Header
	Host    string
	Timeout time.Duration
	// OnEvent, when set, receives each event as it is stamped, and Result.Events stays empty:
	// a caller that keeps only what it measures holds no event text for long streams.
	OnEvent func(Event)
}

// Event is one server-sent event, stamped when its terminating blank line arrived.
type Event struct {
	Data string
	// AtMs is milliseconds since the request started, from the monotonic clock.
	AtMs float64
}

// Result is everything the load generator needs to judge one request. Times are milliseconds since
// the request started; a nil time means that point was never reached.
type Result struct {
	// Start is when the request was handed to the transport; every *Ms field counts from it.
	Start        time.Time
	Status       int
	Headers      map[string]string
	Events       []Event
	Done         bool
	FirstByteMs  *float64
	FirstEventMs *float64
	EndMs        *float64
	Error        string
}

// Do sends the request and reads the response event by event. It never panics on a broken
// stream: whatever went wrong is returned in Result.Error next to what arrived before it.
func Do(parent context.Context, transport http.RoundTripper, r Request) Result {
	ctx, cancel := context.WithTimeout(parent, r.Timeout)
	defer cancel()

	var body io.Reader
	if r.Body != nil {
		body = strings.NewReader(*r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return Result{Start: time.Now(), Error: fmt.Sprintf("invalid request: %v", err)}
	}
	req.Header = r.Header
	if r.Host != "" {
		req.Host = r.Host
	}

	start := time.Now()
	since := func() float64 { return float64(time.Since(start)) / float64(time.Millisecond) }

	// The trace callback runs on the transport's goroutine, hence the atomic.
	var firstByteNs atomic.Int64
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotFirstResponseByte: func() { firstByteNs.CompareAndSwap(0, int64(time.Since(start))) },
	}))

	resp, err := transport.RoundTrip(req)
	if err != nil {
		res := Result{Start: start, Error: describe(ctx, parent, r.Timeout, err)}
		res.EndMs = ptr(since())
		return res
	}
	defer resp.Body.Close()

	res := Result{Start: start, Status: resp.StatusCode, Headers: flatten(resp.Header)}
	if ns := firstByteNs.Load(); ns > 0 {
		res.FirstByteMs = ptr(float64(ns) / float64(time.Millisecond))
	} else {
		res.FirstByteMs = ptr(since())
	}

	if isEventStream(resp.Header.Get("Content-Type")) {
		err = readEvents(resp.Body, since, r.OnEvent, &res)
		if res.Done {
			// endMs is already stamped at [DONE]; this only lets the connection be reused.
			stop := time.AfterFunc(drainGrace, cancel)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxLineBytes))
			stop.Stop()
			return res
		}
	} else {
		err = readPlain(resp.Body, since, &res)
	}
	res.EndMs = ptr(since())
	if err != nil {
		res.Error = describe(ctx, parent, r.Timeout, err)
	}
	return res
}

// readEvents follows the WHATWG event-stream rules that matter for LLM streams: "data:"
// lines accumulate (joined by newlines), a blank line dispatches, comments and other fields
// are skipped, and an event cut off by EOF before its blank line is discarded.
func readEvents(body io.Reader, since func() float64, onEvent func(Event), res *Result) error {
	scanner := bufio.NewScanner(body)
	scanner.Buffer(make([]byte, 0, 4096), maxLineBytes)
	var data []string
	for scanner.Scan() {
		line := scanner.Text()
		if line == "" {
			if len(data) == 0 {
				continue
			}
			at := since()
			ev := Event{Data: strings.Join(data, "\n"), AtMs: at}
			data = data[:0]
			if onEvent != nil {
				onEvent(ev)
			} else {
				res.Events = append(res.Events, ev)
			}
			if res.FirstEventMs == nil {
				res.FirstEventMs = ptr(at)
			}
			if ev.Data == doneMarker {
				res.Done = true
				res.EndMs = ptr(at)
				return nil
			}
			continue
		}
		field, value, found := strings.Cut(line, ":")
		if field != "data" {
			continue // comment (":..."), event, id, retry: not needed to time tokens
		}
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		data = append(data, value)
	}
	if errors.Is(scanner.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("an event-stream line exceeded %d bytes", maxLineBytes)
	}
	return scanner.Err()
}

// readPlain returns a non-streamed body as a single event stamped when it was fully read.
func readPlain(body io.Reader, since func() float64, res *Result) error {
	buf, err := io.ReadAll(io.LimitReader(body, maxPlainBytes+1))
	if len(buf) > maxPlainBytes {
		return fmt.Errorf("response body exceeded %d bytes", maxPlainBytes)
	}
	at := since()
	res.Events = []Event{{Data: string(buf), AtMs: at}}
	res.FirstEventMs = ptr(at)
	return err
}

func isEventStream(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	return err == nil && media == "text/event-stream"
}

// flatten lower-cases header names (as HTTP/2 sends them) so callers need one spelling.
func flatten(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		out[strings.ToLower(name)] = strings.Join(values, ", ")
	}
	return out
}

// describe says which limit ended the request, since a bare "context canceled" does not.
func describe(ctx, parent context.Context, timeout time.Duration, err error) string {
	switch {
	case parent.Err() != nil:
		return fmt.Sprintf("interrupted: the load generator is stopping: %v", err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("request timeout after %s: %v", timeout, err)
	default:
		return err.Error()
	}
}

func ptr(v float64) *float64 { return &v }
