package script

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/runner"
)

// collect gathers what users record, for assertions.
type collect struct {
	mu         sync.Mutex
	records    []record.Record
	exceptions []string
	traces     []string
	logs       []string
	liveChunks int
	takenBack  int
}

func (c *collect) Add(r record.Record) {
	c.mu.Lock()
	c.records = append(c.records, r)
	c.mu.Unlock()
}

func (c *collect) exception(msg, tb string) {
	c.mu.Lock()
	c.exceptions = append(c.exceptions, msg)
	c.traces = append(c.traces, tb)
	c.mu.Unlock()
}

func (c *collect) logf(format string, args ...any) {
	c.mu.Lock()
	c.logs = append(c.logs, fmt.Sprintf(format, args...))
	c.mu.Unlock()
}

func (c *collect) byName() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := map[string]int{}
	for _, r := range c.records {
		m[r.Name]++
	}
	return m
}

// countingServer answers every path with 200 (or the status in ?status=)
// and counts requests per path.
func countingServer(t *testing.T) (*httptest.Server, *sync.Map) {
	var counts sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := counts.LoadOrStore(r.URL.Path, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		if r.URL.Query().Get("status") == "500" {
			http.Error(w, "boom", 500)
			return
		}
		if r.URL.Path == "/slow" {
			time.Sleep(300 * time.Millisecond)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path":%q,"method":%q}`, r.URL.Path, r.Method)
	}))
	t.Cleanup(srv.Close)
	return srv, &counts
}

func count(m *sync.Map, path string) int64 {
	if v, ok := m.Load(path); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

func testEnv(host string, c *collect) *Env {
	return &Env{
		Host: host, Records: c, Exception: c.exception, Logf: c.logf,
		StopTest: func() {}, Values: func(string) (any, bool) { return nil, false },
		Getenv: func(string) (string, bool) { return "", false },
	}
}

func bind(t *testing.T, src string, env *Env) []runner.UserClass {
	t.Helper()
	p, err := LoadSource("test.lua", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	classes, err := p.UserClasses(env)
	if err != nil {
		t.Fatal(err)
	}
	return classes
}

// runUser runs one user until until() holds or the deadline passes.
func runUser(t *testing.T, uc runner.UserClass, until func() bool, limit time.Duration) {
	t.Helper()
	u, err := uc.NewUser(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- u.Run(context.Background(), stop) }()
	deadline := time.After(limit)
	for !until() {
		select {
		case <-deadline:
			close(stop)
			<-done
			t.Fatalf("condition not reached within %s", limit)
		case err := <-done:
			if !until() {
				t.Fatalf("user returned early: %v", err)
			}
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestTaskWeights(t *testing.T) {
	srv, counts := countingServer(t)
	c := &collect{}
	classes := bind(t, `
U = locust.user{}
U:task(1, function(self) self.client:get("/a") end)
U:task(3, function(self) self.client:get("/b") end)
`, testEnv(srv.URL, c))
	const runs = 4000
	runUser(t, classes[0], func() bool { return count(counts, "/a")+count(counts, "/b") >= runs }, 60*time.Second)
	a, b := float64(count(counts, "/a")), float64(count(counts, "/b"))
	share := a / (a + b)
	// Binomial(4000, 0.25) has a std-dev of 0.7 %; 3 % is over four of them.
	if math.Abs(share-0.25) > 0.03 {
		t.Fatalf("task 1 ran %.1f%% of %v runs, want about 25%%", share*100, a+b)
	}
	t.Logf("weights 1:3 over %v task runs: %.1f%% / %.1f%%", a+b, share*100, 100-share*100)
}

func TestUserLifecycle(t *testing.T) {
	srv, counts := countingServer(t)
	c := &collect{}
	classes := bind(t, `
local json = require("json")
U = locust.user{ wait_time = locust.constant(0) }
function U:on_start() self.client:get("/start") self.n = 0 end
function U:on_stop() self.client:get("/stop") end
U:task(function(self)
  self.n = self.n + 1
  local r = self.client:post("/items/" .. self.n, { name = "/items/[id]", json = { n = self.n } })
  assert(r.ok and r.status == 200, "bad status")
  assert(r:json().method == "POST")
  if self.n == 3 then self:stop() end
end)
`, testEnv(srv.URL, c))
	runUser(t, classes[0], func() bool { return count(counts, "/stop") == 1 }, 10*time.Second)
	got := c.byName()
	if got["/start"] != 1 || got["/items/[id]"] != 3 || got["/stop"] != 1 || len(c.exceptions) != 0 {
		t.Fatalf("records %v, exceptions %v", got, c.exceptions)
	}
}

func TestCatchResponseAndFailures(t *testing.T) {
	srv, counts := countingServer(t)
	c := &collect{}
	classes := bind(t, `
U = locust.user{}
U:task(function(self)
  local r = self.client:get("/x", { catch_response = true })
  r:failure("wrong answer")
  local s = self.client:get("/y?status=500", { name = "y", catch_response = true })
  s:success()
  self.client:get("/z?status=500", { name = "z" })
  self.client:get("/w", { catch_response = true }) -- no verdict: success at task end
  self:stop()
end)
`, testEnv(srv.URL, c))
	runUser(t, classes[0], func() bool { return count(counts, "/w") == 1 }, 10*time.Second)
	errs := map[string]string{}
	c.mu.Lock()
	for _, r := range c.records {
		errs[r.Name] = r.Error
	}
	c.mu.Unlock()
	want := map[string]string{"/x": "wrong answer", "y": "", "z": "HTTP 500 Internal Server Error", "/w": ""}
	for k, v := range want {
		if e, ok := errs[k]; !ok || e != v {
			t.Errorf("record %s: error %q (present %v), want %q", k, e, ok, v)
		}
	}
}

func TestLuaErrorIsExceptionAndUserGoesOn(t *testing.T) {
	srv, counts := countingServer(t)
	c := &collect{}
	classes := bind(t, `
U = locust.user{}
U:task(function(self)
  self.client:get("/tick")
  local t = nil
  return t.field
end)
`, testEnv(srv.URL, c))
	runUser(t, classes[0], func() bool { return count(counts, "/tick") >= 3 }, 10*time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.exceptions) < 2 || !strings.HasPrefix(c.exceptions[0], "test.lua:6: attempt to index") {
		t.Fatalf("exceptions %q", c.exceptions)
	}
	if !strings.Contains(c.traces[0], "test.lua:6") {
		t.Fatalf("traceback %q", c.traces[0])
	}
}

func TestSequenceAndInterrupt(t *testing.T) {
	srv, counts := countingServer(t)
	c := &collect{}
	classes := bind(t, `
U = locust.user{}
U:task(locust.sequence{
  function(self) self.client:get("/1") end,
  function(self) self.client:get("/2") if self.id == 1 then self:interrupt() end end,
  function(self) self.client:get("/3") end,
})
`, testEnv(srv.URL, c))
	runUser(t, classes[0], func() bool { return count(counts, "/1") >= 5 }, 10*time.Second)
	if count(counts, "/3") != 0 || count(counts, "/2") < 4 {
		t.Fatalf("steps ran /1 %d /2 %d /3 %d", count(counts, "/1"), count(counts, "/2"), count(counts, "/3"))
	}
}

func TestTagsFilterTasks(t *testing.T) {
	src := `
U = locust.user{}
U:task{ function(self) self.client:get("/llm") end, tags = {"llm"} }
U:task{ function(self) self.client:get("/meta") end, tags = {"meta", "slow"} }
U:task(function(self) self.client:get("/plain") end)
V = locust.user{}
V:task{ function(self) end, tags = {"other"} }
`
	cases := []struct {
		name             string
		include, exclude []string
		want             []string // paths the first class may hit
		classes          int
	}{
		{"no filter", nil, nil, []string{"/llm", "/meta", "/plain"}, 2},
		{"include llm", []string{"llm"}, nil, []string{"/llm"}, 1},
		{"exclude slow", nil, []string{"slow"}, []string{"/llm", "/plain"}, 2},
		{"include meta exclude slow", []string{"meta"}, []string{"slow"}, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, counts := countingServer(t)
			c := &collect{}
			env := testEnv(srv.URL, c)
			env.Tags, env.ExcludeTags = tc.include, tc.exclude
			p, err := LoadSource("tags.lua", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			classes, err := p.UserClasses(env)
			if tc.classes == 0 {
				if err == nil || !strings.Contains(err.Error(), "no task is left") {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err != nil || len(classes) != tc.classes {
				t.Fatalf("classes %d, err %v", len(classes), err)
			}
			runUser(t, classes[0], func() bool {
				n := int64(0)
				for _, p := range tc.want {
					n += count(counts, p)
				}
				return n >= 60
			}, 10*time.Second)
			for _, p := range []string{"/llm", "/meta", "/plain"} {
				allowed := strings.Contains(strings.Join(tc.want, ","), p)
				if got := count(counts, p); (got > 0) != allowed {
					t.Errorf("%s hit %d times, allowed %v", p, got, allowed)
				}
			}
		})
	}
}

func TestWaitTimes(t *testing.T) {
	// Each task sleeps 30 ms, so the gap between task starts is the task
	// time plus the wait, except under pacing, where the wait makes up
	// the rest of the pacing interval.
	cases := []struct {
		name     string
		wait     string
		min, max time.Duration
	}{
		{"constant", "locust.constant(0.05)", 80 * time.Millisecond, 180 * time.Millisecond},
		{"between", "locust.between(0.02, 0.06)", 50 * time.Millisecond, 190 * time.Millisecond},
		{"constant_pacing", "locust.constant_pacing(0.1)", 95 * time.Millisecond, 200 * time.Millisecond},
		{"constant_throughput", "locust.constant_throughput(10)", 95 * time.Millisecond, 200 * time.Millisecond},
		{"function", "function(self) return 0.05 end", 80 * time.Millisecond, 180 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := countingServer(t)
			c := &collect{}
			classes := bind(t, `
local time = require("time")
U = locust.user{ wait_time = `+tc.wait+` }
U:task(function(self) time.sleep(0.03) self.client:get("/t") end)
`, testEnv(srv.URL, c))
			runUser(t, classes[0], func() bool { return c.byName()["/t"] >= 5 }, 10*time.Second)
			c.mu.Lock()
			defer c.mu.Unlock()
			for i := 1; i < 5; i++ {
				gap := c.records[i].Start.Sub(c.records[i-1].Start)
				if gap < tc.min || gap > tc.max {
					t.Errorf("gap %d = %s, want within [%s, %s]", i, gap, tc.min, tc.max)
				}
			}
		})
	}
}
