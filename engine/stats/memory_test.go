package stats

import (
	"runtime"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

func TestMemoryStaysBounded(t *testing.T) {
	// A million requests over five rows and 300 simulated seconds, with
	// response times from 0 to 20 s and three error texts. Nothing the
	// stats keep may grow with the count: histograms are bounded by the
	// bucketing, the per-second counts and histogram copies by the window.
	s := New(t0)
	const n = 1_000_000
	names := []string{"/a", "/b", "/c", "/d", "/e"}
	errs := []string{"HTTP 500", "timeout", "reset"}
	r := &record.Record{Method: "GET"}
	for i := range n {
		end := time.Duration(i) * (300 * time.Second / n)
		r.Name = names[i%len(names)]
		r.ResponseTime = time.Duration(i*7919%20000) * time.Millisecond
		r.Start = t0.Add(end - r.ResponseTime)
		r.Error = ""
		if i%97 == 0 {
			r.Error = errs[i%len(errs)]
		}
		s.Log(r)
	}

	// Distinct keys of 0..20 000 ms: 100 + 90 + 90 + 11.
	const maxKeys = 291
	if len(s.entries) != len(names) {
		t.Errorf("%d entries, want %d", len(s.entries), len(names))
	}
	for _, e := range append([]*entry{s.total}, entriesOf(s)...) {
		if len(e.hist) > maxKeys {
			t.Errorf("%s: histogram has %d keys, want at most %d", e.name, len(e.hist), maxKeys)
		}
		if closed := len(e.window.ring.all()) - 1; closed > cacheSlots {
			t.Errorf("%s: %d cached seconds, want at most %d", e.name, closed, cacheSlots)
		}
		for _, c := range e.window.ring.slots {
			if len(c.val.counts) > maxKeys {
				t.Errorf("%s: cached histogram has %d keys", e.name, len(c.val.counts))
			}
		}
	}
	if len(s.errors) != len(names)*len(errs) {
		t.Errorf("%d error groups, want %d", len(s.errors), len(names)*len(errs))
	}
	if got := s.Snapshot(t0.Add(300 * time.Second)).Total.NumRequests; got != n {
		t.Errorf("counted %d requests, want %d", got, n)
	}
}

func entriesOf(s *RequestStats) []*entry {
	var out []*entry
	for _, e := range s.entries {
		out = append(out, e)
	}
	return out
}

func TestLogDoesNotAllocate(t *testing.T) {
	s := New(t0)
	r := &record.Record{Method: "GET", Name: "/a", Error: "HTTP 500"}
	i := 0
	logNext := func() {
		// Crosses a second every 50 calls, so histogram copies are made.
		r.ResponseTime = time.Duration(i%3000) * time.Millisecond
		r.Start = t0.Add(time.Duration(i)*20*time.Millisecond - r.ResponseTime)
		s.Log(r)
		i++
	}
	for range 5000 { // warm up: fill the histogram, the cache ring's maps
		logNext()
	}
	// testing.AllocsPerRun rounds the mean down, which would hide an
	// allocation per simulated second: count them all instead. The count
	// is process-wide, so the runtime may add a few of its own; a leak per
	// call or per second gives thousands or hundreds.
	const calls, seconds = 2000, 2000 / 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range calls {
		logNext()
	}
	runtime.ReadMemStats(&after)
	if n := after.Mallocs - before.Mallocs; n >= seconds {
		t.Errorf("%d Logs over %d seconds allocated %d times, want next to none", calls, seconds, n)
	}
}
