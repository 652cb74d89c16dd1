package runner

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmlocust/llmlocust/engine/arrival"
)

// sends counts, per class, the arrivals its users sent and how late.
type sends struct {
	mu     sync.Mutex
	n      map[string]int
	maxLag time.Duration
	loads  []any
	rec    *recorder
}

func newSends() *sends { return &sends{n: map[string]int{}, rec: newRecorder()} }

func (s *sends) class(name string, weight int, rate float64, hold time.Duration) *fakeClass {
	return &fakeClass{name: name, weight: weight, rate: rate, rec: s.rec, send: func(a arrival.Arrival) {
		s.mu.Lock()
		s.n[name]++
		s.maxLag = max(s.maxLag, time.Since(a.Due))
		if a.Payload != nil {
			s.loads = append(s.loads, a.Payload)
		}
		s.mu.Unlock()
		time.Sleep(hold)
	}}
}

func (s *sends) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[name]
}

func near(got, want, tolerance int) bool { return got >= want-tolerance && got <= want+tolerance }

func TestOpenLoopSchedules(t *testing.T) {
	constant := arrival.Spec{Kind: arrival.Constant}
	cases := []struct {
		name    string
		load    Load
		classes func(s *sends) []UserClass
		users   int
		want    map[string]int
	}{
		{"the run's rate shared by weight", Load{Rate: 40, Arrivals: constant},
			func(s *sends) []UserClass { return []UserClass{s.class("A", 1, 0, 0), s.class("B", 3, 0, 0)} },
			8, map[string]int{"A": 100, "B": 300}},
		{"a class's own rate is its own", Load{Rate: 10, Arrivals: constant},
			func(s *sends) []UserClass { return []UserClass{s.class("A", 1, 2, 0), s.class("B", 1, 0, 0)} },
			4, map[string]int{"A": 20, "B": 100}},
		{"a ramp from 0 sends half over its length", Load{Rate: 10, Ramp: 10 * time.Second, Arrivals: constant},
			func(s *sends) []UserClass { return []UserClass{s.class("A", 1, 0, 0)} },
			4, map[string]int{"A": 50}},
		{"users cap the requests in flight", Load{Rate: 10, Arrivals: constant},
			func(s *sends) []UserClass { return []UserClass{s.class("A", 1, 0, 250*time.Millisecond)} },
			1, map[string]int{"A": 40}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newSends()
				rec := s.rec
				r := mustNew(t, c.classes(s), rec.hooks(Options{RunTime: 10 * time.Second, Load: c.load}))
				mustStart(t, r, c.users, 1000)
				<-r.Stopped()
				for name, want := range c.want {
					if got := s.count(name); !near(got, want, 1) {
						t.Errorf("class %s sent %d in 10 s, want %d ± 1", name, got, want)
					}
				}
				a := r.Arrivals()
				if !a.Open || a.Sent != int64(s.count("A")+s.count("B")) {
					t.Errorf("Arrivals() = %+v, want open with every send counted", a)
				}
			})
		})
	}
}

func TestFreeUsersSendOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSends()
		r := mustNew(t, []UserClass{s.class("A", 1, 0, 0)},
			Options{RunTime: 5 * time.Second, Load: Load{Rate: 50, Arrivals: arrival.Spec{Kind: arrival.Poisson, Seed: 3}}})
		mustStart(t, r, 16, 1000)
		<-r.Stopped()
		if s.maxLag != 0 {
			t.Errorf("free users sent up to %v late", s.maxLag)
		}
		if a := r.Arrivals(); a.Unsent != 0 {
			t.Errorf("%d arrivals unsent with free users", a.Unsent)
		}
	})
}

func TestBusyUsersFallBehindAndSaySo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSends()
		rec := s.rec
		r := mustNew(t, []UserClass{s.class("A", 1, 0, 250*time.Millisecond)},
			rec.hooks(Options{RunTime: 10 * time.Second, StopTimeout: time.Second, Load: Load{Rate: 10, Arrivals: arrival.Spec{Kind: arrival.Constant}}}))
		mustStart(t, r, 1, 1000)
		<-r.Stopped()
		// Due by 10 s: 101 (0 s … 10 s); sent: 40, one every 250 ms.
		if a := r.Arrivals(); !near(int(a.Unsent), 61, 1) {
			t.Errorf("unsent %d, want 61 ± 1", a.Unsent)
		}
		if s.maxLag < 5*time.Second {
			t.Errorf("max lag %v, want the last sends over 5 s late", s.maxLag)
		}
		if !rec.hasLog("behind their schedule") {
			t.Errorf("no warning in %q", rec.logs)
		}
	})
}

// rateShape holds 4 users and asks for 10/s, then 20/s from 5 s, and
// stops at 10 s.
type rateShape struct{}

func (rateShape) Tick(d time.Duration) (Target, bool) {
	switch {
	case d < 5*time.Second:
		return Target{Users: 4, SpawnRate: 100, Rate: 10, HasRate: true}, true
	case d < 10*time.Second:
		return Target{Users: 4, SpawnRate: 100, Rate: 20, HasRate: true}, true
	}
	return Target{}, false
}

func TestAShapeSetsTheRequestRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSends()
		rec := s.rec
		r := mustNew(t, []UserClass{s.class("A", 1, 0, 0)}, rec.hooks(Options{Load: Load{Arrivals: arrival.Spec{Kind: arrival.Constant}}}))
		if err := r.StartShape(rateShape{}); err != nil {
			t.Fatal(err)
		}
		<-r.Stopped()
		if got := s.count("A"); !near(got, 150, 1) {
			t.Errorf("sent %d, want 50 + 100 ± 1", got)
		}
		if !rec.hasLog("updating the request rate to 20.00") {
			t.Errorf("no log of the new rate in %q", rec.logs)
		}
	})
}

func TestSetRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSends()
		r := mustNew(t, []UserClass{s.class("A", 1, 0, 0)},
			Options{RunTime: 10 * time.Second, Load: Load{Rate: 10, Arrivals: arrival.Spec{Kind: arrival.Constant}}})
		mustStart(t, r, 4, 1000)
		time.Sleep(5*time.Second - time.Nanosecond)
		if err := r.SetRate(30); err != nil {
			t.Fatal(err)
		}
		<-r.Stopped()
		if got := s.count("A"); !near(got, 50+150, 1) {
			t.Errorf("sent %d, want 200 ± 1", got)
		}
		closed := mustNew(t, weighted(newRecorder(), 1), Options{RunTime: time.Second})
		mustStart(t, closed, 1, 1)
		if err := closed.SetRate(5); !errors.Is(err, ErrClosedLoop) {
			t.Errorf("SetRate on a closed-loop test: %v, want ErrClosedLoop", err)
		}
		<-closed.Stopped()
	})
}

func TestATraceIsReplayedAndEndsTheTest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSends()
		trace := []arrival.Timed{{At: 0, Payload: 1}, {At: time.Second, Payload: 2}, {At: 2500 * time.Millisecond, Payload: 3}}
		r := mustNew(t, []UserClass{s.class("A", 1, 0, 100*time.Millisecond)}, Options{Load: Load{Trace: trace}})
		begin := time.Now()
		mustStart(t, r, 2, 1000)
		<-r.Stopped()
		// The second user starts 1 ms in, and the trace's clock with it.
		if took := time.Since(begin); took != 2601*time.Millisecond {
			t.Errorf("the replay stopped at %v, want 2.601 s, when its last request was answered", took)
		}
		if len(s.loads) != 3 || s.loads[0] != 1 || s.loads[2] != 3 {
			t.Errorf("payloads %v, want 1 2 3", s.loads)
		}
	})
}
