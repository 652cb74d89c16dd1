package main

import (
	"context"
	"strings"
	"testing"
)

// An error a task raises is logged at ERROR, as Locust logs it, so that
// -L WARNING still shows it.
func TestTaskErrorsAreLoggedAsErrors(t *testing.T) {
	path := writeScenario(t, `
U = locust.user{ wait_time = locust.constant(0.2) }
U:task(function(self) error("the task broke") end)
`)
	r := runCLI(t, context.Background(), nil, "-f", path, "--headless", "-u", "1", "-t", "1s", "-H", "mock", "-L", "WARNING", "--only-summary")
	var found string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, "the task broke") {
			found = l
			break
		}
	}
	if !strings.Contains(found, "/ERROR/llmlocust.user") {
		t.Fatalf("the task's error is not logged at ERROR under -L WARNING: %q\n%s", found, r.stderr)
	}
}
