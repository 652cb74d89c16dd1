package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/engine/secret"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/script"
	"github.com/llmlocust/llmlocust/webui"
)

// newSession makes the session of a run from its option values, with the
// outputs they ask for; secrets is what every output goes through, and
// web says the web UI drives the run (no live line but the last).
func newSession(plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, log *logger, secrets *secret.Scrubber,
	stdout, stderr io.Writer, web bool, hooks ...func(*run.Config)) (*run.Session, error) {
	cfg := run.Config{
		Plan:           plan,
		Options:        vals.Scenario,
		Secrets:        secrets,
		Host:           opts.Host,
		Classes:        vals.Positional(),
		Tags:           opts.Tags,
		ExcludeTags:    opts.ExcludeTags,
		EqualWeights:   opts.EqualWeights,
		Tokenizer:      opts.Tokenizer,
		Limits:         limits(opts),
		Load:           load(opts),
		StopTimeout:    opts.StopTimeout,
		ResetStats:     opts.ResetStats,
		Getenv:         in.Getenv,
		CSVPrefix:      opts.CSV,
		CSVFullHistory: opts.CSVFullHistory,
		Logf:           log.levelf,
	}
	var err error
	if cfg.Summary, err = summaryConfig(opts, plan.File); err != nil {
		return nil, err
	}
	var requests *output.RequestLog
	if path := opts.RequestsJSONL; path != "" {
		if requests, err = output.NewRequestLog(path, secrets); err != nil {
			return nil, err
		}
		cfg.OnRecord = requests.Log
	}
	for _, h := range hooks {
		h(&cfg)
	}
	s, err := run.New(cfg)
	if err != nil {
		return nil, err
	}
	if !opts.OnlySummary {
		s.AddOutput(output.NewLiveLines(stderr, !web))
	}
	if opts.JSON {
		s.AddOutput(output.NewSummaryOutput(stdout, s.Summary))
	}
	if path := opts.JSONFile; path != "" {
		s.AddOutput(output.NewSummaryFile(path, s.Summary, secrets))
	}
	if path := opts.HTML; path != "" {
		s.AddOutput(webui.NewReport(webui.Config{Session: s, Plan: plan, Options: vals, Users: opts.Users, SpawnRate: opts.SpawnRate,
			RunTime: opts.RunTime, Scenario: plan.File, Version: version, Index: webui.Frontend(), Logf: log.levelf},
			htmlPath(path, opts), secrets))
	}
	if requests != nil {
		s.AddOutput(requests)
	}
	return s, nil
}

func headless(ctx context.Context, plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, stdout, stderr io.Writer) (code int) {
	return runHeadless(ctx, plan, opts, vals, in, stdout, stderr, nil)
}

// distributed is what a master adds to a headless run: the session's
// driver, and a wait for the workers before the test starts.
type distributed struct {
	hook func(*run.Config)
	// ready readies the workers' side; wait waits for the expected ones.
	ready   func(ctx context.Context, s *run.Session, log *logger, wait bool) error
	workers func() []webui.WorkerRow
	finish  func(log *logger)
}

func runHeadless(ctx context.Context, plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, stdout, stderr io.Writer, dist *distributed) (code int) {
	secrets, stdout, stderr, log, done, err := openConsole(stdout, stderr, opts)
	defer done()
	if err != nil {
		return fail(stderr, err)
	}
	var hooks []func(*run.Config)
	if dist != nil {
		hooks = append(hooks, dist.hook)
	}
	s, err := newSession(plan, opts, vals, in, log, secrets, stdout, stderr, false, hooks...)
	if err != nil {
		return fail(stderr, err)
	}
	if dist != nil {
		defer dist.finish(log)
		if err := dist.ready(ctx, s, log, true); err != nil {
			_, _ = s.Close()
			if errors.Is(err, context.Canceled) {
				return interrupted(stderr)
			}
			return fail(stderr, err)
		}
	}
	if err := s.Start(cliTest(opts)); err != nil {
		_, _ = s.Close()
		return fail(stderr, err)
	}
	defer finishOnPanic(&code, s, opts, log, stdout, stderr)
	select {
	case <-s.Stopped():
	case <-ctx.Done():
		stopOnSignal(ctx, s, log)
	}
	code = finish(s, opts, log, stdout, stderr)
	if c, ok := s.ExitCode(); ok {
		code = c
	}
	return code
}

// finish waits for the last Records, closes every output with the final
// figures, prints the final tables, then says how the run went.
func finish(s *run.Session, opts *options.Run, log *logger, stdout, stderr io.Writer) int {
	snap, err := s.Close()
	failed := false
	if err != nil {
		log.log(LevelError, "llmlocust.main", "%v", err)
		failed = true
	}
	tables := stdout
	if opts.JSON {
		tables = stderr // stdout carries the JSON summary
	}
	printTables(tables, snap)
	_ = output.PrintSweep(tables, s.SweepStatus().Sweep)
	checksFailed := printChecks(tables, s.FinalSummary())
	warnSaturated(log, s.Peak())
	if n := s.CountsCut(); n > 0 {
		log.log(LevelWarning, "llmlocust.main", "%d requests were still having their client-side token counts made when the run ended (texts too large to count within %s): they keep the server's or the chunks' token counts", n, metrics.CountGrace)
	}
	code := exitCode(snap.Total.NumFailures, int64(len(snap.Exceptions)), opts.ExitCodeOnError)
	if failed && code == exitOK {
		code = opts.ExitCodeOnError
	}
	if checksFailed {
		code = exitChecks
	}
	return code
}

func printTables(w io.Writer, snap *stats.Snapshot) {
	_ = output.PrintStats(w, snap)
	_ = output.PrintPercentiles(w, snap)
	_ = output.PrintErrors(w, snap)
	_ = output.PrintExceptions(w, snap)
	_ = output.PrintLLM(w, snap)
	if snap.Cancelled > 0 {
		fmt.Fprintf(w, "%d requests in flight were cancelled when their users stopped; they are not counted (give -s/--stop-timeout to let users finish)\n", snap.Cancelled)
	}
}

// htmlPath fills Locust's {u}, {r} and {t} tags of --html with the user
// count, spawn rate and run time.
func htmlPath(path string, opts *options.Run) string {
	return strings.NewReplacer(
		"{u}", strconv.Itoa(opts.Users),
		"{r}", strconv.FormatFloat(opts.SpawnRate, 'f', -1, 64),
		"{t}", opts.RunTime.String(),
	).Replace(path)
}
