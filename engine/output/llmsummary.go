package output

import (
	"strconv"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// addLLM fills the LLM fields of st from an LLM row with the percentiles
// ps; end is the end of the run, which the output token rate is taken up
// to.
func addLLM(st *Stats, e *stats.LLMEntry, end time.Time, ps Percentiles) {
	st.OutputTokens = e.OutputTokens
	st.InputTokens = e.InputTokens
	st.ReasoningTokens = e.ReasoningTokens
	st.OutputTokensPerS = e.OutputTokensPerSec(end)
	st.TokenCountSource = SourcesOf(e.Sources)
	st.TokenMismatches = e.Mismatches
	st.TTFT = LatencyOf(e.Hist(stats.TTFT), ps)
	st.ITL = LatencyOf(e.Hist(stats.ITL), ps)
	st.TPOT = LatencyOf(e.Hist(stats.TPOT), ps)
	st.E2E = LatencyOf(e.Hist(stats.E2E), ps)
	st.TTFO = LatencyOf(e.Hist(stats.TTFO), ps)
	st.TTFB = LatencyOf(e.Hist(stats.TTFB), ps)
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

// LatencyOf summarises a timing histogram as every output shows it, with
// the percentiles ps (nil for DefaultPercentiles), or is nil when the
// histogram holds no sample: a timing that was never measured (TTFO
// without reasoning, TPOT of one-token answers) must read as absent,
// never as a measured 0 ms.
func LatencyOf(h *stats.Histogram, ps Percentiles) *Latency {
	if h == nil || h.Count() == 0 {
		return nil
	}
	ps = ps.orDefault()
	l := &Latency{Mean: MS(h.Mean()), Min: MS(h.Min()), Max: MS(h.Max()), Percentiles: ps}
	for _, d := range h.Percentiles(ps...) {
		l.Values = append(l.Values, MS(d))
	}
	return l
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
