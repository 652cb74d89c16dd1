package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/run"
)

// guarded runs the program and turns a panic that reaches it into the
// internal-error exit code, with a message saying it is a bug and the
// stack to report, instead of Go's exit 2, which reads as "nothing was
// sent".
func guarded(stderr io.Writer, program func() int) (code int) {
	defer func() {
		if v := recover(); v != nil {
			code = internalError(stderr, v, debug.Stack())
		}
	}()
	return program()
}

// internalError says that llmlocust itself failed.
func internalError(w io.Writer, v any, stack []byte) int {
	fmt.Fprintf(w, "llmlocust: internal error (a bug in llmlocust; please report it with what follows): %v\n%s", v, stack)
	return exitInternal
}

// finishOnPanic, deferred by a run once its session exists, turns a panic
// into the internal-error code after writing every output it still can: a
// bug must not lose what was measured.
func finishOnPanic(code *int, s *run.Session, opts *options.Run, log *logger, stdout, stderr io.Writer) {
	if v := recover(); v != nil {
		*code = internalError(stderr, v, debug.Stack())
		finish(s, opts, log, stdout, stderr)
	}
}
