package script

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/runner"
)

// TestOneGoroutinePerState runs many users through the real runner, with
// every kind of Go call a script makes (HTTP, JSON, sleep, wait, hooks) and
// a hard stop that cancels requests in flight. Under -race any sharing of
// a Lua state between goroutines shows as a data race; the state's entry
// guard counts any overlapping entry as well.
func TestOneGoroutinePerState(t *testing.T) {
	srv, counts := countingServer(t)
	c := &collect{}
	env := testEnv(srv.URL, c)
	classes := bind(t, `
local json = require("json")
local time = require("time")
local random = require("random")
A = locust.user{ weight = 2, wait_time = locust.between(0, 0.01) }
function A:on_start() self.seen = {} end
A:task(function(self)
  local r = self.client:post("/echo", { json = { n = random.int(1, 100) } })
  table.insert(self.seen, json.decode(r.text).path)
  time.sleep(0.001)
end)
A:task(function(self) self.client:get("/slow") end)
B = locust.user{ wait_time = function(self) return 0.002 end }
B:task(locust.sequence{
  function(self) self.client:get("/b1") end,
  function(self) self.client:get("/b2") end,
})
function B:on_stop() self.client:get("/bye") end
`, env)
	before := Violations.Load()
	var userErrors atomic.Int64
	r, err := runner.New(classes, runner.Options{OnUserError: func(string, error) { userErrors.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(200, 1000); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for count(counts, "/echo") < 500 || count(counts, "/slow") < 50 {
		if time.Now().After(deadline) {
			t.Fatalf("load did not build up: echo %d slow %d", count(counts, "/echo"), count(counts, "/slow"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.Quit() // stop timeout 0: requests in flight are cancelled
	if n := Violations.Load() - before; n != 0 {
		t.Fatalf("%d entries into a Lua state overlapped", n)
	}
	if userErrors.Load() != 0 || len(c.exceptions) != 0 {
		t.Fatalf("user errors %d, exceptions %q", userErrors.Load(), c.exceptions)
	}
	if count(counts, "/bye") == 0 {
		t.Fatal("on_stop did not run after cancellation")
	}
	cancelled := 0
	for _, rec := range c.records {
		if rec.Cancelled {
			cancelled++
		}
	}
	t.Logf("%d records, %d cancelled at stop", len(c.records), cancelled)
}

// TestGuardCatchesSharing proves the guard can fail: a second goroutine
// entering a state that is in use is refused and counted.
func TestGuardCatchesSharing(t *testing.T) {
	u := &user{}
	before := Violations.Load()
	if !u.enter() {
		t.Fatal("first entry refused")
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var second bool
	go func() { defer wg.Done(); second = u.enter() }()
	wg.Wait()
	u.exit()
	if second || Violations.Load()-before != 1 {
		t.Fatalf("second entry allowed=%v, violations=%d", second, Violations.Load()-before)
	}
}
