package output

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// Sweep is a test that ran in steps (--sweep), one per value of users or
// of requests per second, as every output reports it: the JSON summary's
// "sweep", PREFIX_sweep.csv, the console's sweep table, the web UI.
type Sweep struct {
	Mode      string      `json:"mode"` // "users" or "rate"
	StepTimeS float64     `json:"step_time_s"`
	Steps     []SweepStep `json:"steps"`
}

// SweepStep is one step of a sweep: the requests that started in it,
// however late they finished, less those of its settling time. Rates
// divide by the measured part of the step, its duration less the settling
// time; a timing without samples is nil, null in the JSON.
type SweepStep struct {
	Value     float64  `json:"value"` // the user count or the rate the step ran
	Users     int      `json:"users"`
	Rate      *float64 `json:"rate"` // requests per second; null for closed-loop users
	StartS    float64  `json:"start_s"`
	DurationS float64  `json:"duration_s"`

	Requests         int64   `json:"requests"`
	Failures         int64   `json:"failures"`
	RPS              float64 `json:"rps"`
	OutputTokensPerS float64 `json:"output_tokens_per_s"`

	TTFT *Latency `json:"ttft_ms"`
	TPOT *Latency `json:"tpot_ms"`
	ITL  *Latency `json:"itl_ms"`
	E2E  *Latency `json:"e2e_ms"`
	Lag  *Latency `json:"lag_ms"`
	// Goodput is the step's goodput when SLOs are set; null without.
	Goodput *Goodput `json:"goodput"`
}

// StepInfo is what a step ran and when, from the test's start.
type StepInfo struct {
	Value  float64
	Users  int
	Rate   float64 // 0 for closed-loop users
	Start  time.Duration
	Length time.Duration // so far, while the step runs
	Settle time.Duration // left out at the step's start
	// Percentiles are the run's; a step always has p50 and p99 as well,
	// which its table and log line show.
	Percentiles Percentiles
}

// stepPercentiles are ps with p50 and p99 added where missing, in order.
func stepPercentiles(ps Percentiles) Percentiles {
	out := slices.Clone(ps.orDefault())
	for _, q := range []float64{0.50, 0.99} {
		if out.index(q) < 0 {
			out = append(out, q)
		}
	}
	slices.Sort(out)
	return out
}

// NewSweepStep is the step of info whose requests snap holds.
func NewSweepStep(info StepInfo, snap *stats.Snapshot) SweepStep {
	st := SweepStep{
		Value:     info.Value,
		Users:     info.Users,
		StartS:    info.Start.Seconds(),
		DurationS: info.Length.Seconds(),
		Requests:  snap.Total.NumRequests,
		Failures:  snap.Total.NumFailures,
	}
	ps := stepPercentiles(info.Percentiles)
	st.Lag = LatencyOf(snap.Schedule.Lag, ps)
	if info.Rate > 0 {
		st.Rate = &info.Rate
	}
	measured := (info.Length - info.Settle).Seconds()
	if measured > 0 {
		st.RPS = float64(st.Requests) / measured
	}
	if e := snap.LLMTotal; e != nil {
		if measured > 0 {
			st.OutputTokensPerS = float64(e.OutputTokens) / measured
		}
		st.TTFT = LatencyOf(e.Hist(stats.TTFT), ps)
		st.TPOT = LatencyOf(e.Hist(stats.TPOT), ps)
		st.ITL = LatencyOf(e.Hist(stats.ITL), ps)
		st.E2E = LatencyOf(e.Hist(stats.E2E), ps)
	}
	if snap.SLO != nil {
		e := snap.LLMTotal
		if e == nil {
			e = &stats.LLMEntry{Start: snap.Start}
		}
		// The step's stats start after its settling time: their rates
		// are per measured second.
		st.Goodput = GoodputOf(e, snap.Start.Add(max(0, info.Length-info.Settle)))
	}
	return st
}

// sweepColumn is one column of the sweep's CSV file and console table.
type sweepColumn struct {
	title string
	width int
	cell  func(i int, st SweepStep) (text string, ok bool) // ok false: none
}

func msCell(pick func(st SweepStep) *Latency, p func(l *Latency) float64) func(int, SweepStep) (string, bool) {
	return func(_ int, st SweepStep) (string, bool) {
		l := pick(st)
		if l == nil {
			return "", false
		}
		return strconv.FormatFloat(p(l), 'f', -1, 64), true
	}
}

func p50Of(l *Latency) float64 { return l.p(0.50) }
func p99Of(l *Latency) float64 { return l.p(0.99) }

// p is the percentile q, which a step's latencies always hold.
func (l *Latency) p(q float64) float64 {
	v, _ := l.P(q)
	return v
}

func fixed(digits int, v func(st SweepStep) float64) func(int, SweepStep) (string, bool) {
	return func(_ int, st SweepStep) (string, bool) {
		return strconv.FormatFloat(v(st), 'f', digits, 64), true
	}
}

// sweepColumns are the columns of PREFIX_sweep.csv and of the console's
// sweep table; times are in milliseconds.
var sweepColumns = []sweepColumn{
	{"Step", 4, func(i int, _ SweepStep) (string, bool) { return strconv.Itoa(i + 1), true }},
	{"Users", 6, func(_ int, st SweepStep) (string, bool) { return strconv.Itoa(st.Users), true }},
	{"Rate", 6, func(_ int, st SweepStep) (string, bool) {
		if st.Rate == nil {
			return "", false
		}
		return strconv.FormatFloat(*st.Rate, 'f', -1, 64), true
	}},
	{"Start (s)", 9, fixed(1, func(st SweepStep) float64 { return st.StartS })},
	{"Duration (s)", 12, fixed(1, func(st SweepStep) float64 { return st.DurationS })},
	{"Requests", 8, func(_ int, st SweepStep) (string, bool) { return itoa(st.Requests), true }},
	{"Failures", 8, func(_ int, st SweepStep) (string, bool) { return itoa(st.Failures), true }},
	{"Requests/s", 10, fixed(2, func(st SweepStep) float64 { return st.RPS })},
	{"Output Tokens/s", 15, fixed(2, func(st SweepStep) float64 { return st.OutputTokensPerS })},
	{"TTFT p50", 9, msCell(func(st SweepStep) *Latency { return st.TTFT }, p50Of)},
	{"TTFT p99", 9, msCell(func(st SweepStep) *Latency { return st.TTFT }, p99Of)},
	{"TPOT p50", 9, msCell(func(st SweepStep) *Latency { return st.TPOT }, p50Of)},
	{"TPOT p99", 9, msCell(func(st SweepStep) *Latency { return st.TPOT }, p99Of)},
	{"ITL p50", 9, msCell(func(st SweepStep) *Latency { return st.ITL }, p50Of)},
	{"ITL p99", 9, msCell(func(st SweepStep) *Latency { return st.ITL }, p99Of)},
	{"E2E p50", 9, msCell(func(st SweepStep) *Latency { return st.E2E }, p50Of)},
	{"E2E p99", 9, msCell(func(st SweepStep) *Latency { return st.E2E }, p99Of)},
	{"Lag p99", 9, msCell(func(st SweepStep) *Latency { return st.Lag }, p99Of)},
	{"Goodput (req/s)", 15, goodCell(func(g *Goodput) string { return strconv.FormatFloat(g.RequestsPerS, 'f', 2, 64) })},
	{"Good Fraction", 13, goodCell(func(g *Goodput) string { return strconv.FormatFloat(g.Fraction, 'f', 3, 64) })},
}

// goodCell is a goodput column: none for a run without SLOs.
func goodCell(v func(g *Goodput) string) func(int, SweepStep) (string, bool) {
	return func(_ int, st SweepStep) (string, bool) {
		if st.Goodput == nil {
			return "", false
		}
		return v(st.Goodput), true
	}
}

// SweepCSVColumns are the column titles of PREFIX_sweep.csv.
func SweepCSVColumns() []string {
	out := make([]string, len(sweepColumns))
	for i, c := range sweepColumns {
		out[i] = c.title
	}
	return out
}

// WriteSweepCSV writes PREFIX_sweep.csv: the header, then one row per
// step, N/A where a step has no value (a timing without samples, the rate
// of closed-loop users).
func WriteSweepCSV(w io.Writer, sw *Sweep) error {
	err := writeCSVRow(w, SweepCSVColumns()...)
	for i := 0; sw != nil && err == nil && i < len(sw.Steps); i++ {
		row := make([]string, len(sweepColumns))
		for j, c := range sweepColumns {
			text, ok := c.cell(i, sw.Steps[i])
			if !ok {
				text = "N/A"
			}
			row[j] = text
		}
		err = writeCSVRow(w, row...)
	}
	if err != nil {
		return fmt.Errorf("writing sweep csv: %w", err)
	}
	return nil
}

// PrintSweep writes the console's sweep table, aligned as the LLM table
// is; nothing without a sweep.
func PrintSweep(w io.Writer, sw *Sweep) error {
	if sw == nil {
		return nil
	}
	lw := &lineWriter{w: w}
	lw.line("Sweep by %s, %s steps (times in ms)", sw.Mode, formatSeconds(sw.StepTimeS))
	titles := make([]string, len(sweepColumns))
	dash := make([]string, len(sweepColumns))
	for i, c := range sweepColumns {
		titles[i] = pad(c.title, c.width, false)
		dash[i] = dashes(max(c.width, len(c.title)))
	}
	lw.line("%s", strings.Join(titles, " "))
	lw.line("%s", strings.Join(dash, "|"))
	for i, st := range sw.Steps {
		cells := make([]string, len(sweepColumns))
		for j, c := range sweepColumns {
			text, ok := c.cell(i, st)
			if !ok {
				text = "-"
			}
			cells[j] = pad(text, c.width, false)
		}
		lw.line("%s", strings.Join(cells, " "))
	}
	lw.line("")
	return lw.done("sweep table")
}

func formatSeconds(s float64) string {
	return (time.Duration(s * float64(time.Second))).String()
}

// SweepStepLine is the log line that closes a step: "sweep step 3/5
// rate=4: 3.98 req/s, 812 out tok/s, ttft p50 201ms p99 230ms, …". steps
// is 0 when the number of steps is not known beforehand (rate=auto). The
// figures are those of the step's requests that had finished.
func SweepStepLine(mode string, i, steps int, st SweepStep) string {
	of := ""
	if steps > 0 {
		of = "/" + strconv.Itoa(steps)
	}
	parts := []string{
		fmt.Sprintf("%.2f req/s", st.RPS),
		fmt.Sprintf("%.0f out tok/s", st.OutputTokensPerS),
		"ttft" + lineLatency(st.TTFT, true),
		"tpot" + lineLatency(st.TPOT, false),
		"e2e" + lineLatency(st.E2E, true),
		failuresText(st.Requests, st.Failures),
	}
	if g := st.Goodput; g != nil {
		parts = append(parts, fmt.Sprintf("goodput %.2f req/s (%.0f%%)", g.RequestsPerS, g.Fraction*100))
	}
	if st.Lag != nil {
		parts = append(parts, "lag p99 "+shortMS(st.Lag.p(0.99)))
	}
	return fmt.Sprintf("sweep step %d%s %s=%s: %s", i+1, of, mode,
		strconv.FormatFloat(st.Value, 'f', -1, 64), strings.Join(parts, ", "))
}

func lineLatency(l *Latency, tail bool) string {
	switch {
	case l == nil:
		return " -"
	case tail:
		return " p50 " + shortMS(l.p(0.50)) + " p99 " + shortMS(l.p(0.99))
	}
	return " p50 " + shortMS(l.p(0.50))
}

// shortMS prints milliseconds as a log line wants them: whole above 10,
// one decimal below.
func shortMS(ms float64) string {
	if ms >= 10 {
		return strconv.FormatFloat(ms, 'f', 0, 64) + "ms"
	}
	return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
}

func failuresText(requests, failures int64) string {
	ratio := 0.0
	if requests > 0 {
		ratio = float64(failures) / float64(requests)
	}
	return fmt.Sprintf("%d failures (%.1f%%)", failures, ratio*100)
}

// SweepCSV keeps PREFIX_sweep.csv (--csv PREFIX) of a test that sweeps,
// rewritten on every tick, so that a run that dies leaves its finished
// steps; a test without a sweep writes no file.
type SweepCSV struct {
	path string
}

var _ Output = (*SweepCSV)(nil)

// NewSweepCSV writes prefix + "_sweep.csv".
func NewSweepCSV(prefix string) *SweepCSV { return &SweepCSV{path: prefix + "_sweep.csv"} }

// Start implements Output.
func (c *SweepCSV) Start(Sample) error { return nil }

// Tick implements Output.
func (c *SweepCSV) Tick(s Sample) error { return c.write(s) }

// Close implements Output.
func (c *SweepCSV) Close(s Sample) error { return c.write(s) }

func (c *SweepCSV) write(s Sample) error {
	if s.Sweep == nil {
		return nil
	}
	// The rows hold numbers only: no secret to mask.
	err := WriteFile(c.path, nil, func(w io.Writer) error { return WriteSweepCSV(w, s.Sweep) })
	if err != nil {
		return fmt.Errorf("writing %s: %w", c.path, err)
	}
	return nil
}
