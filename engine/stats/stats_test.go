package stats

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// rec is a successful request of rt that ends at t0+end.
func rec(method, name string, end, rt time.Duration) *record.Record {
	return &record.Record{Method: method, Name: name, Start: t0.Add(end - rt), ResponseTime: rt}
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func TestBucketMS(t *testing.T) {
	// Expected keys follow Locust's bucket_response_time by hand: round to
	// whole ms below 100, to 10 ms below 1000, to 100 ms below 10 000,
	// else to 1 s; exact halves go to the even neighbour.
	tests := []struct {
		name string
		ms   float64
		want int64
	}{
		{"zero", 0, 0},
		{"below half", 0.4, 0},
		{"half to even zero", 0.5, 0},
		{"one and a half to two", 1.5, 2},
		{"two and a half to two", 2.5, 2},
		{"just under 100 rounds up to it", 99.5, 100},
		{"147 to 150", 147, 150},
		{"145 to even 140", 145, 140},
		{"155 to even 160", 155, 160},
		{"a hair over 145 to 150", 145.001, 150},
		{"999 to 1000", 999, 1000},
		{"3432 to 3400", 3432, 3400},
		{"1050 to even 1000", 1050, 1000},
		{"1150 to even 1200", 1150, 1200},
		{"9950 to even 10000", 9950, 10000},
		{"58760 to 59000", 58760, 59000},
		{"10500 to even 10000", 10500, 10000},
		{"11500 to even 12000", 11500, 12000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bucketMS(tc.ms); got != tc.want {
				t.Errorf("bucketMS(%v) = %d, want %d", tc.ms, got, tc.want)
			}
		})
	}
}

func TestPercentileOf(t *testing.T) {
	// Ten requests, one per key 10..100 ms. Locust walks down from the top
	// until at most int(n*p) requests remain below: p=0.5 leaves 5 below,
	// so the 6th key; p=0.95 leaves int(9.5)=9 below, the 10th key.
	ten := []Bucket{{10, 1}, {20, 1}, {30, 1}, {40, 1}, {50, 1}, {60, 1}, {70, 1}, {80, 1}, {90, 1}, {100, 1}}
	tests := []struct {
		name string
		hist []Bucket
		p    float64
		want int64
	}{
		{"empty", nil, 0.5, 0},
		{"median of ten", ten, 0.5, 60},
		{"p66 of ten keeps 6 below", ten, 0.66, 70},
		{"p95 of ten", ten, 0.95, 100},
		{"p100 is the top key", ten, 1, 100},
		{"p0 is the bottom key", ten, 0, 10},
		// 3 requests at 5 ms, 1 at 500 ms. For p=0.75, int(4*0.75)=3 may
		// stay below the answer, and 3 do stay below 500: so 500. For
		// p=0.74, int(2.96)=2, which only 5 ms satisfies.
		{"skewed p50", []Bucket{{5, 3}, {500, 1}}, 0.5, 5},
		{"skewed p74", []Bucket{{5, 3}, {500, 1}}, 0.74, 5},
		{"skewed p75", []Bucket{{5, 3}, {500, 1}}, 0.75, 500},
		{"skewed p99", []Bucket{{5, 3}, {500, 1}}, 0.99, 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n int64
			for _, b := range tc.hist {
				n += b.Count
			}
			if got := percentileOf(tc.hist, n, tc.p); got != tc.want {
				t.Errorf("percentile %v = %d, want %d", tc.p, got, tc.want)
			}
		})
	}
}

func TestEntryFigures(t *testing.T) {
	tests := []struct {
		name       string
		rts        []float64 // ms, logged one per 100 ms from t0
		fails      int       // the first fails requests fail
		wantMedian float64
		wantAvg    float64
		wantMin    float64
		wantMax    float64
		wantRatio  float64
	}{
		{name: "no requests"},
		// One request of 147.3 ms: the histogram says 150, above the
		// exact maximum, so the median is clamped down to 147.3.
		{name: "median clamped to max", rts: []float64{147.3}, wantMedian: 147.3, wantAvg: 147.3, wantMin: 147.3, wantMax: 147.3},
		// 142 ms rounds to 140, below the exact minimum: clamped up.
		{name: "median clamped to min", rts: []float64{142, 143}, wantMedian: 142, wantAvg: 142.5, wantMin: 142, wantMax: 143},
		// Keys 10, 20, 30: int(3*0.5)=1 below the answer, so 20.
		{name: "plain median", rts: []float64{10, 20, 30}, wantMedian: 20, wantAvg: 20, wantMin: 10, wantMax: 30},
		{name: "half failed", rts: []float64{1, 3, 5, 7}, fails: 2, wantMedian: 5, wantAvg: 4, wantMin: 1, wantMax: 7, wantRatio: 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t0)
			for i, rt := range tc.rts {
				r := rec("GET", "/x", time.Duration(i+1)*100*time.Millisecond, ms(rt))
				if i < tc.fails {
					r.Error = "HTTP 500"
				}
				s.Log(r)
			}
			e := s.Snapshot(t0.Add(time.Minute)).Total
			for _, c := range []struct {
				what      string
				got, want float64
			}{
				{"median", e.Median(), tc.wantMedian},
				{"avg", e.Avg(), tc.wantAvg},
				{"min", e.Min(), tc.wantMin},
				{"max", e.Max(), tc.wantMax},
				{"fail ratio", e.FailRatio(), tc.wantRatio},
			} {
				if diff := c.got - c.want; diff > 1e-9 || diff < -1e-9 {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestRates(t *testing.T) {
	// From t0, 4 requests in each of the seconds 0..19. The newest request
	// ends at 19.7 s, so the current rate averages seconds 7..16: 4/s; one
	// of the four fails in even seconds only, so failures average 0.5/s.
	// Total: 80 requests over 19.7 s.
	s := New(t0)
	for sec := range 20 {
		for i := range 4 {
			r := rec("GET", "/r", time.Duration(sec)*time.Second+time.Duration(i+1)*time.Second/5-100*time.Millisecond, ms(5))
			if i == 0 && sec%2 == 0 {
				r.Error = "boom"
			}
			s.Log(r)
		}
	}
	e := s.Snapshot(t0.Add(20 * time.Second)).Total
	runningRPS, runningFPS := e.ShownRates(false)
	stoppedRPS, stoppedFPS := e.ShownRates(true)
	tests := []struct {
		name      string
		got, want float64
	}{
		{"current rps", e.CurrentRPS(), 4},
		{"current fail/s", e.CurrentFailPerSec(), 0.5},
		{"total rps", e.TotalRPS(), 80 / 19.7},
		{"total fail/s", e.TotalFailPerSec(), 10 / 19.7},
		{"rps shown while running", runningRPS, 4},
		{"fail/s shown while running", runningFPS, 0.5},
		{"rps shown once stopped", stoppedRPS, 80 / 19.7},
		{"fail/s shown once stopped", stoppedFPS, 10 / 19.7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Like Locust, the total rates divide by float Unix times,
			// good to a quarter microsecond.
			if diff := tc.got - tc.want; diff > 1e-6 || diff < -1e-6 {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestCurrentPercentileWindow(t *testing.T) {
	// Ten seconds of 100 ms requests, then ten seconds of 20 ms requests.
	// At 20.5 s the window subtracts the copy cached for second 10, so it
	// holds only the 20 ms requests; the whole-run median stays mixed.
	s := New(t0)
	for i := range 200 {
		rt := ms(100)
		if i >= 100 {
			rt = ms(20)
		}
		s.Log(rec("GET", "/w", time.Duration(i)*100*time.Millisecond+50*time.Millisecond, rt))
	}
	e := s.Snapshot(t0.Add(20500 * time.Millisecond)).Total
	if got, ok := e.CurrentPercentile(0.95); !ok || got != 20 {
		t.Errorf("current p95 = %d, %v; want 20, true", got, ok)
	}
	if got := e.Percentile(0.95); got != 100 {
		t.Errorf("whole-run p95 = %d, want 100", got)
	}
	// A minute later nothing cached lies near t-10: Locust answers None.
	late := s.Snapshot(t0.Add(80 * time.Second)).Total
	if _, ok := late.CurrentPercentile(0.5); ok {
		t.Error("current percentile long after the last request: ok, want not ok")
	}
}

func TestCancelledAndOutOfOrder(t *testing.T) {
	s := New(t0)
	s.Log(&record.Record{Name: "/c", Method: "POST", Start: t0, ResponseTime: time.Second, Cancelled: true})
	s.Log(rec("GET", "/o", 5*time.Second, ms(10)))
	s.Log(rec("GET", "/o", 2*time.Second, ms(30))) // logged late
	snap := s.Snapshot(t0.Add(6 * time.Second))
	if snap.Cancelled != 1 {
		t.Errorf("Cancelled = %d, want 1", snap.Cancelled)
	}
	if len(snap.Entries) != 1 || snap.Total.NumRequests != 2 {
		t.Fatalf("entries %d, total requests %d; want 1 entry and 2 requests", len(snap.Entries), snap.Total.NumRequests)
	}
	if got := snap.Total.LastRequestTimestamp; !got.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("last request at %v, want the newest end time", got)
	}
}

func TestErrorsAndExceptions(t *testing.T) {
	s := New(t0)
	for i := range 5 {
		r := rec("POST", "chat", time.Duration(i+1)*time.Second, ms(10))
		r.Error = []string{"HTTP 500", "HTTP 500", "timeout", "HTTP 500", "timeout"}[i]
		s.Log(r)
	}
	s.LogException("boom", "stack a", "w1")
	s.LogException("boom", "stack a", "local")
	s.LogException("boom", "stack b", "local")
	s.LogException("other", "stack c", "local")
	s.LogException("other", "stack c", "local")
	snap := s.Snapshot(t0.Add(10 * time.Second))

	got := fmt.Sprint(len(snap.Errors))
	for _, e := range snap.Errors {
		got += fmt.Sprintf(" %s|%s|%s|%d|%s|%s", e.Method, e.Name, e.Error, e.Occurrences,
			e.FirstSeen.Sub(t0), e.LastSeen.Sub(t0))
	}
	want := "2 POST|chat|HTTP 500|3|1s|4s POST|chat|timeout|2|3s|5s"
	if got != want {
		t.Errorf("errors:\n got %s\nwant %s", got, want)
	}

	got = fmt.Sprint(len(snap.Exceptions))
	for _, x := range snap.Exceptions {
		got += fmt.Sprintf(" %d|%s|%s|%v", x.Count, x.Msg, x.Traceback, x.Nodes)
	}
	want = "3 2|boom|stack a|[local w1] 2|other|stack c|[local] 1|boom|stack b|[local]"
	if got != want {
		t.Errorf("exceptions:\n got %s\nwant %s", got, want)
	}
}

func TestErrorGroupsAreBounded(t *testing.T) {
	s := New(t0)
	const n = maxErrorGroups + 500
	for i := range n {
		r := rec("GET", "/e", time.Second, ms(1))
		r.Error = fmt.Sprintf("request id %d failed", i)
		s.Log(r)
		s.LogException(fmt.Sprintf("error %d", i), "tb", "local")
	}
	if len(s.errors) > maxErrorGroups+1 {
		t.Errorf("%d error groups kept, want at most %d", len(s.errors), maxErrorGroups+1)
	}
	if len(s.exceptions) > maxExceptionGroups+1 {
		t.Errorf("%d exception groups kept, want at most %d", len(s.exceptions), maxExceptionGroups+1)
	}
	snap := s.Snapshot(t0.Add(2 * time.Second))
	var errs, excs int64
	for _, e := range snap.Errors {
		errs += e.Occurrences
	}
	for _, x := range snap.Exceptions {
		excs += x.Count
	}
	if errs != n || excs != n {
		t.Errorf("counted %d errors and %d exceptions, want %d of each", errs, excs, n)
	}
	if snap.Errors[0].Error != OtherErrors || snap.Errors[0].Occurrences != 500 {
		t.Errorf("largest error group = %q x %d, want the catch-all with 500", snap.Errors[0].Error, snap.Errors[0].Occurrences)
	}
}

func TestReset(t *testing.T) {
	s := New(t0)
	r := rec("GET", "/a", time.Second, ms(10))
	r.Error = "x"
	s.Log(r)
	s.Log(&record.Record{Name: "/a", Method: "GET", Start: t0, Cancelled: true})
	s.LogException("m", "tb", "local")
	at := t0.Add(5 * time.Second)
	s.Reset(at)
	snap := s.Snapshot(at.Add(time.Second))

	if !snap.Start.Equal(at) || !snap.Total.StartTime.Equal(at) {
		t.Errorf("start = %v, total start = %v; want the reset time", snap.Start, snap.Total.StartTime)
	}
	if len(snap.Entries) != 1 || snap.Entries[0].NumRequests != 0 || snap.Entries[0].NumFailures != 0 {
		t.Errorf("entries after reset = %+v; want the row kept with zero counts", snap.Entries)
	}
	if snap.Total.NumRequests != 0 || len(snap.Errors) != 0 || len(snap.Exceptions) != 0 || snap.Cancelled != 0 {
		t.Errorf("after reset: %d requests, %d errors, %d exceptions, %d cancelled; want all zero",
			snap.Total.NumRequests, len(snap.Errors), len(snap.Exceptions), snap.Cancelled)
	}
	// A record that ended before the reset is counted at the reset.
	s.Log(rec("GET", "/a", 2*time.Second, ms(10)))
	if got := s.Snapshot(at).Total.LastRequestTimestamp; !got.Equal(at) {
		t.Errorf("stale record counted at %v, want %v", got, at)
	}
}

func TestSnapshotIsACopy(t *testing.T) {
	s := New(t0)
	s.Log(rec("GET", "/a", time.Second, ms(10)))
	snap := s.Snapshot(t0.Add(2 * time.Second))
	s.Log(rec("GET", "/a", time.Second, ms(500)))
	s.Log(rec("GET", "/b", time.Second, ms(500)))
	if snap.Total.NumRequests != 1 || len(snap.Entries) != 1 || snap.Total.Percentile(1) != 10 {
		t.Errorf("snapshot changed after later logs: %d requests, %d entries, p100 %d",
			snap.Total.NumRequests, len(snap.Entries), snap.Total.Percentile(1))
	}
}

func TestConcurrentLogAndSnapshot(t *testing.T) {
	s := New(t0)
	const writers, perWriter = 8, 5000
	var wg, reader sync.WaitGroup
	done := make(chan struct{})
	reader.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				_ = s.Snapshot(t0.Add(30 * time.Second)).Total.Median()
			}
		}
	})
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				r := rec("GET", fmt.Sprintf("/c%d", w%3), time.Duration(i)*5*time.Millisecond, ms(float64(i%700)))
				if i%10 == 0 {
					r.Error = "HTTP 502"
				}
				s.Log(r)
			}
		})
	}
	wg.Wait()
	close(done)
	reader.Wait()
	snap := s.Snapshot(t0.Add(30 * time.Second))
	var sum int64
	for _, e := range snap.Entries {
		sum += e.NumRequests
	}
	if snap.Total.NumRequests != writers*perWriter || sum != snap.Total.NumRequests {
		t.Errorf("total %d, sum of entries %d; want %d", snap.Total.NumRequests, sum, writers*perWriter)
	}
	if snap.Total.NumFailures != writers*perWriter/10 {
		t.Errorf("failures = %d, want %d", snap.Total.NumFailures, writers*perWriter/10)
	}
}
