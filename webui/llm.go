package webui

import (
	"encoding/json"
	"math"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/engine/timeline"
)

// Point is one second of a running test, for the LLM charts. Percentiles
// are over about the last ten seconds.
type Point struct {
	Time             string                  `json:"time"`
	UserCount        int                     `json:"user_count"`
	RPS              float64                 `json:"rps"`
	FailPerSec       float64                 `json:"fail_per_sec"`
	OutputTokensPerS float64                 `json:"output_tokens_per_s"`
	TTFT             Percentiles             `json:"ttft"`
	ITL              Percentiles             `json:"itl"`
	TPOT             Percentiles             `json:"tpot"`
	E2E              Percentiles             `json:"e2e"`
	TokenSources     output.TokenCountSource `json:"token_sources"`
	TokenMismatches  int64                   `json:"token_mismatches"`
	Backlog          metrics.Backlog         `json:"backlog"`
}

// Percentiles of one timing in milliseconds; each is null when the window
// holds no value.
type Percentiles struct {
	P50 *float64 `json:"p50"`
	P90 *float64 `json:"p90"`
	P95 *float64 `json:"p95"`
	P99 *float64 `json:"p99"`
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

// pointOf is a timeline point as the wire carries it.
func pointOf(p timeline.Point) Point {
	return Point{
		Time:             p.Time.UTC().Format(isoSeconds),
		UserCount:        p.Users,
		RPS:              finite(p.RPS),
		FailPerSec:       finite(p.FailPerSec),
		OutputTokensPerS: finite(p.OutputTokensPerS),
		TTFT:             percentilesOf(p.TTFT),
		ITL:              percentilesOf(p.ITL),
		TPOT:             percentilesOf(p.TPOT),
		E2E:              percentilesOf(p.E2E),
		TokenSources:     output.SourcesOf(p.Sources),
		TokenMismatches:  p.Mismatches,
		Backlog:          p.Backlog,
	}
}

// percentilesOf are the output.LLMPercentiles of a window, in ms.
func percentilesOf(p []time.Duration) Percentiles {
	if len(p) < 4 {
		return Percentiles{}
	}
	v := func(i int) *float64 { x := output.MS(p[i]); return &x }
	return Percentiles{P50: v(0), P90: v(1), P95: v(2), P99: v(3)}
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

// llmTable is the LLM stats table of a snapshot; end is when the test
// ended, or the snapshot's time while it runs.
func llmTable(snap *stats.Snapshot, end time.Time) LLMTable {
	t := LLMTable{Rows: make([]LLMRow, 0, len(snap.LLM)), Total: llmRow(snap.LLMTotal, end)}
	for _, e := range snap.LLM {
		t.Rows = append(t.Rows, llmRow(e, end))
	}
	return t
}

func llmRow(e *stats.LLMEntry, end time.Time) LLMRow {
	return LLMRow{
		Name:             e.Name,
		Method:           e.Method,
		Requests:         e.Requests,
		Failures:         e.Failures,
		OutputTokens:     e.OutputTokens,
		InputTokens:      e.InputTokens,
		OutputTokensPerS: finite(e.OutputTokensPerSec(end)),
		TokenMismatches:  e.Mismatches,
		TokenCountSource: output.SourcesOf(e.Sources),
		TTFT:             output.LatencyOf(e.Hist(stats.TTFT)),
		TTFO:             output.LatencyOf(e.Hist(stats.TTFO)),
		ITL:              output.LatencyOf(e.Hist(stats.ITL)),
		TPOT:             output.LatencyOf(e.Hist(stats.TPOT)),
		E2E:              output.LatencyOf(e.Hist(stats.E2E)),
	}
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

// p50 and p95 of a timing, nil (null) when it has no samples.
func p50(l *output.Latency) *float64 {
	if l == nil {
		return nil
	}
	return &l.P50
}

func p95(l *output.Latency) *float64 {
	if l == nil {
		return nil
	}
	return &l.P95
}
