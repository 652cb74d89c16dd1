package runner

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

func TestSpawnRateStatesAndHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		// Users take 100 ms to finish their task once told to stop, so the
		// stopping state lasts long enough to be seen.
		slow := &fakeClass{name: "A", weight: 1, rec: rec, run: func(ctx context.Context, stop <-chan struct{}, _ int) error {
			<-stop
			time.Sleep(100 * time.Millisecond)
			return nil
		}}
		r := mustNew(t, []UserClass{slow}, rec.hooks(Options{StopTimeout: time.Second}))
		wantState(t, r, StateReady)
		begin := time.Now()
		mustStart(t, r, 10, 5)
		synctest.Wait()
		wantState(t, r, StateSpawning)
		if n := r.UserCount(); n != 1 {
			t.Fatalf("right after Start %d users run, want the first one", n)
		}
		if n := <-rec.complete; n != 10 {
			t.Fatalf("spawning complete with %d users, want 10", n)
		}
		// The first user starts at once, the others every 1/5 s.
		if took := time.Since(begin); took != 1800*time.Millisecond {
			t.Fatalf("10 users at 5/s took %v, want 1.8s", took)
		}
		synctest.Wait() // the last user's goroutine records its start
		for i, at := range rec.startTimes {
			if want := begin.Add(time.Duration(i) * 200 * time.Millisecond); !at.Equal(want) {
				t.Fatalf("user %d started at +%v, want +%v", i+1, at.Sub(begin), want.Sub(begin))
			}
		}
		synctest.Wait()
		wantState(t, r, StateRunning)
		if r.TargetUserCount() != 10 || r.UserCount() != 10 {
			t.Fatalf("target %d, running %d, want 10 and 10", r.TargetUserCount(), r.UserCount())
		}

		r.Stop()
		wantState(t, r, StateStopping)
		synctest.Wait()
		wantState(t, r, StateStopping) // users are finishing their task
		<-r.Stopped()
		wantState(t, r, StateStopped)
		if took := time.Since(begin); took != 1900*time.Millisecond {
			t.Fatalf("stopped at +%v, want +1.9s (the users' 100 ms task)", took)
		}
		r.Stop() // a second stop is harmless
		r.Quit()
		if starts, stops := rec.hookCounts(); starts != 1 || stops != 1 {
			t.Fatalf("OnTestStart fired %d times, OnTestStop %d, want 1 and 1", starts, stops)
		}
		for _, line := range []string{
			"Ramping to 10 users at a rate of 5.00 per second",
			`All users spawned: {"A": 10} (10 total users)`,
		} {
			if !rec.hasLog(line) {
				t.Errorf("no log line %q in %q", line, rec.logs)
			}
		}
	})
}

func TestFastSpawnRateUnderFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		r := mustNew(t, weighted(rec, 1), rec.hooks(Options{}))
		begin := time.Now()
		mustStart(t, r, 1000, 1000)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if n := r.UserCount(); n != 501 {
			t.Fatalf("after 0.5 s at 1000/s %d users run, want 501 (spread evenly, not in bursts)", n)
		}
		<-rec.complete
		if took := time.Since(begin); took != 999*time.Millisecond {
			t.Fatalf("1000 users at 1000/s took %v, want 999ms", took)
		}
		r.Quit()
	})
}

func TestFastSpawnRateOnRealClock(t *testing.T) {
	rec := newRecorder()
	r := mustNew(t, weighted(rec, 1, 1), rec.hooks(Options{}))
	begin := time.Now()
	mustStart(t, r, 500, 1000)
	select {
	case n := <-rec.complete:
		if n != 500 {
			t.Fatalf("spawning complete with %d users, want 500", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("500 users at 1000/s not spawned after 10 s; %d run", r.UserCount())
	}
	// Due at 499 ms; the timer may be late, never early.
	if took := time.Since(begin); took < 495*time.Millisecond || took > 5*time.Second {
		t.Fatalf("500 users at 1000/s took %v, want about 0.5 s", took)
	}
	wantCounts(t, r, map[string]int{"A": 250, "B": 250})
	r.Quit()
}

// classSpec describes an idle fake class in a table.
type classSpec struct {
	name          string
	weight, fixed int
}

func TestClassSplit(t *testing.T) {
	tests := []struct {
		name  string
		specs []classSpec
		users int
		want  map[string]int
	}{
		{
			name:  "weights 1:2:3 over 60",
			specs: []classSpec{{name: "A", weight: 1}, {name: "B", weight: 2}, {name: "C", weight: 3}},
			users: 60,
			want:  map[string]int{"A": 10, "B": 20, "C": 30},
		},
		{
			name:  "weights 1:2:3 over 7",
			specs: []classSpec{{name: "A", weight: 1}, {name: "B", weight: 2}, {name: "C", weight: 3}},
			users: 7,
			want:  map[string]int{"A": 1, "B": 2, "C": 4},
		},
		{
			name:  "fixed count with weights",
			specs: []classSpec{{name: "Fixed", weight: 50, fixed: 2}, {name: "Light", weight: 1}, {name: "Heavy", weight: 2}},
			users: 11,
			want:  map[string]int{"Fixed": 2, "Light": 3, "Heavy": 6},
		},
		{
			name:  "fixed counts above the user count",
			specs: []classSpec{{name: "A", fixed: 3}, {name: "B", fixed: 2}, {name: "C", weight: 1}},
			users: 4,
			want:  map[string]int{"A": 2, "B": 2, "C": 0},
		},
		{
			name:  "only fixed counts, more users asked",
			specs: []classSpec{{name: "A", fixed: 3}, {name: "B", fixed: 2}},
			users: 10,
			want:  map[string]int{"A": 3, "B": 2},
		},
		{
			name:  "given out of name order",
			specs: []classSpec{{name: "Z", weight: 3}, {name: "Y", weight: 1}},
			users: 8,
			want:  map[string]int{"Y": 2, "Z": 6},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder()
				var classes []UserClass
				for _, s := range tc.specs {
					classes = append(classes, &fakeClass{name: s.name, weight: s.weight, fixed: s.fixed, rec: rec})
				}
				r := mustNew(t, classes, rec.hooks(Options{}))
				mustStart(t, r, tc.users, 100)
				total := 0
				for _, n := range tc.want {
					total += n
				}
				if n := <-rec.complete; n != total {
					t.Fatalf("spawning complete with %d users, want %d", n, total)
				}
				wantCounts(t, r, tc.want)
				r.Quit()
			})
		})
	}
}

func TestRampStaysProportional(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		r := mustNew(t, weighted(rec, 1, 2, 3), rec.hooks(Options{}))
		begin := time.Now()
		mustStart(t, r, 60, 6)
		weights := map[string]float64{"A": 1, "B": 2, "C": 3}
		for r.State() == StateSpawning {
			synctest.Wait()
			counts := r.UserClassesCount()
			total := 0
			for _, n := range counts {
				total += n
			}
			if want := min(60, int(time.Since(begin)*6/time.Second)+1); total != want {
				t.Fatalf("at +%v %d users run, want %d", time.Since(begin), total, want)
			}
			for class, n := range counts {
				if ideal := float64(total) * weights[class] / 6; math.Abs(float64(n)-ideal) >= 1 {
					t.Fatalf("at %d users class %s has %d, ideal %.2f: %v", total, class, n, ideal, counts)
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		<-rec.complete
		wantCounts(t, r, map[string]int{"A": 10, "B": 20, "C": 30})
		r.Quit()
	})
}

func TestRetargetKeepsRunningUsers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		r := mustNew(t, weighted(rec, 1, 2, 3), rec.hooks(Options{}))
		mustStart(t, r, 60, 60)
		<-rec.complete

		mustStart(t, r, 90, 30)
		wantState(t, r, StateSpawning)
		if n := <-rec.complete; n != 90 {
			t.Fatalf("spawning complete with %d users, want 90", n)
		}
		wantCounts(t, r, map[string]int{"A": 15, "B": 30, "C": 45})
		for _, class := range []string{"A", "B", "C"} {
			if ended := rec.endedIDs(class); len(ended) != 0 {
				t.Fatalf("ramping up stopped users %v of class %s", ended, class)
			}
		}

		down := time.Now()
		mustStart(t, r, 30, 30)
		// Ramp-down runs at the spawn rate too: 31 steps fall due in the
		// first second (one at once, then one every 1/30 s).
		time.Sleep(time.Second)
		synctest.Wait()
		if n := r.UserCount(); n != 59 {
			t.Fatalf("1 s into a ramp down at 30/s %d users run, want 59", n)
		}
		<-rec.complete
		if took := time.Since(down); took != 59*time.Second/30 {
			t.Fatalf("ramping down 60 users at 30/s took %v, want %v", took, 59*time.Second/30)
		}
		synctest.Wait()
		wantCounts(t, r, map[string]int{"A": 5, "B": 10, "C": 15})
		// The stopped users are the most recently started of each class.
		for class, kept := range map[string]int{"A": 5, "B": 10, "C": 15} {
			started := rec.startedIDs(class)
			want := slices.Sorted(slices.Values(started[kept:]))
			if got := rec.endedIDs(class); !slices.Equal(got, want) {
				t.Fatalf("class %s stopped %v, want the newest %v", class, got, want)
			}
		}
		if starts, _ := rec.hookCounts(); starts != 1 {
			t.Fatalf("re-targeting fired OnTestStart again (%d times)", starts)
		}
		r.Quit()
		if !slices.Equal(rec.completes, []int{60, 90, 30}) {
			t.Fatalf("spawning complete fired with %v, want [60 90 30]", rec.completes)
		}
	})
}

func TestEditWhileSpawning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		r := mustNew(t, weighted(rec, 1), rec.hooks(Options{}))
		mustStart(t, r, 100, 10)
		time.Sleep(time.Second)
		synctest.Wait()
		if n := r.UserCount(); n != 11 {
			t.Fatalf("1 s into a ramp at 10/s %d users run, want 11", n)
		}
		edit := time.Now()
		mustStart(t, r, 20, 20)
		if n := <-rec.complete; n != 20 {
			t.Fatalf("spawning complete with %d users, want 20", n)
		}
		// Nine more users: at once, then every 1/20 s.
		if took := time.Since(edit); took != 400*time.Millisecond {
			t.Fatalf("edit took %v to complete, want 400ms", took)
		}
		if ended := rec.endedIDs("A"); len(ended) != 0 {
			t.Fatalf("the edit stopped users %v", ended)
		}
		r.Quit()
	})
}

func TestNewRejectsBadClasses(t *testing.T) {
	rec := newRecorder()
	tests := []struct {
		name    string
		classes []UserClass
	}{
		{name: "no classes"},
		{name: "weight zero", classes: []UserClass{&fakeClass{name: "A", rec: rec}}},
		{name: "negative fixed count", classes: []UserClass{&fakeClass{name: "A", weight: 1, fixed: -1, rec: rec}}},
		{name: "duplicate names", classes: weighted(rec, 1, 1)[:1:1]},
	}
	tests[3].classes = append(tests[3].classes, &fakeClass{name: "A", weight: 2, rec: rec})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.classes, Options{}); err == nil {
				t.Fatal("New succeeded, want an error")
			}
		})
	}
}

func TestStartRejectsBadTargets(t *testing.T) {
	tests := []struct {
		name  string
		users int
		rate  float64
	}{
		{name: "negative users", users: -1, rate: 1},
		{name: "zero rate", users: 1, rate: 0},
		{name: "negative rate", users: 1, rate: -2},
		{name: "NaN rate", users: 1, rate: math.NaN()},
		{name: "infinite rate", users: 1, rate: math.Inf(1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			r := mustNew(t, weighted(rec, 1), rec.hooks(Options{}))
			if err := r.Start(tc.users, tc.rate); err == nil {
				t.Fatal("Start succeeded, want an error")
			}
			wantState(t, r, StateReady)
			if starts, _ := rec.hookCounts(); starts != 0 {
				t.Fatal("a rejected Start fired OnTestStart")
			}
		})
	}
}

func TestRestartAfterStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		slow := &fakeClass{name: "A", weight: 1, rec: rec, run: func(ctx context.Context, stop <-chan struct{}, _ int) error {
			<-stop
			time.Sleep(time.Second)
			return nil
		}}
		r := mustNew(t, []UserClass{slow}, rec.hooks(Options{StopTimeout: 5 * time.Second}))
		first := r.Stopped()
		mustStart(t, r, 3, 10)
		<-rec.complete
		synctest.Wait() // the third user is in Run, so it counts as started
		r.Stop()
		if err := r.Start(3, 10); !errors.Is(err, ErrStopping) {
			t.Fatalf("Start while stopping: %v, want ErrStopping", err)
		}
		<-first
		if r.Stopped() != first {
			t.Fatal("after a stop, Stopped() is not the stopped test's channel")
		}

		mustStart(t, r, 2, 10)
		second := r.Stopped()
		if second == first {
			t.Fatal("a new test reuses the closed Stopped channel")
		}
		if n := <-rec.complete; n != 2 {
			t.Fatalf("second test spawned %d users, want 2", n)
		}
		synctest.Wait()
		if got := rec.startedIDs("A"); !slices.Equal(got, []int{1, 2, 3, 1, 2}) {
			t.Fatalf("user ids %v, want each test to count from 1", got)
		}
		r.Quit()
		<-second
		if starts, stops := rec.hookCounts(); starts != 2 || stops != 2 {
			t.Fatalf("two tests fired OnTestStart %d and OnTestStop %d times, want 2 and 2", starts, stops)
		}
	})
}
