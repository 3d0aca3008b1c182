// Package llmstream is a small k6 extension, `k6/x/llmstream`, that times LLM token streams.
//
// k6/http only hands a script the whole body once it has arrived, so it cannot see when each
// server-sent event came in: time to first token and inter-token latency are invisible to
// it. This extension exposes one synchronous call, shaped like http.request, that reads an
// SSE body event by event and stamps each event's arrival. It exists because the public SSE
// extension (xk6-sse) and the xk6 builder cannot be fetched from every Go module proxy we
// build on; it is deliberately small.
//
//	import { request } from "k6/x/llmstream";
//	const res = request("POST", url, body, { headers: {...}, timeout: "60s" });
//	// res: { status, headers, events: [{ data, atMs }], done, firstByteMs, firstEventMs, endMs, error }
package llmstream

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/modules"
	"go.k6.io/k6/lib/types"
)

// defaultTimeout matches k6/http's default, so both paths of a script give up alike.
const defaultTimeout = 60 * time.Second

func init() {
	modules.Register("k6/x/llmstream", new(RootModule))
}

// RootModule is the per-test module; it hands each VU its own Instance.
type RootModule struct{}

// Instance is the module as one VU sees it.
type Instance struct {
	vu modules.VU
}

var (
	_ modules.Module   = &RootModule{}
	_ modules.Instance = &Instance{}
)

// NewModuleInstance implements modules.Module.
func (*RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	return &Instance{vu: vu}
}

// Exports implements modules.Instance.
func (i *Instance) Exports() modules.Exports {
	return modules.Exports{Named: map[string]any{"request": i.request}}
}

// request(method, url, body?, params?) runs on the VU's goroutine, like http.request, using
// the VU's transport (so k6's DNS, hosts, TLS and connection-reuse options apply) and the
// VU's context (so the request stops when k6 ends the iteration). Only misuse throws; network
// and stream failures come back in the result's `error` field.
func (i *Instance) request(call sobek.FunctionCall) sobek.Value {
	rt := i.vu.Runtime()
	state := i.vu.State()
	if state == nil {
		common.Throw(rt, errors.New("llmstream.request can only be called from VU code, not the init context"))
	}
	if len(call.Arguments) < 2 {
		common.Throw(rt, errors.New("llmstream.request needs at least (method, url)"))
	}

	r := Request{
		Method:  strings.ToUpper(call.Argument(0).String()),
		URL:     call.Argument(1).String(),
		Header:  http.Header{},
		Timeout: defaultTimeout,
	}
	if body := call.Argument(2); !common.IsNullish(body) {
		s := body.String()
		r.Body = &s
	}
	if err := applyParams(rt, call.Argument(3), &r); err != nil {
		common.Throw(rt, err)
	}
	if r.Header.Get("User-Agent") == "" && state.Options.UserAgent.Valid {
		r.Header.Set("User-Agent", state.Options.UserAgent.String)
	}

	return toJS(rt, Do(i.vu.Context(), state.Transport, r))
}

// applyParams reads the subset of k6/http's params this call honours: headers and timeout.
func applyParams(rt *sobek.Runtime, params sobek.Value, r *Request) error {
	if common.IsNullish(params) {
		return nil
	}
	obj := params.ToObject(rt)
	if headers := obj.Get("headers"); !common.IsNullish(headers) {
		h := headers.ToObject(rt)
		for _, name := range h.Keys() {
			value := h.Get(name).String()
			if strings.EqualFold(name, "host") {
				r.Host = value
			}
			r.Header.Set(name, value)
		}
	}
	if timeout := obj.Get("timeout"); !common.IsNullish(timeout) {
		d, err := types.GetDurationValue(timeout.Export())
		if err != nil || d <= 0 {
			return fmt.Errorf("llmstream.request: invalid timeout %q: give milliseconds or a duration like \"60s\"", timeout.String())
		}
		r.Timeout = d
	}
	return nil
}

// toJS builds plain JS objects and arrays (not wrapped Go values) so scripts can use every
// Array method and JSON.stringify on the result.
func toJS(rt *sobek.Runtime, res Result) sobek.Value {
	events := make([]any, len(res.Events))
	for n, ev := range res.Events {
		o := rt.NewObject()
		set(o, "data", ev.Data)
		set(o, "atMs", ev.AtMs)
		events[n] = o
	}
	headers := rt.NewObject()
	for name, value := range res.Headers {
		set(headers, name, value)
	}
	out := rt.NewObject()
	set(out, "status", res.Status)
	set(out, "headers", headers)
	set(out, "events", rt.NewArray(events...))
	set(out, "done", res.Done)
	set(out, "firstByteMs", msOrNull(res.FirstByteMs))
	set(out, "firstEventMs", msOrNull(res.FirstEventMs))
	set(out, "endMs", msOrNull(res.EndMs))
	if res.Error == "" {
		set(out, "error", sobek.Null())
	} else {
		set(out, "error", res.Error)
	}
	return out
}

func msOrNull(ms *float64) any {
	if ms == nil {
		return sobek.Null()
	}
	return *ms
}

// set defines a property on an ordinary object we just created: no setter or frozen
// prototype is involved, so Set cannot fail and its error is not worth a panic path.
func set(o *sobek.Object, name string, value any) {
	_ = o.Set(name, value)
}
