package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/script"
	"github.com/llmlocust/llmlocust/webui"
)

// web runs the web UI until Ctrl-C (or --autoquit after a test), then
// writes the outputs like a headless run.
func web(ctx context.Context, plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, stdout, stderr io.Writer) (code int) {
	return runWeb(ctx, plan, opts, vals, in, stdout, stderr, nil)
}

func runWeb(ctx context.Context, plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, stdout, stderr io.Writer, dist *distributed) (code int) {
	secrets, stdout, stderr, log, done, err := openConsole(stdout, stderr, opts)
	defer done()
	if err != nil {
		return fail(stderr, err)
	}
	auth, err := basicAuth(opts.WebAuth)
	if err != nil {
		return fail(stderr, err)
	}
	host := opts.WebHost
	if err := webui.CheckBind(host, auth != nil, opts.WebInsecure); err != nil {
		return fail(stderr, err)
	}
	var hooks []func(*run.Config)
	if dist != nil {
		hooks = append(hooks, dist.hook)
	}
	s, err := newSession(plan, opts, vals, in, log, secrets, stdout, stderr, true, hooks...)
	if err != nil {
		return fail(stderr, err)
	}
	var workers func() []webui.WorkerRow
	if dist != nil {
		defer dist.finish(log)
		// The UI's Start waits for workers; --autostart waits for
		// --expect-workers first, as Locust's does.
		if err := dist.ready(ctx, s, log, opts.Autostart); err != nil {
			_, _ = s.Close()
			return fail(stderr, err)
		}
		workers = dist.workers
	}
	srv, err := webui.New(webui.Config{
		Session: s, Plan: plan, Options: vals, Users: opts.Users, SpawnRate: opts.SpawnRate, RunTime: opts.RunTime,
		Scenario: plan.File, BasePath: opts.WebBasePath,
		Auth: auth, Version: version, Logs: log.recent, Logf: log.levelf, Index: webui.Frontend(),
		CSVPrefix: opts.CSV, FullHistory: opts.CSVFullHistory, Sweep: opts.Sweep, StepTime: opts.StepTime,
		Workers: workers,
	})
	if err != nil {
		_, _ = s.Close()
		return fail(stderr, err)
	}
	defer finishOnPanic(&code, s, opts, log, stdout, stderr)
	addr := net.JoinHostPort(host, strconv.Itoa(opts.WebPort))
	served := make(chan error, 1)
	go func() { served <- srv.Listen(addr) }()
	log.log(LevelInfo, "llmlocust.main", "Starting web interface at http://%s%s/ (press Ctrl-C to quit)", addr, strings.TrimRight(opts.WebBasePath, "/"))
	if webui.Frontend() == nil {
		log.log(LevelWarning, "llmlocust.main", "this binary was built without the web frontend: run `make build`")
	}
	if opts.Autostart {
		if err := s.Start(cliTest(opts)); err != nil {
			log.log(LevelError, "llmlocust.main", "starting the test: %v", err)
		}
	}
	select {
	case err := <-served:
		if err != nil {
			_, _ = s.Close()
			return fail(stderr, fmt.Errorf("serving the web UI on %s: %w", addr, err))
		}
	case <-ctx.Done():
		log.log(LevelInfo, "llmlocust.main", "shutting down")
		stopOnSignal(ctx, s, log)
	case <-autoquit(s, opts.Autoquit):
		log.log(LevelInfo, "llmlocust.main", "--autoquit: the test has ended, shutting down")
	}
	_ = srv.Shutdown()
	return finish(s, opts, log, stdout, stderr)
}

// autoquit is closed the given seconds after a test has ended; never
// when seconds is negative (the default).
func autoquit(s *run.Session, seconds int) <-chan struct{} {
	done := make(chan struct{})
	if seconds < 0 {
		return done
	}
	go func() {
		for {
			if st := s.State(); st == runner.StateStopped {
				time.Sleep(time.Duration(seconds) * time.Second)
				close(done)
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	return done
}

// basicAuth reads --web-auth user:pass.
func basicAuth(spec string) (*webui.BasicAuth, error) {
	if spec == "" {
		return nil, nil
	}
	user, pass, ok := strings.Cut(spec, ":")
	if !ok || user == "" || pass == "" {
		return nil, fmt.Errorf("--web-auth must be user:password")
	}
	return &webui.BasicAuth{User: user, Pass: pass}, nil
}
