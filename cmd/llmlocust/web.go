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
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/session"
	"github.com/llmlocust/llmlocust/script"
	"github.com/llmlocust/llmlocust/webui"
)

// web runs the web UI until Ctrl-C (or --autoquit after a test), then
// writes the outputs like a headless run.
func web(ctx context.Context, plan *script.Plan, vals *options.Values, in options.Input, stdout, stderr io.Writer) (code int) {
	secrets, stdout, stderr, log, done, err := openConsole(stdout, stderr, vals)
	defer done()
	if err != nil {
		return fail(stderr, err)
	}
	auth, err := basicAuth(vals.String("web-auth"))
	if err != nil {
		return fail(stderr, err)
	}
	host := vals.String("web-host")
	if err := webui.CheckBind(host, auth != nil, vals.Bool("web-insecure")); err != nil {
		return fail(stderr, err)
	}
	s, err := newSession(plan, vals, in, log, secrets)
	if err != nil {
		return fail(stderr, err)
	}
	srv, err := webui.New(webui.Config{
		Session: s, Values: vals, Scenario: plan.File, BasePath: vals.String("web-base-path"),
		Auth: auth, Version: version, Logs: log.recent, Logf: log.levelf, Index: webui.Frontend(),
		CSVPrefix: vals.String("csv"), FullHistory: vals.Bool("csv-full-history"),
	})
	if err != nil {
		_, _ = s.Close()
		return fail(stderr, err)
	}
	defer finishOnPanic(&code, s, plan, vals, log, stdout, stderr, srv)
	addr := net.JoinHostPort(host, strconv.Itoa(vals.Int("web-port")))
	served := make(chan error, 1)
	go func() { served <- srv.Listen(addr) }()
	log.log(LevelInfo, "llmlocust.main", "Starting web interface at http://%s%s/ (press Ctrl-C to quit)", addr, strings.TrimRight(vals.String("web-base-path"), "/"))
	if webui.Frontend() == nil {
		log.log(LevelWarning, "llmlocust.main", "this binary was built without the web frontend: run `make build`")
	}
	if vals.Bool("autostart") {
		test := session.Test{Users: vals.Int("users"), SpawnRate: vals.Float("spawn-rate"), RunTime: vals.Duration("run-time")}
		if err := s.Start(test); err != nil {
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
	case <-autoquit(s, vals.Int("autoquit")):
		log.log(LevelInfo, "llmlocust.main", "--autoquit: the test has ended, shutting down")
	}
	_ = srv.Shutdown()
	return finish(s, plan, vals, log, stdout, stderr, srv)
}

// autoquit is closed the given seconds after a test has ended; never
// when seconds is negative (the default).
func autoquit(s *session.Session, seconds int) <-chan struct{} {
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
