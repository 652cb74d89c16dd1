package run

import (
	"time"

	"github.com/llmlocust/llmlocust/engine/check"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// SummaryConfig is what a session's JSON summary holds beyond the stats,
// as the run's options chose it.
type SummaryConfig struct {
	// Scenario is the scenario file, as the summary names it.
	Scenario string
	// Percentiles are those of the LLM timings in every output (the
	// summary, the LLM stats file, the timeline); nil for the default.
	Percentiles output.Percentiles
	// SLO judges each LLM request good or not; nil sets none, and the
	// outputs then show no goodput.
	SLO *stats.SLO
	// Checks are the gates evaluated on the summary.
	Checks []check.Check
	// Workers, when set, lists a master's workers in the summary.
	Workers func() []output.SummaryWorker
}

// build is the summary of a run described by info with the stats snap,
// without its checks.
func (c SummaryConfig) build(info output.RunInfo, snap *stats.Snapshot) *output.Summary {
	info.Scenario, info.Percentiles = c.Scenario, c.Percentiles
	return output.NewSummary(info, snap)
}

// Schema is an empty summary as a session of c writes it: the layout
// that the paths of checks are read against before the run. Its schedule
// and warm-up are there whatever the run: whether a test sends on a
// schedule may depend on its scenario's classes and shape, and a check
// of a figure the run did not measure fails as unmeasured.
func (c SummaryConfig) Schema() *output.Summary {
	st := stats.New(time.Time{})
	st.SetSLO(c.SLO)
	sum := c.build(output.RunInfo{Open: true}, st.Snapshot(time.Time{}))
	sum.Warmup = &output.SummaryWarmup{}
	return sum
}

// Summary is the JSON summary of the test that final samples, its checks
// evaluated; final is the sample the outputs close with.
func (s *Session) Summary(final output.Sample) *output.Summary {
	sum := s.cfg.Summary.build(output.InfoOf(final, s.cfg.Summary.Scenario), final.Stats)
	if s.cfg.Summary.Workers != nil {
		sum.Workers = s.cfg.Summary.Workers()
	}
	sum.Checks = check.EvaluateAll(s.cfg.Summary.Checks, sum)
	return sum
}

// FinalSummary is the summary the session closed with, checks evaluated;
// nil before Close.
func (s *Session) FinalSummary() *output.Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.summary
}

// ExitCode is the process exit code that the last test's test_stop
// listeners asked for (Locust's environment.process_exit_code); ok is
// false when they asked for none.
func (s *Session) ExitCode() (code int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exitCode == nil {
		return 0, false
	}
	return *s.exitCode, true
}

// Percentiles are those of the LLM timings in the session's outputs.
func (s *Session) Percentiles() output.Percentiles { return s.timeline.Percentiles() }
