package runner

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestStopTimeout(t *testing.T) {
	tests := []struct {
		name        string
		stopTimeout time.Duration
		wantDone    bool          // the task ran to its end
		wantStopped time.Duration // from Stop until the test has stopped
		wantLog     bool          // the log says users were cancelled
	}{
		{name: "long enough to finish the task", stopTimeout: 5 * time.Second, wantDone: true, wantStopped: 2 * time.Second},
		{name: "zero cancels at once", stopTimeout: 0, wantStopped: 0},
		{name: "too short cancels the task", stopTimeout: time.Second, wantStopped: time.Second, wantLog: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder()
				var mu sync.Mutex
				var done, cancelled bool
				// The user is one second into a three-second task when the
				// test stops.
				busy := &fakeClass{name: "A", weight: 1, rec: rec, run: func(ctx context.Context, stop <-chan struct{}, _ int) error {
					select {
					case <-time.After(3 * time.Second):
						mu.Lock()
						done = true
						mu.Unlock()
					case <-ctx.Done():
						mu.Lock()
						cancelled = true
						mu.Unlock()
						return ctx.Err()
					}
					<-stop
					return nil
				}}
				r := mustNew(t, []UserClass{busy}, rec.hooks(Options{StopTimeout: tc.stopTimeout}))
				mustStart(t, r, 1, 1)
				time.Sleep(time.Second)
				stopAt := time.Now()
				r.Quit()
				if took := time.Since(stopAt); took != tc.wantStopped {
					t.Errorf("stopping took %v, want %v", took, tc.wantStopped)
				}
				if done != tc.wantDone || cancelled == tc.wantDone {
					t.Errorf("task done=%v cancelled=%v, want done=%v", done, cancelled, tc.wantDone)
				}
				if errs := rec.errors(); len(errs) != 0 {
					t.Errorf("a cancelled user was reported as failing: %v", errs)
				}
				if got := rec.hasLog("within the stop timeout"); got != tc.wantLog {
					t.Errorf("log of cancelled users: %v, want %v", got, tc.wantLog)
				}
			})
		})
	}
}

func TestRampDownHonoursStopTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		var mu sync.Mutex
		cancelledAt := map[int]time.Duration{}
		var begin time.Time
		// Each user works on one long task and then waits to be stopped.
		busy := &fakeClass{name: "A", weight: 1, rec: rec, run: func(ctx context.Context, stop <-chan struct{}, id int) error {
			select {
			case <-time.After(time.Minute):
			case <-ctx.Done():
				mu.Lock()
				cancelledAt[id] = time.Since(begin)
				mu.Unlock()
				return ctx.Err()
			}
			<-stop
			return nil
		}}
		r := mustNew(t, []UserClass{busy}, rec.hooks(Options{StopTimeout: time.Second}))
		begin = time.Now()
		mustStart(t, r, 2, 10)
		<-rec.complete
		time.Sleep(time.Second - time.Since(begin))
		mustStart(t, r, 1, 10)
		<-rec.complete
		// The surplus user no longer counts, though it is still busy.
		if n := r.UserCount(); n != 1 {
			t.Fatalf("after ramping down to 1, %d users counted", n)
		}
		time.Sleep(2 * time.Second)
		mu.Lock()
		got := cancelledAt
		mu.Unlock()
		if len(got) != 1 || got[2] != 2*time.Second {
			t.Fatalf("cancelled users %v, want only user 2, at 2s (1 s stop timeout after the ramp down at 1s)", got)
		}
		r.Quit()
	})
}

func TestRunTimeStopsTheTest(t *testing.T) {
	tests := []struct {
		name      string
		runTime   time.Duration
		users     int
		rate      float64
		wantUsers int // started before the run time ended
	}{
		{name: "after the ramp", runTime: 10 * time.Second, users: 5, rate: 1, wantUsers: 5},
		{name: "during the ramp", runTime: 2 * time.Second, users: 100, rate: 10, wantUsers: 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder()
				r := mustNew(t, weighted(rec, 1), rec.hooks(Options{RunTime: tc.runTime}))
				begin := time.Now()
				mustStart(t, r, tc.users, tc.rate)
				<-r.Stopped()
				if took := time.Since(begin); took != tc.runTime {
					t.Fatalf("stopped after %v, want the run time %v", took, tc.runTime)
				}
				wantState(t, r, StateStopped)
				if n := len(rec.startedIDs("A")); n != tc.wantUsers {
					t.Fatalf("%d users started, want %d", n, tc.wantUsers)
				}
				if _, stops := rec.hookCounts(); stops != 1 {
					t.Fatalf("OnTestStop fired %d times, want 1", stops)
				}
			})
		})
	}
}

// stagedShape holds users for a while, lowers them, then ends the test.
type stagedShape struct {
	mu    sync.Mutex
	ticks []time.Duration
}

func (s *stagedShape) Tick(elapsed time.Duration) (Target, bool) {
	u, r, ok := s.stage(elapsed)
	return Target{Users: u, SpawnRate: r}, ok
}

func (s *stagedShape) stage(elapsed time.Duration) (int, float64, bool) {
	s.mu.Lock()
	s.ticks = append(s.ticks, elapsed)
	s.mu.Unlock()
	switch {
	case elapsed < 3*time.Second:
		return 10, 10, true
	case elapsed < 6*time.Second:
		return 4, 2, true
	}
	return 0, 0, false
}

func TestShapeRetargetsAndStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		r := mustNew(t, weighted(rec, 1), rec.hooks(Options{}))
		shape := &stagedShape{}
		begin := time.Now()
		if err := r.StartShape(shape); err != nil {
			t.Fatalf("StartShape: %v", err)
		}
		if n := <-rec.complete; n != 10 {
			t.Fatalf("first stage spawned %d users, want 10", n)
		}
		if err := r.Start(50, 1); !errors.Is(err, ErrShapeActive) {
			t.Fatalf("Start during a shape test: %v, want ErrShapeActive", err)
		}
		if err := r.StartShape(shape); !errors.Is(err, ErrRunning) {
			t.Fatalf("StartShape during a test: %v, want ErrRunning", err)
		}
		// The 3 s tick lowers to 4 users at 2/s: at 4.2 s three are gone.
		time.Sleep(4200*time.Millisecond - time.Since(begin))
		synctest.Wait()
		if n := r.UserCount(); n != 7 {
			t.Fatalf("at 4.2 s %d users run, want 7", n)
		}
		if n := <-rec.complete; n != 4 {
			t.Fatalf("second stage ended with %d users, want 4", n)
		}
		<-r.Stopped()
		if took := time.Since(begin); took != 6*time.Second {
			t.Fatalf("shape stopped the test at %v, want 6s", took)
		}
		for i, at := range shape.ticks {
			if at != time.Duration(i)*time.Second {
				t.Fatalf("ticks at %v, want one a second from 0", shape.ticks)
			}
		}
		if len(shape.ticks) != 7 {
			t.Fatalf("%d ticks, want 7 (0 s to 6 s)", len(shape.ticks))
		}
		if !rec.hasLog("Shape test updating to 4 users at 2.00 spawn rate") {
			t.Errorf("no log of the second stage in %q", rec.logs)
		}
	})
}

type shapeFunc func(time.Duration) (int, float64, bool)

func (f shapeFunc) Tick(d time.Duration) (Target, bool) {
	u, r, ok := f(d)
	return Target{Users: u, SpawnRate: r}, ok
}

func TestBrokenShapeStopsTheTest(t *testing.T) {
	tests := []struct {
		name    string
		shape   shapeFunc
		wantLog string
	}{
		{
			name:    "panics",
			shape:   func(d time.Duration) (int, float64, bool) { panic("no stages") },
			wantLog: "tick panicked: no stages",
		},
		{
			name:    "zero spawn rate",
			shape:   func(d time.Duration) (int, float64, bool) { return 5, 0, true },
			wantLog: "spawn rate 0 is not a positive number",
		},
		{
			name:    "stops at once",
			shape:   func(d time.Duration) (int, float64, bool) { return 0, 0, false },
			wantLog: "Shape test stopping",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder()
				r := mustNew(t, weighted(rec, 1), rec.hooks(Options{}))
				if err := r.StartShape(tc.shape); err != nil {
					t.Fatalf("StartShape: %v", err)
				}
				<-r.Stopped()
				if !rec.hasLog(tc.wantLog) {
					t.Fatalf("no log line with %q in %q", tc.wantLog, rec.logs)
				}
				if starts, stops := rec.hookCounts(); starts != 1 || stops != 1 {
					t.Fatalf("hooks fired %d/%d times, want 1/1", starts, stops)
				}
			})
		})
	}
}

func TestStopFromInsideAUser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		var r *Runner
		quitter := &fakeClass{name: "A", weight: 1, rec: rec, run: func(ctx context.Context, stop <-chan struct{}, id int) error {
			if id == 3 {
				time.Sleep(time.Second)
				r.Stop()
				r.Stop()
			}
			<-stop
			return nil
		}}
		r = mustNew(t, []UserClass{quitter}, rec.hooks(Options{StopTimeout: time.Second}))
		begin := time.Now()
		mustStart(t, r, 5, 100)
		<-r.Stopped()
		if took := time.Since(begin); took != 1020*time.Millisecond {
			t.Fatalf("stopped at +%v, want +1.02s", took)
		}
		if got := len(rec.endedIDs("A")); got != 5 {
			t.Fatalf("%d users returned, want 5", got)
		}
	})
}

func TestUserFailuresAreReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		errCreate := errors.New("no script")
		errTask := errors.New("task failed")
		after := func(err error) func(context.Context, <-chan struct{}, int) error {
			return func(ctx context.Context, stop <-chan struct{}, _ int) error {
				time.Sleep(time.Second)
				return err
			}
		}
		classes := []UserClass{
			&fakeClass{name: "Broken", fixed: 2, rec: rec, newErr: errCreate},
			&fakeClass{name: "Failing", fixed: 2, rec: rec, run: after(errTask)},
			&fakeClass{name: "Panicking", fixed: 2, rec: rec, run: func(context.Context, <-chan struct{}, int) error {
				time.Sleep(time.Second)
				panic(errTask)
			}},
			&fakeClass{name: "Quitting", fixed: 2, rec: rec, run: after(nil)},
			// Returns the error of its own cancelled context: not a failure.
			&fakeClass{name: "Waiting", fixed: 2, rec: rec, run: func(ctx context.Context, _ <-chan struct{}, _ int) error {
				<-ctx.Done()
				return ctx.Err()
			}},
		}
		r := mustNew(t, classes, rec.hooks(Options{}))
		mustStart(t, r, 10, 100)
		<-rec.complete
		time.Sleep(2 * time.Second)
		synctest.Wait()
		wantState(t, r, StateRunning)
		wantCounts(t, r, map[string]int{"Broken": 0, "Failing": 0, "Panicking": 0, "Quitting": 0, "Waiting": 2})
		time.Sleep(5 * time.Second)
		for _, c := range classes {
			if n := c.(*fakeClass).created(); n != 2 {
				t.Fatalf("class %s created %d users, want 2 (stopped users are not replaced)", c.Name(), n)
			}
		}
		r.Quit()

		counts := map[string]int{}
		for _, e := range rec.errors() {
			counts[e.class]++
			var pe *PanicError
			switch e.class {
			case "Broken":
				if !errors.Is(e.err, errCreate) {
					t.Errorf("Broken reported %v, want it to wrap %v", e.err, errCreate)
				}
			case "Failing":
				if !errors.Is(e.err, errTask) {
					t.Errorf("Failing reported %v, want %v", e.err, errTask)
				}
			case "Panicking":
				if !errors.As(e.err, &pe) || len(pe.Stack) == 0 || !errors.Is(e.err, errTask) {
					t.Errorf("Panicking reported %v, want a *PanicError with a stack wrapping %v", e.err, errTask)
				}
			}
		}
		want := map[string]int{"Broken": 2, "Failing": 2, "Panicking": 2}
		if len(counts) != len(want) {
			t.Fatalf("errors reported per class %v, want %v", counts, want)
		}
		for k, v := range want {
			if counts[k] != v {
				t.Fatalf("errors reported per class %v, want %v", counts, want)
			}
		}
	})
}

func TestQuitLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	rec := newRecorder()
	var classes []UserClass
	for _, w := range []int{1, 3} {
		classes = append(classes, &fakeClass{name: string(rune('A' + w)), weight: w, rec: rec, run: func(ctx context.Context, stop <-chan struct{}, _ int) error {
			// A user between tasks: it sleeps, and checks stop and ctx.
			for {
				select {
				case <-stop:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(5 * time.Millisecond):
				}
			}
		}})
	}
	r := mustNew(t, classes, rec.hooks(Options{StopTimeout: time.Second, RunTime: time.Minute}))
	mustStart(t, r, 300, 3000)
	<-rec.complete
	if r.UserCount() != 300 {
		t.Fatalf("%d users run, want 300", r.UserCount())
	}
	r.Quit()
	r.Quit() // harmless when already stopped
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after Quit, %d before Start", n, before)
	}
}

func TestStopAndQuitBeforeAnyTest(t *testing.T) {
	rec := newRecorder()
	r := mustNew(t, weighted(rec, 1), rec.hooks(Options{}))
	r.Stop()
	r.Quit()
	wantState(t, r, StateReady)
	select {
	case <-r.Stopped():
		t.Fatal("Stopped() is closed before any test ran")
	default:
	}
	if starts, stops := rec.hookCounts(); starts != 0 || stops != 0 {
		t.Fatalf("hooks fired %d/%d times without a test", starts, stops)
	}
}
