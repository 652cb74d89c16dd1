package main

import (
	"io"

	"github.com/llmlocust/llmlocust/engine/check"
	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// summaryConfig reads --percentiles, --slo and --check into what the
// run's summary holds. A wrong value, or a check on a figure that the
// summary of such a run does not have, is an error before anything
// starts.
func summaryConfig(opts *options.Run, scenario string) (run.SummaryConfig, error) {
	ps, err := output.ParsePercentiles(opts.Percentiles)
	if err != nil {
		return run.SummaryConfig{}, err
	}
	slo, err := stats.ParseSLO(opts.SLO)
	if err != nil {
		return run.SummaryConfig{}, err
	}
	checks, err := check.ParseAll(opts.Check)
	if err != nil {
		return run.SummaryConfig{}, err
	}
	cfg := run.SummaryConfig{Scenario: scenario, Percentiles: ps, SLO: slo, Checks: checks}
	if err := check.ValidateAll(checks, cfg.Schema(), ps); err != nil {
		return run.SummaryConfig{}, err
	}
	return cfg, nil
}

// printChecks writes the checks' results after the final tables and says
// whether any failed.
func printChecks(w io.Writer, s *output.Summary) (failed bool) {
	if s == nil {
		return false
	}
	_ = output.PrintChecks(w, s.Checks)
	for _, r := range s.Checks {
		if !r.Pass {
			failed = true
		}
	}
	return failed
}
