// Command llmlocust is Locust for LLM inference servers: it runs Lua
// scenarios shaped like locustfiles, with Locust's command line, stats and
// files, and measures streamed LLM responses as they arrive.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/script"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	in, err := options.OSInput()
	if err != nil {
		fmt.Fprintln(os.Stderr, "llmlocust:", err)
		os.Exit(exitUsage)
	}
	ctx := onSignals()
	os.Exit(guarded(os.Stderr, func() int { return runCommand(ctx, in, os.Stdout, os.Stderr) }))
}

// runCommand is the whole program with its outside world passed in, so that
// tests run it in-process. Cancelling ctx is Ctrl-C: the run stops its
// users and still writes every output (see onSignals for the second).
func runCommand(ctx context.Context, in options.Input, stdout, stderr io.Writer) int {
	// Logs, live lines and messages reach stderr from several goroutines.
	stderr = &lockedWriter{w: stderr}
	if len(in.Args) > 0 && in.Args[0] == "mock" {
		return runMock(ctx, in.Args[1:], stdout, stderr)
	}
	set, err := options.NewSet(locustOptions()...)
	if err != nil {
		return fail(stderr, err)
	}
	first, err := set.ParseKnown(in)
	if err != nil {
		return fail(stderr, err)
	}
	early := first.Run()
	if early.Version {
		fmt.Fprintf(stdout, "llmlocust %s\n", version)
		return exitOK
	}
	file := early.Locustfile
	var plan *script.Plan
	err = interruptible(ctx, func() (err error) { plan, err = script.Load(file); return err })
	if errors.Is(err, errInterrupted) {
		return interrupted(stderr)
	}
	if err != nil {
		if early.Help {
			set.Usage(stdout, "llmlocust")
			fmt.Fprintf(stdout, "\n(scenario options are listed when -f names a scenario that loads: %v)\n", err)
			return exitOK
		}
		return fail(stderr, err)
	}
	defer plan.Close()
	if err := set.Add(scenarioOptions(plan)...); err != nil {
		return fail(stderr, fmt.Errorf("%s: declaring the scenario's options: %w", plan.File, err))
	}
	vals, err := set.Parse(in)
	if err != nil {
		if early.Help {
			set.Usage(stdout, "llmlocust")
			return exitOK
		}
		return fail(stderr, err)
	}
	opts := vals.Run()
	switch {
	case opts.Help:
		set.Usage(stdout, "llmlocust")
		return exitOK
	case opts.List:
		for _, c := range plan.Classes {
			fmt.Fprintln(stdout, c.Name)
		}
		return exitOK
	case opts.ShowTaskRatio, opts.ShowTaskRatioJSON:
		return showTaskRatio(stdout, plan, &opts)
	}
	if err := checkRequired(plan, vals); err != nil {
		return fail(stderr, err)
	}
	// The whole command line and what the option values make of the
	// scenario are checked before anything starts: no simulator, no web
	// server, no load.
	if err := vals.CheckUserClasses(plan.ClassNames()); err != nil {
		return fail(stderr, err)
	}
	if _, err := summaryConfig(&opts, plan.File); err != nil {
		return fail(stderr, err)
	}
	if _, err := sweepOf(&opts); err != nil {
		return fail(stderr, err)
	}
	bind := &script.Env{Host: opts.Host, Values: vals.Scenario, Classes: vals.Positional(),
		Tokenizer: opts.Tokenizer, Getenv: in.Getenv}
	if err := interruptible(ctx, func() error { return plan.Prepare(bind) }); err != nil {
		if errors.Is(err, errInterrupted) {
			return interrupted(stderr)
		}
		return fail(stderr, err)
	}
	if opts.Master {
		return masterMode(ctx, plan, &opts, vals, in, stdout, stderr)
	}
	if opts.Worker {
		return workerMode(ctx, plan, &opts, vals, in, stdout, stderr)
	}
	if !opts.Headless {
		return web(ctx, plan, &opts, vals, in, stdout, stderr)
	}
	return headless(ctx, plan, &opts, vals, in, stdout, stderr)
}

// fail prints a message that says what is wrong and exits with the usage
// code: nothing was sent.
func fail(stderr io.Writer, err error) int {
	msg := err.Error()
	var se *script.Error
	if errors.As(err, &se) {
		msg = "scenario error: " + msg
	}
	fmt.Fprintf(stderr, "llmlocust: %s\n", strings.TrimSpace(msg))
	return exitUsage
}

// notYet lists the options whose features later releases bring.
var notYet = map[string]string{
	"processes": "distributed runs are not available yet",
	"web-login": "login pages are not supported; protect the web UI with --web-auth user:password",
}

// locustOptions are Locust's options, those of features to come marked so.
func locustOptions() []options.Option {
	opts := options.Locust()
	for i := range opts {
		if msg, ok := notYet[opts[i].Name]; ok {
			opts[i].NotYet = msg
		}
	}
	return opts
}

// lockedWriter lets goroutines share one writer line by line.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
