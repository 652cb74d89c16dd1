package runner

import (
	"errors"
	"testing"
	"testing/synctest"
)

// A worker's runner runs the users per class its master asks for, at
// once and whatever the weights and fixed counts, and moves to new
// targets keeping the users that run.
func TestStartClasses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		a := &fakeClass{name: "A", weight: 1, rec: rec}
		b := &fakeClass{name: "B", fixed: 1, rec: rec}
		r := mustNew(t, []UserClass{a, b}, rec.hooks(Options{}))
		if err := r.StartClasses(map[string]int{"A": 3, "B": 2}); err != nil {
			t.Fatal(err)
		}
		if n := <-rec.complete; n != 5 {
			t.Fatalf("spawning complete with %d users, want 5", n)
		}
		wantState(t, r, StateRunning)
		wantCounts(t, r, map[string]int{"A": 3, "B": 2})
		synctest.Wait() // every user is in its task
		if err := r.StartClasses(map[string]int{"A": 1}); err != nil {
			t.Fatal(err)
		}
		if n := <-rec.complete; n != 1 {
			t.Fatalf("spawning complete with %d users, want 1", n)
		}
		wantCounts(t, r, map[string]int{"A": 1, "B": 0})
		synctest.Wait()
		if got := rec.startedIDs("A"); len(got) != 3 {
			t.Errorf("A's users started %v, want the first three only", got)
		}
		if err := r.Start(10, 1); !errors.Is(err, ErrMastered) {
			t.Errorf("Start while a master sets the users: %v", err)
		}
		if err := r.StartClasses(map[string]int{"C": 1}); err == nil || err.Error() != `no user class "C" in this scenario` {
			t.Errorf("an unknown class: %v", err)
		}
		r.Quit()
		wantState(t, r, StateStopped)
	})
}
