package output

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// summaryTimings decodes a JSON summary and gives, per endpoint name
// ("" for the totals), its six timings as they stand in the JSON.
func summaryTimings(t *testing.T, snap *stats.Snapshot) map[string]map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSummary(&b, RunInfo{Start: goldenStart, End: goldenLLMEnd}, snap); err != nil {
		t.Fatal(err)
	}
	var s struct {
		Totals    map[string]any   `json:"totals"`
		Endpoints []map[string]any `json:"endpoints"`
	}
	if err := json.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{"": s.Totals}
	for _, e := range s.Endpoints {
		out[e["name"].(string)] = e
	}
	return out
}

// TestSummaryUnmeasuredTimingsAreNull: a timing without samples is null in
// the JSON, present as a key, never zeros that read as a measurement.
func TestSummaryUnmeasuredTimingsAreNull(t *testing.T) {
	rows := summaryTimings(t, goldenLLMStats().Snapshot(goldenLLMEnd))
	cases := []struct {
		row, timing string
		measured    bool
	}{
		{"", "ttfo_ms", true},            // some chat requests reasoned
		{"chat", "ttfo_ms", true},        //
		{"completion", "ttfo_ms", false}, // none of these did
		{"completion", "ttft_ms", true},
		{"/v1/models", "ttft_ms", false}, // a plain HTTP endpoint
		{"/v1/models", "itl_ms", false},
		{"/v1/models", "tpot_ms", false},
		{"/v1/models", "e2e_ms", false},
		{"/v1/models", "ttfo_ms", false},
		{"/v1/models", "ttfb_ms", false},
	}
	for _, tc := range cases {
		t.Run(tc.row+" "+tc.timing, func(t *testing.T) {
			v, present := rows[tc.row][tc.timing]
			if !present {
				t.Fatalf("no %s key", tc.timing)
			}
			if tc.measured {
				if l, ok := v.(map[string]any); !ok || l["p50"].(float64) <= 0 {
					t.Errorf("%s = %v, want measured values", tc.timing, v)
				}
			} else if v != nil {
				t.Errorf("%s = %v, want null", tc.timing, v)
			}
		})
	}
}

// TestSummaryOneTokenAnswers: when every answer had one token there is no
// gap between tokens and no time per output token to report.
func TestSummaryOneTokenAnswers(t *testing.T) {
	s := stats.New(goldenStart)
	for i := range 10 {
		ttft := time.Duration(100+i) * time.Millisecond
		s.Log(&record.Record{
			Method: "POST", Name: "short", Start: goldenStart.Add(time.Duration(i) * time.Second), Status: 200,
			ResponseTime: ttft + time.Millisecond,
			LLM: &record.LLM{TTFT: ttft, E2E: ttft, OutputTokens: 1,
				Source: record.SourceUsage, Chunks: []record.Chunk{{At: ttft, Tokens: 1}}},
		})
	}
	short := summaryTimings(t, s.Snapshot(goldenLLMEnd))["short"]
	for _, k := range []string{"itl_ms", "tpot_ms", "ttfo_ms"} {
		if short[k] != nil {
			t.Errorf("%s = %v, want null", k, short[k])
		}
	}
	if l, ok := short["ttft_ms"].(map[string]any); !ok || l["min"].(float64) != 100 {
		t.Errorf("ttft_ms = %v, want a minimum of 100 ms", short["ttft_ms"])
	}
}

// TestLatencyOf: the helper every output shares gives nil for an empty
// histogram, and the histogram's figures otherwise.
func TestLatencyOf(t *testing.T) {
	if l := LatencyOf(&stats.Histogram{}, nil); l != nil {
		t.Errorf("empty histogram: %+v, want nil", *l)
	}
	if l := LatencyOf(nil, nil); l != nil {
		t.Errorf("no histogram: %+v, want nil", *l)
	}
	h := &stats.Histogram{}
	h.Record(200600 * time.Microsecond)
	l := LatencyOf(h, nil)
	if l == nil || l.Min != 200.6 || l.Max != 200.6 {
		t.Fatalf("one sample of 200.6 ms: %+v", l)
	}
	if p50, ok := l.P(0.5); !ok || p50 != 200.6 {
		t.Errorf("one sample of 200.6 ms: p50 = %v, %v", p50, ok)
	}
}
