package runner

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// test is one run from Start (or StartShape) until it has stopped. Its
// control goroutine paces the ramp, ticks the shape and watches the run
// time; every other field is guarded by Runner.mu.
type test struct {
	done    chan struct{} // closed when stopping begins
	stopped chan struct{} // closed when stopped and OnTestStop has returned
	wake    chan struct{} // a re-target happened; capacity 1
	started time.Time
	end     time.Time // when the run time is up; zero without one
	shape   Shape

	// ctx is the parent of every user's context; cancelling it abandons
	// all work in flight when the stop timeout is up.
	ctx    context.Context
	cancel context.CancelFunc

	// workers counts the control goroutine and every user goroutine.
	workers sync.WaitGroup

	stopping bool
	finished bool // OnTestStop has returned

	// The ramp: the first dispatched entries of the order run (or ran and
	// stopped themselves). Step k of the current ramp is due at rampFrom +
	// k/rate, so users are spread evenly and a fast rate catches up in
	// batches instead of drifting behind the clock.
	rate       float64
	rampFrom   time.Time
	rampSteps  int
	dispatched int
	complete   bool  // the current target has been reached and reported
	slots      []int // dispatched entries per class

	active [][]*user // per class, oldest first: started, not told to stop
	// classTargets, when set, are the users per class to run at once
	// (StartClasses) instead of a ramp through the order.
	classTargets []int
	nextID       int

	// The shape's last answer, touched only by the control goroutine.
	shaped    bool
	lastUsers int
	lastRate  float64
	// The request rate a shape asked for last; hasReqRate once it has.
	reqRate    float64
	hasReqRate bool
	warnedRate bool

	// open is the test's arrival schedules, nil until the control
	// goroutine has made them (before any user starts) and for a test
	// whose users are all closed-loop; unsent is what they owed at stopAt,
	// when stopping began.
	open   *openLoop
	opened bool
	stopAt time.Time
	unsent int64
}

// newTest makes t the current test, in state spawning. r.mu must be held.
func (r *Runner) newTest(s Shape) (*test, error) {
	if r.state == StateStopping || (r.cur != nil && !r.cur.finished) {
		return nil, ErrStopping
	}
	stopped := r.first
	if r.cur != nil {
		stopped = make(chan struct{})
	}
	t := &test{
		done:    make(chan struct{}),
		stopped: stopped,
		wake:    make(chan struct{}, 1),
		started: time.Now(),
		shape:   s,
		slots:   make([]int, len(r.classes)),
		active:  make([][]*user, len(r.classes)),
		// A shape test has no target until the shape's first tick.
		complete: s != nil,
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	if r.opts.RunTime > 0 {
		t.end = t.started.Add(r.opts.RunTime)
	}
	t.workers.Add(1) // the control goroutine, started by begin
	r.cur = t
	r.state = StateSpawning
	if s != nil {
		r.target = 0
	}
	return t, nil
}

// begin fires OnTestStart, then logs and lets the control goroutine ramp,
// so that no user starts before the hook has returned.
func (r *Runner) begin(t *test, log func()) {
	if r.opts.OnTestStart != nil {
		r.opts.OnTestStart()
	}
	log()
	go r.control(t)
}

// retarget points the test's ramp at users at rate, starting now with an
// immediate first step, as Locust's dispatcher does. r.mu must be held.
func (r *Runner) retarget(t *test, users int, rate float64) {
	r.target = users
	t.rate = rate
	t.rampFrom = time.Now()
	t.rampSteps = 0
	t.complete = false
	r.state = StateSpawning
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// control runs for the whole test: it starts and stops users as the ramp
// falls due, applies the shape's ticks and ends the run time.
func (r *Runner) control(t *test) {
	defer t.workers.Done()
	select {
	case <-t.done:
		return
	default:
	}
	var runEnd <-chan time.Time
	if !t.end.IsZero() {
		tm := time.NewTimer(time.Until(t.end))
		defer tm.Stop()
		runEnd = tm.C
	}
	var ticks <-chan time.Time
	if t.shape != nil {
		tk := time.NewTicker(time.Second)
		defer tk.Stop()
		ticks = tk.C
		r.tickShape(t)
	}
	if !r.openTest(t) {
		return
	}
	step := time.NewTimer(time.Hour)
	step.Stop()
	defer step.Stop()
	for {
		var stepDue <-chan time.Time
		if wait := r.advance(t); wait > 0 {
			step.Reset(wait)
			stepDue = step.C
		}
		select {
		case <-t.done:
			return
		case <-t.wake:
		case <-stepDue:
		case <-ticks:
			r.tickShape(t)
		case <-runEnd:
			r.logf("Run time limit reached, stopping the test")
			r.Stop()
		}
	}
}

// advance takes every ramp step that is due and returns how long until the
// next one, 0 when none is pending. When the target is reached it reports
// spawning complete.
func (r *Runner) advance(t *test) time.Duration {
	r.mu.Lock()
	wait, complete := r.rampSteps(t, time.Now())
	var counts map[string]int
	if complete {
		counts = r.classCounts()
	}
	r.mu.Unlock()
	if !complete {
		return wait
	}
	r.logf("All users spawned: %s", FormatCounts(counts))
	if r.opts.OnSpawningComplete != nil {
		n := 0
		for _, c := range counts {
			n += c
		}
		r.opts.OnSpawningComplete(n)
	}
	return 0
}

// rampSteps needs r.mu held. It returns the wait until the next step, or
// complete=true when this call reached the target.
func (r *Runner) rampSteps(t *test, now time.Time) (wait time.Duration, complete bool) {
	// No user starts at the very moment the run time is up.
	if t.stopping || t.complete || (!t.end.IsZero() && !now.Before(t.end)) {
		return 0, false
	}
	if t.classTargets != nil {
		r.reachClasses(t)
	}
	// All classes fixed-count: a target above their total cannot be met,
	// and the ramp ends at the total, as in Locust.
	goal := min(r.target, r.order.limit())
	if t.classTargets != nil {
		goal = r.target
	}
	for t.dispatched != goal {
		due := t.rampFrom.Add(time.Duration(float64(t.rampSteps) * float64(time.Second) / t.rate))
		if now.Before(due) {
			return due.Sub(now), false
		}
		if t.dispatched < goal {
			r.grow(t)
		} else {
			r.shrink(t)
		}
		t.rampSteps++
	}
	t.complete = true
	r.state = StateRunning
	r.beginWhenReady(t)
	return 0, true
}

// openTest makes the test's schedules before any user starts; false when
// they cannot be made, which stops the test.
func (r *Runner) openTest(t *test) bool {
	rate := r.opts.Load.Rate
	if t.hasReqRate {
		rate = t.reqRate
	}
	o, err := r.openSchedules(t, rate)
	if err != nil {
		r.logf("Cannot schedule the arrivals, stopping the test: %v", err)
		r.Stop()
		return false
	}
	r.mu.Lock()
	t.opened = true
	if len(o.schedules()) > 0 {
		t.open = o
	}
	r.mu.Unlock()
	return true
}

// shapeRate applies a request rate from the shape: before the schedules
// are made (the first tick) it becomes the run's rate; after, it changes
// the run's rate, when the test has one to change.
func (r *Runner) shapeRate(t *test, rate float64) {
	if t.hasReqRate && rate == t.reqRate {
		return
	}
	r.mu.Lock()
	opened, o := t.opened, t.open
	r.mu.Unlock()
	switch {
	case !opened:
	case o != nil && o.runRate && !o.trace:
		if r.SetRate(rate) == nil {
			r.logf("Shape test updating the request rate to %.2f per second", rate)
		}
	default:
		if !t.warnedRate {
			t.warnedRate = true
			r.logf("The load shape's request rate is ignored: the test started without a run-wide rate")
		}
		return
	}
	t.reqRate, t.hasReqRate = rate, true
}

// tickShape asks the shape for the next target and re-targets when the
// answer changed; a shape that says stop, panics or asks for something
// impossible stops the test.
func (r *Runner) tickShape(t *test) {
	tg, ok, err := tick(t.shape, time.Since(t.started))
	users, rate := tg.Users, tg.SpawnRate
	switch {
	case err != nil:
		r.logf("Load shape failed, stopping the test: %v", err)
		r.Stop()
		return
	case !ok:
		r.logf("Shape test stopping")
		r.Stop()
		return
	case tg.HasRate && !(tg.Rate >= 0):
		r.logf("Load shape asked for a request rate of %v, stopping the test: it must be 0 or more", tg.Rate)
		r.Stop()
		return
	case tg.HasRate:
		r.shapeRate(t, tg.Rate)
	}
	if t.shaped && users == t.lastUsers && rate == t.lastRate {
		return
	}
	if err := CheckTarget(users, rate); err != nil {
		r.logf("Load shape asked for %d users at %v per second, stopping the test: %v", users, rate, err)
		r.Stop()
		return
	}
	t.shaped, t.lastUsers, t.lastRate = true, users, rate
	r.mu.Lock()
	if t.stopping {
		r.mu.Unlock()
		return
	}
	r.retarget(t, users, rate)
	r.mu.Unlock()
	r.logf("Shape test updating to %d users at %.2f spawn rate", users, rate)
}

// tick calls the shape, turning a panic into an error.
func tick(s Shape, elapsed time.Duration) (tg Target, ok bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("tick panicked: %v", v)
		}
	}()
	tg, ok = s.Tick(elapsed)
	return tg, ok, nil
}

// finish waits for every user to return, then marks the test stopped and
// fires OnTestStop.
func (r *Runner) finish(t *test) {
	r.awaitWorkers(t)
	r.mu.Lock()
	t.countUnsent()
	r.state = StateStopped
	r.mu.Unlock()
	if r.opts.OnTestStop != nil {
		r.opts.OnTestStop()
	}
	r.mu.Lock()
	t.finished = true
	r.mu.Unlock()
	close(t.stopped)
}

// awaitWorkers waits for the test's goroutines, cancelling the users that
// outlive the stop timeout.
func (r *Runner) awaitWorkers(t *test) {
	defer t.cancel()
	returned := make(chan struct{})
	go func() {
		t.workers.Wait()
		close(returned)
	}()
	if r.opts.StopTimeout > 0 {
		tm := time.NewTimer(r.opts.StopTimeout)
		defer tm.Stop()
		select {
		case <-returned:
			return
		case <-tm.C:
			r.logf("Not all users finished their task within the stop timeout of %s; cancelling them", r.opts.StopTimeout)
			t.cancel()
		}
	}
	<-returned
}
