package runner

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/llmlocust/llmlocust/engine/arrival"
)

// lateAfter is how far behind its schedule a request must go out for the
// run to warn, and warnEvery how often it warns at most: a timer or a
// collection pause costs a few milliseconds now and then, a cap of users
// that is too low costs more and keeps costing.
const (
	lateAfter = 50 * time.Millisecond
	warnEvery = 10 * time.Second
)

// ErrClosedLoop means a test has no run-wide request rate to change.
var ErrClosedLoop = errors.New("the test runs closed-loop users, without a request rate")

// openLoop is a test's arrival schedules, made when it starts.
type openLoop struct {
	perClass []*arrival.Schedule // by class; nil for a closed-loop class
	// share is each class's part of the run's rate, 0 for the classes with
	// a rate of their own or none.
	share []float64
	// runRate says whether the run has a rate (or a trace) that classes
	// share, which SetRate and shapes may change.
	runRate bool
	trace   bool
	begun   bool // beginWhenReady has run
}

// RateOf is a class's own request rate, 0 when it has none.
func RateOf(c UserClass) float64 {
	if rc, ok := c.(RatedClass); ok {
		return rc.Rate()
	}
	return 0
}

// openSchedules makes the test's schedules: one per class with a rate of
// its own, and the run's rate shared by weight among the weighted classes
// without one (or the trace, one schedule that all of them draw from).
// rate is the run's rate: --request-rate, or a shape's first answer.
func (r *Runner) openSchedules(t *test, rate float64) (*openLoop, error) {
	load := r.opts.Load
	o := &openLoop{perClass: make([]*arrival.Schedule, len(r.classes)), share: make([]float64, len(r.classes))}
	var weights int
	for _, c := range r.classes {
		if RateOf(c) == 0 && c.FixedCount() == 0 {
			weights += c.Weight()
		}
	}
	var trace *arrival.Schedule
	if load.Trace != nil && weights > 0 {
		trace = arrival.NewTimed(load.Trace, func() {
			r.logf("The trace has been replayed, stopping the test")
			r.Stop()
		})
		r.watchLate(trace, "the trace")
		o.runRate, o.trace = true, true
	}
	for i, c := range r.classes {
		own := RateOf(c)
		switch {
		case own < 0:
			return nil, fmt.Errorf("user class %q: rate %v is negative", c.Name(), own)
		case own > 0:
			s, err := r.newSchedule(own, uint64(i))
			if err != nil {
				return nil, err
			}
			r.watchLate(s, c.Name())
			o.perClass[i] = s
		case c.FixedCount() > 0 || weights == 0:
		case trace != nil:
			o.perClass[i] = trace
		case rate > 0:
			o.share[i] = float64(c.Weight()) / float64(weights)
			s, err := r.newSchedule(rate*o.share[i], uint64(i))
			if err != nil {
				return nil, err
			}
			r.watchLate(s, c.Name())
			o.perClass[i] = s
			o.runRate = true
		}
	}
	return o, nil
}

func (r *Runner) newSchedule(rate float64, stream uint64) (*arrival.Schedule, error) {
	g, err := arrival.NewGaps(r.opts.Load.Arrivals, stream)
	if err != nil {
		return nil, err
	}
	return arrival.NewRate(rate, r.opts.Load.Ramp, g), nil
}

// readyWait is how long the schedules wait for the users of the first
// ramp to be ready; a user whose on_start fails never is.
const readyWait = 5 * time.Second

// beginWhenReady starts the schedules' clocks together once the users of
// the first ramp are ready to send, so that the time users take to start
// (a Lua state each, on_start) does not make the first requests late.
// r.mu must be held.
func (r *Runner) beginWhenReady(t *test) {
	o := t.open
	if o == nil || o.begun {
		return
	}
	o.begun = true
	want := map[*arrival.Schedule]int{}
	for c, s := range o.perClass {
		if s != nil {
			want[s] += len(t.active[c])
		}
	}
	go r.beginSchedules(t, want)
}

func (r *Runner) beginSchedules(t *test, want map[*arrival.Schedule]int) {
	timeout := time.NewTimer(readyWait)
	defer timeout.Stop()
	for s, n := range want {
		for s.Joined() < n {
			select {
			case <-s.Joins():
			case <-timeout.C:
				r.logf("Not every user was ready to send within %s; the schedule starts without them", readyWait)
				beginAll(want)
				return
			case <-t.done:
				return
			}
		}
	}
	beginAll(want)
}

func beginAll(want map[*arrival.Schedule]int) {
	now := time.Now()
	for s := range want {
		s.Begin(now)
	}
}

// watchLate warns, now and then, when requests go out well behind their
// schedule.
func (r *Runner) watchLate(s *arrival.Schedule, who string) {
	var last atomic.Int64
	s.LateAfter = lateAfter
	s.Late = func(lag time.Duration) {
		now, prev := time.Now().UnixNano(), last.Load()
		if now-prev < int64(warnEvery) || !last.CompareAndSwap(prev, now) {
			return
		}
		r.logf("Requests of %s are going out %s behind their schedule: no user was free to send them, or the client is saturated; raise -u (it caps the requests in flight) or lower the rate",
			who, lag.Round(time.Millisecond))
	}
}

// SetRate changes the run's request rate from now on, shared by weight
// as at the start; arrivals not yet sent move to it. It fails when the
// current test has no run-wide rate (closed-loop users, or a trace).
func (r *Runner) SetRate(rate float64) error {
	if rate < 0 {
		return fmt.Errorf("request rate %v is negative", rate)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil || r.cur.open == nil || !r.cur.open.runRate || r.cur.open.trace {
		return ErrClosedLoop
	}
	r.cur.open.setRate(rate)
	return nil
}

func (o *openLoop) setRate(rate float64) {
	for i, s := range o.perClass {
		if o.share[i] > 0 {
			s.SetRate(rate * o.share[i])
		}
	}
}

// Arrivals reports on the current (or last) test's schedules.
type Arrivals struct {
	// Open says whether any class sent on a schedule.
	Open bool
	// Sent is how many scheduled requests went out; Unsent how many fell
	// due before the test stopped and never went out, known once it has
	// stopped.
	Sent, Unsent int64
}

// Arrivals returns how the current or most recent test kept its schedules.
func (r *Runner) Arrivals() Arrivals {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil || r.cur.open == nil {
		return Arrivals{}
	}
	a := Arrivals{Unsent: r.cur.unsent}
	for _, s := range r.cur.open.schedules() {
		a.Open = true
		a.Sent += s.Sent()
	}
	return a
}

// schedules lists each schedule once: a trace is every class's.
func (o *openLoop) schedules() []*arrival.Schedule {
	var out []*arrival.Schedule
	seen := map[*arrival.Schedule]bool{}
	for _, s := range o.perClass {
		if s != nil && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// countUnsent totals what the schedules owed when the test began to stop.
// r.mu must be held.
func (t *test) countUnsent() {
	if t.open == nil {
		return
	}
	for _, s := range t.open.schedules() {
		t.unsent += s.Unsent(t.stopAt)
	}
}
