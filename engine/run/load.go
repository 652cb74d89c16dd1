package run

import (
	"time"

	"github.com/llmlocust/llmlocust/engine/arrival"
	"github.com/llmlocust/llmlocust/engine/runner"
)

// Load is the open-loop load and the warm-up of a session's tests.
type Load struct {
	// Rate is the run's requests per second (--request-rate); 0 runs
	// closed-loop users, unless a class or the shape gives a rate.
	Rate     float64
	Arrivals arrival.Spec
	Ramp     time.Duration // --rate-ramp

	// Warmup and WarmupRequests leave the test's first stretch out of
	// every figure: what started in its first Warmup, or before its first
	// WarmupRequests requests were counted.
	Warmup         time.Duration
	WarmupRequests int
}

// runnerLoad is the runner's part of the load.
func (s *Session) runnerLoad() (runner.Load, error) {
	l := s.cfg.Load
	return runner.Load{Rate: l.Rate, Ramp: l.Ramp, Arrivals: l.Arrivals}, nil
}

// openLoop says whether the test's users send on schedules: then they
// are slots for the requests in flight rather than a load of their own.
func (s *Session) openLoop() bool {
	if s.cfg.Load.Rate > 0 {
		return true
	}
	for _, c := range s.classes {
		if rc, ok := c.(runner.RatedClass); ok && rc.Rate() > 0 {
			return true
		}
	}
	return false
}

// spawnRate is the test's spawn rate. Open-loop users all start at once:
// the schedule, not the ramp, sets the load, and a slot that is not there
// yet only makes requests late.
func (s *Session) spawnRate(t Test) float64 {
	if !s.openLoop() || t.SpawnRate >= float64(t.Users) {
		return t.SpawnRate
	}
	s.cfg.Logf("INFO", "llmlocust.main", "open loop: starting the %d users at once; they cap the requests in flight", t.Users)
	return max(float64(t.Users), 1) * 1000
}

// startWarmup begins the test's warm-up, if it has one. s.mu is held.
func (s *Session) startWarmup() {
	if s.warmup != nil {
		s.warmup.Stop()
		s.warmup = nil
	}
	l := s.cfg.Load
	s.stats.WarmupRequests(l.WarmupRequests)
	if l.Warmup > 0 {
		s.warmup = time.AfterFunc(l.Warmup, func() {
			s.daemon.Flush()
			s.stats.EndWarmup(time.Now())
			s.cfg.Logf("INFO", "llmlocust.main", "warm-up over after %s: the figures start now", l.Warmup)
		})
	}
}
