package run

import (
	"fmt"

	"github.com/llmlocust/llmlocust/engine/output"
)

// The stop rules of rate=auto. A step is judged at its end, on its
// requests that had finished by then: under saturation, those are what
// the server could serve, while the ones still queued would otherwise
// count as throughput once they end.
const (
	// maxFailRatio: a step whose failures pass this share breaks.
	maxFailRatio = 0.05
	// maxTTFTGrowth: a step whose TTFT p99 passes this many times the
	// first step's breaks: the server queues.
	maxTTFTGrowth = 3.0
	// minGrowth: a step whose output tokens/s (requests/s without tokens)
	// grew by less than this share over the step before breaks: the
	// server gives no more.
	minGrowth = 0.10
	// minGoodFraction: with SLOs set, a step whose good share of the
	// requests falls below this breaks: the SLO is what the user asked
	// the server to hold.
	minGoodFraction = 0.90
)

// autoBreak says how the last of steps breaks a stop rule, "" when it
// breaks none.
func autoBreak(steps []output.SweepStep) string {
	cur := steps[len(steps)-1]
	if cur.Requests > 0 {
		if ratio := float64(cur.Failures) / float64(cur.Requests); ratio > maxFailRatio {
			return fmt.Sprintf("failed %.1f%% of its requests, above %.0f%%", ratio*100, maxFailRatio*100)
		}
	}
	if g := cur.Goodput; g != nil && g.Requests > 0 && g.Fraction < minGoodFraction {
		return fmt.Sprintf("met the SLOs with %.0f%% of its requests, under %.0f%%", g.Fraction*100, minGoodFraction*100)
	}
	if base := firstTTFTP99(steps[:len(steps)-1]); base > 0 && cur.TTFT != nil {
		if p99, _ := cur.TTFT.P(0.99); p99 > maxTTFTGrowth*base {
			return fmt.Sprintf("had a TTFT p99 of %.0fms, above %.0f× the first step's %.0fms", p99, maxTTFTGrowth, base)
		}
	}
	if len(steps) < 2 {
		return ""
	}
	prev := steps[len(steps)-2]
	what, was, now := "output tokens/s", prev.OutputTokensPerS, cur.OutputTokensPerS
	if was == 0 && now == 0 {
		what, was, now = "requests/s", prev.RPS, cur.RPS
	}
	switch {
	case now == 0:
		return fmt.Sprintf("finished no request within the step (%s 0)", what)
	case now < was*(1+minGrowth):
		return fmt.Sprintf("grew the %s by %+.0f%% (%.1f after %.1f), less than %.0f%%", what, (now/was-1)*100, now, was, minGrowth*100)
	}
	return ""
}

// firstTTFTP99 is the TTFT p99 of the first step that has one, 0 for
// none.
func firstTTFTP99(steps []output.SweepStep) float64 {
	for _, st := range steps {
		if st.TTFT != nil {
			p99, _ := st.TTFT.P(0.99)
			return p99
		}
	}
	return 0
}
