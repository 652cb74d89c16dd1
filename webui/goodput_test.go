package webui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/engine/timeline"
)

// A point's percentiles have the run's keys, in its order, null while the
// window is empty.
func TestPointPercentilesFollowTheRun(t *testing.T) {
	ps, err := output.ParsePercentiles("50,99.9")
	if err != nil {
		t.Fatal(err)
	}
	p := pointOf(timeline.Point{TTFT: []time.Duration{200600 * time.Microsecond, 300 * time.Millisecond}}, ps)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ttft":{"p50":200.6,"p99.9":300}`, `"itl":{"p50":null,"p99.9":null}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("point %s lacks %s", b, want)
		}
	}
	if v := p.TTFT.At("p99.9"); v == nil || *v != 300 {
		t.Errorf("At(p99.9) = %v", v)
	}
	if p.TTFT.At("p95") != nil {
		t.Error("a percentile the run did not choose has a value")
	}
}

// The LLM table's rows carry goodput as the summary does: null without
// SLOs, else counted.
func TestLLMRowsGoodput(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	logged := func(slo *stats.SLO) *stats.Snapshot {
		st := stats.New(t0)
		st.SetSLO(slo)
		for _, ttft := range []time.Duration{100 * time.Millisecond, 900 * time.Millisecond} {
			st.Log(&record.Record{Name: "chat", Method: "POST", Start: t0, ResponseTime: ttft, LLM: &record.LLM{
				TTFT: ttft, E2E: ttft, OutputTokens: 3, Chunks: []record.Chunk{{At: ttft, Tokens: 3}}}})
		}
		return st.Snapshot(t0.Add(10 * time.Second))
	}
	slo, _ := stats.ParseSLO([]string{"ttft_ms<500"})
	cases := []struct {
		name string
		slo  *stats.SLO
		want string
	}{
		{"without SLOs", nil, `"goodput":null`},
		{"with an SLO", slo, `"goodput":{"requests":2,"good_requests":1,"fraction":0.5,"requests_per_s":0.1,"output_tokens_per_s":0.3}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap := logged(tc.slo)
			table := llmTable(snap, snap.Time, nil)
			for _, row := range []LLMRow{table.Rows[0], table.Total} {
				b, err := json.Marshal(row)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(b), tc.want) {
					t.Errorf("row %s lacks %s", b, tc.want)
				}
			}
		})
	}
}

// A point carries the schedule lag, the current goodput and the warm-up
// as the charts draw them: null lag in a closed loop, null goodput
// without SLOs.
func TestPointLagGoodputAndWarmup(t *testing.T) {
	ps, err := output.ParsePercentiles("50,99")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		point timeline.Point
		want  []string
	}{
		{"closed loop, no SLOs", timeline.Point{},
			[]string{`"schedule_lag":{"p50":null,"p99":null}`, `"good_rps":null`, `"good_fraction":null`, `"warmup":false`}},
		{"open loop in its warm-up, with SLOs", timeline.Point{
			Lag: []time.Duration{150 * time.Microsecond, 2 * time.Millisecond}, GoodRPS: 3.5, GoodFraction: 0.875, HasGoodput: true, Warmup: true},
			[]string{`"schedule_lag":{"p50":0.15,"p99":2}`, `"good_rps":3.5`, `"good_fraction":0.875`, `"warmup":true`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(pointOf(tc.point, ps))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(string(b), want) {
					t.Errorf("point %s lacks %s", b, want)
				}
			}
		})
	}
}

// The LLM table shows the schedule lag of scheduled requests only.
func TestLLMRowsScheduleLag(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		scheduled bool
		want      string
	}{
		{"closed loop", false, `"schedule_lag_ms":null`},
		{"open loop", true, `"schedule_lag_ms":{"mean":2,"min":1,"max":3,"p50":1,"p99":3}`},
	}
	ps, _ := output.ParsePercentiles("50,99")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := stats.New(t0)
			for _, lag := range []time.Duration{time.Millisecond, 3 * time.Millisecond} {
				st.Log(&record.Record{Name: "chat", Method: "POST", Start: t0, ResponseTime: time.Second, Status: 200,
					Scheduled: tc.scheduled, Lag: lag, LLM: &record.LLM{}})
			}
			snap := st.Snapshot(t0.Add(10 * time.Second))
			b, err := json.Marshal(llmTable(snap, snap.Time, ps).Total)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tc.want) {
				t.Errorf("row %s lacks %s", b, tc.want)
			}
		})
	}
}
