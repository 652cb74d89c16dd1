package output

import (
	"errors"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

func TestLiveLine(t *testing.T) {
	// Twenty seconds of 4 requests a second, 25 ms each, one in eight
	// failing. At 20 s the current window holds 25 ms requests only and the
	// current rate averages seconds 7..16 of the run: 4 a second.
	busy := stats.New(goldenStart)
	for i := range 80 {
		end := goldenStart.Add(time.Duration(i)*250*time.Millisecond + 100*time.Millisecond)
		r := &record.Record{Method: "POST", Name: "chat", Start: end.Add(-25 * time.Millisecond),
			ResponseTime: 25 * time.Millisecond}
		if i%8 == 0 {
			r.Error = "HTTP 500"
		}
		busy.Log(r)
	}
	busy.Log(&record.Record{Name: "chat", Start: goldenStart, Cancelled: true})

	// Twenty seconds of 5 LLM requests a second, each with 20 tokens in
	// 10 chunks 25 ms apart, after a TTFT of 200.6 ms: 100 tokens a
	// second, and a current TTFT of 200.6 ms exactly.
	llm := stats.New(goldenStart)
	for i := range 100 {
		llm.Log(llmRecord("chat", goldenStart.Add(time.Duration(i)*200*time.Millisecond), 200600*time.Microsecond, 10, 2))
	}

	// A test of 3 s that stopped: 30 requests of 2 tokens, one starting
	// every 100 ms, each done 55 ms later. Its current rates are empty (the
	// first seconds of a run have none); its line shows the whole run's, as
	// its tables do: 30 / 2.955 s = 10.2 req/s, 60 tokens / 3 s = 20 tok/s.
	short := stats.New(goldenStart)
	for i := range 30 {
		short.Log(llmRecord("chat", goldenStart.Add(time.Duration(i)*100*time.Millisecond), 50*time.Millisecond, 1, 2))
	}
	short.Stop(goldenStart.Add(3 * time.Second))

	// The same with a TTFT of 200 ms exactly: still one decimal.
	round := stats.New(goldenStart)
	for i := range 100 {
		round.Log(llmRecord("chat", goldenStart.Add(time.Duration(i)*200*time.Millisecond), 200*time.Millisecond, 10, 2))
	}

	tests := []struct {
		name string
		snap *stats.Snapshot
		live Live
		want string
	}{
		{
			name: "a stopped test shows its whole run", snap: short.Snapshot(goldenStart.Add(time.Minute)),
			live: Live{Users: 0, TargetUsers: 4, State: "stopped", Elapsed: 3 * time.Second, Stopped: true},
			want: "[00:03] stopped  users 0/4  req/s 10.2  fails 0 (0.0%)  p50 55ms p95 55ms  out tok/s 20.0  ttft p50 50.0ms p95 50.0ms  backlog 0  cancelled 0",
		},
		{
			name: "whole milliseconds keep their decimal", snap: round.Snapshot(goldenStart.Add(20 * time.Second)),
			live: Live{Users: 5, TargetUsers: 5, State: "running", Elapsed: 20 * time.Second},
			want: "[00:20] running  users 5/5  req/s 5.0  fails 0 (0.0%)  p50 430ms p95 430ms  out tok/s 100.0  ttft p50 200.0ms p95 200.0ms  backlog 0  cancelled 0",
		},
		{
			name: "nothing yet", snap: stats.New(goldenStart).Snapshot(goldenStart),
			live: Live{Users: 0, TargetUsers: 20, State: "spawning"},
			want: "[00:00] spawning users 0/20  req/s 0.0  fails 0 (0.0%)  p50 - p95 -  out tok/s 0.0  ttft p50 - p95 -  backlog 0  cancelled 0",
		},
		{
			name: "running", snap: busy.Snapshot(goldenStart.Add(20 * time.Second)),
			live: Live{Users: 20, TargetUsers: 20, State: "running", Elapsed: 20 * time.Second},
			want: "[00:20] running  users 20/20  req/s 4.0  fails 10 (12.5%)  p50 25ms p95 25ms  out tok/s 0.0  ttft p50 - p95 -  backlog 0  cancelled 1",
		},
		{
			name: "past an hour", snap: busy.Snapshot(goldenStart.Add(2 * time.Hour)),
			live: Live{Users: 3, TargetUsers: 20, State: "stopping", Elapsed: time.Hour + 2*time.Minute + 3*time.Second},
			want: "[1:02:03] stopping users 3/20  req/s 4.0  fails 10 (12.5%)  p50 - p95 -  out tok/s 0.0  ttft p50 - p95 -  backlog 0  cancelled 1",
		},
		{
			name: "streaming", snap: llm.Snapshot(goldenStart.Add(20 * time.Second)),
			live: Live{Users: 5, TargetUsers: 5, State: "running", Elapsed: 20 * time.Second,
				Backlog: metrics.Backlog{Queued: 3, Oldest: 12 * time.Millisecond}},
			want: "[00:20] running  users 5/5  req/s 5.0  fails 0 (0.0%)  p50 430ms p95 430ms  out tok/s 100.0  ttft p50 200.6ms p95 200.6ms  backlog 3 oldest 12ms  cancelled 0",
		},
		{
			name: "saturated client", snap: llm.Snapshot(goldenStart.Add(20 * time.Second)),
			live: Live{Users: 5, TargetUsers: 5, State: "running", Elapsed: 20 * time.Second,
				Backlog: metrics.Backlog{Queued: 52000, Oldest: 2345 * time.Millisecond}},
			want: "[00:20] running  users 5/5  req/s 5.0  fails 0 (0.0%)  p50 430ms p95 430ms  out tok/s 100.0  ttft p50 200.6ms p95 200.6ms  backlog 52000 oldest 2.3s CLIENT SATURATED  cancelled 0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LiveLine(tc.snap, tc.live); got != tc.want {
				t.Errorf("\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// llmRecord is a successful streamed request of name from start: the first
// of chunks chunks after ttft, then one every 25 ms, each carrying
// perChunk tokens; the stream closes 5 ms after the last.
func llmRecord(name string, start time.Time, ttft time.Duration, chunks, perChunk int) *record.Record {
	l := &record.LLM{TTFB: ttft / 2, TTFT: ttft, Source: record.SourceUsage, InputTokens: 30}
	for i := range chunks {
		l.Chunks = append(l.Chunks, record.Chunk{At: ttft + time.Duration(i)*25*time.Millisecond, Tokens: perChunk})
	}
	l.OutputTokens = chunks * perChunk
	l.E2E = l.Chunks[chunks-1].At
	done := l.E2E + 5*time.Millisecond
	return &record.Record{Method: "POST", Name: name, Start: start, ResponseTime: done, Status: 200, LLM: l}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct{ n int }

var errFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWritersReportWriteErrors(t *testing.T) {
	snap := goldenStats().Snapshot(goldenStart.Add(30 * time.Second))
	llmSnap := goldenLLMStats().Snapshot(goldenStart.Add(30 * time.Second))
	info := RunInfo{Start: goldenStart, End: goldenStart.Add(30 * time.Second)}
	tests := []struct {
		name  string
		write func(w *failAfter) error
	}{
		{"stats table", func(w *failAfter) error { return PrintStats(w, snap) }},
		{"percentiles", func(w *failAfter) error { return PrintPercentiles(w, snap) }},
		{"errors", func(w *failAfter) error { return PrintErrors(w, snap) }},
		{"exceptions", func(w *failAfter) error { return PrintExceptions(w, snap) }},
		{"stats csv", func(w *failAfter) error { return WriteStatsCSV(w, snap) }},
		{"failures csv", func(w *failAfter) error { return WriteFailuresCSV(w, snap) }},
		{"exceptions csv", func(w *failAfter) error { return WriteExceptionsCSV(w, snap) }},
		{"summary", func(w *failAfter) error { return WriteSummary(w, info, snap) }},
		{"llm table", func(w *failAfter) error { return PrintLLM(w, llmSnap) }},
		{"llm stats csv", func(w *failAfter) error { return WriteLLMStatsCSV(w, llmSnap) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Every output here is longer than 300 bytes.
			if err := tc.write(&failAfter{n: 300}); !errors.Is(err, errFull) {
				t.Errorf("error = %v, want the writer's error", err)
			}
		})
	}
}
