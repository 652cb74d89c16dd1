package webui

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/engine/timeline"
)

// Point is one second of a running test, for the LLM charts. Percentiles
// are over about the last ten seconds.
type Point struct {
	Time             string      `json:"time"`
	UserCount        int         `json:"user_count"`
	RPS              float64     `json:"rps"`
	FailPerSec       float64     `json:"fail_per_sec"`
	OutputTokensPerS float64     `json:"output_tokens_per_s"`
	TTFT             Percentiles `json:"ttft"`
	ITL              Percentiles `json:"itl"`
	TPOT             Percentiles `json:"tpot"`
	E2E              Percentiles `json:"e2e"`
	// ScheduleLag is how late an open-loop test's requests went out;
	// its values are null in a closed-loop test.
	ScheduleLag     Percentiles             `json:"schedule_lag"`
	TokenSources    output.TokenCountSource `json:"token_sources"`
	TokenMismatches int64                   `json:"token_mismatches"`
	Backlog         metrics.Backlog         `json:"backlog"`
	// GoodRPS and GoodFraction are the current goodput under the run's
	// SLOs, null without SLOs or while no request ended in the window.
	GoodRPS      *float64 `json:"good_rps"`
	GoodFraction *float64 `json:"good_fraction"`
	// Warmup marks a second of the warm-up, left out of every figure.
	Warmup bool `json:"warmup"`
}

// Percentiles of one timing in milliseconds: an object with a key per
// percentile of the run (p50, p90, p95, p99 by default; p99.9 …), in the
// run's order, each null when the window holds no value.
type Percentiles struct {
	keys   []string
	values []*float64
}

// MarshalJSON writes the percentiles in the run's order.
func (p Percentiles) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range p.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		v, err := json.Marshal(p.values[i])
		if err != nil {
			return nil, err
		}
		b.WriteString(strconv.Quote(k) + ":")
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// At is the value of the percentile of key ("p50"), nil when the window
// holds none or the run shows no such percentile.
func (p Percentiles) At(key string) *float64 {
	if i := slices.Index(p.keys, key); i >= 0 {
		return p.values[i]
	}
	return nil
}

// Req is one finished LLM request for the TTFT scatter chart; it travels
// as [start time, TTFT ms, name, ok] to keep thousands of them small.
// TTFTMS is nil when no token came, which the chart must not draw as a
// measured 0 ms.
type Req struct {
	Start  time.Time
	TTFTMS *float64
	Name   string
	OK     bool
}

// MarshalJSON writes the request as a four-item array.
func (r Req) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{r.Start.UTC().Format(isoMillis), r.TTFTMS, r.Name, r.OK})
}

// LLMRow is one row of the LLM stats table: a (name, method) or the
// Aggregated total. Timings are over the whole test, null when none was
// measured.
type LLMRow struct {
	Name             string                  `json:"name"`
	Method           string                  `json:"method"`
	Requests         int64                   `json:"requests"`
	Failures         int64                   `json:"failures"`
	OutputTokens     int64                   `json:"output_tokens"`
	InputTokens      int64                   `json:"input_tokens"`
	OutputTokensPerS float64                 `json:"output_tokens_per_s"`
	TokenMismatches  int64                   `json:"token_mismatches"`
	TokenCountSource output.TokenCountSource `json:"token_count_source"`
	TTFT             *output.Latency         `json:"ttft_ms"`
	TTFO             *output.Latency         `json:"ttfo_ms"`
	ITL              *output.Latency         `json:"itl_ms"`
	TPOT             *output.Latency         `json:"tpot_ms"`
	E2E              *output.Latency         `json:"e2e_ms"`
	// ScheduleLag is how late the scheduled requests went out, null in a
	// closed-loop test.
	ScheduleLag *output.Latency `json:"schedule_lag_ms"`
	// Goodput is as the JSON summary has it, null without SLOs.
	Goodput *output.Goodput `json:"goodput"`
}

// LLMTable is the LLM stats table: its rows and their total.
type LLMTable struct {
	Rows  []LLMRow `json:"rows"`
	Total LLMRow   `json:"total"`
}

// Time formats of the wire.
const (
	isoSeconds = "2006-01-02T15:04:05Z"
	isoMillis  = "2006-01-02T15:04:05.000Z"
)

// finite turns NaN and infinities, which JSON cannot carry, into 0.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// pointOf is a timeline point as the wire carries it; ps are the
// timeline's percentiles.
func pointOf(p timeline.Point, ps output.Percentiles) Point {
	out := Point{
		Time:             p.Time.UTC().Format(isoSeconds),
		UserCount:        p.Users,
		RPS:              finite(p.RPS),
		FailPerSec:       finite(p.FailPerSec),
		OutputTokensPerS: finite(p.OutputTokensPerS),
		TTFT:             percentilesOf(p.TTFT, ps),
		ITL:              percentilesOf(p.ITL, ps),
		TPOT:             percentilesOf(p.TPOT, ps),
		E2E:              percentilesOf(p.E2E, ps),
		ScheduleLag:      percentilesOf(p.Lag, ps),
		TokenSources:     output.SourcesOf(p.Sources),
		TokenMismatches:  p.Mismatches,
		Backlog:          p.Backlog,
		Warmup:           p.Warmup,
	}
	if p.HasGoodput {
		rps, frac := finite(p.GoodRPS), finite(p.GoodFraction)
		out.GoodRPS, out.GoodFraction = &rps, &frac
	}
	return out
}

// percentilesOf are the percentiles ps of a window, in ms; p holds one
// value for each, or none when the window was empty.
func percentilesOf(p []time.Duration, ps output.Percentiles) Percentiles {
	out := Percentiles{keys: ps.Keys(), values: make([]*float64, len(ps.Keys()))}
	if len(p) < len(out.keys) {
		return out
	}
	for i := range out.values {
		x := output.MS(p[i])
		out.values[i] = &x
	}
	return out
}

func toReqs(rs []timeline.Request) []Req {
	out := make([]Req, len(rs))
	for i, r := range rs {
		out[i] = Req{Start: r.Start, Name: r.Name, OK: r.OK}
		// A request's TTFT is 0 exactly when no token arrived.
		if r.TTFT > 0 {
			ms := output.MS(r.TTFT)
			out[i].TTFTMS = &ms
		}
	}
	return out
}

// llmTable is the LLM stats table of a snapshot with the percentiles ps;
// end is when the test ended, or the snapshot's time while it runs.
func llmTable(snap *stats.Snapshot, end time.Time, ps output.Percentiles) LLMTable {
	goodput := snap.SLO != nil
	t := LLMTable{Rows: make([]LLMRow, 0, len(snap.LLM)), Total: llmRow(snap.LLMTotal, end, ps, goodput)}
	for _, e := range snap.LLM {
		t.Rows = append(t.Rows, llmRow(e, end, ps, goodput))
	}
	return t
}

func llmRow(e *stats.LLMEntry, end time.Time, ps output.Percentiles, goodput bool) LLMRow {
	r := LLMRow{
		Name:             e.Name,
		Method:           e.Method,
		Requests:         e.Requests,
		Failures:         e.Failures,
		OutputTokens:     e.OutputTokens,
		InputTokens:      e.InputTokens,
		OutputTokensPerS: finite(e.OutputTokensPerSec(end)),
		TokenMismatches:  e.Mismatches,
		TokenCountSource: output.SourcesOf(e.Sources),
		TTFT:             output.LatencyOf(e.Hist(stats.TTFT), ps),
		TTFO:             output.LatencyOf(e.Hist(stats.TTFO), ps),
		ITL:              output.LatencyOf(e.Hist(stats.ITL), ps),
		TPOT:             output.LatencyOf(e.Hist(stats.TPOT), ps),
		E2E:              output.LatencyOf(e.Hist(stats.E2E), ps),
		ScheduleLag:      output.LatencyOf(e.Hist(stats.Lag), ps),
	}
	if goodput {
		r.Goodput = output.GoodputOf(e, end)
	}
	return r
}

// llmExtendedStats are the LLM rows as locust-ui's generic extended table
// takes them.
func llmExtendedStats(t LLMTable) []map[string]any {
	rows := append(append([]LLMRow{}, t.Rows...), t.Total)
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = map[string]any{
			"name": r.Name, "method": r.Method,
			"requests": r.Requests, "failures": r.Failures,
			"output_tokens":       r.OutputTokens,
			"output_tokens_per_s": math.Round(r.OutputTokensPerS*100) / 100,
			"ttft_p50":            p50(r.TTFT), "ttft_p95": p95(r.TTFT),
			"itl_p50": p50(r.ITL), "tpot_p50": p50(r.TPOT), "e2e_p50": p50(r.E2E),
		}
	}
	return out
}

// p50 and p95 of a timing, nil (null) when it has no samples or the run
// shows no such percentile.
func p50(l *output.Latency) *float64 { return percentile(l, 0.50) }

func p95(l *output.Latency) *float64 { return percentile(l, 0.95) }

func percentile(l *output.Latency, q float64) *float64 {
	if l == nil {
		return nil
	}
	if v, ok := l.P(q); ok {
		return &v
	}
	return nil
}
