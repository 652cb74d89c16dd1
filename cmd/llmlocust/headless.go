package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/secret"
	"github.com/llmlocust/llmlocust/engine/session"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/script"
	"github.com/llmlocust/llmlocust/webui"
)

// Console intervals, as Locust's: a live line every 2 s, CSV every 1 s.
const (
	liveInterval = 2 * time.Second
	csvInterval  = time.Second
)

// newSession makes the session of a run from its option values; secrets
// is what every output of the run goes through.
func newSession(plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, log *logger, secrets *secret.Scrubber) (*session.Session, error) {
	return session.New(session.Config{
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
		StopTimeout:    opts.StopTimeout,
		ResetStats:     opts.ResetStats,
		Getenv:         in.Getenv,
		CSVPrefix:      opts.CSV,
		CSVFullHistory: opts.CSVFullHistory,
		Logf:           log.levelf,
	})
}

func headless(ctx context.Context, plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, stdout, stderr io.Writer) (code int) {
	secrets, stdout, stderr, log, done, err := openConsole(stdout, stderr, opts)
	defer done()
	if err != nil {
		return fail(stderr, err)
	}
	s, err := newSession(plan, opts, vals, in, log, secrets)
	if err != nil {
		return fail(stderr, err)
	}
	test := session.Test{Users: opts.Users, SpawnRate: opts.SpawnRate, RunTime: opts.RunTime}
	if err := s.Start(test); err != nil {
		_, _ = s.Close()
		return fail(stderr, err)
	}
	var srv *webui.Server
	if opts.HTML != "" {
		// The report's charts come from the history the web server keeps.
		if srv, err = webui.New(webui.Config{Session: s, Options: vals, Users: opts.Users, SpawnRate: opts.SpawnRate, RunTime: opts.RunTime,
			Scenario: plan.File, Version: version, Index: webui.Frontend(), Logf: log.levelf}); err != nil {
			_, _ = s.Close()
			return fail(stderr, err)
		}
	}
	defer finishOnPanic(&code, s, plan, opts, log, stdout, stderr, srv)
	watch(ctx, s, opts.OnlySummary, log, stderr)
	return finish(s, plan, opts, log, stdout, stderr, srv)
}

// watch waits until the test stops, by itself, by its run time, or by
// Ctrl-C, printing the live line and writing CSV rows meanwhile.
func watch(ctx context.Context, s *session.Session, quiet bool, log *logger, stderr io.Writer) {
	live := time.NewTicker(liveInterval)
	defer live.Stop()
	csvTick := time.NewTicker(csvInterval)
	defer csvTick.Stop()
	for {
		select {
		case <-s.Stopped():
			return
		case <-ctx.Done():
			stopOnSignal(ctx, s, log)
			return
		case <-live.C:
			if !quiet {
				fmt.Fprintln(stderr, liveLine(s))
			}
		case <-csvTick.C:
			if err := s.WriteCSV(); err != nil {
				log.log(LevelError, "llmlocust.main", "writing CSV files: %v", err)
			}
		}
	}
}

func liveLine(s *session.Session) string {
	b := s.Backlog()
	start, end := testSpan(s)
	st := s.State()
	return output.LiveLine(s.Snapshot(), output.Live{
		Users: s.UserCount(), TargetUsers: s.TargetUserCount(), State: string(st),
		Elapsed: end.Sub(start), Backlog: backlogOf(b), Stopped: st == runner.StateStopped,
	})
}

// testSpan is when the test started and ended, or now while it runs.
func testSpan(s *session.Session) (start, end time.Time) {
	start, end = s.Times()
	if end.IsZero() {
		end = time.Now()
	}
	return start, end
}

// finish waits for the last Records, prints the final tables and writes
// every file, then says how the run went.
func finish(s *session.Session, plan *script.Plan, opts *options.Run, log *logger, stdout, stderr io.Writer, srv *webui.Server) int {
	users := s.TargetUserCount()
	snap, err := s.Close()
	if !opts.OnlySummary {
		// A last live line with the final figures, so that the last one
		// seen agrees with the tables (cancellations happen at the stop).
		fmt.Fprintln(stderr, liveLine(s))
	}
	failed := false
	if err != nil {
		log.log(LevelError, "llmlocust.main", "finishing the run: %v", err)
		failed = true
	}
	tables := stdout
	if opts.JSON {
		tables = stderr // stdout carries the JSON summary
	}
	printTables(tables, snap)
	peak := s.Peak()
	warnSaturated(log, peak)
	if n := s.CountsCut(); n > 0 {
		log.log(LevelWarning, "llmlocust.main", "%d requests were still having their client-side token counts made when the run ended (texts too large to count within %s): they keep the server's or the chunks' token counts", n, metrics.CountGrace)
	}
	start, end := testSpan(s)
	info := output.RunInfo{Start: start, End: end, Host: shownHost(s, plan), Scenario: plan.File, UserCount: users,
		Backlog: backlogOf(peak)}
	if opts.JSON {
		if err := output.WriteSummary(stdout, info, snap); err != nil {
			log.log(LevelError, "llmlocust.main", "writing the JSON summary: %v", err)
			failed = true
		}
	}
	if path := opts.JSONFile; path != "" {
		if err := writeFile(path, s.Secrets(), func(w io.Writer) error { return output.WriteSummary(w, info, snap) }); err != nil {
			log.log(LevelError, "llmlocust.main", "writing the JSON summary: %v", err)
			failed = true
		}
	}
	if path := opts.HTML; path != "" && srv != nil {
		if err := writeReport(srv, htmlPath(path, opts), s.Secrets()); err != nil {
			log.log(LevelError, "llmlocust.main", "writing the HTML report: %v", err)
			failed = true
		}
	}
	code := exitCode(snap.Total.NumFailures, int64(len(snap.Exceptions)), opts.ExitCodeOnError)
	if failed && code == exitOK {
		code = opts.ExitCodeOnError
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

// shownHost is the host the run aimed at, or its classes' hosts.
func shownHost(s *session.Session, plan *script.Plan) string {
	if h := s.Host(); h != "" {
		return h
	}
	seen := map[string]bool{}
	var list []string
	for _, c := range plan.Classes {
		if !seen[c.Host] {
			seen[c.Host] = true
			list = append(list, c.Host)
		}
	}
	return strings.Join(list, ", ")
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

func writeReport(srv *webui.Server, path string, secrets *secret.Scrubber) error {
	page, err := srv.Report("")
	if err != nil {
		return err
	}
	return writeFile(path, secrets, func(w io.Writer) error {
		_, err := w.Write(page)
		return err
	})
}

// writeFile writes a file through secrets, so that it holds no key.
func writeFile(path string, secrets *secret.Scrubber, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := secrets.Writer(f)
	if err := errors.Join(write(w), w.Flush()); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
