package output

import (
	"bytes"
	"encoding/json"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// goldenLLMRecords is a fixed 30-second run in order of end time: two LLM
// endpoints and a plain one, multi-token chunks, reasoning, every token
// source, count mismatches, failed streams that keep their partial
// tokens, and a cancelled request.
func goldenLLMRecords() []*record.Record {
	var out []*record.Record
	for i := range 240 {
		start := goldenStart.Add(time.Duration(i) * 125 * time.Millisecond)
		switch i % 4 {
		case 3:
			out = append(out, &record.Record{Method: "GET", Name: "/v1/models", Start: start,
				ResponseTime: time.Duration(8+i%5) * time.Millisecond, Status: 200, ContentLength: 120})
		case 2:
			out = append(out, goldenLLMRecord(i, "completion", start))
		default:
			out = append(out, goldenLLMRecord(i, "chat", start))
		}
	}
	out = append(out, &record.Record{Method: "POST", Name: "chat", Start: goldenStart.Add(29 * time.Second),
		ResponseTime: time.Second, Cancelled: true, LLM: &record.LLM{OutputTokens: 4}})
	slices.SortStableFunc(out, func(a, b *record.Record) int { return a.End().Compare(b.End()) })
	return out
}

func goldenLLMRecord(i int, name string, start time.Time) *record.Record {
	ttft := time.Duration(150+(i*37)%400)*time.Millisecond + time.Duration(i%10)*100*time.Microsecond
	l := &record.LLM{TTFB: ttft * 2 / 3, TTFT: ttft, InputTokens: 40 + i%50, Source: record.SourceUsage}
	perChunk := 1
	if i%5 == 0 {
		perChunk = 3 // several tokens in one chunk, as with speculative decoding
	}
	at := ttft
	for c := range 5 + i%12 {
		if c > 0 {
			at += time.Duration(18+(i*13+c*7)%20) * time.Millisecond
		}
		l.Chunks = append(l.Chunks, record.Chunk{At: at, Tokens: perChunk})
		l.OutputTokens += perChunk
	}
	r := &record.Record{Method: "POST", Name: name, Start: start, Status: 200, LLM: l}
	if name == "chat" { // sent on a schedule, a little late now and then
		r.Scheduled, r.Lag = true, time.Duration((i*7)%13)*150*time.Microsecond
	}
	switch {
	case i%23 == 0:
		r.Error = "stream cut: connection reset by peer"
		l.Chunks = l.Chunks[:3]
		l.OutputTokens = 3 * perChunk
	case i%8 == 1:
		l.Reasoning, l.ReasoningTokens, l.TTFO = true, 3*perChunk, l.Chunks[3].At
	}
	switch {
	case i%11 == 0:
		l.Source = record.SourceChunks
	case name == "completion" && i%3 == 0:
		l.Source = record.SourceTokenizer
	case i%9 == 2:
		l.ServerTokens, l.ClientTokens, l.Mismatch = l.OutputTokens, l.OutputTokens+1, true
	}
	l.E2E = l.Chunks[len(l.Chunks)-1].At
	done := l.E2E + 3*time.Millisecond
	r.ResponseTime = done
	return r
}

func goldenLLMStats() *stats.RequestStats {
	s := stats.New(goldenStart)
	for _, r := range goldenLLMRecords() {
		s.Log(r)
	}
	return s
}

var goldenLLMEnd = goldenStart.Add(30 * time.Second)

func TestGoldenLLMConsole(t *testing.T) {
	snap := goldenLLMStats().Snapshot(goldenLLMEnd)
	var b bytes.Buffer
	if err := PrintLLM(&b, snap); err != nil {
		t.Fatal(err)
	}
	live := Live{Users: 4, TargetUsers: 4, State: "running", Elapsed: 30 * time.Second,
		Backlog: metrics.Backlog{Queued: 2, Oldest: 3 * time.Millisecond}}
	b.WriteString(LiveLine(snap, live) + "\n")
	checkGolden(t, "llm_console.txt", b.Bytes())
}

func TestPrintLLMWithoutLLMRequests(t *testing.T) {
	var b bytes.Buffer
	if err := PrintLLM(&b, goldenStats().Snapshot(goldenLLMEnd)); err != nil || b.Len() != 0 {
		t.Errorf("printed %q, %v; want nothing for a run without LLM requests", b.String(), err)
	}
}

func TestGoldenLLMCSVFiles(t *testing.T) {
	for _, full := range []bool{false, true} {
		name := "llm_run"
		if full {
			name = "llm_run_full"
		}
		t.Run(name, func(t *testing.T) {
			prefix, s := writeGoldenRun(t, goldenLLMRecords(), full, 4)
			final := s.Snapshot(goldenLLMEnd)
			if err := s.csv.Finish(final, 4); err != nil {
				t.Fatal(err)
			}
			for _, suffix := range []string{"_llm_stats.csv", "_llm_stats_history.csv"} {
				got, err := os.ReadFile(prefix + suffix)
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, name+suffix, got)
			}
			var want bytes.Buffer
			if err := WriteLLMStatsCSV(&want, final); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, prefix+"_llm_stats.csv"); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("the file after Close differs from WriteLLMStatsCSV of the final snapshot")
			}
		})
	}
}

func TestGoldenLLMSummary(t *testing.T) {
	snap := goldenLLMStats().Snapshot(goldenLLMEnd)
	info := RunInfo{
		Start: goldenStart, End: goldenLLMEnd,
		Host: "http://127.0.0.1:8000", Scenario: "scenarios/chat.lua", UserCount: 4,
		Backlog: metrics.Backlog{Queued: 17, Oldest: 1500 * time.Millisecond},
		Open:    true, Unsent: 2,
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, info, snap); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "llm_summary.json", b.Bytes())
}

func TestSummaryLLMFields(t *testing.T) {
	// The figures that the golden file only shows, checked against the
	// records themselves.
	recs := goldenLLMRecords()
	var output, failedTokens, chunked int64
	for _, r := range recs {
		if r.LLM == nil || r.Cancelled {
			continue
		}
		output += int64(r.LLM.OutputTokens)
		if r.Failed() {
			failedTokens += int64(r.LLM.OutputTokens)
		}
		if r.LLM.Source == record.SourceChunks {
			chunked++
		}
	}
	if failedTokens == 0 || chunked == 0 {
		t.Fatal("the golden run lacks failed streams with tokens or chunk-counted requests")
	}
	var b bytes.Buffer
	info := RunInfo{Start: goldenStart, End: goldenLLMEnd}
	if err := WriteSummary(&b, info, goldenLLMStats().Snapshot(goldenLLMEnd)); err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	models := s.Endpoints[0]
	tests := []struct {
		name      string
		got, want float64
	}{
		{"output tokens, failed requests' included", float64(s.Totals.OutputTokens), float64(output)},
		{"failed requests' partial tokens counted", float64(s.Totals.OutputTokens - (output - failedTokens)), float64(failedTokens)},
		{"tokens per second over the run", s.Totals.OutputTokensPerS, float64(output) / 30},
		{"chunk-counted requests", float64(s.Totals.TokenCountSource.Chunks), float64(chunked)},
		{"endpoint tokens add up", float64(s.Endpoints[1].OutputTokens + s.Endpoints[2].OutputTokens), float64(output)},
		{"a plain endpoint has no tokens", float64(models.OutputTokens + models.InputTokens), 0},
		{"saturation off by default", boolFloat(s.Backlog.ClientSaturated), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := tc.got - tc.want; d > 1e-9 || d < -1e-9 {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	if *models.Name != "/v1/models" {
		t.Fatalf("first endpoint is %q, want /v1/models", *models.Name)
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
