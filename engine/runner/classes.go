package runner

import (
	"fmt"
	"slices"
)

// StartClasses runs exactly counts[class] users of each class named, at
// once: a worker's runner, whose master paces the ramp across workers
// and sends each worker its targets, as Locust's workers spawn. From ready
// or stopped it starts a new test; while one runs it moves to the new
// targets, keeping the users that run. Classes not named run no users.
func (r *Runner) StartClasses(counts map[string]int) error {
	targets := make([]int, len(r.classes))
	for name, n := range counts {
		i := slices.IndexFunc(r.classes, func(c UserClass) bool { return c.Name() == name })
		switch {
		case i < 0:
			return fmt.Errorf("no user class %q in this scenario", name)
		case n < 0:
			return fmt.Errorf("user count %d of %s is negative", n, name)
		}
		targets[i] = n
	}
	r.mu.Lock()
	if r.state == StateSpawning || r.state == StateRunning {
		if r.cur.shape != nil {
			r.mu.Unlock()
			return ErrShapeActive
		}
		r.retargetClasses(r.cur, targets)
		r.mu.Unlock()
		return nil
	}
	t, err := r.newTest(nil)
	if err != nil {
		r.mu.Unlock()
		return err
	}
	r.retargetClasses(t, targets)
	r.mu.Unlock()
	r.begin(t, func() { r.logf("Spawning %s", FormatCounts(counts)) })
	return nil
}

// retargetClasses points the test at per-class targets. r.mu must be held.
func (r *Runner) retargetClasses(t *test, targets []int) {
	t.classTargets = targets
	total := 0
	for _, n := range targets {
		total += n
	}
	r.retarget(t, total, 1)
}

// reachClasses starts and stops users until each class runs its target.
// r.mu must be held.
func (r *Runner) reachClasses(t *test) {
	for c, want := range t.classTargets {
		for t.slots[c] < want {
			t.slots[c]++
			t.dispatched++
			r.spawn(t, c)
		}
		for t.slots[c] > want {
			t.slots[c]--
			t.dispatched--
			r.stopNewest(t, c)
		}
	}
}
