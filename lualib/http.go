package lualib

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stream"
	lua "github.com/yuin/gopher-lua"
)

// The http module and self.client: plain HTTP requests, each recorded as
// Locust records them, with name= grouping and catch_response.

const responseMeta = "http.response"

// pending is a request made with catch_response: its Record waits for the
// script's verdict (response:success() / response:failure(msg)) or the end
// of the task.
type pending struct {
	rec  record.Record
	done bool
}

var httpMethods = []string{"get", "post", "put", "patch", "delete", "head", "options"}

func (u *User) loadHTTP(L *lua.LState) int {
	L.Push(u.ClientTable(L))
	return 1
}

// ClientTable is self.client: a table whose functions work both as
// methods (client:get(...)) and as plain functions (http.get(...)).
func (u *User) ClientTable(L *lua.LState) *lua.LTable {
	t := L.CreateTable(0, len(httpMethods)+1)
	for _, m := range httpMethods {
		method := strings.ToUpper(m)
		t.RawSetString(m, L.NewFunction(func(L *lua.LState) int {
			return u.request(L, method, argBase(L, t))
		}))
	}
	t.RawSetString("request", L.NewFunction(func(L *lua.LState) int {
		base := argBase(L, t)
		method := strings.ToUpper(L.CheckString(base))
		return u.request(L, method, base+1)
	}))
	u.responseMeta(L)
	return t
}

// argBase skips the client table when the function was called as a method.
func argBase(L *lua.LState, self *lua.LTable) int {
	if L.Get(1) == self {
		return 2
	}
	return 1
}

func (u *User) request(L *lua.LState, method string, at int) int {
	path := L.CheckString(at)
	opts := L.OptTable(at+1, L.CreateTable(0, 0))
	req, name, catch, err := u.buildRequest(L, method, path, opts)
	if err != nil {
		L.ArgError(at+1, err.Error())
	}
	u.Secrets.AddHeaders(req.Header)
	ctx := L.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	res := u.Client().Do(ctx, req)
	rec := record.Record{
		Name: name, Method: method, Start: res.Start, ResponseTime: res.Elapsed,
		ContentLength: int64(len(res.Body)), Status: res.Status, Cancelled: res.Cancelled,
	}
	rec.SetDue(u.takeDue())
	switch {
	case res.Err != nil:
		rec.Error = stream.Describe(res.Err)
	case res.Status >= 400:
		rec.Error = fmt.Sprintf("HTTP %d %s", res.Status, http.StatusText(res.Status))
	}
	p := &pending{rec: rec}
	if !catch || res.Cancelled {
		u.settle(p)
	} else {
		u.pending = append(u.pending, p)
	}
	L.Push(u.responseTable(L, req.URL, res, p))
	return 1
}

func (u *User) buildRequest(L *lua.LState, method, path string, opts *lua.LTable) (stream.Request, string, bool, error) {
	req := stream.Request{Method: method, URL: joinURL(u.Host, path)}
	name := path
	if q, ok := opts.RawGetString("params").(*lua.LTable); ok {
		vals := url.Values{}
		q.ForEach(func(k, v lua.LValue) { vals.Add(k.String(), v.String()) })
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		req.URL += sep + vals.Encode()
		name += sep + vals.Encode()
	}
	if n, ok := opts.RawGetString("name").(lua.LString); ok {
		name = string(n)
	}
	if h, ok := opts.RawGetString("headers").(*lua.LTable); ok {
		h.ForEach(func(k, v lua.LValue) { req.Header = append(req.Header, [2]string{k.String(), v.String()}) })
		sort.Slice(req.Header, func(i, j int) bool { return req.Header[i][0] < req.Header[j][0] })
	}
	switch body := opts.RawGetString("body").(type) {
	case lua.LString:
		req.Body = []byte(body)
	case *lua.LNilType:
	default:
		return req, "", false, fmt.Errorf("body must be a string (use json= for a table), got %s", body.Type())
	}
	if j := opts.RawGetString("json"); j != lua.LNil {
		b, err := EncodeJSON(L, j)
		if err != nil {
			return req, "", false, fmt.Errorf("json: %w", err)
		}
		req.Body = b
		if !hasHeader(req.Header, "Content-Type") {
			req.Header = append(req.Header, [2]string{"Content-Type", "application/json"})
		}
	}
	if t, ok := opts.RawGetString("timeout").(lua.LNumber); ok {
		req.Timeout = time.Duration(float64(t) * float64(time.Second))
	}
	catch := lua.LVAsBool(opts.RawGetString("catch_response"))
	return req, name, catch, nil
}

func hasHeader(h [][2]string, name string) bool {
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			return true
		}
	}
	return false
}

// joinURL puts a relative path under the host; an absolute URL stands as
// it is, as in Locust.
func joinURL(host, path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	if path != "" && !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return strings.TrimRight(host, "/") + path
}

func (u *User) responseTable(L *lua.LState, url string, res stream.Result, p *pending) *lua.LTable {
	t := L.CreateTable(0, 10)
	t.RawSetString("status", lua.LNumber(res.Status))
	t.RawSetString("ok", lua.LBool(p.rec.Error == ""))
	t.RawSetString("text", lua.LString(res.Body))
	t.RawSetString("url", lua.LString(url))
	t.RawSetString("elapsed_ms", lua.LNumber(float64(res.Elapsed)/float64(time.Millisecond)))
	t.RawSetString("content_length", lua.LNumber(len(res.Body)))
	if p.rec.Error != "" {
		t.RawSetString("error", lua.LString(p.rec.Error))
	}
	h := L.CreateTable(0, len(res.Header))
	for _, kv := range res.Header {
		h.RawSetString(strings.ToLower(kv[0]), lua.LString(kv[1]))
	}
	t.RawSetString("headers", h)
	ud := L.NewUserData()
	ud.Value = p
	t.RawSetString("_record", ud)
	L.SetMetatable(t, L.GetTypeMetatable(responseMeta))
	return t
}

func (u *User) responseMeta(L *lua.LState) {
	mt := L.NewTypeMetatable(responseMeta)
	methods := L.CreateTable(0, 3)
	L.SetFuncs(methods, map[string]lua.LGFunction{
		"json": func(L *lua.LState) int {
			v, err := DecodeJSON(L, []byte(L.CheckTable(1).RawGetString("text").String()))
			if err != nil {
				L.RaiseError("response:json(): %s", err.Error())
			}
			L.Push(v)
			return 1
		},
		"success": func(L *lua.LState) int {
			u.verdict(L, "")
			return 0
		},
		"failure": func(L *lua.LState) int {
			u.verdict(L, L.CheckString(2))
			return 0
		},
	})
	mt.RawSetString("__index", methods)
}

// verdict applies response:success() or response:failure(msg).
func (u *User) verdict(L *lua.LState, failure string) {
	t := L.CheckTable(1)
	ud, ok := t.RawGetString("_record").(*lua.LUserData)
	p, _ := ud.Value.(*pending)
	if !ok || p == nil {
		L.ArgError(1, "not a response")
	}
	if p.done {
		L.RaiseError("this response was already reported; call success() or failure() once, and only on a request made with catch_response = true")
	}
	p.rec.Error = failure
	t.RawSetString("ok", lua.LBool(failure == ""))
	if failure == "" {
		t.RawSetString("error", lua.LNil)
	} else {
		t.RawSetString("error", lua.LString(failure))
	}
	u.settle(p)
}

func (u *User) settle(p *pending) {
	if p.done {
		return
	}
	p.done = true
	u.Records.Add(p.rec)
}

// FlushPending records every catch_response request the script left
// without a verdict, as Locust does when its context manager exits: a
// success unless the request itself failed.
func (u *User) FlushPending() {
	for _, p := range u.pending {
		u.settle(p)
	}
	clear(u.pending)
	u.pending = u.pending[:0]
}
