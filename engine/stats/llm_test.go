package stats

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// llmRec is an LLM request of name starting at t0+start whose token chunks
// arrive at the given offsets (ms from its start), one token each unless
// tokens says otherwise; it ends 5 ms after its last chunk.
func llmRec(name string, start time.Duration, chunkMS []float64, tokens ...int) *record.Record {
	l := &record.LLM{TTFB: ms(chunkMS[0] / 2), Source: record.SourceUsage}
	for i, at := range chunkMS {
		n := 1
		if i < len(tokens) {
			n = tokens[i]
		}
		l.Chunks = append(l.Chunks, record.Chunk{At: ms(at), Tokens: n})
		l.OutputTokens += n
	}
	l.TTFT = l.Chunks[0].At
	l.E2E = l.Chunks[len(l.Chunks)-1].At
	done := l.E2E + ms(5)
	return &record.Record{Method: "POST", Name: name, Start: t0.Add(start), ResponseTime: done, LLM: l}
}

func TestLLMEntryCounts(t *testing.T) {
	ok := llmRec("chat", 0, []float64{100, 120, 150, 190}) // 4 tokens: TPOT (190−100)/3 = 30 ms
	ok.LLM.InputTokens = 50

	failed := llmRec("chat", time.Second, []float64{300, 340}, 5, 5)
	failed.Error = "stream cut"
	failed.LLM.Source = record.SourceChunks
	failed.LLM.InputTokens = 20

	reasoning := llmRec("think", 2*time.Second, []float64{80, 90, 400, 410})
	reasoning.LLM.Reasoning, reasoning.LLM.TTFO = true, ms(400)
	reasoning.LLM.ReasoningTokens = 2
	reasoning.LLM.Source = record.SourceTokenizer

	mismatch := llmRec("think", 3*time.Second, []float64{60})
	mismatch.LLM.ServerTokens, mismatch.LLM.ClientTokens, mismatch.LLM.Mismatch = 1, 2, true

	empty := &record.Record{Method: "POST", Name: "chat", Start: t0.Add(4 * time.Second),
		ResponseTime: ms(30), LLM: &record.LLM{TTFB: ms(25)}}
	plain := rec("GET", "/health", 5*time.Second, ms(3))
	cancelled := llmRec("chat", 5*time.Second, []float64{10, 20})
	cancelled.Cancelled = true

	s := New(t0)
	for _, r := range []*record.Record{ok, failed, reasoning, mismatch, empty, plain, cancelled} {
		s.Log(r)
	}
	snap := s.Snapshot(t0.Add(10 * time.Second))
	if len(snap.LLM) != 2 || snap.LLM[0].Name != "chat" || snap.LLM[1].Name != "think" {
		t.Fatalf("LLM rows = %v, want chat and think only", llmNames(snap))
	}
	tests := []struct {
		name string
		e    *LLMEntry
		// requests, failures, output, input, reasoning, usage, tokenizer,
		// chunks, mismatches, then the counts of TTFT, TTFO, ITL, TPOT,
		// E2E, TTFB samples
		want [15]int64
	}{
		// chat: ok (4 tokens, 3 gaps, TPOT), failed (10 tokens, no
		// timings), empty (no source, TTFB only: no token arrived).
		{"chat", snap.LLM[0], [15]int64{3, 1, 14, 70, 0, 1, 0, 1, 0, 1, 0, 3, 1, 1, 2}},
		// think: reasoning (TTFO, 3 gaps, TPOT) and a one-token request
		// (no gap, no TPOT) whose counts disagree.
		{"think", snap.LLM[1], [15]int64{2, 0, 5, 0, 2, 1, 1, 0, 1, 2, 1, 3, 1, 2, 2}},
		{"total", snap.LLMTotal, [15]int64{5, 1, 19, 70, 2, 2, 1, 1, 1, 3, 1, 6, 2, 3, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.e
			got := [15]int64{e.Requests, e.Failures, e.OutputTokens, e.InputTokens, e.ReasoningTokens,
				e.Sources.Usage, e.Sources.Tokenizer, e.Sources.Chunks, e.Mismatches}
			for i, tm := range []Timing{TTFT, TTFO, ITL, TPOT, E2E, TTFB} {
				got[9+i] = e.Hist(tm).Count()
			}
			if got != tc.want {
				t.Errorf("\n got %v\nwant %v", got, tc.want)
			}
		})
	}

	chat := snap.LLM[0]
	for _, c := range []struct {
		what      string
		got, want time.Duration
	}{
		{"chat TTFT", chat.Hist(TTFT).Max(), ms(100)},
		{"chat E2E", chat.Hist(E2E).Max(), ms(190)},
		{"chat TPOT", chat.Hist(TPOT).Max(), ms(30)},
		{"chat ITL max", chat.Hist(ITL).Max(), ms(40)},
		{"chat ITL min", chat.Hist(ITL).Min(), ms(20)},
		{"chat TTFB min", chat.Hist(TTFB).Min(), ms(25)},
		{"think TTFO", snap.LLM[1].Hist(TTFO).Max(), ms(400)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if got := snap.Total.NumRequests; got != 6 {
		t.Errorf("Locust's stats counted %d requests, want all 6 that were not cancelled", got)
	}
}

func llmNames(s *Snapshot) []string {
	var out []string
	for _, e := range s.LLM {
		out = append(out, e.Method+" "+e.Name)
	}
	return out
}

func TestTokensCountInTheSecondTheyArrived(t *testing.T) {
	// A request from 0.5 s whose chunks arrive at 0.7 s, 1.7 s and 3.2 s,
	// with 3, 4 and 5 tokens, and 2 more tokens that no chunk carries
	// (dated to its end, 3.205 s). A second request from before the stats
	// start keeps only its tokens that arrived after the start.
	s := New(t0)
	s.Log(llmRec("chat", 500*time.Millisecond, []float64{200, 1200, 2700}, 3, 4, 5))
	r := llmRec("chat", 500*time.Millisecond, []float64{200, 1200, 2700}, 3, 4, 5)
	r.LLM.OutputTokens += 2
	s.Log(r)
	early := llmRec("chat", -1500*time.Millisecond, []float64{200, 1700}, 6, 7)
	s.Log(early)

	snap := s.Snapshot(t0.Add(5 * time.Second))
	want := []SecondTokens{{t0.Unix(), 6 + 7}, {t0.Unix() + 1, 8}, {t0.Unix() + 3, 12}}
	if got := snap.LLMTotal.OutputTokensBySecond(); !slices.Equal(got, want) {
		t.Errorf("by second %v, want %v", got, want)
	}
	if got := snap.LLMTotal.OutputTokens; got != 12+14+13 {
		t.Errorf("output tokens %d, want every token of every request", got)
	}
}

func TestOutputTokenRates(t *testing.T) {
	// Thirty seconds of one request per 100 ms, each with 10 tokens over
	// 10 chunks 20 ms apart: 100 tokens a second.
	s := New(t0)
	for i := range 300 {
		s.Log(llmRec("chat", time.Duration(i)*100*time.Millisecond, []float64{0, 20, 40, 60, 80, 100, 120, 140, 160, 180}))
	}
	now := t0.Add(30 * time.Second)
	e := s.Snapshot(now).LLMTotal
	tests := []struct {
		name      string
		got, want float64
	}{
		{"current", e.CurrentOutputTokensPerSec(now), 100},
		{"run", e.OutputTokensPerSec(now), 3000.0 / 30},
		{"run over a longer end", e.OutputTokensPerSec(t0.Add(60 * time.Second)), 3000.0 / 60},
		{"input", e.InputTokensPerSec(now), 0},
		{"current long after the last token", e.CurrentOutputTokensPerSec(t0.Add(50 * time.Second)), 0},
		{"current two seconds in", s.Snapshot(t0.Add(2 * time.Second)).LLMTotal.CurrentOutputTokensPerSec(t0.Add(2 * time.Second)), 0},
		{"nothing yet", New(t0).Snapshot(t0).LLMTotal.OutputTokensPerSec(t0), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if math.Abs(tc.got-tc.want) > 1e-9 {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestCurrentLLMWindow(t *testing.T) {
	// Ten seconds of requests with a 100 ms TTFT, then ten seconds with
	// 20 ms. Twenty seconds in, the current window holds only the fast
	// ones; the whole run holds both.
	s := New(t0)
	for i := range 200 {
		first := 100.0
		if i >= 100 {
			first = 20
		}
		s.Log(llmRec("chat", time.Duration(i)*100*time.Millisecond, []float64{first, first + 10, first + 30}))
	}
	snap := s.Snapshot(t0.Add(20500 * time.Millisecond))
	e := snap.LLMTotal
	tests := []struct {
		name      string
		got, want time.Duration
	}{
		{"current TTFT p95", e.Current(TTFT).Percentile(0.95), ms(20)},
		{"whole-run TTFT p95", e.Hist(TTFT).Percentile(0.95), ms(100)},
		{"current ITL p99", e.Current(ITL).Percentile(0.99), ms(20)},
		{"current TPOT p50", e.Current(TPOT).Percentile(0.5), ms(15)},
		{"current E2E p99", e.Current(E2E).Percentile(0.99), ms(50)},
		{"whole-run E2E p95", e.Hist(E2E).Percentile(0.95), ms(130)},
		{"no current TTFB is kept", time.Duration(e.Current(TTFB).Count()), 0},
		{"current window long after", s.Snapshot(t0.Add(time.Minute)).LLMTotal.Current(TTFT).Percentile(0.5), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	if n := e.Current(TTFT).Count(); n < 90 || n > 110 {
		t.Errorf("current window holds %d requests, want about ten seconds' 100", n)
	}
}

func TestResetClearsLLMStats(t *testing.T) {
	s := New(t0)
	s.Log(llmRec("chat", 0, []float64{100, 200, 300}))
	at := t0.Add(5 * time.Second)
	s.Reset(at)
	snap := s.Snapshot(at.Add(time.Second))
	if len(snap.LLM) != 1 {
		t.Fatalf("%d LLM rows after reset, want the row kept", len(snap.LLM))
	}
	for _, e := range []*LLMEntry{snap.LLM[0], snap.LLMTotal} {
		if e.Requests != 0 || e.OutputTokens != 0 || e.Hist(TTFT).Count() != 0 || e.Current(ITL).Count() != 0 ||
			len(e.OutputTokensBySecond()) != 0 || !e.Start.Equal(at) {
			t.Errorf("%s after reset: %d requests, %d tokens, %d TTFTs, %d current ITLs, %v seconds, start %v",
				e.Name, e.Requests, e.OutputTokens, e.Hist(TTFT).Count(), e.Current(ITL).Count(),
				e.OutputTokensBySecond(), e.Start)
		}
	}
	// A row first seen after the reset starts at the reset too.
	s.Log(llmRec("new", 6*time.Second, []float64{10}))
	for _, e := range s.Snapshot(at.Add(2 * time.Second)).LLM {
		if !e.Start.Equal(at) {
			t.Errorf("row %s starts at %v, want the reset %v", e.Name, e.Start, at)
		}
	}
}

func TestLLMSnapshotIsACopy(t *testing.T) {
	s := New(t0)
	s.Log(llmRec("chat", 0, []float64{100, 200}))
	snap := s.Snapshot(t0.Add(time.Second))
	for range 10 {
		s.Log(llmRec("chat", 0, []float64{900, 2000}))
	}
	e := snap.LLMTotal
	if e.Requests != 1 || e.Hist(TTFT).Count() != 1 || e.Hist(TTFT).Max() != ms(100) ||
		e.Current(TTFT).Count() != 1 || len(e.OutputTokensBySecond()) != 1 {
		t.Errorf("snapshot changed after later logs: %d requests, %d TTFTs up to %v, %d current",
			e.Requests, e.Hist(TTFT).Count(), e.Hist(TTFT).Max(), e.Current(TTFT).Count())
	}
}

func TestConcurrentLLMLogAndSnapshot(t *testing.T) {
	s := New(t0)
	const writers, perWriter = 4, 2000
	var wg, reader sync.WaitGroup
	done := make(chan struct{})
	reader.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				e := s.Snapshot(t0.Add(10 * time.Second)).LLMTotal
				_ = e.Current(TTFT).Percentile(0.5) + e.Hist(ITL).Percentile(0.9)
			}
		}
	})
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				s.Log(llmRec(fmt.Sprintf("m%d", w%2), time.Duration(i)*5*time.Millisecond, []float64{float64(i % 300), 400}))
			}
		})
	}
	wg.Wait()
	close(done)
	reader.Wait()
	e := s.Snapshot(t0.Add(20 * time.Second)).LLMTotal
	if e.Requests != writers*perWriter || e.OutputTokens != 2*writers*perWriter || e.Hist(ITL).Count() != writers*perWriter {
		t.Errorf("%d requests, %d tokens, %d gaps; want %d, %d, %d", e.Requests, e.OutputTokens, e.Hist(ITL).Count(),
			writers*perWriter, 2*writers*perWriter, writers*perWriter)
	}
}

// A stream's chunks count live, one token each, as they arrive; once its
// Record comes they are taken back and the Record counts what they really
// carried, and a cancelled one counts nowhere.
func TestLiveChunkCounting(t *testing.T) {
	s := New(t0)
	live := llmRec("chat", 0, []float64{100, 1100, 2100}, 3, 1, 2)
	cancelled := llmRec("chat", 0, []float64{300, 1300})
	cancelled.Cancelled = true
	streaming := func(r *record.Record, n int) {
		for _, c := range r.LLM.Chunks {
			s.Streaming(r.Name, r.Method, r.Start.Add(c.At), n)
		}
	}
	streaming(live, 1)
	streaming(cancelled, 1)
	sec := t0.Unix()
	if got := s.Snapshot(t0.Add(3 * time.Second)).LLMTotal.OutputTokensBySecond(); !slices.Equal(got, []SecondTokens{{sec, 2}, {sec + 1, 2}, {sec + 2, 1}}) {
		t.Fatalf("while streaming: %v", got)
	}
	for _, r := range []*record.Record{live, cancelled} {
		streaming(r, -1)
		s.Log(r)
	}
	snap := s.Snapshot(t0.Add(3 * time.Second))
	if got := snap.LLMTotal.OutputTokensBySecond(); !slices.Equal(got, []SecondTokens{{sec, 3}, {sec + 1, 1}, {sec + 2, 2}}) {
		t.Fatalf("after the records: %v", got)
	}
	if snap.LLMTotal.OutputTokens != 6 || snap.LLMTotal.Requests != 1 {
		t.Fatalf("tokens %d requests %d", snap.LLMTotal.OutputTokens, snap.LLMTotal.Requests)
	}
}

// A stopped test's figures are those of its end, however much later the
// stats are read, until the next reset.
func TestStoppedStatsStayPut(t *testing.T) {
	s := New(t0)
	for sec := range 10 {
		s.Log(llmRec("chat", time.Duration(sec)*time.Second, []float64{200, 400, 600}, 2, 2, 2))
	}
	end := t0.Add(10 * time.Second)
	s.Stop(end)
	at := s.Snapshot(end)
	for _, later := range []time.Duration{time.Second, 30 * time.Second, time.Hour} {
		snap := s.Snapshot(end.Add(later))
		if !snap.Time.Equal(end) {
			t.Errorf("%s after the end: snapshot time %s, want the end %s", later, snap.Time, end)
		}
		if got, want := snap.LLMTotal.OutputTokensPerSec(snap.Time), at.LLMTotal.OutputTokensPerSec(at.Time); got != want || want != 6 {
			t.Errorf("%s after the end: output tok/s %v, want %v = 60 tokens / 10 s", later, got, want)
		}
		if got, want := snap.LLMTotal.CurrentOutputTokensPerSec(snap.Time), at.LLMTotal.CurrentOutputTokensPerSec(at.Time); got != want {
			t.Errorf("%s after the end: current output tok/s %v, want %v", later, got, want)
		}
		if _, ok := snap.Total.CurrentPercentile(0.5); !ok {
			t.Errorf("%s after the end: the current window is gone", later)
		}
	}
	s.Reset(end.Add(time.Minute))
	if snap := s.Snapshot(end.Add(2 * time.Minute)); !snap.Time.Equal(end.Add(2 * time.Minute)) {
		t.Errorf("after a reset the snapshot time is %s, want now", snap.Time)
	}
}
