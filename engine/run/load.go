package run

import (
	"fmt"
	"time"

	"github.com/llmlocust/llmlocust/engine/dataset"
	"github.com/llmlocust/llmlocust/engine/tokenize"

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

	// TracePath, when set, replays a trace (--trace): its requests are due
	// at their times divided by TraceSpeed, and the test ends with it.
	TracePath  string
	TraceSpeed float64
}

// runnerLoad is the runner's part of the load.
func (s *Session) runnerLoad() (runner.Load, error) {
	l := s.cfg.Load
	rate := l.Rate
	if sw := s.sweepSpec; sw != nil && sw.Mode == SweepRate {
		rate = sw.first()
	}
	return runner.Load{Rate: rate, Ramp: l.Ramp, Arrivals: l.Arrivals, Trace: s.trace}, nil
}

// readTrace reads the trace to replay, once for the session, so that a
// broken file is an error before any load. Each request carries its row,
// which tasks read as self.arrival.
func (s *Session) readTrace() error {
	l := s.cfg.Load
	if l.TracePath == "" {
		return nil
	}
	tok, err := tokenize.Load(s.cfg.Tokenizer)
	if err != nil {
		return fmt.Errorf("trace %s: %w", l.TracePath, err)
	}
	tr, err := dataset.ReadTrace(l.TracePath, tok, dataset.TraceOptions{Seed: l.Arrivals.Seed})
	if err != nil {
		return err
	}
	speed := l.TraceSpeed
	if speed <= 0 {
		speed = 1
	}
	s.trace = make([]arrival.Timed, len(tr.Entries))
	for i, e := range tr.Entries {
		s.trace[i] = arrival.Timed{At: time.Duration(float64(e.At) / speed), Payload: e.Row}
	}
	last := tr.Entries[len(tr.Entries)-1].At
	s.cfg.Logf("INFO", "llmlocust.main", "replaying %d requests of %s over %s (speed %g)",
		len(tr.Entries), l.TracePath, time.Duration(float64(last)/speed).Round(time.Millisecond), speed)
	return nil
}

// openLoop says whether the test's users send on schedules: then they
// are slots for the requests in flight rather than a load of their own.
func (s *Session) openLoop() bool {
	if s.cfg.Load.Rate > 0 || s.trace != nil || s.sweepSpec != nil && s.sweepSpec.Mode == SweepRate {
		return true
	}
	for _, c := range s.classes {
		if runner.RateOf(c) > 0 {
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
	return allAtOnce(t.Users)
}

// startWarmup begins the test's warm-up, if it has one. s.mu is held.
func (s *Session) startWarmup() {
	if s.warmup != nil {
		s.warmup.Stop()
		s.warmup = nil
	}
	l := s.cfg.Load
	s.stats.StartWarmup(l.WarmupRequests, l.Warmup > 0)
	if l.Warmup > 0 {
		s.warmup = time.AfterFunc(l.Warmup, func() {
			s.daemon.Flush()
			s.stats.EndWarmup(time.Now())
			s.cfg.Logf("INFO", "llmlocust.main", "warm-up over after %s: the figures start now", l.Warmup)
		})
	}
}
