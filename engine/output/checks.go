package output

import (
	"io"
	"strconv"
)

// CheckResult is one --check gate evaluated on a run's summary. Value is
// the figure the check read, nil when the run never measured it (a check
// on it fails, and Reason says why).
type CheckResult struct {
	Check  string   `json:"check"`
	Value  *float64 `json:"value"`
	Pass   bool     `json:"pass"`
	Reason string   `json:"reason,omitempty"`
}

// PrintChecks writes the block of check results that follows the final
// tables, for example:
//
//	Checks: 1 passed, 1 failed
//	  ✓ ttft_ms.p95 < 500  (231.4)
//	  ✗ fail_ratio < 0.01  (0.05)
//
// It writes nothing for a run without checks.
func PrintChecks(w io.Writer, results []CheckResult) error {
	if len(results) == 0 {
		return nil
	}
	passed := 0
	for _, r := range results {
		if r.Pass {
			passed++
		}
	}
	lw := &lineWriter{w: w}
	lw.line("Checks: %d passed, %d failed", passed, len(results)-passed)
	for _, r := range results {
		mark, value := "✗", "null"
		if r.Pass {
			mark = "✓"
		}
		if r.Value != nil {
			value = strconv.FormatFloat(*r.Value, 'f', -1, 64)
		}
		line := "  " + mark + " " + r.Check + "  (" + value + ")"
		if r.Reason != "" {
			line += ": " + r.Reason
		}
		lw.line("%s", line)
	}
	lw.line("")
	return lw.done("checks")
}
