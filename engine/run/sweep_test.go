package run

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/arrival"
	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
)

func TestParseSweep(t *testing.T) {
	tests := []struct {
		name string
		spec string
		step time.Duration
		want *Sweep
		err  string // part of the error, naming the value
	}{
		{name: "users", spec: "users=1,2,4,8", step: time.Minute,
			want: &Sweep{Mode: SweepUsers, Values: []float64{1, 2, 4, 8}, StepTime: time.Minute}},
		{name: "rates with spaces and decimals", spec: " rate = 0.5, 1 ,2", step: 30 * time.Second,
			want: &Sweep{Mode: SweepRate, Values: []float64{0.5, 1, 2}, StepTime: 30 * time.Second}},
		{name: "auto", spec: "rate=AUTO", step: time.Minute, want: &Sweep{Mode: SweepRate, Auto: true, StepTime: time.Minute}},
		{name: "one step", spec: "users=3", step: time.Second, want: &Sweep{Mode: SweepUsers, Values: []float64{3}, StepTime: time.Second}},
		{name: "no equals", spec: "users", step: time.Minute, err: `"users" is not users=… or rate=…`},
		{name: "empty", spec: "", step: time.Minute, err: `"" is not users=… or rate=…`},
		{name: "unknown key", spec: "tokens=1,2", step: time.Minute, err: `not "tokens"`},
		{name: "empty list", spec: "users=", step: time.Minute, err: `"" is not a whole number`},
		{name: "empty item", spec: "users=1,,2", step: time.Minute, err: `"" is not a whole number`},
		{name: "zero users", spec: "users=1,0", step: time.Minute, err: `"0" is not a whole number of users above 0`},
		{name: "fractional users", spec: "users=1.5", step: time.Minute, err: `"1.5" is not a whole number`},
		{name: "negative rate", spec: "rate=1,-2", step: time.Minute, err: `"-2" is not a number of requests per second above 0`},
		{name: "word for a rate", spec: "rate=1,fast", step: time.Minute, err: `"fast" is not a number`},
		{name: "infinite rate", spec: "rate=inf", step: time.Minute, err: `"inf" is not a number`},
		{name: "nan rate", spec: "rate=NaN", step: time.Minute, err: `"NaN" is not a number`},
		{name: "auto users", spec: "users=auto", step: time.Minute, err: "only the rate has an automatic sweep"},
		{name: "short step", spec: "rate=1", step: 500 * time.Millisecond, err: "step time 500ms is below 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSweep(tt.spec, tt.step)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Mode != tt.want.Mode || got.Auto != tt.want.Auto || got.StepTime != tt.want.StepTime || !slices.Equal(got.Values, tt.want.Values) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			again, err := ParseSweep(got.String(), tt.step)
			if err != nil || again.String() != got.String() {
				t.Errorf("%q reads back as %v, %v", got.String(), again, err)
			}
		})
	}
}

func TestAutoBreak(t *testing.T) {
	lat := func(p99 float64) *output.Latency {
		return &output.Latency{Percentiles: output.Percentiles{0.50, 0.99}, Values: []float64{p99 / 2, p99}}
	}
	step := func(reqs, fails int64, tokS, ttftP99 float64) output.SweepStep {
		st := output.SweepStep{Requests: reqs, Failures: fails, RPS: float64(reqs) / 10, OutputTokensPerS: tokS}
		if ttftP99 > 0 {
			st.TTFT = lat(ttftP99)
		}
		return st
	}
	good := func(st output.SweepStep, good int64) output.SweepStep {
		st.Goodput = &output.Goodput{Requests: st.Requests, GoodRequests: good, Fraction: float64(good) / float64(st.Requests)}
		return st
	}
	tests := []struct {
		name  string
		steps []output.SweepStep
		want  string // part of the reason; "" for none
	}{
		{"first step, healthy", []output.SweepStep{step(10, 0, 100, 200)}, ""},
		{"first step fails too often", []output.SweepStep{step(100, 6, 100, 200)}, "failed 6.0% of its requests"},
		{"five percent is not above", []output.SweepStep{step(10, 0, 100, 200), step(100, 5, 200, 210)}, ""},
		{"throughput doubles", []output.SweepStep{step(10, 0, 100, 200), step(20, 0, 200, 230)}, ""},
		{"throughput flat", []output.SweepStep{step(10, 0, 100, 200), step(20, 0, 105, 230)}, "grew the output tokens/s by +5%"},
		{"throughput falls", []output.SweepStep{step(10, 0, 100, 200), step(20, 0, 80, 230)}, "by -20%"},
		{"TTFT tripled", []output.SweepStep{step(10, 0, 100, 200), step(20, 0, 200, 400), step(40, 0, 400, 601)}, "TTFT p99 of 601ms, above 3× the first step's 200ms"},
		{"TTFT from the first step that has one", []output.SweepStep{step(0, 0, 0, 0), step(20, 0, 200, 100), step(40, 0, 400, 301)}, "the first step's 100ms"},
		{"nothing finished", []output.SweepStep{step(10, 0, 100, 200), step(0, 0, 0, 0)}, "finished no request"},
		{"plain requests grow by rps", []output.SweepStep{step(10, 0, 0, 0), step(20, 0, 0, 0)}, ""},
		{"plain requests flat", []output.SweepStep{step(10, 0, 0, 0), step(10, 0, 0, 0)}, "grew the requests/s by +0%"},
		{"growth from nothing", []output.SweepStep{step(0, 0, 0, 0), step(5, 0, 50, 200)}, ""},
		{"SLOs met by nine in ten", []output.SweepStep{good(step(10, 0, 100, 200), 10), good(step(20, 0, 200, 230), 18)}, ""},
		{"SLOs missed", []output.SweepStep{good(step(10, 0, 100, 200), 10), good(step(20, 0, 200, 230), 17)}, "met the SLOs with 85% of its requests, under 90%"},
		{"SLOs missed on the first step", []output.SweepStep{good(step(10, 0, 100, 200), 5)}, "met the SLOs with 50%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := autoBreak(tt.steps)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("autoBreak = %q, want %q", got, tt.want)
			}
		})
	}
}

// A Record counts in the step it started in, however late it ended;
// not while its step settled, nor after a stop cut the sweep short.
func TestSweepRoutesRecordsByStart(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sw := newSweepRun(Sweep{Mode: SweepRate, Values: []float64{1, 2, 3}, StepTime: 10 * time.Second}, start, 8, 0, SummaryConfig{})
	sw.begin(0, 1)
	at := func(s float64) time.Time { return start.Add(time.Duration(s * float64(time.Second))) }
	rec := func(from, took float64) *record.Record {
		return &record.Record{Name: "chat", Method: "POST", Start: at(from), ResponseTime: time.Duration(took * float64(time.Second))}
	}
	sw.log(rec(0.5, 0.1))  // settling: the first second of a 10 s step
	sw.log(rec(1.5, 0.1))  // step 1
	sw.log(rec(9.9, 30))   // step 1, ends during step 3
	sw.log(rec(10.2, 0.1)) // step 2 before its begin is known, settling
	sw.log(rec(11, 0.1))   // step 2, before its begin
	sw.end(0, at(10))
	sw.begin(1, 2)
	sw.log(rec(12, 0.1))
	sw.halt(at(15))
	sw.log(rec(16, 0.1)) // after the stop
	sw.log(rec(-1, 0.1)) // before the test
	got := sw.summary(at(40))
	if len(got.Steps) != 2 {
		t.Fatalf("%d steps, want 2: %+v", len(got.Steps), got.Steps)
	}
	for i, want := range []struct {
		requests int64
		length   float64
	}{{2, 10}, {2, 5}} {
		if st := got.Steps[i]; st.Requests != want.requests || st.DurationS != want.length {
			t.Errorf("step %d: %d requests over %vs, want %d over %vs", i+1, st.Requests, st.DurationS, want.requests, want.length)
		}
	}
	if rps := got.Steps[1].RPS; rps != 2.0/4 {
		t.Errorf("step 2: %v requests/s, want 2 over its 4 measured seconds", rps)
	}
	if _, ok := sw.current(); ok {
		t.Error("a halted sweep still has a step under way")
	}
}

// sweepSession is a session over plan whose log lines are kept.
func sweepSession(t *testing.T, host string, load Load) (*Session, *lines) {
	t.Helper()
	l := &lines{}
	s, err := New(Config{Plan: &chatPlan{host: host, wait: 20 * time.Millisecond}, Tokenizer: "o200k_base",
		Options: func(string) (any, bool) { return nil, false }, Load: load, StopTimeout: 20 * time.Second, Logf: l.logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = s.Close() })
	return s, l
}

// simulator starts a simulated server of cfg for the test.
func simulator(t *testing.T, cfg mock.Config) string {
	t.Helper()
	m, err := mock.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := m.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return url
}

type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) logf(level, _, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, level+" "+fmt.Sprintf(format, args...))
}

func (l *lines) with(part string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.all {
		if strings.Contains(line, part) {
			out = append(out, line)
		}
	}
	return out
}

// runSweepTest runs the sweep to its end and returns its steps.
func runSweepTest(t *testing.T, s *Session, test Test) []output.SweepStep {
	t.Helper()
	if err := s.Start(test); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Stopped():
	case <-time.After(60 * time.Second):
		t.Fatal("the sweep did not stop the test")
	}
	if _, err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st := s.SweepStatus()
	if st.Sweep == nil || st.Running {
		t.Fatalf("after the test, sweep %+v", st)
	}
	return st.Sweep.Steps
}

// A rate sweep against a server that serves one request at a time (about
// 5.5 a second) sends each step's rate, and its TTFT grows as the queue
// does: no queue at 2/s, a slowly growing one at 6/s, a fast one at 12/s.
func TestSweepRateStepsRaiseTTFT(t *testing.T) {
	cfg := mock.DefaultConfig()
	cfg.MaxConcurrent, cfg.TTFT, cfg.ITL = 1, 40*time.Millisecond, 20*time.Millisecond
	s, _ := sweepSession(t, simulator(t, cfg), Load{Arrivals: arrival.Spec{Kind: arrival.Constant}})
	sw, err := ParseSweep("rate=2,6,12", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	steps := runSweepTest(t, s, Test{Users: 60, SpawnRate: 60, Sweep: sw})
	if len(steps) != 3 {
		t.Fatalf("%d steps, want 3", len(steps))
	}
	for i, st := range steps {
		if st.Rate == nil || *st.Rate != sw.Values[i] || st.Users != 60 || st.Value != sw.Values[i] {
			t.Errorf("step %d ran %+v, want rate %v with 60 users", i+1, st, sw.Values[i])
		}
		if st.RPS < 0.75*sw.Values[i] || st.RPS > 1.25*sw.Values[i] {
			t.Errorf("step %d: %.2f requests/s at rate %v", i+1, st.RPS, sw.Values[i])
		}
		if st.TTFT == nil || st.Failures > 0 || st.Lag == nil {
			t.Fatalf("step %d: TTFT %v, %d failures, lag %v", i+1, st.TTFT, st.Failures, st.Lag)
		}
		p50, _ := st.TTFT.P(0.50)
		prev := 0.0
		if i > 0 {
			prev, _ = steps[i-1].TTFT.P(0.50)
		}
		if i > 0 && p50 <= prev {
			t.Errorf("TTFT p50 %vms at rate %v, not above %vms at rate %v", p50, sw.Values[i], prev, sw.Values[i-1])
		}
	}
}

// A users sweep runs each step with its users, closed loop; an edit is
// refused while it runs, and the whole run's stats keep every step.
func TestSweepUsersSteps(t *testing.T) {
	cfg := mock.DefaultConfig()
	cfg.TTFT, cfg.ITL = 30*time.Millisecond, 10*time.Millisecond
	s, log := sweepSession(t, simulator(t, cfg), Load{})
	sw, err := ParseSweep("users=1,4", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(Test{Users: 10, SpawnRate: 10, Sweep: sw, RunTime: time.Hour}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second step", func() bool { return s.UserCount() == 4 })
	if err := s.Start(Test{Users: 2, SpawnRate: 2}); !errors.Is(err, ErrSweepActive) {
		t.Errorf("an edit during the sweep: %v, want %v", err, ErrSweepActive)
	}
	if st := s.SweepStatus(); !st.Running || st.Current != 1 || st.CurrentStart != 2*time.Second {
		t.Errorf("during the second step: %+v", st)
	}
	<-s.Stopped()
	snap, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	steps := s.SweepStatus().Sweep.Steps
	if len(steps) != 2 || steps[0].Users != 1 || steps[1].Users != 4 || steps[0].Rate != nil {
		t.Fatalf("steps %+v", steps)
	}
	if steps[1].RPS < 2.5*steps[0].RPS {
		t.Errorf("4 users sent %.2f requests/s, 1 user %.2f", steps[1].RPS, steps[0].RPS)
	}
	if counted := steps[0].Requests + steps[1].Requests; snap.Total.NumRequests <= counted {
		t.Errorf("the run counted %d requests, its steps %d: settling is left out of the steps only", snap.Total.NumRequests, counted)
	}
	if got := log.with("the run time of 1h0m0s is ignored"); len(got) != 1 {
		t.Errorf("warnings of the run time: %q", got)
	}
	if got := log.with("sweep step "); len(got) != 2 || !strings.HasPrefix(got[1], "INFO sweep step 2/2 users=4: ") {
		t.Errorf("step lines %q", got)
	}
}

// A test stopped during a step ends the sweep there: the step's duration
// is what it ran.
func TestSweepStoppedEarly(t *testing.T) {
	cfg := mock.DefaultConfig()
	cfg.TTFT, cfg.ITL = 30*time.Millisecond, 10*time.Millisecond
	s, _ := sweepSession(t, simulator(t, cfg), Load{})
	sw, err := ParseSweep("users=1,2,3", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(Test{Users: 1, SpawnRate: 1, Sweep: sw}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second step", func() bool { return s.UserCount() == 2 })
	time.Sleep(500 * time.Millisecond)
	s.Stop()
	<-s.Stopped()
	steps := s.SweepStatus().Sweep.Steps
	if len(steps) != 2 || steps[1].DurationS >= 2 || steps[1].DurationS < 0.4 || s.SweepStatus().Running {
		t.Fatalf("steps after a stop in the second: %+v", steps)
	}
}

// rate=auto against a server whose streams slow down as more run at once
// (so that TTFT stays put while the throughput stops growing) doubles the
// rate until the growth rule breaks, then runs one step halfway between
// the last two rates.
func TestSweepAutoStopsOnGrowth(t *testing.T) {
	cfg := mock.DefaultConfig()
	cfg.TTFT, cfg.ITL, cfg.ITLLoadFactor = 100*time.Millisecond, 10*time.Millisecond, 4
	s, log := sweepSession(t, simulator(t, cfg), Load{Arrivals: arrival.Spec{Kind: arrival.Constant}})
	s.cfg.StopTimeout = 0 // what the last step left running is cut off
	sw, err := ParseSweep("rate=auto", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	steps := runSweepTest(t, s, Test{Users: 50, SpawnRate: 50, Sweep: sw})
	n := len(steps)
	if n < 3 || n >= autoMaxSteps {
		t.Fatalf("%d steps: %+v", n, steps)
	}
	for i, st := range steps[:n-1] {
		if want := float64(int(1) << i); st.Value != want {
			t.Errorf("step %d at rate %v, want %v", i+1, st.Value, want)
		}
	}
	if half := (steps[n-3].Value + steps[n-2].Value) / 2; steps[n-1].Value != half {
		t.Errorf("the last step at rate %v, want halfway %v", steps[n-1].Value, half)
	}
	broke := log.with("a last step at rate=")
	if len(broke) != 1 || !(strings.Contains(broke[0], "grew the output tokens/s") || strings.Contains(broke[0], "finished no request")) {
		t.Errorf("the stop rule: %q; all: %q", broke, log.with("sweep"))
	}
}
