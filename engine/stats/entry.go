package stats

import "time"

const (
	// cacheSlots is how many closed seconds an entry's window keeps.
	// Locust keeps the window plus ten histogram copies: when seconds are
	// missing from the cache it may reach as far back as t-18.
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

func (p *perSecond) add(sec int64) { p.addN(sec, 1) }

// addN counts n events in second sec.
func (p *perSecond) addN(sec, n int64) {
	slot := &p[uint64(sec)%secondsKept]
	switch {
	case slot.sec == sec:
		slot.n += n
	case slot.sec < sec:
		slot.sec, slot.n = sec, n
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

// rtHist is a response-time histogram of some of an entry's requests,
// keyed by bucketMS, and their number.
type rtHist struct {
	counts map[int64]int64
	n      int64
}

func (h *rtHist) add(bucket int64) { h.addN(bucket, 1) }

func (h *rtHist) addN(bucket, n int64) {
	if h.counts == nil {
		h.counts = make(map[int64]int64)
	}
	h.counts[bucket] += n
	h.n += n
}

func (h *rtHist) merge(o *rtHist) {
	if h.counts == nil {
		h.counts = make(map[int64]int64, len(o.counts))
	}
	for ms, n := range o.counts {
		h.counts[ms] += n
	}
	h.n += o.n
}

func (h *rtHist) reset() {
	clear(h.counts)
	h.n = 0
}

// locustWindow is Locust's response_times_cache over a secondRing. Locust
// copies the whole histogram at the end of each second and takes the
// current window as the live histogram minus the copy of about ten seconds
// ago; the ring keeps instead what each of those seconds added, and sums
// the seconds after the one Locust would subtract. The counts are the
// same, and nothing is copied: a second costs what its own requests
// touched.
//
// Like Locust's copies, a closed second holds the requests logged until
// the first request of a later second arrived, whatever second they ended
// in, and is labelled with the second before that later one; the open
// slot gathers the requests logged since.
type locustWindow struct {
	ring secondRing[rtHist, *rtHist]
	open *ringSlot[rtHist]
}

func newLocustWindow() locustWindow {
	return locustWindow{ring: newSecondRing[rtHist](cacheSlots + 1)}
}

// restart empties the window at second sec, which it closes empty, as
// Locust caches an empty histogram at a reset.
func (w *locustWindow) restart(sec int64) {
	w.ring.clear()
	w.ring.take(sec)
	w.open = w.ring.take(openSecond)
}

// close ends the open slot as second sec. Locust replaces a copy of the
// same second, which only the second of a reset can have: its slot takes
// the open requests in.
func (w *locustWindow) close(sec int64) {
	if s := w.ring.find(sec); s != nil {
		s.val.merge(&w.open.val)
		w.open.val.reset()
		return
	}
	w.open.sec = sec
	w.open = w.ring.take(openSecond)
}

// current is the histogram of Locust's current window at now, or false
// when no closed second is near enough, as Locust answers None.
func (w *locustWindow) current(now int64) (rtHist, bool) {
	base, ok := w.ring.locustBase(now)
	if !ok {
		return rtHist{}, false
	}
	out := rtHist{counts: make(map[int64]int64)}
	for i := range w.ring.all() {
		if s := &w.ring.slots[i]; s.sec > base {
			out.merge(&s.val)
		}
	}
	return out, true
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

	hist   map[int64]int64 // bucketMS -> requests
	reqs   perSecond
	fails  perSecond
	window locustWindow
}

func newEntry(name, method string, now time.Time) *entry {
	e := &entry{name: name, method: method, hist: make(map[int64]int64), window: newLocustWindow()}
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
	e.window.restart(now.Unix())
}

// log counts one request that completed at at and took ms milliseconds.
func (e *entry) log(at time.Time, ms float64, size int64) {
	sec := at.Unix()
	// The first request of a new second closes the previous one, for the
	// current window.
	if !e.last.IsZero() && sec > e.last.Unix() {
		e.window.close(sec - 1)
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
	b := bucketMS(ms)
	e.hist[b]++
	e.window.open.val.add(b)
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
	d := UnixSeconds(run.last) - UnixSeconds(run.start)
	if d == 0 {
		return 0
	}
	return float64(n) / d
}

// UnixSeconds is t as a float count of seconds since the Unix epoch, as
// Python's time.time() gives it and Locust writes its times.
func UnixSeconds(t time.Time) float64 {
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
	if w, ok := e.window.current(now.Unix()); ok {
		out.window = bucketsOf(w.counts)
		out.windowCount = w.n
		out.windowOK = true
	}
	return out
}
