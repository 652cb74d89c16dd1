package cluster

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/engine/runner"
)

// Errors of a master's test.
var (
	ErrNoWorkers   = errors.New("no worker is connected: start workers with --worker --master-host pointing here")
	errNotOnMaster = errors.New("not available on a master yet")
)

// test is one test's driver: it splits the users over the workers at the
// spawn rate and stops them. Its fields are guarded by Master.mu.
type test struct {
	m    *Master
	d    *runner.Dispatcher
	opts runner.Options
	host string

	state    runner.State
	target   int
	rate     float64
	from     int // users dispatched when the ramp began
	rampFrom time.Time
	n        int                       // users dispatched now
	sent     map[string]map[string]int // the last targets sent, by worker
	waiting  map[string]bool           // workers told to stop that have not stopped
	wake     chan struct{}
	done     chan struct{} // closed when stopping begins
	allOut   chan struct{} // closed when every worker told to stop has stopped
	stopped  chan struct{} // closed once stopped and OnTestStop has returned
}

// NewDriver is a run.Config's Remote: a test whose users run on the
// workers, sent to host.
func (m *Master) NewDriver(host string, classes []runner.UserClass, opts runner.Options) (run.Driver, error) {
	d, err := runner.NewDispatcher(classes)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur != nil && m.cur.activeLocked() {
		return nil, runner.ErrStopping
	}
	t := &test{m: m, d: d, opts: opts, host: host, state: runner.StateReady, sent: map[string]map[string]int{},
		wake: make(chan struct{}, 1), done: make(chan struct{}), allOut: make(chan struct{}), stopped: make(chan struct{})}
	m.cur = t
	return t, nil
}

func (t *test) activeLocked() bool {
	return t.state == runner.StateSpawning || t.state == runner.StateRunning || t.state == runner.StateStopping
}

func (t *test) logf(format string, args ...any) {
	if t.opts.Logf != nil {
		t.opts.Logf(format, args...)
	}
}

// Start ramps to userCount users over the workers at spawnRate users per
// second; while the test runs it moves it to the new numbers.
func (t *test) Start(userCount int, spawnRate float64) error {
	if err := runner.CheckTarget(userCount, spawnRate); err != nil {
		return err
	}
	t.m.mu.Lock()
	switch t.state {
	case runner.StateSpawning, runner.StateRunning:
		t.retargetLocked(userCount, spawnRate)
		t.m.mu.Unlock()
		return nil
	case runner.StateStopping, runner.StateStopped:
		t.m.mu.Unlock()
		return runner.ErrStopping
	}
	if len(t.m.readyLocked()) == 0 {
		t.m.mu.Unlock()
		return ErrNoWorkers
	}
	t.retargetLocked(userCount, spawnRate)
	t.m.mu.Unlock()
	if t.opts.OnTestStart != nil {
		t.opts.OnTestStart()
	}
	t.logf("Ramping to %d users at a rate of %.2f per second over the workers", userCount, spawnRate)
	go t.control()
	return nil
}

func (t *test) retargetLocked(users int, rate float64) {
	t.target = min(users, t.d.Limit())
	t.rate, t.from, t.rampFrom = rate, t.n, time.Now()
	t.state = runner.StateSpawning
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// control paces the ramp and ends the run time.
func (t *test) control() {
	var runEnd <-chan time.Time
	if t.opts.RunTime > 0 {
		tm := time.NewTimer(t.opts.RunTime)
		defer tm.Stop()
		runEnd = tm.C
	}
	step := time.NewTimer(time.Hour)
	defer step.Stop()
	for {
		var due <-chan time.Time
		if wait := t.step(time.Now()); wait > 0 {
			step.Reset(wait)
			due = step.C
		}
		select {
		case <-t.done:
			return
		case <-t.wake:
		case <-due:
		case <-runEnd:
			t.logf("Run time limit reached, stopping the test")
			t.Stop()
		}
	}
}

// step sends the ramp's next targets when they are due, and returns the
// wait until the following step, 0 when the ramp has reached its target.
// Steps come once a second with a second's worth of users (or one user,
// below one per second), as Locust's master batches them.
func (t *test) step(now time.Time) time.Duration {
	t.m.mu.Lock()
	if t.state != runner.StateSpawning {
		t.m.mu.Unlock()
		return 0
	}
	interval := max(time.Second, time.Duration(float64(time.Second)/t.rate))
	j := int(now.Sub(t.rampFrom) / interval)
	k := max(1, int(float64(j+1)*t.rate*interval.Seconds()))
	n := t.target
	if t.target > t.from {
		n = min(t.target, t.from+k)
	} else if t.target < t.from {
		n = max(t.target, t.from-k)
	}
	if n != t.n || len(t.sent) == 0 {
		t.n = n
		t.dispatchLocked()
	}
	done, reached := t.checkCompleteLocked(), n == t.target
	t.m.mu.Unlock()
	if done != nil {
		done()
	}
	if reached {
		return 0
	}
	return t.rampFrom.Add(time.Duration(j+1) * interval).Sub(now)
}

// dispatchLocked sends every worker that can take users its share of t.n.
func (t *test) dispatchLocked() {
	workers := t.m.readyLocked()
	split := t.d.Split(t.n, len(workers))
	ts := float64(time.Now().UnixNano()) / 1e9
	stop := t.opts.StopTimeout.Seconds()
	for i, w := range workers {
		t.sent[w.ID] = split[i]
		data := SpawnData{Timestamp: ts, UserClassesCount: split[i], Host: &t.host, StopTimeout: &stop, ParsedOptions: map[string]any{}}
		if err := t.m.srv.Send(w.ID, Spawn, data); err != nil {
			t.m.logf("WARNING", "the spawn message to worker %d: %v", w.Index, err)
		}
	}
}

// checkCompleteLocked says, once every worker runs what it was sent and
// the ramp is at its target, that the test runs: it returns what to call
// without the lock held, nil while spawning goes on.
func (t *test) checkCompleteLocked() func() {
	if t.state != runner.StateSpawning || t.n != t.target || len(t.sent) == 0 {
		return nil
	}
	total := map[string]int{}
	for id, want := range t.sent {
		w := t.m.workers[id]
		if w == nil || w.State == "missing" {
			continue
		}
		if !sameCounts(w.Classes, want) {
			return nil
		}
		for k, v := range want {
			total[k] += v
		}
	}
	t.state = runner.StateRunning
	return func() {
		t.logf("All users spawned: %s", runner.FormatCounts(total))
		if t.opts.OnSpawningComplete != nil {
			t.opts.OnSpawningComplete(sum(total))
		}
	}
}

// sameCounts compares class counts, a class missing from one being 0.
func sameCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// Stop tells every worker to stop and returns at once.
func (t *test) Stop() {
	t.m.mu.Lock()
	if t.state != runner.StateSpawning && t.state != runner.StateRunning {
		t.m.mu.Unlock()
		return
	}
	t.state = runner.StateStopping
	close(t.done)
	t.waiting = map[string]bool{}
	for id := range t.sent {
		if w := t.m.workers[id]; w != nil && w.State != "missing" {
			t.waiting[id] = true
		}
	}
	ids := slices.Collect(maps.Keys(t.waiting))
	if len(ids) == 0 {
		close(t.allOut)
	}
	t.m.mu.Unlock()
	for _, id := range ids {
		_ = t.m.srv.Send(id, Stop, nil)
	}
	go t.finish()
}

// finish waits for the workers to stop, their last reports merged, at
// most the stop timeout and ten seconds more.
func (t *test) finish() {
	select {
	case <-t.allOut:
	case <-time.After(t.opts.StopTimeout + 10*time.Second):
		t.m.logf("WARNING", "not every worker stopped within %s; the test ends without them", t.opts.StopTimeout+10*time.Second)
	}
	if t.opts.OnTestStop != nil {
		t.opts.OnTestStop()
	}
	t.m.mu.Lock()
	t.state = runner.StateStopped
	t.m.mu.Unlock()
	close(t.stopped)
}

func (t *test) workerStoppedLocked(id string) {
	if t.state != runner.StateStopping || !t.waiting[id] {
		return
	}
	delete(t.waiting, id)
	if len(t.waiting) == 0 {
		close(t.allOut)
	}
}

// workerGoneLocked takes a lost worker out of the test; the test goes on
// with the others, and stops when none is left.
func (t *test) workerGoneLocked(id string) {
	delete(t.sent, id)
	t.workerStoppedLocked(id)
	if t.state == runner.StateStopping {
		return
	}
	if len(t.m.readyLocked()) == 0 {
		t.m.logf("WARNING", "every worker is lost: stopping the test")
		go t.Stop()
		return
	}
	if done := t.checkCompleteLocked(); done != nil {
		go done()
	}
}

// Cancel stops the test; the workers abandon their requests.
func (t *test) Cancel() { t.Stop() }

// Quit stops the test and waits until it has stopped.
func (t *test) Quit() {
	t.Stop()
	t.m.mu.Lock()
	started := t.state != runner.StateReady
	t.m.mu.Unlock()
	if started {
		<-t.stopped
	}
}

func (t *test) Stopped() <-chan struct{} { return t.stopped }

func (t *test) State() runner.State {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	return t.state
}

func (t *test) UserCount() int { return sum(t.UserClassesCount()) }

func (t *test) TargetUserCount() int {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	return t.target
}

// UserClassesCount is what the workers of the test said they run.
func (t *test) UserClassesCount() map[string]int {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	out := map[string]int{}
	for id := range t.sent {
		if w := t.m.workers[id]; w != nil && w.State != "missing" {
			for k, v := range w.Classes {
				out[k] += v
			}
		}
	}
	return out
}

func (t *test) StartShape(runner.Shape) error {
	return fmt.Errorf("load shapes: %w", errNotOnMaster)
}

func (t *test) StartClasses(map[string]int) error {
	return fmt.Errorf("users per class: %w", errNotOnMaster)
}

func (t *test) SetRate(float64) error {
	return fmt.Errorf("request rates: %w", errNotOnMaster)
}

func (t *test) Arrivals() runner.Arrivals { return runner.Arrivals{} }
