package timeline

import (
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// A timeline's points hold the percentiles it was made with, in their
// order: one value each, or none while the window is empty.
func TestPointsHoldTheRunsPercentiles(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ps, err := output.ParsePercentiles("50,99.9")
	if err != nil {
		t.Fatal(err)
	}
	st := stats.New(t0)
	for i := range 10 {
		ttft := time.Duration(100+i) * time.Millisecond
		st.Log(&record.Record{Name: "chat", Method: "POST", Start: t0, ResponseTime: ttft, LLM: &record.LLM{
			TTFT: ttft, E2E: ttft, OutputTokens: 1, Chunks: []record.Chunk{{At: ttft, Tokens: 1}}}})
	}
	cases := []struct {
		name string
		tl   *Timeline
		want int
	}{
		{"the default", New(), len(output.DefaultPercentiles)},
		{"chosen", NewWithPercentiles(ps), 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := t0.Add(2 * time.Second)
			if err := tc.tl.Tick(output.Sample{Time: now, Stats: st.Snapshot(now), TestStart: t0}); err != nil {
				t.Fatal(err)
			}
			_, ticks, _ := tc.tl.All()
			p := ticks[0].Point
			if len(p.TTFT) != tc.want || p.ITL != nil {
				t.Fatalf("TTFT %v, ITL %v; want %d values and none", p.TTFT, p.ITL, tc.want)
			}
			if last := p.TTFT[len(p.TTFT)-1]; last < 108*time.Millisecond {
				t.Errorf("the highest percentile is %s, want the slowest TTFT", last)
			}
		})
	}
}
