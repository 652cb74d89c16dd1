package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/llmlocust/llmlocust/engine/run"
)

// onSignals turns the process's signals into the two stops of a run, as
// Locust's: the first SIGINT or SIGTERM cancels the context it returns (a
// graceful stop: users finish their task within -s, every output is
// written); the second cancels the context that nowOf finds in it (users
// are cancelled at once, what was in flight is counted, what was measured
// written). After the second, signals take their default action again,
// so a third ends the process whatever it is doing.
func onSignals() context.Context {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	now, stopNow := context.WithCancel(context.Background())
	graceful, stopGraceful := context.WithCancel(context.WithValue(context.Background(), nowKey{}, now))
	go func() {
		<-ch
		stopGraceful()
		<-ch
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		stopNow()
	}()
	return graceful
}

type nowKey struct{}

// nowOf is closed when the run is asked to stop at once: never for a
// context that onSignals did not make.
func nowOf(ctx context.Context) <-chan struct{} {
	if now, ok := ctx.Value(nowKey{}).(context.Context); ok {
		return now.Done()
	}
	return nil
}

// stopOnSignal stops the current test after the first signal and waits
// for its users, cancelling them at once on the second.
func stopOnSignal(ctx context.Context, s *run.Session, log *logger) {
	stopped := s.Stopped()
	if stopped == nil {
		return // no test was started
	}
	log.log(LevelInfo, "llmlocust.main", "interrupted: stopping the users, then writing the results (interrupt again to stop at once)")
	s.Stop()
	select {
	case <-stopped:
	case <-nowOf(ctx):
		log.log(LevelWarning, "llmlocust.main", "interrupted again: cancelling the requests in flight")
		s.Cancel()
		<-stopped
	}
}

// errInterrupted is what loading a scenario returns when a signal came
// first.
var errInterrupted = errors.New("interrupted while loading the scenario")

// interrupted says that a signal came before any load, and exits so.
func interrupted(stderr io.Writer) int {
	fmt.Fprintf(stderr, "llmlocust: %v\n", errInterrupted)
	return exitInterrupted
}

// interruptible runs work, but returns errInterrupted as soon as ctx is
// cancelled: a scenario whose top level never returns must not hold the
// process. The work goes on in the background until the process exits.
func interruptible(ctx context.Context, work func() error) error {
	done := make(chan error, 1)
	go func() { done <- work() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errInterrupted
	}
}
