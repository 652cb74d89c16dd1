package arrival

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Arrival is one request the schedule asks for.
type Arrival struct {
	Due   time.Time // when it should be sent
	Index int64     // 0, 1, … in the order due
	// Payload is what a timed schedule carries for it (a trace's row);
	// nil for a rate.
	Payload any
}

// Timed is one request of a schedule given as times, such as a trace.
type Timed struct {
	At      time.Duration // from the test's start
	Payload any
}

// Schedule hands out the arrivals of one test to the users that send
// them. A free user takes the next arrival and waits until it is due; an
// arrival that falls due while every user is busy waits for the first to
// be free, and its lag, send time minus due time, says how long. Its
// methods are safe for concurrent use.
type Schedule struct {
	begun chan struct{} // closed by Begin
	start time.Time     // set by Begin

	// Late, when set before the schedule is used, hears of each arrival
	// handed out more than LateAfter after it was due.
	Late      func(lag time.Duration)
	LateAfter time.Duration

	mu      sync.Mutex
	curve   *curve  // nil for a timed schedule
	gaps    *Gaps   // nil for a timed schedule
	timed   []Timed // nil for a rate
	cum     float64 // the work at which the next unclaimed arrival is due
	claimed int64
	waiting map[int64]float64 // claimed, not yet handed out: their work
	sent    int64
	changed chan struct{} // closed and replaced when the rate changes

	// Drained, for a timed schedule, is called once when every arrival
	// has been handed out and every user that joined is back asking.
	joined, idle int
	drained      func()
	drainedOnce  bool
	joins        chan struct{} // a user joined; capacity 1
	spinning     atomic.Bool   // a user is waiting out the last of a gap
}

// NewRate returns the schedule of a rate: rate per second, reached
// linearly over ramp, with gaps drawn by g. The first arrival is due when
// it begins.
func NewRate(rate float64, ramp time.Duration, g *Gaps) *Schedule {
	return &Schedule{
		curve: newCurve(rate, ramp.Seconds()), gaps: g, begun: make(chan struct{}), joins: make(chan struct{}, 1),
		waiting: map[int64]float64{}, changed: make(chan struct{}),
	}
}

// NewTimed returns the schedule of requests at given times from its
// beginning, in order of At; drained is called once they have all been
// sent and every user is free again, so that a replay can end.
func NewTimed(times []Timed, drained func()) *Schedule {
	return &Schedule{
		timed: times, drained: drained, begun: make(chan struct{}), joins: make(chan struct{}, 1),
		waiting: map[int64]float64{}, changed: make(chan struct{}),
	}
}

// Begin starts the schedule's clock at start: arrivals are due from then
// on, and users asking before wait for it. It is called once.
func (s *Schedule) Begin(start time.Time) {
	s.mu.Lock()
	s.start = start
	s.mu.Unlock()
	close(s.begun)
}

// Start is the time arrivals are counted from; zero before Begin.
func (s *Schedule) Start() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.start
}

// Joins receives after users have joined, to wait for them.
func (s *Schedule) Joins() <-chan struct{} { return s.joins }

// Joined is how many users take arrivals now.
func (s *Schedule) Joined() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.joined
}

// SetRate changes the rate from now on. Arrivals already sent keep their
// times; those not yet sent move to the new rate. A rate of 0 pauses the
// schedule. It does nothing to a timed schedule.
func (s *Schedule) SetRate(rate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.curve == nil {
		return
	}
	s.curve.set(s.elapsed(), max(rate, 0))
	close(s.changed)
	s.changed = make(chan struct{})
}

// elapsed is the schedule's time in seconds, 0 before it begins. s.mu
// must be held.
func (s *Schedule) elapsed() float64 {
	if s.start.IsZero() {
		return 0
	}
	return time.Since(s.start).Seconds()
}

// Join counts a user that takes arrivals; the returned leave uncounts it.
func (s *Schedule) Join() (leave func()) {
	s.mu.Lock()
	s.joined++
	s.mu.Unlock()
	select {
	case s.joins <- struct{}{}:
	default:
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.joined--
			fire := s.checkDrained()
			s.mu.Unlock()
			fire()
		})
	}
}

// Next claims the next arrival and waits until it is due. It returns
// false when stop is closed or ctx is done first, or when a timed
// schedule has nothing left (then it waits for stop).
func (s *Schedule) Next(ctx context.Context, stop <-chan struct{}) (Arrival, bool) {
	select {
	case <-s.begun:
	case <-stop:
		return Arrival{}, false
	case <-ctx.Done():
		return Arrival{}, false
	}
	if stopped(ctx, stop) {
		return Arrival{}, false
	}
	a, w, ok := s.claim()
	if !ok {
		s.waitOut(ctx, stop)
		return Arrival{}, false
	}
	for {
		s.mu.Lock()
		due, known := s.dueOf(a.Index, w)
		changed := s.changed
		s.mu.Unlock()
		if known {
			a.Due = due
			if lag := time.Since(due); lag >= 0 {
				s.handOut(a.Index)
				if s.Late != nil && lag > s.LateAfter {
					s.Late(lag)
				}
				return a, true
			}
		}
		if !s.sleep(ctx, stop, changed, due, known) {
			s.giveUp(a.Index)
			return Arrival{}, false
		}
	}
}

// spinWindow is the last stretch before an arrival that is waited out
// by yielding rather than on a timer: Go's timers can wake up to a
// millisecond late on an idle machine (the poller sleeps in whole
// milliseconds), which would be every request's lag. One user per
// schedule spins at a time; the others keep their timers.
const spinWindow = time.Millisecond

// sleep waits until due (when known) or a change of rate; false when the
// user must stop. It may return before due, to be called again.
func (s *Schedule) sleep(ctx context.Context, stop, changed <-chan struct{}, due time.Time, known bool) bool {
	d := time.Until(due)
	if known && d <= spinWindow && s.spinning.CompareAndSwap(false, true) {
		done, ok := spin(ctx, stop, due)
		s.spinning.Store(false)
		if done {
			return ok
		}
		d = time.Until(due)
	}
	var timer <-chan time.Time
	if known {
		if d > spinWindow {
			d -= spinWindow
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
	case <-changed:
	case <-stop:
		return false
	case <-ctx.Done():
		return false
	}
	return true
}

// spin yields until due; done is false when the clock stands still (a
// test's fake clock), for the caller to wait on a timer instead.
func spin(ctx context.Context, stop <-chan struct{}, due time.Time) (done, ok bool) {
	prev := time.Now()
	for prev.Before(due) {
		if stopped(ctx, stop) {
			return true, false
		}
		runtime.Gosched()
		now := time.Now()
		if !now.After(prev) {
			return false, false
		}
		prev = now
	}
	return true, true
}

func (s *Schedule) claim() (Arrival, float64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.claimed
	if s.timed != nil {
		if i >= int64(len(s.timed)) {
			return Arrival{}, 0, false
		}
		s.claimed++
		s.waiting[i] = 0
		return Arrival{Index: i, Payload: s.timed[i].Payload}, 0, true
	}
	w := s.cum
	s.cum += s.gaps.Next()
	s.claimed++
	s.waiting[i] = w
	return Arrival{Index: i}, w, true
}

// dueOf needs s.mu held.
func (s *Schedule) dueOf(i int64, w float64) (time.Time, bool) {
	if s.timed != nil {
		return s.start.Add(s.timed[i].At), true
	}
	t, ok := s.curve.timeOf(w)
	if !ok {
		return time.Time{}, false
	}
	return s.start.Add(time.Duration(t * float64(time.Second))), true
}

func (s *Schedule) handOut(i int64) {
	s.mu.Lock()
	delete(s.waiting, i)
	s.sent++
	s.mu.Unlock()
}

// giveUp forgets a claim that a stopping user will not send.
func (s *Schedule) giveUp(i int64) {
	s.mu.Lock()
	delete(s.waiting, i)
	s.mu.Unlock()
}

// waitOut parks a user of a replayed schedule until the test stops.
func (s *Schedule) waitOut(ctx context.Context, stop <-chan struct{}) {
	s.mu.Lock()
	s.idle++
	fire := s.checkDrained()
	s.mu.Unlock()
	fire()
	select {
	case <-stop:
	case <-ctx.Done():
	}
	s.mu.Lock()
	s.idle--
	s.mu.Unlock()
}

// checkDrained needs s.mu held; it returns what to call after unlocking.
func (s *Schedule) checkDrained() func() {
	if s.drained == nil || s.drainedOnce || s.claimed < int64(len(s.timed)) || s.idle < s.joined {
		return func() {}
	}
	s.drainedOnce = true
	return s.drained
}

// Sent is how many arrivals have been handed out.
func (s *Schedule) Sent() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// Unsent counts the arrivals due by end that were never handed out: the
// requests the client owed the schedule when the test ended.
func (s *Schedule) Unsent(end time.Time) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.start.IsZero() {
		return 0
	}
	var n int64
	for i, w := range s.waiting {
		if due, ok := s.dueOf(i, w); ok && !due.After(end) {
			n++
		}
	}
	if s.timed != nil {
		for i := s.claimed; i < int64(len(s.timed)) && !s.start.Add(s.timed[i].At).After(end); i++ {
			n++
		}
		return n
	}
	// Arrivals never claimed: drawn on a copy of the gaps, so that the
	// schedule itself is not moved on.
	limit := s.curve.work(end.Sub(s.start).Seconds())
	g := s.gaps.clone()
	for w := s.cum; w <= limit; w += g.Next() {
		n++
	}
	return n
}

func stopped(ctx context.Context, stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	case <-ctx.Done():
		return true
	default:
		return false
	}
}
