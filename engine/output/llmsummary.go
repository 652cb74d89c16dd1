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
	st.TokenCountSource = SourcesOf(e.Sources)
	st.TokenMismatches = e.Mismatches
	st.TTFT = LatencyOf(e.Hist(stats.TTFT))
	st.ITL = LatencyOf(e.Hist(stats.ITL))
	st.TPOT = LatencyOf(e.Hist(stats.TPOT))
	st.E2E = LatencyOf(e.Hist(stats.E2E))
	st.TTFO = LatencyOf(e.Hist(stats.TTFO))
	st.TTFB = LatencyOf(e.Hist(stats.TTFB))
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

// LLMPercentiles are the percentiles of every LLM timing that the outputs
// show: the JSON summary, the LLM stats file, the web UI. Latency has a
// field for each.
var LLMPercentiles = []float64{0.50, 0.90, 0.95, 0.99}

// LatencyOf summarises a timing histogram as every output shows it, or
// is nil when the histogram holds no sample: a timing that was never
// measured (TTFO without reasoning, TPOT of one-token answers) must read
// as absent, never as a measured 0 ms.
func LatencyOf(h *stats.Histogram) *Latency {
	if h == nil || h.Count() == 0 {
		return nil
	}
	p := h.Percentiles(LLMPercentiles...)
	return &Latency{
		Mean: MS(h.Mean()),
		Min:  MS(h.Min()),
		Max:  MS(h.Max()),
		P50:  MS(p[0]),
		P90:  MS(p[1]),
		P95:  MS(p[2]),
		P99:  MS(p[3]),
	}
}

// SourcesOf is the token-source counts of an LLM row.
func SourcesOf(s stats.TokenSources) TokenCountSource {
	return TokenCountSource{Usage: s.Usage, Tokenizer: s.Tokenizer, Chunks: s.Chunks}
}

// MS converts a duration to milliseconds rounded to the microsecond, the
// resolution of the LLM histograms. Dividing whole microseconds by 1000
// gives the float that prints as the decimal people expect: 200.6, never
// 200.59999.
func MS(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond).Microseconds()) / 1000
}

// formatMS prints a duration as toMS does, in the shortest form.
func formatMS(d time.Duration) string {
	return strconv.FormatFloat(MS(d), 'f', -1, 64)
}
