package lualib

import (
	"context"
	"fmt"
	"net/http"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/engine/api"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/stream"
	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// The llm module and self.llm: streamed LLM requests in the wire formats
// of real servers, measured chunk by chunk by the metrics daemon.

// Default timeouts of an LLM request, in seconds; a class or a call may
// set its own with timeouts = { first_token =, idle =, total = }.
const (
	defaultIdle  = 60
	defaultTotal = 600
)

// llmCall is one request's settings: the class's llm table overlaid with
// the call's own fields.
type llmCall struct {
	kind     string      // "chat", "complete" or "stream"
	settings *lua.LTable // class settings, then call fields
	call     *lua.LTable
}

// get reads a setting, the call's first.
func (c *llmCall) get(key string) lua.LValue {
	if v := c.call.RawGetString(key); v != lua.LNil {
		return v
	}
	if c.settings != nil {
		return c.settings.RawGetString(key)
	}
	return lua.LNil
}

func (c *llmCall) str(key, def string) string {
	if s, ok := c.get(key).(lua.LString); ok {
		return string(s)
	}
	return def
}

func (c *llmCall) seconds(table, key string, def float64) time.Duration {
	v := def
	for _, src := range []*lua.LTable{c.settings, c.call} {
		if src == nil {
			continue
		}
		if t, ok := src.RawGetString(table).(*lua.LTable); ok {
			if n, ok := t.RawGetString(key).(lua.LNumber); ok {
				v = float64(n)
			}
		}
	}
	return time.Duration(v * float64(time.Second))
}

// LLMTable is self.llm for a class whose llm settings are cfg (may be nil).
func (u *User) LLMTable(L *lua.LState, cfg *lua.LTable) *lua.LTable {
	t := L.CreateTable(0, 3)
	for _, kind := range []string{"chat", "complete", "stream"} {
		t.RawSetString(kind, L.NewFunction(func(L *lua.LState) int {
			call := L.CheckTable(argBase(L, t))
			return u.llmRequest(L, &llmCall{kind: kind, settings: cfg, call: call})
		}))
	}
	return t
}

func (u *User) loadLLM(L *lua.LState) int {
	L.Push(u.LLMTable(L, nil))
	return 1
}

func (u *User) llmRequest(L *lua.LState, c *llmCall) int {
	spec, err := u.buildLLM(L, c)
	if err != nil {
		L.RaiseError("llm:%s: %s", c.kind, err.Error())
	}
	u.Secrets.AddHeaders(spec.req.Header)
	res := u.runLLM(L, spec)
	L.Push(u.llmResult(L, res))
	return 1
}

// llmSpec is a request ready to send.
type llmSpec struct {
	req      stream.Request
	name     string
	format   api.Format
	tok      tokenize.Tokenizer
	prompt   string
	timeouts stream.Timeouts
}

func (u *User) buildLLM(L *lua.LState, c *llmCall) (*llmSpec, error) {
	s := &llmSpec{timeouts: stream.Timeouts{
		FirstToken: c.seconds("timeouts", "first_token", 0),
		Idle:       c.seconds("timeouts", "idle", defaultIdle),
		Total:      c.seconds("timeouts", "total", defaultTotal),
	}}
	tokName := c.str("tokenizer", u.Tokenizer)
	if tokName != "" && tokName != "none" {
		tok, err := tokenize.Load(tokName)
		if err != nil {
			return nil, err
		}
		s.tok = tok
	}
	build := u.buildAPI
	if c.kind == "stream" {
		build = u.buildRaw
	}
	if err := build(L, c, s); err != nil {
		return nil, err
	}
	s.name = c.str("name", s.name)
	return s, nil
}

func (u *User) runLLM(L *lua.LState, s *llmSpec) metrics.Result {
	ctx := L.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if u.Daemon == nil {
		L.RaiseError("LLM requests can only be made while a test runs (in tasks, hooks and event listeners)")
	}
	r := &metrics.Stream{Name: s.name, Method: s.req.Method, Due: u.takeDue(), Format: s.format, Tokenizer: s.tok, Prompt: s.prompt}
	u.Daemon.Begin(r)
	res := u.Client().Stream(ctx, s.req, s.timeouts, r)
	end := metrics.End{At: res.End, Status: res.Status, Headers: res.Headers, Cancelled: res.Cancelled, Bytes: res.Bytes}
	switch {
	case res.Err != nil:
		end.Err = stream.Describe(res.Err)
	case res.Status >= 400:
		end.Err = httpError(res.Status, res.ErrorBody)
	}
	r.Finish(end)
	return r.Wait(ctx)
}

// httpError words a failed HTTP status with the server's own message,
// when its body carries one in the usual JSON shapes.
func httpError(status int, body []byte) string {
	msg := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	if detail := errorMessage(body); detail != "" {
		msg += ": " + detail
	}
	return msg
}

func (u *User) llmResult(L *lua.LState, res metrics.Result) *lua.LTable {
	rec := res.Record
	t := L.CreateTable(0, 16)
	t.RawSetString("ok", lua.LBool(rec.Error == "" && !rec.Cancelled))
	t.RawSetString("status", lua.LNumber(rec.Status))
	if rec.Error != "" {
		t.RawSetString("error", lua.LString(rec.Error))
	}
	t.RawSetString("text", lua.LString(res.Text))
	t.RawSetString("reasoning", lua.LString(res.Reasoning))
	if res.Finish != "" {
		t.RawSetString("finish_reason", lua.LString(res.Finish))
	}
	l := rec.LLM
	ms := func(d time.Duration) lua.LNumber { return lua.LNumber(float64(d) / float64(time.Millisecond)) }
	t.RawSetString("output_tokens", lua.LNumber(l.OutputTokens))
	t.RawSetString("input_tokens", lua.LNumber(l.InputTokens))
	t.RawSetString("reasoning_tokens", lua.LNumber(l.ReasoningTokens))
	t.RawSetString("token_source", lua.LString(l.Source.String()))
	t.RawSetString("ttfb_ms", ms(l.TTFB))
	if len(l.Chunks) > 0 {
		t.RawSetString("ttft_ms", ms(l.TTFT))
		t.RawSetString("e2e_ms", ms(l.E2E))
	}
	if l.TTFO > 0 {
		t.RawSetString("ttfo_ms", ms(l.TTFO))
	}
	if tpot, ok := l.TPOT(); ok {
		t.RawSetString("tpot_ms", ms(tpot))
	}
	return t
}
