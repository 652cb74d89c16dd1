package output

import (
	"fmt"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

const (
	// typeWidth and nameWidth are Locust's console column widths; Locust
	// narrows the name column on small terminals, but prints 80 wide when
	// its output is not a terminal, which is what logs and CI see.
	typeWidth = 8
	nameWidth = 80

	// tracebackLines is how much of a traceback the console shows per
	// exception; the CSV and JSON carry it whole.
	tracebackLines = 4
)

// lineWriter collects the first write error so that table code can print
// line after line and check once.
type lineWriter struct {
	w   io.Writer
	err error
}

func (lw *lineWriter) line(format string, args ...any) {
	if lw.err == nil {
		_, lw.err = fmt.Fprintf(lw.w, format+"\n", args...)
	}
}

// done returns the first write error, if any, in the context of what.
func (lw *lineWriter) done(what string) error {
	if lw.err != nil {
		return fmt.Errorf("printing %s: %w", what, lw.err)
	}
	return nil
}

// PrintStats writes Locust's final stats table: one row per entry and the
// Aggregated row, with whole-run request rates.
func PrintStats(w io.Writer, snap *stats.Snapshot) error {
	nameCol := nameWidth - typeWidth + 4 // Locust lends the name the width the numbers save
	lw := &lineWriter{w: w}
	lw.line("%-*s %-*s %7s %12s |%7s %7s %7s%7s | %7s %11s", typeWidth, "Type", nameCol, "Name",
		"# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s")
	sep := strings.Join([]string{dashes(typeWidth), dashes(nameCol), dashes(7), dashes(13),
		dashes(7), dashes(7), dashes(7), dashes(7), dashes(8), dashes(11)}, "|")
	row := func(e *stats.Entry) {
		lw.line("%-*s %-*s %7d %12s |%7d %7d %7d%7d | %7.2f %11.2f", typeWidth, typeOf(e), nameCol, e.Name,
			e.NumRequests, fmt.Sprintf("%d(%.2f%%)", e.NumFailures, e.FailRatio()*100),
			int64(e.Avg()), int64(e.Min()), int64(e.Max()), int64(e.Median()),
			e.TotalRPS(), e.TotalFailPerSec())
	}
	entryRows(lw, sep, snap, row)
	return lw.done("stats table")
}

// entryRows writes the entries, then the Aggregated row, between
// separator lines, as Locust's tables have them.
func entryRows(lw *lineWriter, sep string, snap *stats.Snapshot, row func(*stats.Entry)) {
	lw.line("%s", sep)
	for _, e := range snap.Entries {
		row(e)
	}
	lw.line("%s", sep)
	row(snap.Total)
	lw.line("")
}

// PrintPercentiles writes Locust's response-time percentile table, for
// the rows that have requests.
func PrintPercentiles(w io.Writer, snap *stats.Snapshot) error {
	lw := &lineWriter{w: w}
	lw.line("Response time percentiles (approximated)")
	// Locust's header and rows share one template whose first number is
	// 8 wide and the rest 6: 50% takes the wide slot, # reqs the last.
	header := []any{"Type", "Name"}
	for _, p := range percentiles {
		header = append(header, percentileLabel(p))
	}
	lw.line(percentileTemplate("s"), append(header, "# reqs")...)
	sep := dashes(typeWidth) + "|" + dashes(nameWidth) + "|" + dashes(8) + "|" +
		strings.Repeat(dashes(6)+"|", len(percentiles))
	sep = sep[:len(sep)-1]
	row := func(e *stats.Entry) {
		if e.NumRequests == 0 {
			return
		}
		args := []any{e.Method, e.Name}
		for _, p := range percentiles {
			args = append(args, e.Percentile(p))
		}
		lw.line(percentileTemplate("d"), append(args, e.NumRequests)...)
	}
	entryRows(lw, sep, snap, row)
	return lw.done("percentile table")
}

func percentileTemplate(verb string) string {
	return fmt.Sprintf("%%-%ds %%-%ds %%8%s ", typeWidth, nameWidth, verb) +
		strings.TrimSuffix(strings.Repeat("%6"+verb+" ", len(percentiles)), " ")
}

// PrintErrors writes Locust's error report, in the order the errors first
// happened; it writes nothing when there were none.
func PrintErrors(w io.Writer, snap *stats.Snapshot) error {
	if len(snap.Errors) == 0 {
		return nil
	}
	errs := slices.Clone(snap.Errors)
	slices.SortStableFunc(errs, func(a, b *stats.ErrorEntry) int { return a.FirstSeen.Compare(b.FirstSeen) })
	lw := &lineWriter{w: w}
	sep := dashes(18) + "|" + dashes(nameWidth+80-19)
	lw.line("Error report")
	lw.line("%-18s %-100s", "# occurrences", "Error")
	lw.line("%s", sep)
	for _, e := range errs {
		lw.line("%-18d %-100s", e.Occurrences, e.Method+" "+e.Name+": "+e.Error)
	}
	lw.line("%s", sep)
	lw.line("")
	return lw.done("error report")
}

// PrintExceptions writes the errors that tasks' scripts raised, most
// frequent first, each with the start of its traceback; it writes nothing
// when there were none. Locust has no console form of this table; this
// one follows the layout of the error report.
func PrintExceptions(w io.Writer, snap *stats.Snapshot) error {
	if len(snap.Exceptions) == 0 {
		return nil
	}
	lw := &lineWriter{w: w}
	sep := dashes(18) + "|" + dashes(nameWidth+80-19)
	lw.line("Exceptions")
	lw.line("%-18s %s", "# occurrences", "Message and traceback")
	lw.line("%s", sep)
	for _, x := range snap.Exceptions {
		lw.line("%-18d %s", x.Count, x.Msg)
		tb := strings.Split(strings.TrimRight(x.Traceback, "\n"), "\n")
		if x.Traceback == "" {
			tb = nil
		}
		for i, l := range tb {
			if i == tracebackLines {
				lw.line("%-18s   ... %d more lines", "", len(tb)-i)
				break
			}
			lw.line("%-18s   %s", "", l)
		}
	}
	lw.line("%s", sep)
	lw.line("")
	return lw.done("exceptions")
}

// Live holds the live line's figures that do not come from the stats.
type Live struct {
	Users, TargetUsers int
	State              string // the runner's state: spawning, running, ...
	Elapsed            time.Duration
	Backlog            metrics.Backlog // the metrics daemon's queue now
	// Stopped says the test has ended: its line then shows the rates of
	// its whole run, as its tables do, since it has no recent past.
	Stopped bool
}

// LiveLine is the one-line progress report printed every two seconds, for
// example:
//
//	[00:12] running  users 20/20  req/s 41.5  fails 0 (0.0%)  p50 120ms p95 210ms  out tok/s 1830.2  ttft p50 96.1ms p95 180.4ms  backlog 0  cancelled 0
//
// Rates and percentiles are those of the current window (of the whole
// run, once the test has stopped). The fields keep
// this order so that eyes and scripts can find them: Locust's figures,
// then the LLM ones (output tokens/s, TTFT percentiles), the daemon's
// backlog, and cancelled requests. A saturated client is spelled out in
// capitals.
func LiveLine(snap *stats.Snapshot, live Live) string {
	t := snap.Total
	rps, _ := t.ShownRates(live.Stopped)
	fields := []string{
		// The state is padded so that the fields after it stay in place.
		fmt.Sprintf("%s %-8s users %d/%d", clock(live.Elapsed), live.State, live.Users, live.TargetUsers),
		fmt.Sprintf("req/s %.1f", rps),
		fmt.Sprintf("fails %d (%.1f%%)", t.NumFailures, t.FailRatio()*100),
		"p50 " + currentMS(t, 0.5) + " p95 " + currentMS(t, 0.95),
	}
	fields = append(fields, llmLiveFields(snap, live.Stopped)...)
	if f := lagField(snap); f != "" {
		fields = append(fields, f)
	}
	fields = append(fields, backlogField(live.Backlog), fmt.Sprintf("cancelled %d", snap.Cancelled))
	return strings.Join(fields, "  ")
}

// clock formats elapsed run time as [mm:ss], or [h:mm:ss] from an hour on.
func clock(d time.Duration) string {
	s := int64(max(d, 0) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("[%d:%02d:%02d]", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("[%02d:%02d]", s/60, s%60)
}

func currentMS(e *stats.Entry, p float64) string {
	ms, ok := e.CurrentPercentile(p)
	if !ok || e.NumRequests == 0 {
		return "-"
	}
	return fmt.Sprintf("%dms", ms)
}

// typeOf is Locust's Type cell: the method and a space, empty for the
// total.
func typeOf(e *stats.Entry) string {
	if e.Method == "" {
		return ""
	}
	return e.Method + " "
}

func dashes(n int) string { return strings.Repeat("-", n) }
