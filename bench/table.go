package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// table is the one table the bench prints: sections of rows that share
// their columns, so that tabwriter aligns the whole of it.
type table struct {
	cols int
	rows [][]string
}

func (t *table) add(cells ...string) {
	t.rows = append(t.rows, cells)
	t.cols = max(t.cols, len(cells))
}

// gap separates a section from the one before it, if any, without
// breaking the alignment.
func (t *table) gap() {
	if len(t.rows) > 0 {
		t.add("")
	}
}

// write aligns every row, empty ones included (a line without a tab
// would end tabwriter's column block), then trims the padding at line
// ends.
func (t *table) write(w io.Writer) error {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range t.rows {
		cells := make([]string, t.cols)
		copy(cells, r)
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(b.String()) {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// writeTable prints the results: a line about the machine, then the table.
func writeTable(w io.Writer, r *Results) error {
	m := r.Machine
	commit := "no git commit"
	if m.GitCommit != "" {
		commit = "commit " + short(m.GitCommit)
		if m.GitDirty {
			commit += " with uncommitted changes"
		}
	}
	fmt.Fprintf(w, "llmlocust bench, %s: %d CPUs (GOMAXPROCS %d) %s, %s %s/%s, %s, open files %d soft / %d hard\n\n",
		m.Date, m.CPUs, m.GOMAXPROCS, m.CPUModel, m.GoVersion, m.OS, m.Arch, commit, m.FDSoft, m.FDHard)
	t := &table{}
	hotSection(t, r.Hot)
	e2eSection(t, r.E2E)
	fixedSection(t, r.Fixed)
	capacitySection(t, r.Capacity)
	openLoopSection(t, r.OpenLoop)
	targetSection(t, r.Targets)
	if err := t.write(w); err != nil {
		return err
	}
	return writeNotes(w, r)
}

// writeNotes says, under the table, how the runs were made.
func writeNotes(w io.Writer, r *Results) error {
	var notes []string
	if len(r.E2E) > 0 {
		notes = append(notes, fmt.Sprintf("End to end: the simulator answers after a TTFT of %s with %d tokens, one chunk every %s; "+
			"each client runs %g s (users all started within a second), then lets its requests finish. "+
			"CPU and peak RSS are the client process's own (rusage); chunks are the simulator's count.",
			spaced(simTTFT.String()), simTokens, spaced(simITL.String()), r.E2E[0].RunTimeS))
	}
	if busy := busiest(r.E2E, r.Machine.CPUs); busy > 0.1 {
		notes = append(notes, fmt.Sprintf("Warning: other processes used up to %.0f %% of the machine's CPU during a run; "+
			"they compete with the client and the simulator, so these figures are not those of a quiet machine.", busy*100))
	}
	if c := r.Capacity; c != nil {
		notes = append(notes, fmt.Sprintf("Capacity: %s-token answers, one chunk every %g ms, users started at %g/s, run %g s, then cut off.",
			thousands(c.MaxTokens), c.ITLMS, c.SpawnRate, c.RunTimeS))
	}
	if p := r.Profile; p != nil {
		notes = append(notes, fmt.Sprintf("Profiles of %s users run in-process: go tool pprof %s (CPU), %s (heap).", thousands(p.Users), p.CPU, p.Heap))
	}
	for _, n := range notes {
		if _, err := fmt.Fprintln(w, "\n"+n); err != nil {
			return err
		}
	}
	return nil
}

func short(commit string) string { return commit[:min(len(commit), 12)] }

func hotSection(t *table, hot []HotResult) {
	if len(hot) == 0 {
		return
	}
	t.add("HOT PATHS (go test -bench)", "ns", "bytes", "allocs", "per", "other")
	for _, h := range hot {
		if h.Error != "" {
			t.add(h.Label, "-", "-", "-", h.Unit, h.Error)
			continue
		}
		t.add(h.Label, count(h.NsPerOp), count(h.BPerOp), count(h.AllocsOp), h.Unit, extras(h.Extra))
	}
}

// extras prints the custom metrics a benchmark reported, such as the
// client's own CPU time per call.
func extras(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "MB/s" && k != "tokens/s" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = count(m[k]) + " " + k
	}
	return strings.Join(parts, ", ")
}

func e2eSection(t *table, runs []Run) {
	if len(runs) == 0 {
		return
	}
	t.gap()
	head := []string{"END TO END, vs the simulator's record"}
	for _, r := range runs {
		head = append(head, thousands(r.Users)+" users")
	}
	t.add(append(head, "target")...)
	row := func(label, target string, cell func(Run) string) {
		cells := []string{label}
		for _, r := range runs {
			cells = append(cells, cell(r))
		}
		t.add(append(cells, target)...)
	}
	row("chunks streamed, ours / baseline", "", func(r Run) string {
		return thousands64(r.Ours.Chunks) + " / " + thousands64(r.Baseline.Chunks)
	})
	row("client CPU per 1,000 chunks, ours", "", func(r Run) string { return msCPU(r.Ours.CPUPer1kChunks) })
	row("client CPU per 1,000 chunks, baseline", "", func(r Run) string { return msCPU(r.Baseline.CPUPer1kChunks) })
	row("  CPU, ours / baseline", "≤ 2×", func(r Run) string {
		return fmt.Sprintf("%.2f× %s", r.CPURatio, met(r.CPURatio > 0 && r.CPURatio <= cpuTarget))
	})
	row("peak RSS, ours / baseline", "", func(r Run) string {
		return mib(r.Ours.PeakRSSBytes) + " / " + mib(r.Baseline.PeakRSSBytes)
	})
	row("RSS per user, ours / baseline", "", func(r Run) string {
		return fmt.Sprintf("%.0f / %.0f KiB", r.Ours.RSSPerUserKiB, r.Baseline.RSSPerUserKiB)
	})
	timingRows(row)
	row("CPU of the simulator, ours / baseline run", "", func(r Run) string {
		return fmt.Sprintf("%.1f / %.1f s", r.Ours.SimulatorCPUSeconds, r.Baseline.SimulatorCPUSeconds)
	})
	row("CPU of other processes, ours / baseline run", "", func(r Run) string {
		return fmt.Sprintf("%.1f / %.1f s", r.Ours.OthersCPUSeconds, r.Baseline.OthersCPUSeconds)
	})
	row("metrics backlog, most queued / oldest", "", func(r Run) string {
		if b := r.Ours.MetricsBacklog; b != nil {
			return fmt.Sprintf("%s / %.0f ms", thousands(b.MaxQueued), b.MaxOldestMS)
		}
		return "-"
	})
	row("requests (failed), ours / baseline", "", func(r Run) string {
		return fmt.Sprintf("%s (%d) / %s (%d)", thousands64(r.Ours.Requests), r.Ours.Failures,
			thousands64(r.Baseline.Requests), r.Baseline.Failures)
	})
}

func timingRows(row func(string, string, func(Run) string)) {
	pair := func(s Spread) string { return fmt.Sprintf("%.2f / %.2f", s.P50, s.P99) }
	errPair := func(s Spread) string { return fmt.Sprintf("%+.2f / %+.2f", s.P50, s.P99) }
	row("TTFT p50 / p99 ms, simulator (our run)", "", func(r Run) string { return pair(r.Ours.SimTTFT) })
	row("TTFT error p50 / p99 ms, ours", "", func(r Run) string { return errPair(r.Ours.TTFTError) })
	row("TTFT error p50 / p99 ms, baseline", "", func(r Run) string { return errPair(r.Baseline.TTFTError) })
	row("  TTFT p50 error, ours − baseline", "≤ +1 ms", func(r Run) string {
		return fmt.Sprintf("%+.2f ms %s", r.TTFTSlack, met(r.TTFTSlack <= ttftSlackMS))
	})
	row("TPOT p50 / p99 ms, simulator (our run)", "", func(r Run) string { return fmt.Sprintf("%.3f / %.3f", r.Ours.SimTPOT.P50, r.Ours.SimTPOT.P99) })
	row("TPOT error p50 / p99 ms, ours", "", func(r Run) string { return errPair(r.Ours.TPOTError) })
	row("TPOT error p50 / p99 ms, baseline", "", func(r Run) string { return errPair(r.Baseline.TPOTError) })
}

// busiest is the largest share of the machine's CPU time that other
// processes took during a client's run.
func busiest(runs []Run, cpus int) float64 {
	share := 0.0
	for _, r := range runs {
		for _, c := range []Client{r.Ours, r.Baseline} {
			if c.WallSeconds > 0 && cpus > 0 {
				share = max(share, c.OthersCPUSeconds/(c.WallSeconds*float64(cpus)))
			}
		}
	}
	return share
}

func fixedSection(t *table, f *Run) {
	if f == nil {
		return
	}
	t.gap()
	t.add("FIXED COST (1 user, 1 s)", "ours", "baseline")
	t.add("CPU, one user", fmt.Sprintf("%.2f s", f.Ours.CPUSeconds), fmt.Sprintf("%.2f s", f.Baseline.CPUSeconds))
	t.add("peak RSS, one user", mib(f.Ours.PeakRSSBytes), mib(f.Baseline.PeakRSSBytes))
}

func capacitySection(t *table, c *Capacity) {
	if c == nil {
		return
	}
	t.gap()
	t.add("CAPACITY", thousands(c.Users)+" users", "target")
	t.add("streams open at once (simulator)", thousands(c.MaxStreaming))
	t.add("peak RSS", mib(c.PeakRSSBytes)+" "+met(c.PeakRSSBytes > 0 && c.PeakRSSBytes <= capacityTarget), "≤ 1 GiB")
	t.add("RSS per user", fmt.Sprintf("%.0f KiB", c.RSSPerUserKiB))
	t.add("client CPU", fmt.Sprintf("%.1f s for %s chunks", c.CPUSeconds, thousands64(c.Chunks)))
	t.add("metrics backlog, most queued / oldest", fmt.Sprintf("%s / %.0f ms", thousands(c.MetricsBacklog.MaxQueued), c.MetricsBacklog.MaxOldestMS))
	t.add("requests done (failed), cut at the end", fmt.Sprintf("%s (%d), %s", thousands64(c.Requests), c.Failures, thousands64(c.Cancelled)))
	t.add("client open-file limit", c.ClientFDLimit)
}

func openLoopSection(t *table, runs []OpenLoop) {
	for _, o := range runs {
		t.gap()
		t.add("OPEN LOOP", thousands(o.Rate)+" requests/s", "target")
		target := ""
		if o.Rate == lagTargetRate {
			target = "≤ 1 ms"
		}
		t.add("schedule lag p50 / p99 / max", fmt.Sprintf("%.3f / %.3f / %.3f ms", o.Lag.P50, o.Lag.P99, o.Lag.Max), target)
		t.add("sent, unsent, failed", fmt.Sprintf("%s, %s, %d in %g s", thousands64(o.Sent), thousands64(o.Unsent), o.Failures, o.RunTimeS))
		t.add("client CPU", fmt.Sprintf("%.1f s", o.CPUSeconds))
	}
}

func targetSection(t *table, targets []Target) {
	if len(targets) == 0 {
		return
	}
	t.gap()
	t.add("TARGETS", "run", "figure", "")
	for _, g := range targets {
		t.add(g.Name, g.Scope, g.Value, met(g.Met))
	}
}

// spaced writes a duration flag such as "200ms" as "200 ms".
func spaced(d string) string {
	i := strings.IndexFunc(d, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return d
	}
	return d[:i] + " " + d[i:]
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

// count prints a figure with thousands separators, and decimals only
// where it is small enough to need them.
func count(f float64) string {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return "-"
	case math.Abs(f) >= 100:
		return thousands64(int64(math.Round(f)))
	case math.Abs(f) >= 10 || f == math.Trunc(f):
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

func thousands(n int) string { return thousands64(int64(n)) }

func thousands64(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func mib(bytes int64) string { return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20)) }

// msCPU prints CPU seconds per 1,000 chunks in milliseconds.
func msCPU(seconds float64) string { return fmt.Sprintf("%.1f ms", seconds*1000) }
