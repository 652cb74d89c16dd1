package stats

import (
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// schedule keeps the lags of the requests an open-loop schedule asked
// for, failed ones included: a request that went out late went out late
// whatever its answer.
type schedule struct {
	lag Histogram
}

func (s *schedule) log(r *record.Record) {
	if r.Scheduled {
		s.lag.Record(r.Lag)
	}
}

// Schedule is the frozen lag of the scheduled requests since the start or
// the last reset; Lag has no value without any.
type Schedule struct {
	Lag *Histogram
}

func (s *schedule) snapshot() Schedule { return Schedule{Lag: s.lag.clone()} }

// warmup leaves the first stretch of a test out of the stats: requests
// that started before it ended, however late they finish. It ends at a
// time, or once a number of requests have been counted; the stats then
// restart, as a reset does, from the moment it ended.
type warmup struct {
	until    time.Time // requests that started before are left out; zero: none
	requests int       // requests still to count before it ends; 0: not by count
	timed    bool      // it ends at a time still to come
	excluded int64
	ended    bool
}

// Warmup is what the warm-up of a test left out: the requests that
// started before Until. Until is zero while there is none or it has not
// ended; Pending is true while one has begun and not ended, so that the
// charts can mark its seconds as they pass.
type Warmup struct {
	Until    time.Time
	Excluded int64
	Pending  bool
}

func (w *warmup) snapshot() Warmup {
	if !w.ended {
		return Warmup{Pending: w.timed || w.requests > 0}
	}
	return Warmup{Until: w.until, Excluded: w.excluded}
}

// excludes says whether r started during an ended warm-up, and counts it.
func (w *warmup) excludes(r *record.Record) bool {
	if !w.ended || !r.Start.Before(w.until) {
		return false
	}
	w.excluded++
	return true
}

// counted counts one logged request of a warm-up by count; true when it
// was the last, and the warm-up ends now.
func (w *warmup) counted(at time.Time) bool {
	if w.ended || w.requests <= 0 {
		return false
	}
	w.requests--
	w.excluded++
	if w.requests > 0 {
		return false
	}
	w.until, w.ended = at, true
	return true
}

// StartWarmup starts a warm-up that ends once n requests have been
// counted (cancelled ones aside), or, when timed, at EndWarmup, whichever
// comes first; what started before is then left out. With neither there
// is none.
func (s *RequestStats) StartWarmup(n int, timed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.warmup = warmup{requests: n, timed: timed}
}

// EndWarmup ends the warm-up at now: the stats restart, and requests that
// started before now are left out of them, however late they finish.
func (s *RequestStats) EndWarmup(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.warmup.ended {
		return
	}
	s.warmup = warmup{until: now, ended: true}
	s.resetLocked(now)
}
