package output

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// recorder is an Output that notes what the manager asks of it.
type recorder struct {
	mu      sync.Mutex
	calls   []string
	tickErr error
}

func (r *recorder) note(s string)      { r.mu.Lock(); r.calls = append(r.calls, s); r.mu.Unlock() }
func (r *recorder) Start(Sample) error { r.note("start"); return nil }
func (r *recorder) Tick(s Sample) error {
	r.note("tick")
	return r.tickErr
}
func (r *recorder) Close(Sample) error { r.note("close"); return errors.New("closing failed") }

// The manager ticks while a test is active and once after, starts each
// output once before its first tick, tells a repeated error once, and
// closes every output in order with their errors joined.
func TestManager(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		active := false
		setActive := func(v bool) { mu.Lock(); active = v; mu.Unlock() }
		a, b := &recorder{tickErr: errors.New("disk full")}, &recorder{}
		var logged []string
		m := NewManager([]Output{a, b}, func() Sample { return Sample{} },
			func() bool { mu.Lock(); defer mu.Unlock(); return active },
			func(format string, args ...any) { mu.Lock(); logged = append(logged, format); mu.Unlock() })
		m.Run()
		time.Sleep(2500 * time.Millisecond) // idle: no ticks
		setActive(true)
		m.Align()
		time.Sleep(3500 * time.Millisecond) // three ticks
		setActive(false)
		time.Sleep(2500 * time.Millisecond) // one more, then none
		synctest.Wait()
		err := m.Close(Sample{})
		if err == nil || err.Error() != "closing failed\nclosing failed" {
			t.Errorf("close returned %v", err)
		}
		want := []string{"start", "tick", "tick", "tick", "tick", "close"}
		for _, r := range []*recorder{a, b} {
			if len(r.calls) != len(want) {
				t.Fatalf("calls %v, want %v", r.calls, want)
			}
			for i := range want {
				if r.calls[i] != want[i] {
					t.Fatalf("calls %v, want %v", r.calls, want)
				}
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(logged) != 1 {
			t.Errorf("a tick error repeated four times was logged %d times", len(logged))
		}
		if err := m.Close(Sample{}); err != nil {
			t.Errorf("a second close: %v", err)
		}
	})
}

// A manager that never ran closes without waiting for ticks.
func TestManagerClosesWithoutRun(t *testing.T) {
	r := &recorder{}
	m := NewManager([]Output{r}, func() Sample { return Sample{} }, func() bool { return false }, func(string, ...any) {})
	_ = m.Close(Sample{})
	if len(r.calls) != 2 || r.calls[0] != "start" || r.calls[1] != "close" {
		t.Fatalf("calls %v", r.calls)
	}
}
