package run

import (
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/check"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// stopPlan is chatPlan with a test_stop that keeps the summary it is given
// and asks for an exit code.
type stopPlan struct {
	*chatPlan
	code int

	mu      sync.Mutex
	summary *output.Summary
}

func (p *stopPlan) FireTestStop(_ func(msg, traceback string), s *output.Summary) *int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.summary = s
	return &p.code
}

func summaryConfig(t *testing.T) SummaryConfig {
	t.Helper()
	ps, err := output.ParsePercentiles("50,99.9")
	if err != nil {
		t.Fatal(err)
	}
	slo, err := stats.ParseSLO([]string{"ttft_ms<10000"})
	if err != nil {
		t.Fatal(err)
	}
	checks, err := check.ParseAll([]string{"requests > 0", "ttft_ms.p99.9 < 1"})
	if err != nil {
		t.Fatal(err)
	}
	return SummaryConfig{Scenario: "chat.lua", Percentiles: ps, SLO: slo, Checks: checks}
}

// test_stop gets the test's summary, built once every Record of its
// stopped users is in, and its exit code is the session's; the final
// summary has the run's percentiles, goodput and checks.
func TestTestStopGetsTheSummary(t *testing.T) {
	plan := &stopPlan{chatPlan: &chatPlan{wait: 50 * time.Millisecond}, code: 3}
	s, err := New(Config{Plan: plan, Host: "mock", Tokenizer: "o200k_base", Summary: summaryConfig(t),
		Options: func(string) (any, bool) { return nil, false }})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.ExitCode(); ok {
		t.Error("an exit code before any test")
	}
	if err := s.Start(Test{Users: 2, SpawnRate: 100, RunTime: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	<-s.Stopped()
	if _, err := s.Close(); err != nil {
		t.Fatal(err)
	}
	plan.mu.Lock()
	got := plan.summary
	plan.mu.Unlock()
	final := s.FinalSummary()
	switch {
	case got == nil || final == nil:
		t.Fatalf("test_stop got %v, the final summary is %v", got, final)
	case got.Totals.Requests == 0 || got.Totals.Requests != final.Totals.Requests:
		t.Errorf("test_stop saw %d requests, the final summary %d", got.Totals.Requests, final.Totals.Requests)
	case got.Scenario != "chat.lua" || len(got.Checks) != 2:
		t.Errorf("test_stop's summary: scenario %q, checks %+v", got.Scenario, got.Checks)
	}
	if code, ok := s.ExitCode(); !ok || code != 3 {
		t.Errorf("exit code %d, %v; want 3", code, ok)
	}
	if len(final.Checks) != 2 || !final.Checks[0].Pass || final.Checks[1].Pass {
		t.Errorf("checks %+v, want the first to pass and the second to fail", final.Checks)
	}
	if g := final.Goodput; g == nil || g.GoodRequests != g.Requests || g.Requests == 0 {
		t.Errorf("goodput %+v, want every request good", g)
	}
	if v, ok := final.Totals.TTFT.P(0.999); !ok || v <= 0 {
		t.Errorf("ttft p99.9 = %v, %v", v, ok)
	}
	if _, ok := final.Totals.TTFT.P(0.95); ok {
		t.Error("ttft has a p95 the run did not ask for")
	}
}

// The schema of a run's summary has goodput only with SLOs.
func TestSummarySchema(t *testing.T) {
	cfg := summaryConfig(t)
	if s := cfg.Schema(); s.Goodput == nil || s.Totals.Goodput == nil || len(s.SLOs) != 1 {
		t.Errorf("with an SLO: goodput %v, slos %q", s.Goodput, s.SLOs)
	}
	cfg.SLO = nil
	if s := cfg.Schema(); s.Goodput != nil || s.SLOs == nil || len(s.SLOs) != 0 {
		t.Errorf("without SLOs: goodput %v, slos %q", s.Goodput, s.SLOs)
	}
}
