package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/cmd/llmlocust/config"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/engine/tokenize"
	"github.com/llmlocust/llmlocust/script"
)

// Console intervals, as Locust's: a live line every 2 s, CSV every 1 s.
const (
	liveInterval = 2 * time.Second
	csvInterval  = time.Second
)

// session is one headless run: the scenario, its users and its outputs.
type session struct {
	plan   *script.Plan
	vals   *config.Values
	log    *logger
	stats  *stats.RequestStats
	daemon *metrics.Daemon
	runner *runner.Runner
	csv    *output.CSVWriter
	mock   *mock.Server
	mockAt string
	host   string
	start  time.Time
	stdout io.Writer
	stderr io.Writer
}

func headless(ctx context.Context, plan *script.Plan, vals *config.Values, in config.Input, stdout, stderr io.Writer) int {
	if !vals.Bool("headless") {
		return fail(stderr, fmt.Errorf("the web UI is not available yet: run with --headless"))
	}
	log, err := newLogger(stderr, vals.String("loglevel"), vals.String("logfile"))
	if err != nil {
		return fail(stderr, err)
	}
	defer log.close()
	s := &session{plan: plan, vals: vals, log: log, stdout: stdout, stderr: stderr}
	if err := s.prepare(in); err != nil {
		s.closeMock()
		return fail(stderr, err)
	}
	defer s.closeMock()
	s.run(ctx)
	return s.finish()
}

// prepare does everything that can fail before load is sent.
func (s *session) prepare(in config.Input) error {
	host := s.vals.String("host")
	if s.plan.NeedsMock(host) {
		cfg := mock.DefaultConfig()
		// The simulator counts prompt tokens with the run's tokenizer, so
		// its usage agrees with ours.
		if tok, err := tokenize.Load(s.vals.String("tokenizer")); err == nil {
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
		s.mock, s.mockAt = m, url
		s.log.log(LevelInfo, "llmlocust.mock", "simulated LLM server listening on %s (host \"mock\")", url)
	}
	s.host = host
	s.start = time.Now()
	s.stats = stats.New(s.start)
	s.daemon = metrics.NewDaemon(s.stats)
	env := s.env(in)
	classes, err := s.plan.UserClasses(env)
	if err != nil {
		return err
	}
	s.runner, err = runner.New(classes, runner.Options{
		StopTimeout:        s.vals.Duration("stop-timeout"),
		RunTime:            s.vals.Duration("run-time"),
		OnTestStart:        func() { s.plan.FireTestStart(s.exception) },
		OnTestStop:         func() { s.plan.FireTestStop(s.exception) },
		OnSpawningComplete: s.spawningComplete,
		OnUserError: func(class string, err error) {
			s.log.log(LevelError, "llmlocust.runner", "user %s: %v", class, err)
			s.exception(fmt.Sprintf("user %s: %v", class, err), "")
		},
		Logf: s.log.logf(LevelInfo, "llmlocust.runner"),
	})
	if err != nil {
		return err
	}
	if prefix := s.vals.String("csv"); prefix != "" {
		if s.csv, err = output.NewCSVWriter(prefix, s.vals.Bool("csv-full-history")); err != nil {
			return fmt.Errorf("writing CSV files: %w", err)
		}
	}
	return nil
}

func (s *session) env(in config.Input) *script.Env {
	env := &script.Env{
		Host:         s.host,
		Classes:      s.vals.Positional(),
		Tags:         s.vals.List("tags"),
		ExcludeTags:  s.vals.List("exclude-tags"),
		EqualWeights: s.vals.Bool("equal-weights"),
		Values:       optionValues(s.vals),
		Sink:         s.daemon,
		Daemon:       s.daemon,
		Tokenizer:    s.vals.String("tokenizer"),
		Exception:    s.exception,
		StopTest: func() {
			s.log.log(LevelInfo, "llmlocust.runner", "the scenario asked to stop the test")
			s.runner.Stop()
		},
		Logf:   s.log.logf(LevelInfo, "llmlocust.user"),
		Getenv: in.Getenv,
	}
	if env.Getenv == nil {
		env.Getenv = func(string) (string, bool) { return "", false }
	}
	env.MockURL = s.mockAt
	return env
}

func (s *session) exception(msg, traceback string) {
	s.stats.LogException(msg, traceback, "local")
}

func (s *session) spawningComplete(users int) {
	if s.vals.Bool("reset-stats") {
		s.log.log(LevelInfo, "llmlocust.runner", "resetting stats")
		s.daemon.Flush()
		s.stats.Reset(time.Now())
	}
}

// run starts the users and waits until the test stops, by itself, by its
// run time, or by Ctrl-C, printing the live line and writing CSV rows.
func (s *session) run(ctx context.Context) {
	var err error
	if shape := s.plan.Shape(s.exception); shape != nil {
		s.log.log(LevelInfo, "llmlocust.main", "the scenario's load shape sets the user count and spawn rate")
		err = s.runner.StartShape(shape)
	} else {
		err = s.runner.Start(s.vals.Int("users"), s.vals.Float("spawn-rate"))
	}
	if err != nil {
		s.log.log(LevelError, "llmlocust.main", "starting the test: %v", err)
		return
	}
	stopped := s.runner.Stopped()
	live := time.NewTicker(liveInterval)
	defer live.Stop()
	csvTick := time.NewTicker(csvInterval)
	defer csvTick.Stop()
	for {
		select {
		case <-stopped:
			return
		case <-ctx.Done():
			s.log.log(LevelInfo, "llmlocust.main", "interrupted: stopping users, then writing the results")
			s.runner.Quit()
			return
		case <-live.C:
			if !s.vals.Bool("only-summary") {
				s.printLive()
			}
		case <-csvTick.C:
			s.writeCSV()
		}
	}
}

func (s *session) snapshot() *stats.Snapshot {
	return s.stats.Snapshot(time.Now())
}

func (s *session) printLive() {
	snap := s.snapshot()
	b := s.daemon.Backlog()
	line := output.LiveLine(snap, output.Live{
		Users: s.runner.UserCount(), TargetUsers: s.runner.TargetUserCount(),
		State: string(s.runner.State()), Elapsed: time.Since(s.start),
		Backlog: output.Backlog{Queued: b.Queued, Oldest: b.Oldest, Saturated: b.Saturated()},
	})
	fmt.Fprintln(s.stderr, line)
}

func (s *session) writeCSV() {
	if s.csv == nil {
		return
	}
	if err := s.csv.Tick(s.snapshot(), s.runner.UserCount()); err != nil {
		s.log.log(LevelError, "llmlocust.main", "writing CSV files: %v", err)
	}
}

// finish waits for the last Records, prints the final tables and writes
// every file, then says how the run went.
func (s *session) finish() int {
	s.runner.Quit()
	s.daemon.Close()
	end := time.Now()
	snap := s.stats.Snapshot(end)
	tables := s.stdout
	if s.vals.Bool("json") {
		tables = s.stderr // stdout carries the JSON summary
	}
	output.PrintStats(tables, snap)
	output.PrintPercentiles(tables, snap)
	output.PrintErrors(tables, snap)
	output.PrintExceptions(tables, snap)
	output.PrintLLM(tables, snap)
	if snap.Cancelled > 0 {
		fmt.Fprintf(tables, "%d requests in flight were cancelled when their users stopped; they are not counted (give -s/--stop-timeout to let users finish)\n", snap.Cancelled)
	}
	failed := false
	if s.csv != nil {
		if err := s.csv.Close(snap, s.runner.UserCount()); err != nil {
			s.log.log(LevelError, "llmlocust.main", "writing CSV files: %v", err)
			failed = true
		}
	}
	peak := s.daemon.Peak()
	if peak.Saturated() {
		s.log.log(LevelWarning, "llmlocust.main", "the client was saturated: the metrics daemon fell up to %s behind (%d chunks queued); give the run more CPU or fewer users, as timings may be late", peak.Oldest.Round(time.Millisecond), peak.Queued)
	}
	info := output.RunInfo{Start: s.start, End: end, Host: s.shownHost(), Scenario: s.plan.File, UserCount: s.runner.TargetUserCount(),
		Backlog: output.Backlog{Queued: peak.Queued, Oldest: peak.Oldest, Saturated: peak.Saturated()}}
	if s.vals.Bool("json") {
		if err := output.WriteSummary(s.stdout, info, snap); err != nil {
			s.log.log(LevelError, "llmlocust.main", "writing the JSON summary: %v", err)
			failed = true
		}
	}
	if path := s.vals.String("json-file"); path != "" {
		if err := writeFile(path, func(w io.Writer) error { return output.WriteSummary(w, info, snap) }); err != nil {
			s.log.log(LevelError, "llmlocust.main", "writing the JSON summary: %v", err)
			failed = true
		}
	}
	code := exitCode(snap.Total.NumFailures, int64(len(snap.Exceptions)), s.vals.Int("exit-code-on-error"))
	if failed && code == exitOK {
		code = s.vals.Int("exit-code-on-error")
	}
	return code
}

func (s *session) shownHost() string {
	if s.host != "" {
		return s.host
	}
	hosts := map[string]bool{}
	var list []string
	for _, c := range s.plan.Classes {
		if !hosts[c.Host] {
			hosts[c.Host] = true
			list = append(list, c.Host)
		}
	}
	return strings.Join(list, ", ")
}

func (s *session) closeMock() {
	if s.mock != nil {
		_ = s.mock.Close()
	}
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
