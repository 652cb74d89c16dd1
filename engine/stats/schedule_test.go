package stats

import (
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

func TestScheduleLagCountsScheduledRequestsOnly(t *testing.T) {
	t0 := time.Now()
	s := New(t0)
	for i, lag := range []time.Duration{time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond} {
		r := record.Record{Name: "chat", Method: "POST", Start: t0.Add(time.Duration(i) * time.Second), ResponseTime: time.Second,
			Status: 200, Scheduled: true, Lag: lag, LLM: &record.LLM{}}
		if i == 1 {
			r.Error = "HTTP 500" // late whatever the answer
		}
		s.Log(&r)
	}
	s.Log(&record.Record{Name: "chat", Method: "POST", Start: t0, ResponseTime: time.Second, Status: 200, LLM: &record.LLM{}})
	snap := s.Snapshot(t0.Add(5 * time.Second))
	if h := snap.Schedule.Lag; h.Count() != 3 || h.Max() != 3*time.Millisecond || h.Percentile(0.5) != 2*time.Millisecond {
		t.Errorf("lag: %d values, max %v, median %v; want 3, 3ms, 2ms", h.Count(), h.Max(), h.Percentile(0.5))
	}
	if h := snap.LLM[0].Hist(Lag); h.Count() != 3 {
		t.Errorf("the LLM row's lag has %d values, want 3", h.Count())
	}
	// The current window, for the charts, holds the same: all three
	// ended within it, the failed one too.
	if h := snap.LLMTotal.Current(Lag); h.Count() != 3 || h.Max() != 3*time.Millisecond {
		t.Errorf("the current lag window has %d values, max %v; want 3 and 3ms", h.Count(), h.Max())
	}
}

func TestWarmupLeavesOutWhatStartedInIt(t *testing.T) {
	cases := []struct {
		name         string
		begin        func(s *RequestStats, t0 time.Time)
		wantRequests int64
		wantExcluded int64
	}{
		{"by time: started before the end, finished after", func(s *RequestStats, t0 time.Time) { s.EndWarmup(t0.Add(10 * time.Second)) }, 5, 5},
		{"by count: the first three and what was in flight", func(s *RequestStats, t0 time.Time) { s.StartWarmup(3, false) }, 5, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t0 := time.Now()
			s := New(t0)
			c.begin(s, t0)
			// Ten requests started a second apart, each 3.5 s long.
			for i := range 10 {
				start := t0.Add(time.Duration(i) * time.Second)
				if i == 3 { // a request in flight when the third ended
					start = t0.Add(2 * time.Second)
				}
				s.Log(&record.Record{Name: "/x", Method: "GET", Start: start.Add(5 * time.Second * time.Duration(i/5)), ResponseTime: 3500 * time.Millisecond, Status: 200})
			}
			snap := s.Snapshot(t0.Add(time.Minute))
			if snap.Total.NumRequests != c.wantRequests || snap.Warmup.Excluded != c.wantExcluded || snap.Warmup.Until.IsZero() {
				t.Errorf("counted %d, warm-up left out %d until %v; want %d and %d", snap.Total.NumRequests, snap.Warmup.Excluded,
					snap.Warmup.Until, c.wantRequests, c.wantExcluded)
			}
		})
	}
}

func TestWarmupIsPendingUntilItEnds(t *testing.T) {
	cases := []struct {
		name  string
		begin func(s *RequestStats)
		end   func(s *RequestStats, t0 time.Time)
	}{
		{"by time", func(s *RequestStats) { s.StartWarmup(0, true) }, func(s *RequestStats, t0 time.Time) { s.EndWarmup(t0.Add(time.Second)) }},
		{"by count", func(s *RequestStats) { s.StartWarmup(2, false) }, func(s *RequestStats, t0 time.Time) {
			for range 2 {
				s.Log(&record.Record{Name: "/x", Method: "GET", Start: t0, ResponseTime: time.Millisecond, Status: 200})
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t0 := time.Now()
			s := New(t0)
			if s.Snapshot(t0).Warmup.Pending {
				t.Fatal("pending before any warm-up began")
			}
			c.begin(s)
			if w := s.Snapshot(t0).Warmup; !w.Pending || !w.Until.IsZero() {
				t.Fatalf("after it began: %+v, want pending without an end", w)
			}
			c.end(s, t0)
			if w := s.Snapshot(t0.Add(2 * time.Second)).Warmup; w.Pending || w.Until.IsZero() {
				t.Errorf("after it ended: %+v, want an end and not pending", w)
			}
		})
	}
}
