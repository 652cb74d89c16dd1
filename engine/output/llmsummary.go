package output

import (
	"strconv"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// addLLM fills the LLM fields of st from an LLM row; end is the end of the
// run, which the output token rate is taken up to.
func addLLM(st *Stats, e *stats.LLMEntry, end time.Time) {
	st.OutputTokens = e.OutputTokens
	st.InputTokens = e.InputTokens
	st.ReasoningTokens = e.ReasoningTokens
	st.OutputTokensPerS = e.OutputTokensPerSec(end)
	st.TokenCountSource = TokenCountSource{Usage: e.Sources.Usage, Tokenizer: e.Sources.Tokenizer, Chunks: e.Sources.Chunks}
	st.TokenMismatches = e.Mismatches
	st.TTFT = latencyOf(e.Hist(stats.TTFT))
	st.ITL = latencyOf(e.Hist(stats.ITL))
	st.TPOT = latencyOf(e.Hist(stats.TPOT))
	st.E2E = latencyOf(e.Hist(stats.E2E))
	st.TTFO = latencyOf(e.Hist(stats.TTFO))
	st.TTFB = latencyOf(e.Hist(stats.TTFB))
}

// llmByKey indexes the LLM rows by name and method, the key they share
// with the request rows.
func llmByKey(snap *stats.Snapshot) map[[2]string]*stats.LLMEntry {
	out := make(map[[2]string]*stats.LLMEntry, len(snap.LLM))
	for _, e := range snap.LLM {
		out[[2]string{e.Name, e.Method}] = e
	}
	return out
}

// summaryPercentiles are the percentiles of every LLM timing in the JSON
// summary and the LLM stats file.
var summaryPercentiles = []float64{0.50, 0.90, 0.95, 0.99}

func latencyOf(h *stats.Histogram) Latency {
	p := h.Percentiles(summaryPercentiles...)
	return Latency{
		Mean: toMS(h.Mean()),
		Min:  toMS(h.Min()),
		Max:  toMS(h.Max()),
		P50:  toMS(p[0]),
		P90:  toMS(p[1]),
		P95:  toMS(p[2]),
		P99:  toMS(p[3]),
	}
}

// toMS converts a duration to milliseconds rounded to the microsecond, the
// resolution of the LLM histograms. Dividing whole microseconds by 1000
// gives the float that prints as the decimal people expect: 200.6, never
// 200.59999.
func toMS(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond).Microseconds()) / 1000
}

// formatMS prints a duration as toMS does, in the shortest form.
func formatMS(d time.Duration) string {
	return strconv.FormatFloat(toMS(d), 'f', -1, 64)
}
