package webui

import (
	"runtime/debug"

	"github.com/gofiber/fiber/v2"
)

// recoverPanic turns a panic in a route into a 500 and a logged error
// with its stack: one broken route must not take the run, and what it
// measured, down with it.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Logf("ERROR", "llmlocust.web", "internal error serving %s %s (a bug in llmlocust): %v\n%s", c.Method(), c.Path(), v, debug.Stack())
			err = fiber.NewError(fiber.StatusInternalServerError, "internal error: see the log")
		}
	}()
	return c.Next()
}

// safely runs one step of a background loop, logging a panic instead of
// ending the process; the loop goes on with its next step.
func safely(logf func(level, name, format string, args ...any), what string, step func()) {
	defer func() {
		if v := recover(); v != nil {
			logf("ERROR", "llmlocust.web", "internal error in %s (a bug in llmlocust): %v\n%s", what, v, debug.Stack())
		}
	}()
	step()
}
