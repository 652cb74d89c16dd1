package runner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/arrival"
)

// recorder collects what users and hooks did, from any goroutine.
type recorder struct {
	mu         sync.Mutex
	starts     map[string][]int // class → ids, in start order
	startTimes []time.Time
	ended      map[string][]int // class → ids, in end order
	errs       []classErr
	logs       []string
	testStarts int
	testStops  int
	completes  []int

	// complete receives every OnSpawningComplete count, so tests can wait.
	complete chan int
}

type classErr struct {
	class string
	err   error
}

func newRecorder() *recorder {
	return &recorder{
		starts:   map[string][]int{},
		ended:    map[string][]int{},
		complete: make(chan int, 64),
	}
}

// hooks fills the hooks of opts with the recorder's.
func (rec *recorder) hooks(opts Options) Options {
	opts.OnTestStart = func() { rec.lock(func() { rec.testStarts++ }) }
	opts.OnTestStop = func() { rec.lock(func() { rec.testStops++ }) }
	opts.OnSpawningComplete = func(n int) {
		rec.lock(func() { rec.completes = append(rec.completes, n) })
		rec.complete <- n
	}
	opts.OnUserError = func(class string, err error) {
		rec.lock(func() { rec.errs = append(rec.errs, classErr{class, err}) })
	}
	opts.Logf = func(format string, args ...any) {
		rec.lock(func() { rec.logs = append(rec.logs, fmt.Sprintf(format, args...)) })
	}
	return opts
}

func (rec *recorder) lock(f func()) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	f()
}

func (rec *recorder) startedAt(class string, id int) {
	rec.lock(func() {
		rec.starts[class] = append(rec.starts[class], id)
		rec.startTimes = append(rec.startTimes, time.Now())
	})
}

func (rec *recorder) endedAt(class string, id int) {
	rec.lock(func() { rec.ended[class] = append(rec.ended[class], id) })
}

// hookCounts returns how often OnTestStart and OnTestStop fired.
func (rec *recorder) hookCounts() (starts, stops int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.testStarts, rec.testStops
}

// endedIDs returns the ids of class that have returned, sorted.
func (rec *recorder) endedIDs(class string) []int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	ids := append([]int(nil), rec.ended[class]...)
	sort.Ints(ids)
	return ids
}

func (rec *recorder) startedIDs(class string) []int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]int(nil), rec.starts[class]...)
}

func (rec *recorder) errors() []classErr {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]classErr(nil), rec.errs...)
}

// hasLog reports whether some log line contains s.
func (rec *recorder) hasLog(s string) bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, l := range rec.logs {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// fakeClass is a user class whose users wait until told to stop, unless
// run says otherwise.
type fakeClass struct {
	name          string
	weight, fixed int
	rec           *recorder
	newErr        error
	run           func(ctx context.Context, stop <-chan struct{}, id int) error
	rate          float64 // its own request rate; 0 for none
	// send, when set, is what its open-loop users do with each arrival.
	send func(a arrival.Arrival)

	mu       sync.Mutex
	newCalls int
}

func (c *fakeClass) Name() string    { return c.name }
func (c *fakeClass) Weight() int     { return c.weight }
func (c *fakeClass) FixedCount() int { return c.fixed }

func (c *fakeClass) Rate() float64 { return c.rate }

func (c *fakeClass) NewUser(id int, arrivals *arrival.Schedule) (User, error) {
	c.mu.Lock()
	c.newCalls++
	c.mu.Unlock()
	if c.newErr != nil {
		return nil, c.newErr
	}
	return &fakeUser{class: c, id: id, arrivals: arrivals}, nil
}

func (c *fakeClass) created() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.newCalls
}

type fakeUser struct {
	class    *fakeClass
	id       int
	arrivals *arrival.Schedule
}

func (u *fakeUser) Run(ctx context.Context, stop <-chan struct{}) error {
	u.class.rec.startedAt(u.class.name, u.id)
	defer u.class.rec.endedAt(u.class.name, u.id)
	if u.class.run != nil {
		return u.class.run(ctx, stop, u.id)
	}
	if u.arrivals != nil {
		leave := u.arrivals.Join()
		defer leave()
		for {
			a, ok := u.arrivals.Next(ctx, stop)
			if !ok {
				return nil
			}
			if u.class.send != nil {
				u.class.send(a)
			}
		}
	}
	<-stop
	return nil
}

// weighted returns idle classes A, B, C, … with the given weights.
func weighted(rec *recorder, weights ...int) []UserClass {
	var cs []UserClass
	for i, w := range weights {
		cs = append(cs, &fakeClass{name: string(rune('A' + i)), weight: w, rec: rec})
	}
	return cs
}

func mustNew(t *testing.T, classes []UserClass, opts Options) *Runner {
	t.Helper()
	r, err := New(classes, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// A failed test still stops its users, so a fake-clock test reports
	// the failure instead of a deadlock.
	t.Cleanup(r.Quit)
	return r
}

func mustStart(t *testing.T, r *Runner, users int, rate float64) {
	t.Helper()
	if err := r.Start(users, rate); err != nil {
		t.Fatalf("Start(%d, %v): %v", users, rate, err)
	}
}

// wantCounts fails unless the runner's per-class counts are want.
func wantCounts(t *testing.T, r *Runner, want map[string]int) {
	t.Helper()
	got := r.UserClassesCount()
	if len(got) != len(want) {
		t.Fatalf("class counts = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("class counts = %v, want %v", got, want)
		}
	}
}

func wantState(t *testing.T, r *Runner, want State) {
	t.Helper()
	if got := r.State(); got != want {
		t.Fatalf("state = %q, want %q", got, want)
	}
}
