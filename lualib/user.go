// Package lualib holds the Go modules that scenario scripts require
// (http, json, time, random, env), each acting for the one user whose Lua
// state loaded it.
package lualib

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/secret"
	"github.com/llmlocust/llmlocust/engine/stream"
	lua "github.com/yuin/gopher-lua"
)

// Recorder takes finished Records without blocking.
type Recorder interface {
	Add(r record.Record)
}

// User is what the modules of one Lua state act for: its host, its HTTP
// client and where its Records go. Only the user's own goroutine uses it.
type User struct {
	Host    string
	Records Recorder
	Rand    *rand.Rand
	Getenv  func(string) (string, bool)
	Logf    func(format string, args ...any) // where print() goes

	// Daemon takes the chunks of LLM streams; Tokenizer is the default
	// tokenizer of LLM requests (--tokenizer).
	Daemon    *metrics.Daemon
	Tokenizer string

	// Dir is the scenario's folder, where relative data file paths are
	// looked up first.
	Dir string

	// Secrets learns the credentials each request sends, so that no
	// output shows them; nil learns nothing.
	Secrets *secret.Scrubber

	// Due, when set, is when an open-loop schedule wanted the task's
	// first request sent; that request's Record takes it, and clears it.
	Due time.Time

	client  *stream.Client
	pending []*pending
}

// Modules are the loaders of the modules scripts require, acting for u.
func (u *User) Modules() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"json":    loadJSON,
		"http":    u.loadHTTP,
		"time":    loadTime,
		"random":  u.loadRandom,
		"env":     u.loadEnv,
		"llm":     u.loadLLM,
		"dataset": u.loadDataset,
	}
}

// Open sends the state's print to u's log.
func Open(L *lua.LState, u *User) {
	L.SetGlobal("print", L.NewFunction(u.print))
}

// print logs its arguments as one line, tab-separated as Lua's print does.
func (u *User) print(L *lua.LState) int {
	parts := make([]string, L.GetTop())
	for i := range parts {
		parts[i] = L.ToStringMeta(L.Get(i + 1)).String()
	}
	u.Logf("%s", strings.Join(parts, "\t"))
	return 0
}

// takeDue hands the schedule's due time to the first request of a task.
func (u *User) takeDue() time.Time {
	due := u.Due
	u.Due = time.Time{}
	return due
}

// Client returns the user's HTTP client, made on first use so that an idle
// user costs no connection state.
func (u *User) Client() *stream.Client {
	if u.client == nil {
		u.client = stream.NewClient()
		// A plain body is text kept for the script, bounded as a stream's is.
		lim := metrics.DefaultLimits()
		if u.Daemon != nil {
			lim = u.Daemon.Limits()
		}
		u.client.LimitBody(lim.Text, lim.TextError())
	}
	return u.client
}

// Close releases the user's connections.
func (u *User) Close() {
	if u.client != nil {
		u.client.CloseIdle()
	}
}
