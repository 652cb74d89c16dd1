package webui

import (
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// A route that panics answers 500 and logs the stack; the server, and the
// run behind it, go on.
func TestPanicInARouteIsAnError(t *testing.T) {
	var logged []string
	f := setup(t, func(c *Config) {
		c.Logf = func(level, name, format string, args ...any) { logged = append(logged, level+" "+format) }
	})
	f.srv.App().Get("/broken", func(*fiber.Ctx) error { panic("nil map in a handler") })
	if res := f.get(t, "/broken"); res.status != fiber.StatusInternalServerError {
		t.Fatalf("a panicking route answered %d", res.status)
	}
	if res := f.get(t, "/stats/requests"); res.status != fiber.StatusOK {
		t.Fatalf("after a panic /stats/requests answered %d", res.status)
	}
	if len(logged) == 0 || !strings.HasPrefix(logged[0], "ERROR internal error serving") {
		t.Fatalf("the panic was not logged as an internal error: %q", logged)
	}
}

// A panic in a step of the charts' feed is logged; the loop goes on.
func TestSafelyLogsAndGoesOn(t *testing.T) {
	var logged []string
	logf := func(level, name, format string, args ...any) { logged = append(logged, level) }
	steps := 0
	for range 3 {
		safely(logf, "a loop", func() {
			steps++
			if steps == 2 {
				panic("boom")
			}
		})
	}
	if steps != 3 || len(logged) != 1 || logged[0] != "ERROR" {
		t.Fatalf("steps %d, logged %q", steps, logged)
	}
}
