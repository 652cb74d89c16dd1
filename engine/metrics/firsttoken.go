package metrics

import (
	"sync"
	"sync/atomic"
	"time"
)

// firstToken decides a request's first-token timeout by what the reader
// handed over and when it arrived, never by how far the daemon has got:
// when the timer fires while reads wait in the queue, the decision waits
// for the daemon to reach them. A token that arrived within the timeout
// saves the request, however late it is decoded; a token that arrived
// after it does not, as if the timer had cut the stream off then.
type firstToken struct {
	queued atomic.Int64 // reads the reader queued (the reader's goroutine adds)
	fed    atomic.Int64 // reads the daemon has decoded (the daemon's goroutine adds)
	due    atomic.Bool  // the timer has fired; the daemon checks after each read

	mu     sync.Mutex
	found  bool          // a token was decoded
	at     time.Duration // its arrival, from the start
	after  time.Duration // the timeout, from the start
	fire   func()
	reason string // the timeout's error
	fired  bool
}

// FirstTokenDue implements stream.Sink. It runs on the timer's goroutine.
func (r *Stream) FirstTokenDue(after time.Duration, reason error, fire func()) {
	f := &r.first
	f.mu.Lock()
	f.after, f.fire, f.reason = after, fire, reason.Error()
	f.due.Store(true)
	fired := f.decide()
	f.mu.Unlock()
	if fired {
		fire()
	}
}

// tokenAt notes the first token's arrival (the daemon's goroutine).
func (f *firstToken) tokenAt(at time.Duration) {
	f.mu.Lock()
	if !f.found {
		f.found, f.at = true, at
	}
	f.mu.Unlock()
}

// check decides a timeout whose timer has fired, once the daemon has
// decoded another read (the daemon's goroutine).
func (f *firstToken) check() {
	f.fed.Add(1)
	if !f.due.Load() {
		return
	}
	f.mu.Lock()
	fired := f.decide()
	fire := f.fire
	f.mu.Unlock()
	if fired {
		fire()
	}
}

// decide reports whether the timeout fires now, and marks it fired. It is
// called with f.mu held, once the timer has fired.
func (f *firstToken) decide() bool {
	switch {
	case f.fired:
		return false
	case f.found && f.at < f.after:
		return false // a token came in time
	case !f.found && f.fed.Load() < f.queued.Load():
		return false // reads wait for the daemon: they may hold one
	}
	f.fired = true
	return true
}

// failure is the Record's error when the timeout fired, "" otherwise.
func (f *firstToken) failure() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fired {
		return ""
	}
	return f.reason
}
