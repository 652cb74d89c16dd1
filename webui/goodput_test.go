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
