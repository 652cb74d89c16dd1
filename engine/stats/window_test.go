package stats

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// copyCache is Locust's response_times_cache as Locust writes it: whole
// copies of the cumulative histogram, the oldest of cacheSlots dropped
// first, and the current window as the live histogram minus the copy of
// t-10 or the nearest second around it, preferring older ones.
type copyCache struct {
	hist   map[int64]int64
	n      int64
	last   int64 // newest second logged, 0 before the first
	copies []cachedCopy
}

type cachedCopy struct {
	sec, n int64
	hist   map[int64]int64
}

func (c *copyCache) reset(sec int64) {
	c.hist, c.n, c.last, c.copies = map[int64]int64{}, 0, 0, nil
	c.store(sec)
}

func (c *copyCache) store(sec int64) {
	for i := range c.copies {
		if c.copies[i].sec == sec {
			c.copies[i] = cachedCopy{sec, c.n, maps.Clone(c.hist)}
			return
		}
	}
	c.copies = append(c.copies, cachedCopy{sec, c.n, maps.Clone(c.hist)})
	if len(c.copies) > cacheSlots {
		c.copies = c.copies[1:]
	}
}

func (c *copyCache) log(sec, bucket int64) {
	if c.last != 0 && sec > c.last {
		c.store(sec - 1)
	}
	c.last = max(c.last, sec)
	c.hist[bucket]++
	c.n++
}

func (c *copyCache) find(sec int64) *cachedCopy {
	for i := range c.copies {
		if c.copies[i].sec == sec {
			return &c.copies[i]
		}
	}
	return nil
}

func (c *copyCache) current(now int64) (map[int64]int64, int64, bool) {
	t := now - currentWindow
	old := c.find(t)
	for i := int64(1); old == nil && i < 9; i++ {
		if old = c.find(t - i); old == nil {
			old = c.find(t + i)
		}
	}
	if old == nil {
		return nil, 0, false
	}
	out := map[int64]int64{}
	for ms, n := range c.hist {
		if d := n - old.hist[ms]; d != 0 {
			out[ms] = d
		}
	}
	return out, c.n - old.n, true
}

// TestLocustWindowMatchesCopies checks that the ring gives, after every
// record, the current window that Locust's whole-histogram copies give,
// for snapshots from 25 seconds before the newest record to 15 after:
// over busy seconds, quiet gaps, records logged out of order and resets.
func TestLocustWindowMatchesCopies(t *testing.T) {
	cases := []struct {
		name       string
		gapEvery   int     // a quiet stretch every this many records; 0 for none
		outOfOrder float64 // share of records dated up to 3 s back
		resetEvery int     // 0 for none
		perSecond  int
	}{
		{name: "steady", perSecond: 20},
		{name: "sparse", perSecond: 1, gapEvery: 3},
		{name: "gaps and late records", perSecond: 5, gapEvery: 40, outOfOrder: 0.2},
		{name: "resets", perSecond: 5, gapEvery: 25, outOfOrder: 0.1, resetEvery: 150},
		{name: "a second each, short gaps", perSecond: 1, gapEvery: 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(tc.name))))
			sec := t0.Unix()
			e := newEntry("/", "GET", t0)
			var ref copyCache
			ref.reset(sec)
			for i := 1; i <= 800; i++ {
				if tc.gapEvery > 0 && i%tc.gapEvery == 0 {
					sec += 1 + rng.Int64N(15)
				} else if i%tc.perSecond == 0 {
					sec++
				}
				if tc.resetEvery > 0 && i%tc.resetEvery == 0 {
					e.reset(time.Unix(sec, 0))
					ref.reset(sec)
				}
				at := sec
				if rng.Float64() < tc.outOfOrder {
					at -= rng.Int64N(4)
				}
				rt := float64(rng.IntN(3000))
				e.log(time.Unix(at, int64(rng.IntN(1e9))), rt, 0)
				ref.log(at, bucketMS(rt))
				for ahead := int64(-25); ahead <= 15; ahead++ {
					checkWindow(t, i, e, &ref, sec+ahead)
				}
			}
		})
	}
}

func checkWindow(t *testing.T, i int, e *entry, ref *copyCache, now int64) {
	t.Helper()
	want, wantN, wantOK := ref.current(now)
	got, ok := e.window.current(now)
	if ok != wantOK || got.n != wantN || !maps.Equal(got.counts, want) && len(want)+len(got.counts) > 0 {
		keys := slices.Sorted(maps.Keys(want))
		t.Fatalf("record %d, at %d: window ok %v, %d requests, %d keys; want ok %v, %d requests, keys %v",
			i, now, ok, got.n, len(got.counts), wantOK, wantN, keys)
	}
}

func TestSecondRing(t *testing.T) {
	// A ring of three counters, as the LLM entries use one: a second
	// older than all three it holds has no slot.
	r := newSecondRing[counter](3)
	for _, sec := range []int64{10, 11, 12, 13, 9, 11} {
		if s := r.take(sec); s != nil {
			s.val.n++
		}
	}
	tests := []struct {
		name string
		now  int64
		want int // counts of the seconds now-9..now
	}{
		{"the newest three seconds are kept, 9 dropped, 11 counted twice", 13, 4},
		{"the window starts nine seconds before now", 22, 1},
		{"seconds after now are left out", 11, 2},
		{"nothing is that recent", 50, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := 0
			r.lastSeconds(tc.now, func(c *counter) { got += c.n })
			if got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// counter is a slot value for TestSecondRing.
type counter struct{ n int }

func (c *counter) reset() { c.n = 0 }
