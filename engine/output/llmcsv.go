package output

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// llmTiming is one LLM timing as the CSV columns name it.
type llmTiming struct {
	title  string
	timing stats.Timing
}

// llmTimings are the timings of the LLM stats file, in the order of the
// JSON summary.
var llmTimings = []llmTiming{
	{"TTFT", stats.TTFT}, {"ITL", stats.ITL}, {"TPOT", stats.TPOT},
	{"E2E", stats.E2E}, {"TTFO", stats.TTFO}, {"TTFB", stats.TTFB},
	{"Schedule Lag", stats.Lag},
}

// Column titles of the two LLM files.
var (
	llmCountColumns = []string{
		"Type", "Name", "Request Count", "Failure Count",
		"Output Tokens", "Input Tokens", "Reasoning Tokens",
		"Output Tokens/s", "Input Tokens/s",
		"Token Source Usage", "Token Source Tokenizer", "Token Source Chunks", "Token Mismatches",
	}
	llmHistoryColumns = []string{
		"Timestamp", "User Count", "Type", "Name", "Output Tokens/s",
		"TTFT 50%", "TTFT 95%", "ITL 50%", "ITL 95%", "TPOT 50%", "TPOT 95%",
		"Total Request Count", "Total Failure Count", "Total Output Tokens", "Total Input Tokens",
		"Total Output Tokens/s",
	}
)

// llmStatsColumns are the columns of the LLM stats file: the counts, each
// timing's mean, min, max and percentiles ps, and the goodput columns
// when the run sets SLOs.
func llmStatsColumns(ps Percentiles, goodput bool) []string {
	cols := slices.Clone(llmCountColumns)
	for _, t := range llmTimings {
		cols = append(cols, t.title+" Mean", t.title+" Min", t.title+" Max")
		for _, p := range ps.orDefault() {
			cols = append(cols, t.title+" "+percentileLabel(p))
		}
	}
	if goodput {
		cols = append(cols, goodputColumns...)
	}
	return cols
}

// WriteLLMStatsCSV writes the LLM stats table (the _llm_stats.csv file)
// with the default percentiles: one row per LLM endpoint, sorted by name
// and method, then the Aggregated row; only the header when the run had
// no LLM requests.
func WriteLLMStatsCSV(w io.Writer, s *stats.Snapshot) error {
	return WriteLLMStatsCSVWith(w, s, nil)
}

// WriteLLMStatsCSVWith is WriteLLMStatsCSV with the percentiles ps; the
// goodput columns follow when the snapshot's run sets SLOs.
func WriteLLMStatsCSVWith(w io.Writer, s *stats.Snapshot, ps Percentiles) error {
	goodput := s.SLO != nil
	err := writeCSVRow(w, llmStatsColumns(ps, goodput)...)
	if err == nil {
		err = writeLLMStatsRows(w, s, ps, goodput)
	}
	if err != nil {
		return fmt.Errorf("writing llm stats csv: %w", err)
	}
	return nil
}

func writeLLMStatsRows(w io.Writer, s *stats.Snapshot, ps Percentiles, goodput bool) error {
	if len(s.LLM) == 0 {
		return nil
	}
	for _, e := range append(slices.Clone(s.LLM), s.LLMTotal) {
		row := []string{
			e.Method, e.Name, itoa(e.Requests), itoa(e.Failures),
			itoa(e.OutputTokens), itoa(e.InputTokens), itoa(e.ReasoningTokens),
			pyFloat(e.OutputTokensPerSec(s.Time)), pyFloat(e.InputTokensPerSec(s.Time)),
			itoa(e.Sources.Usage), itoa(e.Sources.Tokenizer), itoa(e.Sources.Chunks), itoa(e.Mismatches),
		}
		for _, t := range llmTimings {
			row = append(row, timingFields(e.Hist(t.timing), ps)...)
		}
		if goodput {
			row = append(row, goodputFields(e, s.Time)...)
		}
		if err := writeCSVRow(w, row...); err != nil {
			return err
		}
	}
	return nil
}

// timingFields are a timing's mean, min, max and percentiles ps in ms,
// or N/A each when it has no samples (as Locust writes percentiles of a
// row without requests).
func timingFields(h *stats.Histogram, ps Percentiles) []string {
	ps = ps.orDefault()
	out := make([]string, 0, 3+len(ps))
	for _, d := range append([]time.Duration{h.Mean(), h.Min(), h.Max()}, h.Percentiles(ps...)...) {
		out = append(out, msField(h, d))
	}
	return out
}

func msField(h *stats.Histogram, d time.Duration) string {
	if h.Count() == 0 {
		return "N/A"
	}
	return pyFloat(MS(d))
}

// writeLLMHistoryRows appends one _llm_stats_history.csv row for the LLM
// total, and before it one per LLM endpoint when fullHistory is set.
// Rates and percentiles are the current ones, as the live line shows;
// nothing is written while the run has no LLM requests.
func writeLLMHistoryRows(w io.Writer, s *stats.Snapshot, userCount int, fullHistory bool) error {
	if len(s.LLM) == 0 {
		return nil
	}
	rows := []*stats.LLMEntry{s.LLMTotal}
	if fullHistory {
		rows = append(slices.Clone(s.LLM), s.LLMTotal)
	}
	stamp := strconv.FormatInt(s.Time.Unix(), 10)
	for _, e := range rows {
		ttft, itl, tpot := e.Current(stats.TTFT), e.Current(stats.ITL), e.Current(stats.TPOT)
		row := []string{
			stamp, strconv.Itoa(userCount), e.Method, e.Name,
			fmt.Sprintf("%f", e.CurrentOutputTokensPerSec(s.Time)),
			msField(ttft, ttft.Percentile(0.5)), msField(ttft, ttft.Percentile(0.95)),
			msField(itl, itl.Percentile(0.5)), msField(itl, itl.Percentile(0.95)),
			msField(tpot, tpot.Percentile(0.5)), msField(tpot, tpot.Percentile(0.95)),
			itoa(e.Requests), itoa(e.Failures), itoa(e.OutputTokens), itoa(e.InputTokens),
			pyFloat(e.OutputTokensPerSec(s.Time)),
		}
		if err := writeCSVRow(w, row...); err != nil {
			return err
		}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
