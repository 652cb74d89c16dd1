// Package runner starts and stops simulated users the way Locust's local
// runner does: it spreads a user count over user classes by fixed count and
// weight, ramps up and down at a spawn rate, follows load shapes, ends a run
// after its run time and stops users gracefully within a stop timeout.
//
// Users are an interface; the runner knows nothing of how a user behaves.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/arrival"
)

// State is the runner's state, spelled as Locust spells it on the wire.
type State string

// The states a test moves through: ready → spawning ⇄ running → stopping →
// stopped, and from stopped back to spawning when a new test starts.
const (
	StateReady    State = "ready"
	StateSpawning State = "spawning"
	StateRunning  State = "running"
	StateStopping State = "stopping"
	StateStopped  State = "stopped"
)

// UserClass describes one kind of user and creates its instances.
type UserClass interface {
	// Name identifies the class in counts and logs; names are unique.
	Name() string
	// Weight is the class's share of the users that are not fixed-count.
	Weight() int
	// FixedCount, when above 0, asks for exactly this many users of the
	// class whatever the total, and the weight is ignored (Locust's
	// fixed_count). Fixed-count users are started before weighted ones.
	FixedCount() int
	// NewUser creates the user numbered id (1, 2, … within a test). It is
	// called on the goroutine that will then call Run. arrivals is the
	// class's open-loop schedule, whose arrivals the user sends instead of
	// waiting its wait_time, or nil for a closed-loop user.
	NewUser(id int, arrivals *arrival.Schedule) (User, error)
}

// RatedClass is a class that sets its own request rate (a Lua class's
// rate = 5), so that its users send on a schedule of their own whatever
// the run's rate.
type RatedClass interface {
	UserClass
	// Rate is the class's requests per second; 0 leaves the class to the
	// run's rate, or to closed-loop users without one.
	Rate() float64
}

// User is one simulated user.
type User interface {
	// Run lives the user's whole life on the calling goroutine: on_start,
	// tasks, on_stop. When stop is closed the user finishes the task in hand
	// (a wait in progress ends at once) and returns. When ctx is cancelled,
	// work in flight is abandoned at once (requests are cancelled). A user
	// that returns on its own has stopped itself and is not started again.
	Run(ctx context.Context, stop <-chan struct{}) error
}

// Shape drives a test's user count over time, like Locust's LoadTestShape.
type Shape interface {
	// Tick is called once a second, first at elapsed 0, with the time since
	// the test started. It returns the user count and spawn rate to ramp
	// to, and maybe a request rate, or ok=false to stop the test.
	Tick(elapsed time.Duration) (t Target, ok bool)
}

// Target is what a shape asks for at a tick.
type Target struct {
	Users     int
	SpawnRate float64
	// Rate, when HasRate, is the run's requests per second from now on.
	// A shape whose first tick gives a rate makes the classes without a
	// rate of their own open-loop for the test.
	Rate    float64
	HasRate bool
}

// Options tune a Runner. The zero value is valid.
type Options struct {
	// StopTimeout is how long a stopping user may take to finish its task
	// before its context is cancelled (Locust's --stop-timeout); 0 cancels
	// at once.
	StopTimeout time.Duration
	// RunTime stops the test this long after it started; 0 runs until
	// stopped.
	RunTime time.Duration

	// OnTestStart runs when a test starts, before any user; OnTestStop
	// runs once the test has stopped and every user has returned.
	OnTestStart, OnTestStop func()
	// OnSpawningComplete runs each time a ramp reaches its target, with
	// the number of running users.
	OnSpawningComplete func(userCount int)
	// OnUserError reports a user that could not be created, returned an
	// error or panicked (the error is then a *PanicError). A user that
	// returns the cancellation error of its own stopped context is not
	// reported.
	OnUserError func(class string, err error)
	// Logf receives informational lines, worded like Locust's.
	Logf func(format string, args ...any)

	// Load is the open-loop load of every test; its zero value runs
	// closed-loop users.
	Load Load
}

// Load describes the open-loop arrivals of a test.
type Load struct {
	// Rate is the run's requests per second, shared by weight among the
	// weighted classes without a rate of their own; 0 leaves them
	// closed-loop (unless a shape gives a rate).
	Rate float64
	// Ramp raises each schedule's rate linearly from 0 over this long.
	Ramp     time.Duration
	Arrivals arrival.Spec
	// Trace, when set, replaces Rate: its requests are sent at their times
	// by the users of every class without a rate of its own, and the test
	// stops once the last has been answered.
	Trace []arrival.Timed
}

// Errors returned by Start and StartShape.
var (
	// ErrStopping means the previous test has not finished stopping.
	ErrStopping = errors.New("the test is still stopping")
	// ErrShapeActive means a load shape controls the running test, so its
	// user count cannot be edited.
	ErrShapeActive = errors.New("a load shape controls the running test")
	// ErrMastered means a master sets the running test's users per
	// class (StartClasses).
	ErrMastered = errors.New("a master sets the users of the running test")
	// ErrRunning means a test is already running.
	ErrRunning = errors.New("a test is already running")
)

// Runner spawns and stops the users of one test at a time. Its methods are
// safe for concurrent use.
type Runner struct {
	classes []UserClass // sorted by name, as Locust's dispatcher sorts them
	opts    Options
	order   *order

	mu     sync.Mutex
	state  State
	target int
	cur    *test         // the current or most recent test
	first  chan struct{} // Stopped() before the first test
}

// New returns a Runner for classes, in state ready. It needs at least one
// class, unique names, no negative fixed count, and a weight of at least 1
// for every class that is not fixed-count.
func New(classes []UserClass, opts Options) (*Runner, error) {
	sorted, o, err := orderOf(classes)
	if err != nil {
		return nil, err
	}
	return &Runner{
		classes: sorted,
		opts:    opts,
		order:   o,
		state:   StateReady,
		first:   make(chan struct{}),
	}, nil
}

// orderOf checks classes and returns them sorted by name with their order.
func orderOf(classes []UserClass) ([]UserClass, *order, error) {
	if len(classes) == 0 {
		return nil, nil, errors.New("no user classes")
	}
	sorted := append([]UserClass(nil), classes...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name() < sorted[j].Name() })
	weights := make([]int, len(sorted))
	fixed := make([]int, len(sorted))
	for i, c := range sorted {
		if err := checkClass(c); err != nil {
			return nil, nil, err
		}
		if i > 0 && sorted[i-1].Name() == c.Name() {
			return nil, nil, fmt.Errorf("user class %q is defined twice", c.Name())
		}
		weights[i], fixed[i] = c.Weight(), c.FixedCount()
	}
	return sorted, newOrder(weights, fixed), nil
}

func checkClass(c UserClass) error {
	switch {
	case c.FixedCount() < 0:
		return fmt.Errorf("user class %q: fixed count %d is negative", c.Name(), c.FixedCount())
	case c.FixedCount() == 0 && c.Weight() < 1:
		return fmt.Errorf("user class %q: weight %d is below 1", c.Name(), c.Weight())
	}
	return nil
}

// Start ramps to userCount users at spawnRate users per second. From ready
// or stopped it starts a new test (OnTestStart); while spawning or running
// it re-targets the running test, keeping the users that run (the web UI's
// Edit). Fixed counts above userCount are allowed: as in Locust, only
// userCount users start, the fixed-count classes first.
func (r *Runner) Start(userCount int, spawnRate float64) error {
	if err := CheckTarget(userCount, spawnRate); err != nil {
		return err
	}
	r.mu.Lock()
	if r.state == StateSpawning || r.state == StateRunning {
		if r.cur.shape != nil {
			r.mu.Unlock()
			return ErrShapeActive
		}
		if r.cur.classTargets != nil {
			r.mu.Unlock()
			return ErrMastered
		}
		r.retarget(r.cur, userCount, spawnRate)
		r.mu.Unlock()
		r.logRamp(userCount, spawnRate)
		return nil
	}
	t, err := r.newTest(nil)
	if err != nil {
		r.mu.Unlock()
		return err
	}
	r.retarget(t, userCount, spawnRate)
	r.mu.Unlock()
	r.begin(t, func() { r.logRamp(userCount, spawnRate) })
	return nil
}

// StartShape starts a new test whose user count and spawn rate follow s,
// asked once a second. It fails while a test runs or stops.
func (r *Runner) StartShape(s Shape) error {
	if s == nil {
		return errors.New("no load shape")
	}
	r.mu.Lock()
	if r.state == StateSpawning || r.state == StateRunning {
		r.mu.Unlock()
		return ErrRunning
	}
	t, err := r.newTest(s)
	r.mu.Unlock()
	if err != nil {
		return err
	}
	r.begin(t, func() { r.logf("Shape test starting") })
	return nil
}

// CheckTarget refuses a negative user count and a spawn rate that is not
// a positive, finite number.
func CheckTarget(userCount int, spawnRate float64) error {
	if userCount < 0 {
		return fmt.Errorf("user count %d is negative", userCount)
	}
	if !(spawnRate > 0) || math.IsInf(spawnRate, 1) {
		return fmt.Errorf("spawn rate %v is not a positive number", spawnRate)
	}
	return nil
}

// Stop begins stopping every user and returns at once. It may be called
// from a user's Run, from hooks and more than once; outside a running test
// it does nothing.
func (r *Runner) Stop() {
	r.mu.Lock()
	if r.state != StateSpawning && r.state != StateRunning {
		r.mu.Unlock()
		return
	}
	t := r.cur
	r.state = StateStopping
	t.stopping = true
	t.stopAt = time.Now()
	close(t.done)
	for c := range t.active {
		for _, u := range t.active[c] {
			// finish cancels them all together when the stop timeout is up.
			r.stopUser(u, false)
		}
		t.active[c] = nil
	}
	if r.opts.StopTimeout <= 0 {
		t.cancel()
	}
	r.mu.Unlock()
	go r.finish(t)
}

// Cancel stops every user at once, whatever the stop timeout: the work
// in flight is cancelled (and counted as cancelled). It returns at once.
func (r *Runner) Cancel() {
	r.Stop()
	r.mu.Lock()
	t := r.cur
	r.mu.Unlock()
	if t != nil {
		t.cancel()
	}
}

// Quit stops the test and waits until it has stopped, OnTestStop included;
// then no goroutine of the runner is left. It must not be called from a
// user's Run or a hook, which would wait for themselves; use Stop there.
func (r *Runner) Quit() {
	r.mu.Lock()
	t := r.cur
	r.mu.Unlock()
	if t == nil {
		return
	}
	r.Stop()
	<-t.stopped
}

// Stopped returns a channel that is closed when the current test has
// stopped (after OnTestStop). Each test has its own channel: before the
// first test it is the first test's, and after a test has stopped it is
// already closed until the next test starts.
func (r *Runner) Stopped() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return r.first
	}
	return r.cur.stopped
}

// State returns the runner's state.
func (r *Runner) State() State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// UserCount returns the number of users started and not yet told to stop.
// Users finishing their task after a stop are not counted.
func (r *Runner) UserCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	if r.cur != nil {
		for _, us := range r.cur.active {
			n += len(us)
		}
	}
	return n
}

// TargetUserCount returns the user count the runner ramps or ramped to.
func (r *Runner) TargetUserCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.target
}

// UserClassesCount returns UserCount per class, with every class present.
func (r *Runner) UserClassesCount() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.classCounts()
}

// classCounts needs r.mu held.
func (r *Runner) classCounts() map[string]int {
	m := make(map[string]int, len(r.classes))
	for i, c := range r.classes {
		m[c.Name()] = 0
		if r.cur != nil {
			m[c.Name()] = len(r.cur.active[i])
		}
	}
	return m
}

// FormatCounts renders class counts as Locust's log lines do:
// {"A": 1, "B": 2} (3 total users).
func FormatCounts(m map[string]int) string {
	names := make([]string, 0, len(m))
	total := 0
	for name, n := range m {
		names = append(names, name)
		total += n
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		q, _ := json.Marshal(name) // a string always marshals
		fmt.Fprintf(&b, "%s: %d", q, m[name])
	}
	fmt.Fprintf(&b, "} (%d total users)", total)
	return b.String()
}

func (r *Runner) logRamp(users int, rate float64) {
	r.logf("Ramping to %d users at a rate of %.2f per second", users, rate)
}

func (r *Runner) logf(format string, args ...any) {
	if r.opts.Logf != nil {
		r.opts.Logf(format, args...)
	}
}
