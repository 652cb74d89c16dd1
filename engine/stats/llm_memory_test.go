package stats

import (
	"runtime"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

func TestLLMMemoryStaysBounded(t *testing.T) {
	// A million LLM requests over five rows and 300 simulated seconds,
	// with TTFTs from 0 to 20 s, four chunks each and one in fifty failing.
	// Once the spread of values has been seen, logging more must not grow
	// the heap: histograms are bounded by their buckets, the token and
	// window rings are fixed arrays whose maps are reused.
	const n = 1_000_000
	names := []string{"/a", "/b", "/c", "/d", "/e"}
	s := New(t0)
	l := &record.LLM{Chunks: make([]record.Chunk, 4), Source: record.SourceUsage}
	r := &record.Record{Method: "POST", LLM: l}
	logRange := func(from, to int) {
		for i := from; i < to; i++ {
			end := time.Duration(i) * (300 * time.Second / n)
			r.Name = names[i%len(names)]
			l.TTFB = time.Duration(i*7919%20000) * time.Millisecond
			l.TTFT = l.TTFB + time.Duration(i%977)*time.Microsecond
			for c := range l.Chunks {
				l.Chunks[c] = record.Chunk{At: l.TTFT + time.Duration(c*(i%4001))*time.Microsecond, Tokens: 1 + i%3}
			}
			l.E2E = l.Chunks[len(l.Chunks)-1].At
			l.OutputTokens = len(l.Chunks) * (1 + i%3)
			r.ResponseTime = l.E2E + time.Millisecond
			r.Start = t0.Add(end - r.ResponseTime)
			r.Error = ""
			if i%50 == 0 {
				r.Error = "HTTP 500"
			}
			s.Log(r)
		}
	}
	// Two full passes over the spread of values before measuring: the
	// window's per-second maps only reach their size once every slot has
	// held a busy second.
	logRange(0, n/4)
	base := heapInUse()
	logRange(n/4, n)
	if grew := heapInUse() - base; grew > 4<<20 {
		t.Errorf("the heap grew by %d KiB over the last 750,000 requests, want it flat", grew>>10)
	}

	for _, e := range llmEntriesOf(s) {
		for tm := range numTimings {
			if k := len(e.hist[tm].counts); k > NumHistBuckets {
				t.Errorf("%s %v: %d buckets, want at most %d", e.name, tm, k, NumHistBuckets)
			}
		}
	}
	snap := s.Snapshot(t0.Add(300 * time.Second))
	if got := snap.LLMTotal.Requests; got != n {
		t.Errorf("counted %d LLM requests, want %d", got, n)
	}
	if got := len(snap.LLMTotal.OutputTokensBySecond()); got > tokenSeconds {
		t.Errorf("%d seconds of tokens kept, want at most %d", got, tokenSeconds)
	}
}

func llmEntriesOf(s *RequestStats) []*llmEntry {
	var out []*llmEntry
	for _, e := range s.llmEntries {
		out = append(out, e)
	}
	return out
}

func heapInUse() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func TestLLMLogDoesNotAllocate(t *testing.T) {
	s := New(t0)
	r := llmRec("chat", 0, []float64{0, 20, 50, 90, 160})
	offsets := []time.Duration{0, ms(20), ms(50), ms(90), ms(160)}
	i := 0
	logNext := func() {
		// Crosses a second every 50 calls; values repeat every 3000 calls.
		r.Start = t0.Add(time.Duration(i) * 20 * time.Millisecond)
		ttft := time.Duration(i%3000) * time.Millisecond
		for c, off := range offsets {
			r.LLM.Chunks[c].At = ttft + off
		}
		r.LLM.TTFT, r.LLM.E2E = ttft, ttft+offsets[len(offsets)-1]
		s.Log(r)
		i++
	}
	for range 6000 { // warm up: fill the histograms and the window's maps
		logNext()
	}
	const calls, seconds = 2000, 2000 / 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range calls {
		logNext()
	}
	runtime.ReadMemStats(&after)
	if n := after.Mallocs - before.Mallocs; n >= seconds {
		t.Errorf("%d LLM Logs over %d seconds allocated %d times, want next to none", calls, seconds, n)
	}
}
