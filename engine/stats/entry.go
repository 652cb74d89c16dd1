package stats

import (
	"maps"
	"time"
)

const (
	// currentWindow is the length in seconds of the "current" window that
	// Locust's current percentiles look back over.
	currentWindow = 10

	// cacheSlots is how many per-second histogram copies an entry keeps.
	// Locust keeps the window plus ten: when seconds are missing from the
	// cache it may reach as far back as t-18.
	cacheSlots = currentWindow + 10

	// secondsKept is how many recent seconds of request and failure counts
	// an entry keeps. The current rate averages the seconds last-12 up to
	// last-3 (last being the newest request of the run); sixteen cover that
	// with room for records that are logged slightly out of order.
	secondsKept = 16
)

// perSecond counts events by the Unix second they happened in, for the
// last secondsKept seconds only, so that its size never depends on the
// length of the run.
type perSecond [secondsKept]struct{ sec, n int64 }

func (p *perSecond) add(sec int64) {
	slot := &p[uint64(sec)%secondsKept]
	switch {
	case slot.sec == sec:
		slot.n++
	case slot.sec < sec:
		slot.sec, slot.n = sec, 1
	}
	// An older second whose slot a newer second already took lies outside
	// every window that is still asked for: dropping it changes nothing.
}

func (p *perSecond) get(sec int64) int64 {
	if slot := p[uint64(sec)%secondsKept]; slot.sec == sec {
		return slot.n
	}
	return 0
}

// cachedHist is a copy of an entry's histogram as it stood at the end of
// second sec, when the entry had counted n requests.
type cachedHist struct {
	sec  int64
	n    int64
	hist map[int64]int64
}

// histCache is a ring of the last cacheSlots histogram copies, oldest
// overwritten first, as Locust's response_times_cache. The slots' maps are
// cleared and refilled rather than reallocated, so a long run settles into
// copying without allocating.
type histCache struct {
	slots [cacheSlots]cachedHist
	next  int
	used  int
}

func (c *histCache) store(sec, n int64, hist map[int64]int64) {
	slot := c.lookup(sec)
	if slot == nil {
		slot = &c.slots[c.next]
		c.next = (c.next + 1) % cacheSlots
		c.used = min(c.used+1, cacheSlots)
	}
	if slot.hist == nil {
		slot.hist = make(map[int64]int64, len(hist))
	}
	clear(slot.hist)
	maps.Copy(slot.hist, hist)
	slot.sec, slot.n = sec, n
}

func (c *histCache) lookup(sec int64) *cachedHist {
	for i := range c.used {
		if c.slots[i].sec == sec {
			return &c.slots[i]
		}
	}
	return nil
}

func (c *histCache) reset() { c.next, c.used = 0, 0 }

// window picks the copy to subtract from the live histogram to get about
// the last currentWindow seconds before now: t-10 if cached, else the
// nearest second around it, preferring older ones, as Locust does.
func (c *histCache) window(now int64) *cachedHist {
	t := now - currentWindow
	if slot := c.lookup(t); slot != nil {
		return slot
	}
	for i := int64(1); i < 9; i++ {
		if slot := c.lookup(t - i); slot != nil {
			return slot
		}
		if slot := c.lookup(t + i); slot != nil {
			return slot
		}
	}
	return nil
}

// entry is the live state of one stats row, Locust's StatsEntry.
type entry struct {
	name, method string
	start        time.Time
	last         time.Time // zero until the first request

	numRequests int64
	numFailures int64
	totalRT     float64
	minRT       float64
	maxRT       float64
	hasMin      bool // Locust's minimum is None until a request arrives
	contentLen  int64

	hist  map[int64]int64 // bucketMS -> requests
	reqs  perSecond
	fails perSecond
	cache histCache
}

func newEntry(name, method string, now time.Time) *entry {
	e := &entry{name: name, method: method, hist: make(map[int64]int64)}
	e.reset(now)
	return e
}

// reset zeroes the entry and restarts it at now, keeping its maps for reuse.
func (e *entry) reset(now time.Time) {
	e.start, e.last = now, time.Time{}
	e.numRequests, e.numFailures, e.contentLen = 0, 0, 0
	e.totalRT, e.minRT, e.maxRT, e.hasMin = 0, 0, 0, false
	clear(e.hist)
	e.reqs, e.fails = perSecond{}, perSecond{}
	e.cache.reset()
	e.cache.store(now.Unix(), 0, e.hist)
}

// log counts one request that completed at at and took ms milliseconds.
func (e *entry) log(at time.Time, ms float64, size int64) {
	sec := at.Unix()
	// The first request of a new second closes the previous one: keep a
	// copy of the histogram as it stood then, for the current window.
	if !e.last.IsZero() && sec > e.last.Unix() {
		e.cache.store(sec-1, e.numRequests, e.hist)
	}
	e.numRequests++
	e.reqs.add(sec)
	if at.After(e.last) {
		e.last = at
	}
	e.totalRT += ms
	if !e.hasMin || ms < e.minRT {
		e.minRT, e.hasMin = ms, true
	}
	e.maxRT = max(e.maxRT, ms)
	e.hist[bucketMS(ms)]++
	e.contentLen += size
}

// logFailure counts a failure of a request already counted by log.
func (e *entry) logFailure(at time.Time) {
	e.numFailures++
	e.fails.add(at.Unix())
}

// currentRate is Locust's current_rps over p: the mean count of the seconds
// from twelve to three seconds before the run's newest request, never
// reaching back before the run's start. The newest two seconds are left
// out because requests of those may still be in flight.
func currentRate(p *perSecond, run *entry) float64 {
	if run.last.IsZero() {
		return 0
	}
	last := run.last.Unix()
	from := max(last-12, run.start.Unix())
	to := last - 2
	if from >= to {
		return 0
	}
	var sum float64
	for sec := from; sec < to; sec++ {
		sum += float64(p.get(sec))
	}
	return sum / float64(to-from)
}

// totalRate is n spread over the run from its start to its newest request.
func totalRate(n int64, run *entry) float64 {
	if run.last.IsZero() {
		return 0
	}
	// Locust subtracts float Unix times, which keep only a quarter of a
	// microsecond; doing the same costs nothing that matters and lets our
	// CSV files match Locust's to the last digit.
	d := unixSeconds(run.last) - unixSeconds(run.start)
	if d == 0 {
		return 0
	}
	return float64(n) / d
}

// unixSeconds is t as a float count of seconds, Python's time.time().
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// snapshot copies the entry into an immutable Entry. run is the total
// entry, whose start and newest request set the time base of every rate,
// as in Locust.
func (e *entry) snapshot(run *entry, now time.Time) *Entry {
	out := &Entry{
		Name:                 e.name,
		Method:               e.method,
		NumRequests:          e.numRequests,
		NumFailures:          e.numFailures,
		TotalResponseTime:    e.totalRT,
		TotalContentLength:   e.contentLen,
		StartTime:            e.start,
		LastRequestTimestamp: e.last,
		min:                  e.minRT,
		max:                  e.maxRT,
		hist:                 bucketsOf(e.hist),
		currentRPS:           currentRate(&e.reqs, run),
		currentFailPerSec:    currentRate(&e.fails, run),
		totalRPS:             totalRate(e.numRequests, run),
		totalFailPerSec:      totalRate(e.numFailures, run),
	}
	if c := e.cache.window(now.Unix()); c != nil {
		out.window = diffBuckets(e.hist, c.hist)
		out.windowCount = e.numRequests - c.n
		out.windowOK = true
	}
	return out
}
