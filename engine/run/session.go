// Package run runs the tests of one scenario, one after another, as a
// Session: it binds the plan (an interface; the run knows no Lua) to a host
// and the option values, starts the simulated server when asked to, spawns
// users through a runner, feeds the metrics daemon, the stats and the
// timeline, and ticks the outputs. Headless runs and the web UI drive it
// alike.
package run

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmlocust/llmlocust/engine/arrival"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/secret"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/engine/timeline"
	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// Config is what every test of the session shares.
type Config struct {
	Plan Plan
	// Options reads a scenario option by its Lua name, as it stands when
	// read (the web form may change it between tests).
	Options func(name string) (any, bool)
	// Secrets masks secrets in everything the run writes: the session
	// teaches it the secret options' values, users the credentials their
	// requests send. nil makes one.
	Secrets *secret.Scrubber
	// Host is the default host (-H); a test may name another.
	Host         string
	Classes      []string // user classes to run; empty runs all
	Tags         []string
	ExcludeTags  []string
	EqualWeights bool
	Tokenizer    string
	StopTimeout  time.Duration
	ResetStats   bool // reset the stats once all users have started
	Getenv       func(string) (string, bool)

	// Limits bound what requests and the metrics daemon may hold; zero
	// fields take the defaults.
	Limits metrics.Limits

	// Load is the open-loop load and the warm-up of every test.
	Load Load

	// CSVPrefix, when set, keeps Locust's CSV files (and ours) under that
	// prefix, rewritten every second.
	CSVPrefix      string
	CSVFullHistory bool

	// OnRecord, when set, is given every Record as it reaches the stats,
	// on the metrics daemon's goroutine: it must not block (copy, queue,
	// return). The Record is not to be changed.
	OnRecord func(r *record.Record)

	// OnSpawningComplete, when set, is told the running user count each
	// time a test reaches its target; OnException of each error a user's
	// script raised. Both run on the runner's goroutines and must not block.
	OnSpawningComplete func(users int)
	OnException        func(msg, traceback string)

	// Remote, when set, makes each test's Driver instead of a local
	// runner: a master's, whose users run on its workers. It gets the
	// scenario's classes and the options a runner would.
	Remote func(host string, classes []runner.UserClass, opts runner.Options) (Driver, error)

	// Logf writes a log line at a level ("INFO", "WARNING", "ERROR") for a
	// logger name ("llmlocust.runner").
	Logf func(level, name, format string, args ...any)

	// Summary is what the JSON summary holds beyond the stats: the
	// scenario's name, the percentiles, the SLOs and the checks.
	Summary SummaryConfig
}

// Test is what starting a test asks for.
type Test struct {
	Users     int
	SpawnRate float64
	Host      string        // "" for the session's host
	RunTime   time.Duration // 0 until stopped
	// Sweep, when set, runs the test in steps (--sweep); its steps set
	// the length of the test, RunTime is ignored.
	Sweep *Sweep
	// Classes, when set, are the users per class to run at once, as a
	// master sends its workers; Users and SpawnRate are then ignored.
	Classes map[string]int
	// Own names the secret options whose values came with the test (typed
	// into the web form): only those reach a host the operator did not
	// name.
	Own []string
}

// Session is one scenario's tests. Its methods are safe for concurrent use.
type Session struct {
	cfg      Config
	stats    *stats.RequestStats
	daemon   *metrics.Daemon
	timeline *timeline.Timeline
	outputs  *output.Manager
	keys     keys // the secrets and which of them the current test may read
	// sweep is the current (or last) test's sweep, nil without; the tee
	// hands it every Record.
	sweep atomic.Pointer[sweepRun]

	mu      sync.Mutex
	runner  Driver
	host    string
	start   time.Time
	end     time.Time
	mock    *mock.Server
	mockURL string
	test    *Test // what the current (or last) test was asked for
	warmup  *time.Timer
	classes []runner.UserClass // the current test's
	trace   []arrival.Timed    // the trace to replay; nil for none
	// exitCode is what the last test's test_stop listeners asked the
	// process to exit with; nil when they asked nothing.
	exitCode *int
	summary  *output.Summary // the final one, once closed
	// sweepSpec is the sweep of the test being started, for its load.
	sweepSpec *Sweep
}

// New prepares a session; nothing is sent until Start.
func New(cfg Config) (*Session, error) {
	if cfg.Logf == nil {
		cfg.Logf = func(string, string, string, ...any) {}
	}
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) (string, bool) { return "", false }
	}
	now := time.Now()
	s := &Session{cfg: cfg, stats: stats.New(now), timeline: timeline.NewWithPercentiles(cfg.Summary.Percentiles), host: cfg.Host, start: now}
	s.stats.SetSLO(cfg.Summary.SLO)
	s.daemon = metrics.NewDaemonWithLimits(tee{s.stats, s.timeline, cfg.OnRecord, &s.sweep}, cfg.Limits)
	s.daemon.OnPanic(func(v any, stack []byte) {
		cfg.Logf("ERROR", "llmlocust.metrics", "internal error (a bug in llmlocust; the request failed, the run goes on): %v\n%s", v, stack)
	})
	s.initKeys()
	if err := s.readTrace(); err != nil {
		s.daemon.Close()
		return nil, err
	}
	if err := s.initOutputs(); err != nil {
		s.daemon.Close()
		return nil, err
	}
	return s, nil
}

// Errors of Start.
var (
	ErrStopping = runner.ErrStopping
)

// Start starts a test or, while one runs, moves it to a new user count
// and spawn rate without clearing its stats (the web UI's Edit). A new
// test after a stopped one starts with fresh stats, as in Locust.
func (s *Session) Start(t Test) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runner; r != nil {
		switch r.State() {
		case runner.StateSpawning, runner.StateRunning:
			if t.Classes != nil {
				return r.StartClasses(t.Classes)
			}
			if err := s.editable(t); err != nil {
				return err
			}
			if err := r.Start(t.Users, t.SpawnRate); err != nil {
				return err
			}
			// An edit changes the numbers; host and run time stay the test's.
			s.test.Users, s.test.SpawnRate = t.Users, t.SpawnRate
			s.grantKeys(s.host, t.Own, true)
			return nil
		case runner.StateStopping:
			return ErrStopping
		}
	}
	host := t.Host
	if host == "" {
		host = s.cfg.Host
	}
	if err := s.prepareSweep(&t); err != nil {
		return err
	}
	// Binding runs the scenario's top level, which reads options too.
	s.grantKeys(host, t.Own, false)
	r, err := s.newRunner(host, t.RunTime)
	if err != nil {
		return err
	}
	s.warnKeys(host)
	// Every test starts its stats when it starts, as Locust's /swarm does:
	// the time the web UI sat idle before it, or a previous test, is not
	// part of its rates.
	s.Reset()
	s.runner, s.host, s.start, s.end = r, host, time.Now(), time.Time{}
	s.exitCode = nil
	s.test = &Test{Users: t.Users, SpawnRate: t.SpawnRate, Host: host, RunTime: t.RunTime, Sweep: t.Sweep}
	s.sweep.Store(nil)
	s.outputs.Align()
	s.startWarmup()
	if t.Classes != nil {
		return r.StartClasses(t.Classes)
	}
	if t.Sweep != nil {
		return s.startSweep(r, t)
	}
	if shape := s.cfg.Plan.Shape(s.exception); shape != nil {
		s.cfg.Logf("INFO", "llmlocust.main", "the scenario's load shape sets the user count and spawn rate")
		return r.StartShape(shape)
	}
	return r.Start(t.Users, s.spawnRate(t))
}

// editable refuses an edit of the running test that a sweep drives, or
// that would start a sweep.
func (s *Session) editable(t Test) error {
	switch {
	case s.sweepRunning():
		return ErrSweepActive
	case t.Sweep != nil:
		return runner.ErrRunning
	}
	return nil
}

// newRunner binds the plan to host and makes the test's runner.
func (s *Session) newRunner(host string, runTime time.Duration) (Driver, error) {
	if err := s.ensureMock(host); err != nil {
		return nil, err
	}
	classes, err := s.cfg.Plan.UserClasses(s.binding(host))
	if err != nil {
		return nil, err
	}
	load, err := s.runnerLoad()
	if err != nil {
		return nil, err
	}
	s.classes = classes
	newDriver := s.cfg.Remote
	if newDriver == nil {
		newDriver = func(_ string, classes []runner.UserClass, opts runner.Options) (Driver, error) {
			return runner.New(classes, opts)
		}
	}
	return newDriver(host, classes, runner.Options{
		StopTimeout:        s.cfg.StopTimeout,
		RunTime:            runTime,
		OnTestStart:        func() { s.cfg.Plan.FireTestStart(s.exception) },
		OnTestStop:         s.testStopped,
		OnSpawningComplete: s.spawningComplete,
		OnUserError: func(class string, err error) {
			s.cfg.Logf("ERROR", "llmlocust.runner", "user %s: %v", class, err)
			s.exception(fmt.Sprintf("user %s: %v", class, err), "")
		},
		Logf: func(format string, args ...any) { s.cfg.Logf("INFO", "llmlocust.runner", format, args...) },
		Load: load,
	})
}

func (s *Session) binding(host string) *Binding {
	return &Binding{
		Host:         host,
		MockURL:      s.mockURL,
		Classes:      s.cfg.Classes,
		Tags:         s.cfg.Tags,
		ExcludeTags:  s.cfg.ExcludeTags,
		EqualWeights: s.cfg.EqualWeights,
		Values:       s.option,
		Records:      s.daemon,
		Daemon:       s.daemon,
		Tokenizer:    s.cfg.Tokenizer,
		Exception:    s.exception,
		StopTest: func() {
			s.cfg.Logf("INFO", "llmlocust.runner", "the scenario asked to stop the test")
			s.Stop()
		},
		Logf:    func(format string, args ...any) { s.cfg.Logf("INFO", "llmlocust.user", format, args...) },
		Errorf:  func(format string, args ...any) { s.cfg.Logf("ERROR", "llmlocust.user", format, args...) },
		Getenv:  s.cfg.Getenv,
		Secrets: s.keys.scrub,
	}
}

// ensureMock starts the built-in simulated server the first time a test
// aims at it.
func (s *Session) ensureMock(host string) error {
	if s.mock != nil || !needsSimulator(s.cfg.Plan, host) {
		return nil
	}
	cfg := mock.DefaultConfig()
	// The simulator counts prompt tokens with the run's tokenizer, so its
	// usage agrees with ours.
	if tok, err := tokenize.Load(s.cfg.Tokenizer); err == nil {
		cfg.PromptTokens = tok.Count
	}
	m, err := mock.New(cfg)
	if err != nil {
		return fmt.Errorf("starting the simulated LLM server: %w", err)
	}
	url, err := m.Listen("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("starting the simulated LLM server: %w", err)
	}
	s.mock, s.mockURL = m, url
	s.cfg.Logf("INFO", "llmlocust.mock", "simulated LLM server listening on %s (host \"mock\")", url)
	return nil
}

func (s *Session) exception(msg, traceback string) {
	s.stats.LogException(msg, traceback, "local")
	if s.cfg.OnException != nil {
		s.cfg.OnException(msg, traceback)
	}
}

func (s *Session) spawningComplete(users int) {
	if s.cfg.OnSpawningComplete != nil {
		defer s.cfg.OnSpawningComplete(users)
	}
	// A users sweep spawns at every step; the stats reset at its first.
	if i, ok := s.sweepStep(); s.cfg.ResetStats && (!ok || i == 0) {
		s.cfg.Logf("INFO", "llmlocust.runner", "resetting stats")
		s.Reset()
	}
}

func (s *Session) testStopped() {
	end := time.Now()
	s.haltSweep()
	s.stats.Stop(end)
	s.mu.Lock()
	s.end = end
	s.mu.Unlock()
	// The listeners read the summary of the test as its file will have
	// it: every Record of the stopped users counted first.
	s.daemon.Flush()
	code := s.cfg.Plan.FireTestStop(s.exception, s.Summary(s.finalSample()))
	s.mu.Lock()
	s.exitCode = code
	s.mu.Unlock()
}

// Stop begins stopping the test's users and returns at once.
func (s *Session) Stop() {
	s.haltSweep()
	if r := s.current(); r != nil {
		r.Stop()
	}
}

// Cancel stops the test's users at once, cancelling the requests in
// flight, and returns at once.
func (s *Session) Cancel() {
	s.haltSweep()
	if r := s.current(); r != nil {
		r.Cancel()
	}
}

// Quit stops the test and waits until every user has returned and every
// Record has reached the stats.
func (s *Session) Quit() {
	s.haltSweep()
	if r := s.current(); r != nil {
		r.Quit()
	}
	s.daemon.Flush()
}

// Reset clears the stats (Locust's Reset button and --reset-stats).
func (s *Session) Reset() {
	s.daemon.Flush()
	s.stats.Reset(time.Now())
}

func (s *Session) current() Driver {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runner
}

// State is the state of the current test, "ready" before the first.
func (s *Session) State() runner.State {
	if r := s.current(); r != nil {
		return r.State()
	}
	return runner.StateReady
}

// Stopped is closed when the current test has stopped; nil before the
// first test.
func (s *Session) Stopped() <-chan struct{} {
	if r := s.current(); r != nil {
		return r.Stopped()
	}
	return nil
}

// UserCount is how many users run now.
func (s *Session) UserCount() int {
	if r := s.current(); r != nil {
		return r.UserCount()
	}
	return 0
}

// TargetUserCount is the user count the test moves to.
func (s *Session) TargetUserCount() int {
	if r := s.current(); r != nil {
		return r.TargetUserCount()
	}
	return 0
}

// UserClassesCount is how many users of each class run now.
func (s *Session) UserClassesCount() map[string]int {
	if r := s.current(); r != nil {
		return r.UserClassesCount()
	}
	return map[string]int{}
}

// Snapshot is a copy of the stats now.
func (s *Session) Snapshot() *stats.Snapshot { return s.stats.Snapshot(time.Now()) }

// Backlog is the metrics daemon's queue now; Peak the largest it was.
func (s *Session) Backlog() metrics.Backlog { return s.daemon.Backlog() }

// CountsCut is how many requests' client-side token counts were cut
// short because the test ended before they were done.
func (s *Session) CountsCut() int64 { return s.daemon.CountsCut() }

// Peak is the largest backlog of the metrics daemon so far.
func (s *Session) Peak() metrics.Backlog { return s.daemon.Peak() }

// Host is the host of the current (or last) test.
func (s *Session) Host() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.host
}

// Test is what the current (or last) test was asked for, its host
// resolved and its user count and spawn rate as last edited; ok is false
// before the first test.
func (s *Session) Test() (t Test, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.test == nil {
		return Test{}, false
	}
	return *s.test, true
}

// Times are when the current test started and, once it stopped, ended.
func (s *Session) Times() (start, end time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.start, s.end
}

// Close waits for the last Records, closes the outputs with the final
// figures and stops the simulated server; it returns the final stats.
func (s *Session) Close() (*stats.Snapshot, error) {
	s.Quit()
	s.daemon.Close()
	final := s.finalSample()
	summary := s.Summary(final)
	err := s.outputs.Close(final)
	s.mu.Lock()
	m := s.mock
	s.summary = summary
	s.mu.Unlock()
	if m != nil {
		err = errors.Join(err, m.Close())
	}
	return final.Stats, err
}
