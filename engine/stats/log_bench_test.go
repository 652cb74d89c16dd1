package stats

import (
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// BenchmarkLogLLMRecord measures what the stats cost per streamed request:
// Log of a successful 64-token LLM Record (one token per chunk, 20 ms
// apart after a 200 ms TTFT), the shape the simulator's benchmark runs
// produce. Requests end 5 ms apart, so the per-second buckets and the
// current window roll over as in a run.
func BenchmarkLogLLMRecord(b *testing.B) {
	const chunks = 64
	s := New(t0)
	l := &record.LLM{Source: record.SourceUsage, OutputTokens: chunks, InputTokens: 12,
		Chunks: make([]record.Chunk, chunks)}
	for c := range l.Chunks {
		l.Chunks[c] = record.Chunk{At: 200*time.Millisecond + time.Duration(c)*20*time.Millisecond, Tokens: 1}
	}
	l.E2E = l.Chunks[chunks-1].At
	done := l.E2E + time.Millisecond
	r := &record.Record{Method: "POST", Name: "chat", ResponseTime: done, LLM: l}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		// Only the TTFT varies, by 10 µs steps: enough to touch a few
		// hundred histogram buckets without rewriting the chunks.
		l.TTFT = 200*time.Millisecond + time.Duration(i%500)*10*time.Microsecond
		l.TTFB = l.TTFT / 2
		r.Start = t0.Add(time.Duration(i) * 5 * time.Millisecond)
		s.Log(r)
		i++
	}
	if got := s.Snapshot(t0.Add(time.Duration(i) * 5 * time.Millisecond)).Total.NumRequests; got != int64(i) {
		b.Fatalf("%d requests counted, %d logged", got, i)
	}
}
