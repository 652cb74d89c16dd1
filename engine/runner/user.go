package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/llmlocust/llmlocust/engine/arrival"
)

// user is the runner's handle on one running user. The user's own
// goroutine owns the User value; the runner only closes stop and cancels
// ctx.
type user struct {
	class    int
	arrivals *arrival.Schedule // nil for a closed-loop user
	id       int
	ctx      context.Context
	cancel   context.CancelFunc
	stop     chan struct{}

	// Guarded by Runner.mu.
	stopping bool
	timer    *time.Timer // a ramp-down stop: cancels ctx after the stop timeout
}

// PanicError reports a panic in a user's NewUser or Run. The runner
// recovers it so that one broken user does not end the test.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

// Error describes the panic without the stack.
func (e *PanicError) Error() string { return fmt.Sprintf("user panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// grow starts the next user in the order. r.mu must be held.
func (r *Runner) grow(t *test) {
	c := r.order.at(t.dispatched)
	t.dispatched++
	t.slots[c]++
	r.spawn(t, c)
}

// shrink takes the last entry off the order and stops the most recently
// started user of its class, unless users of that class have already
// stopped themselves. r.mu must be held.
func (r *Runner) shrink(t *test) {
	t.dispatched--
	c := r.order.at(t.dispatched)
	t.slots[c]--
	r.stopNewest(t, c)
}

// stopNewest stops the most recently started user of class c when the
// class runs more users than its slots. r.mu must be held.
func (r *Runner) stopNewest(t *test, c int) {
	if us := t.active[c]; len(us) > t.slots[c] {
		u := us[len(us)-1]
		t.active[c] = us[:len(us)-1]
		r.stopUser(u, true)
	}
}

// spawn starts a user of class c on its own goroutine. r.mu must be held.
func (r *Runner) spawn(t *test, c int) {
	t.nextID++
	ctx, cancel := context.WithCancel(t.ctx)
	u := &user{class: c, id: t.nextID, ctx: ctx, cancel: cancel, stop: make(chan struct{})}
	if t.open != nil {
		u.arrivals = t.open.perClass[c]
	}
	t.active[c] = append(t.active[c], u)
	t.workers.Add(1)
	go r.live(t, u)
}

// stopUser asks u to stop: it finishes its task, and its context is
// cancelled at once when there is no stop timeout, else when the timeout
// has passed, by a timer of its own if timed. r.mu must be held.
func (r *Runner) stopUser(u *user, timed bool) {
	if u.stopping {
		return
	}
	u.stopping = true
	close(u.stop)
	switch {
	case r.opts.StopTimeout <= 0:
		u.cancel()
	case timed:
		u.timer = time.AfterFunc(r.opts.StopTimeout, u.cancel)
	}
}

// live is a user's goroutine: create, run, report, retire.
func (r *Runner) live(t *test, u *user) {
	defer t.workers.Done()
	defer r.retire(t, u)
	err := r.run(u)
	// The runner's own cancellation is how a stop ends a task, not a failure.
	if err == nil || (errors.Is(err, context.Canceled) && u.ctx.Err() != nil) {
		return
	}
	if r.opts.OnUserError != nil {
		r.opts.OnUserError(r.classes[u.class].Name(), err)
	}
}

// run creates the user and runs it, turning a panic into a *PanicError.
func (r *Runner) run(u *user) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	usr, err := r.classes[u.class].NewUser(u.id, u.arrivals)
	if err != nil {
		return fmt.Errorf("creating user %d: %w", u.id, err)
	}
	if usr == nil {
		return fmt.Errorf("creating user %d: no user returned", u.id)
	}
	select {
	case <-u.stop: // stopped before it began: nothing to finish
		return nil
	default:
	}
	return usr.Run(u.ctx, u.stop)
}

// retire forgets a user whose Run has returned. One that returned on its
// own has stopped itself and leaves the active list without a stop.
func (r *Runner) retire(t *test, u *user) {
	r.mu.Lock()
	if !u.stopping {
		u.stopping = true
		t.active[u.class] = slices.DeleteFunc(t.active[u.class], func(v *user) bool { return v == u })
	}
	if u.timer != nil {
		u.timer.Stop()
	}
	r.mu.Unlock()
	u.cancel()
}
