package output

import (
	"fmt"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// llmLiveFields are the live line's LLM figures: the current output token
// rate (the whole run's once the test has stopped) and the current
// window's TTFT percentiles.
func llmLiveFields(snap *stats.Snapshot, stopped bool) []string {
	e := snap.LLMTotal
	if e == nil {
		return []string{"out tok/s 0.0", "ttft p50 - p95 -"}
	}
	ttft := e.Current(stats.TTFT)
	rate := e.CurrentOutputTokensPerSec(snap.Time)
	if stopped {
		rate = e.OutputTokensPerSec(snap.Time)
	}
	fields := []string{
		fmt.Sprintf("out tok/s %.1f", rate),
		"ttft p50 " + currentLLMMS(ttft, 0.5) + " p95 " + currentLLMMS(ttft, 0.95),
	}
	if snap.SLO != nil {
		fields = append(fields, goodputLiveField(e, snap.Time, stopped))
	}
	return fields
}

func currentLLMMS(h *stats.Histogram, p float64) string {
	if h.Count() == 0 {
		return "-"
	}
	// One decimal always, so that the live line keeps its shape from one
	// line to the next.
	return strconv.FormatFloat(MS(h.Percentile(p)), 'f', 1, 64) + "ms"
}

// lagField shows how late the scheduled requests went out, over the whole
// run, for an open-loop run only: "lag p50 0.1ms p99 0.4ms max 2.0ms".
func lagField(snap *stats.Snapshot) string {
	h := snap.Schedule.Lag
	if h == nil || h.Count() == 0 {
		return ""
	}
	return "lag p50 " + currentLLMMS(h, 0.5) + " p99 " + currentLLMMS(h, 0.99) +
		" max " + strconv.FormatFloat(MS(h.Max()), 'f', 1, 64) + "ms"
}

// backlogField shows the daemon's queue, with the bytes it holds and the
// age of its oldest item once anything waits, and how often it reached its
// bound once it did.
func backlogField(b metrics.Backlog) string {
	s := fmt.Sprintf("backlog %d", b.Queued)
	if b.Bytes > 0 {
		s += " (" + byteSize(b.Bytes) + ")"
	}
	if b.Queued > 0 || b.Oldest > 0 {
		s += " oldest " + shortAge(b.Oldest)
	}
	switch {
	case b.Refused == 1:
		s += " limit hit 1 time"
	case b.Refused > 1:
		s += fmt.Sprintf(" limit hit %d times", b.Refused)
	}
	if b.Saturated() {
		s += " CLIENT SATURATED"
	}
	return s
}

// byteSize writes a byte count in binary units: 512 B, 48.2 MiB.
func byteSize(n int64) string {
	v, units := float64(n), []string{"B", "KiB", "MiB", "GiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

func shortAge(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// llmColumn is one column of the final LLM table.
type llmColumn struct {
	title string
	width int
	left  bool // left-aligned text rather than a right-aligned number
	cell  func(e *stats.LLMEntry, end time.Time) string
}

func timingColumn(title string, t stats.Timing, cell func(h *stats.Histogram) time.Duration) llmColumn {
	return llmColumn{title: title, width: 9, cell: func(e *stats.LLMEntry, _ time.Time) string {
		h := e.Hist(t)
		if h.Count() == 0 {
			return "-"
		}
		return formatMS(cell(h))
	}}
}

func pct(p float64) func(h *stats.Histogram) time.Duration {
	return func(h *stats.Histogram) time.Duration { return h.Percentile(p) }
}

// llmColumns are the final LLM table's columns after Type and Name; times
// are in milliseconds, as the table's title says.
var llmColumns = []llmColumn{
	{title: "# reqs", width: 7, cell: func(e *stats.LLMEntry, _ time.Time) string {
		return strconv.FormatInt(e.Requests, 10)
	}},
	{title: "# fails", width: 12, cell: func(e *stats.LLMEntry, _ time.Time) string {
		ratio := 0.0
		if e.Requests > 0 {
			ratio = float64(e.Failures) / float64(e.Requests)
		}
		return fmt.Sprintf("%d(%.2f%%)", e.Failures, ratio*100)
	}},
	{title: "out tokens", width: 11, cell: func(e *stats.LLMEntry, _ time.Time) string {
		return strconv.FormatInt(e.OutputTokens, 10)
	}},
	{title: "out tok/s", width: 10, cell: func(e *stats.LLMEntry, end time.Time) string {
		return fmt.Sprintf("%.2f", e.OutputTokensPerSec(end))
	}},
	timingColumn("TTFT p50", stats.TTFT, pct(0.5)),
	timingColumn("TTFT p95", stats.TTFT, pct(0.95)),
	timingColumn("ITL p50", stats.ITL, pct(0.5)),
	timingColumn("ITL p95", stats.ITL, pct(0.95)),
	timingColumn("TPOT avg", stats.TPOT, (*stats.Histogram).Mean),
	timingColumn("TPOT p50", stats.TPOT, pct(0.5)),
	timingColumn("E2E p50", stats.E2E, pct(0.5)),
	timingColumn("E2E p95", stats.E2E, pct(0.95)),
	{title: "token source", left: true, cell: func(e *stats.LLMEntry, _ time.Time) string {
		return tokenSourceText(e)
	}},
}

// tokenSourceText says where the row's output counts came from, for
// example "usage 97, tokenizer 3; 2 mismatched".
func tokenSourceText(e *stats.LLMEntry) string {
	var parts []string
	for _, s := range []struct {
		name string
		n    int64
	}{{"usage", e.Sources.Usage}, {"tokenizer", e.Sources.Tokenizer}, {"chunks", e.Sources.Chunks}} {
		if s.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s.name, s.n))
		}
	}
	text := strings.Join(parts, ", ")
	if text == "" {
		text = "-"
	}
	if e.Mismatches > 0 {
		text += fmt.Sprintf("; %d mismatched", e.Mismatches)
	}
	return text
}

// PrintLLM writes the final table of the LLM requests: one row per LLM
// endpoint and the Aggregated row, with token counts, the run's output
// token rate and the timings' percentiles in milliseconds. It writes
// nothing when the run had no LLM requests.
func PrintLLM(w io.Writer, snap *stats.Snapshot) error {
	if len(snap.LLM) == 0 {
		return nil
	}
	nameCol := 10
	for _, e := range snap.LLM {
		nameCol = max(nameCol, len(e.Name))
	}
	rows := append(slices.Clone(snap.LLM), snap.LLMTotal)
	lw := &lineWriter{w: w}
	lw.line("LLM requests (times in ms)")
	titles := []string{pad("Type", typeWidth, true), pad("Name", nameCol, true)}
	dash := []string{dashes(typeWidth), dashes(nameCol)}
	for _, c := range llmColumns {
		titles = append(titles, pad(c.title, c.width, c.left))
		dash = append(dash, dashes(max(c.width, len(c.title))))
	}
	lw.line("%s", strings.TrimRight(strings.Join(titles, " "), " "))
	sep := strings.Join(dash, "|")
	lw.line("%s", sep)
	for i, e := range rows {
		if i == len(rows)-1 {
			lw.line("%s", sep)
		}
		cells := []string{pad(strings.TrimSpace(e.Method), typeWidth, true), pad(e.Name, nameCol, true)}
		for _, c := range llmColumns {
			cells = append(cells, pad(c.cell(e, snap.Time), c.width, c.left))
		}
		lw.line("%s", strings.TrimRight(strings.Join(cells, " "), " "))
	}
	lw.line("")
	return lw.done("LLM table")
}

// pad fits s to width, on the left or on the right; longer text is kept
// whole.
func pad(s string, width int, left bool) string {
	if left {
		return fmt.Sprintf("%-*s", width, s)
	}
	return fmt.Sprintf("%*s", width, s)
}
