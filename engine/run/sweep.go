package run

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
)

// SweepMode says what the steps of a sweep change.
type SweepMode string

// The modes of a sweep.
const (
	// SweepUsers runs each step with a number of users, all started at
	// once: closed loop, unless the run has a request rate.
	SweepUsers SweepMode = "users"
	// SweepRate sets the run's request rate at each step, open loop; the
	// test's user count caps the requests in flight.
	SweepRate SweepMode = "rate"
)

// Sweep runs a test in steps of StepTime (--sweep, --step-time), each
// with its own figures: one step per value, or for Auto a rate that
// starts at 1 request/s and doubles until a stop rule breaks (see
// autoBreak), then one step halfway between the last two rates.
type Sweep struct {
	Mode     SweepMode
	Values   []float64 // the steps' user counts or rates; nil with Auto
	Auto     bool
	StepTime time.Duration
}

// Bounds of a sweep.
const (
	// MinStepTime is the shortest step: the outputs tick once a second.
	MinStepTime = time.Second
	// maxSettle bounds the settling time that opens each step, which is
	// a tenth of the step up to this.
	maxSettle = 5 * time.Second
	// autoStart is the first rate of rate=auto, and autoMaxSteps its most
	// steps, the last halfway step included.
	autoStart    = 1.0
	autoMaxSteps = 12
)

// ErrSweepActive means a sweep sets the running test's users or rate, so
// they cannot be edited.
var ErrSweepActive = errors.New("a sweep controls the running test")

// ParseSweep reads a sweep as --sweep writes it: users=1,2,4,8,
// rate=0.5,1,2 or rate=auto. Its error names the value at fault; the
// caller adds which option or field it came from.
func ParseSweep(spec string, stepTime time.Duration) (*Sweep, error) {
	key, list, ok := strings.Cut(strings.TrimSpace(spec), "=")
	if !ok {
		return nil, fmt.Errorf("%q is not users=… or rate=…", spec)
	}
	sw := &Sweep{Mode: SweepMode(strings.ToLower(strings.TrimSpace(key))), StepTime: stepTime}
	if sw.Mode != SweepUsers && sw.Mode != SweepRate {
		return nil, fmt.Errorf("%q: sweeps change users or rate, not %q", spec, strings.TrimSpace(key))
	}
	if err := CheckStepTime(stepTime); err != nil {
		return nil, err
	}
	if strings.EqualFold(strings.TrimSpace(list), "auto") {
		if sw.Mode != SweepRate {
			return nil, fmt.Errorf("%q: only the rate has an automatic sweep (rate=auto)", spec)
		}
		sw.Auto = true
		return sw, nil
	}
	for item := range strings.SplitSeq(list, ",") {
		v, err := sw.parseValue(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", spec, err)
		}
		sw.Values = append(sw.Values, v)
	}
	return sw, nil
}

func (sw *Sweep) parseValue(item string) (float64, error) {
	if sw.Mode == SweepUsers {
		n, err := strconv.Atoi(item)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%q is not a whole number of users above 0", item)
		}
		return float64(n), nil
	}
	v, err := strconv.ParseFloat(item, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 1) {
		return 0, fmt.Errorf("%q is not a number of requests per second above 0", item)
	}
	return v, nil
}

// CheckStepTime refuses a step too short to be measured.
func CheckStepTime(d time.Duration) error {
	if d < MinStepTime {
		return fmt.Errorf("step time %s is below %s", d, MinStepTime)
	}
	return nil
}

// String writes the sweep as --sweep reads it.
func (sw *Sweep) String() string {
	if sw.Auto {
		return string(sw.Mode) + "=auto"
	}
	vals := make([]string, len(sw.Values))
	for i, v := range sw.Values {
		vals[i] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return string(sw.Mode) + "=" + strings.Join(vals, ",")
}

// Steps is how many steps the sweep runs: at most that many for Auto.
func (sw *Sweep) Steps() int {
	if sw.Auto {
		return autoMaxSteps
	}
	return len(sw.Values)
}

func (sw *Sweep) first() float64 {
	if sw.Auto {
		return autoStart
	}
	return sw.Values[0]
}

// settle is the start of each step left out of its figures, while the
// new load settles: a tenth of the step, at most maxSettle.
func (sw *Sweep) settle() time.Duration { return min(maxSettle, sw.StepTime/10) }

// prepareSweep checks the sweep of a test about to start and says what
// it overrides. s.mu is held.
func (s *Session) prepareSweep(t *Test) error {
	s.sweepSpec = t.Sweep
	sw := t.Sweep
	if sw == nil {
		return nil
	}
	if err := CheckStepTime(sw.StepTime); err != nil {
		return err
	}
	if !sw.Auto && len(sw.Values) == 0 {
		return errors.New("the sweep has no steps")
	}
	length := fmt.Sprintf("%d steps of %s", sw.Steps(), sw.StepTime)
	if sw.Auto {
		length = "up to " + length
	}
	if t.RunTime > 0 {
		s.cfg.Logf("WARNING", "llmlocust.main", "the sweep %s runs %s: the run time of %s is ignored", sw, length, t.RunTime)
		t.RunTime = 0
	}
	if sw.Mode == SweepRate && s.cfg.Load.Rate > 0 {
		s.cfg.Logf("WARNING", "llmlocust.main", "the sweep %s sets the request rate: --request-rate %v is ignored", sw, s.cfg.Load.Rate)
	}
	return nil
}

// startSweep starts t's test on r at its sweep's first step and leaves
// the steps to a goroutine of their own. s.mu is held.
func (s *Session) startSweep(r Driver, t Test) error {
	if s.cfg.Plan.Shape(s.exception) != nil {
		s.cfg.Logf("WARNING", "llmlocust.main", "the sweep sets the load: the scenario's load shape is not used")
	}
	sw := newSweepRun(*t.Sweep, s.start, t.Users, s.cfg.Load.Rate, s.cfg.Summary)
	first := sw.begin(0, t.Sweep.first())
	users, spawn := t.Users, s.spawnRate(t)
	if t.Sweep.Mode == SweepUsers {
		users, spawn = int(first), allAtOnce(int(first))
	}
	s.cfg.Logf("INFO", "llmlocust.main", "sweep %s: %s steps, the first %s of each left out while the load settles",
		t.Sweep, t.Sweep.StepTime, t.Sweep.settle())
	s.sweep.Store(sw)
	if err := r.Start(users, spawn); err != nil {
		s.sweep.Store(nil)
		return err
	}
	go s.runSweep(sw, r)
	return nil
}

// allAtOnce is a spawn rate that starts n users together.
func allAtOnce(n int) float64 { return max(float64(n), 1) * 1000 }

// runSweep moves the test from step to step at each step's end, judges
// rate=auto's steps, and stops the test after the last.
func (s *Session) runSweep(sw *sweepRun, r Driver) {
	for i := 0; s.awaitStep(sw, r, i); i++ {
		due := sw.stepStart(i + 1)
		if sw.spec.Auto {
			// The Records of requests that ended before the step did may
			// still be in the daemon's queue: the step is judged with them.
			s.flushFor(sw.settle / 2)
		}
		fig, ok := sw.end(i, due)
		if !ok {
			s.logStep(sw, i, due)
			return // halted meanwhile
		}
		if sw.spec.Auto {
			s.logFigures(sw, i, fig)
		}
		next, more := s.nextStep(sw, i)
		if more {
			if err := s.applyStep(r, sw, next); err != nil {
				s.cfg.Logf("ERROR", "llmlocust.main", "sweep: cannot move to %s=%v, stopping the test: %v", sw.spec.Mode, next, err)
				sw.halt(time.Now())
				more = false
			}
		}
		if !sw.spec.Auto {
			// The next step's load is set: the figures can wait a moment.
			s.flushFor(time.Second)
			s.logStep(sw, i, due)
		}
		if !more {
			s.cfg.Logf("INFO", "llmlocust.main", "sweep finished after %d steps, stopping the test", i+1)
			r.Stop()
			return
		}
	}
}

// awaitStep waits for step i's end; false when the test stopped first,
// which ends the sweep there.
func (s *Session) awaitStep(sw *sweepRun, r Driver, i int) bool {
	timer := time.NewTimer(time.Until(sw.stepStart(i + 1)))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-sw.halted:
	case <-r.Stopped():
		sw.halt(time.Now())
	}
	s.logStep(sw, i, time.Now())
	return false
}

// flushFor waits until the daemon has handed on what it holds, for at
// most limit: a daemon that never empties (the client saturated) must
// not hold the sweep's steps back.
func (s *Session) flushFor(limit time.Duration) {
	done := make(chan struct{})
	go func() {
		s.daemon.Flush()
		close(done)
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// nextStep begins the step after i, or says the sweep is over.
func (s *Session) nextStep(sw *sweepRun, i int) (float64, bool) {
	next, why, ok := sw.next(i)
	if why != "" {
		s.cfg.Logf("INFO", "llmlocust.main", "sweep: %s", why)
	}
	if !ok {
		return 0, false
	}
	return sw.begin(i+1, next), true
}

func (s *Session) applyStep(r Driver, sw *sweepRun, v float64) error {
	if sw.spec.Mode == SweepRate {
		if err := r.SetRate(v); err != nil {
			return err
		}
		s.cfg.Logf("INFO", "llmlocust.runner", "sweep: request rate %v per second", v)
		return nil
	}
	return r.Start(int(v), allAtOnce(int(v)))
}

func (s *Session) logStep(sw *sweepRun, i int, now time.Time) {
	if st, ok := sw.figures(i, now); ok {
		s.logFigures(sw, i, st)
	}
}

// logFigures logs the line that closes step i: its figures as it ended.
func (s *Session) logFigures(sw *sweepRun, i int, st output.SweepStep) {
	steps := sw.spec.Steps()
	if sw.spec.Auto {
		steps = 0
	}
	s.cfg.Logf("INFO", "llmlocust.main", "%s", output.SweepStepLine(string(sw.spec.Mode), i, steps, st))
}

// haltSweep ends the sweep's step under way at now: the test is
// stopping before the sweep's end.
func (s *Session) haltSweep() {
	if sw := s.sweep.Load(); sw != nil {
		sw.halt(time.Now())
	}
}

// sweepRunning says whether a sweep drives the current test.
func (s *Session) sweepRunning() bool {
	sw := s.sweep.Load()
	return sw != nil && !sw.over()
}

// SweepStatus is the sweep of the current (or last) test as it stands.
type SweepStatus struct {
	// Sweep is its steps so far, the one under way included; nil when
	// the test does not sweep.
	Sweep *output.Sweep
	// Running says a step is under way: Current, by its index in
	// Sweep.Steps, which started CurrentStart after the test.
	Running      bool
	Current      int
	CurrentStart time.Duration
}

// SweepStatus reports on the sweep of the current (or last) test.
func (s *Session) SweepStatus() SweepStatus {
	sw := s.sweep.Load()
	if sw == nil {
		return SweepStatus{}
	}
	now := time.Now()
	st := SweepStatus{Sweep: sw.summary(now)}
	if i, ok := sw.current(); ok {
		st.Running, st.Current, st.CurrentStart = true, i, sw.stepStart(i).Sub(sw.start)
	}
	return st
}

// sweepSummary is the sweep of the current test for the outputs; nil
// without one.
func (s *Session) sweepSummary(now time.Time) *output.Sweep {
	if sw := s.sweep.Load(); sw != nil {
		return sw.summary(now)
	}
	return nil
}

// sweepStep is the index of the current sweep's step under way; ok is
// false without a sweep under way.
func (s *Session) sweepStep() (int, bool) {
	if sw := s.sweep.Load(); sw != nil {
		return sw.current()
	}
	return 0, false
}
