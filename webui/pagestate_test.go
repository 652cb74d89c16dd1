package webui

import (
	"net/url"
	"testing"
	"time"
)

// TestPageStartsFromTheRunningTest: a page loaded while a test runs
// offers that test's settings, not the command line's (-u 3 -r 3 -t 10m
// in the fixture), so that its Edit dialog edits the test as it is.
func TestPageStartsFromTheRunningTest(t *testing.T) {
	f := setup(t, nil)
	check := func(t *testing.T, want map[string]any, maxTokens float64) {
		t.Helper()
		args := pageArgs(t, f.get(t, "/").body)
		for key, v := range want {
			if args[key] != v {
				t.Errorf("templateArgs %s = %v, want %v", key, args[key], v)
			}
		}
		if d := at(t, args, "extra_options", "max_tokens", "default_value"); d != maxTokens {
			t.Errorf("max_tokens default_value = %v, want %v", d, maxTokens)
		}
	}
	before := pageArgs(t, f.get(t, "/").body)
	if before["num_users"] != float64(3) || before["spawn_rate"] != float64(3) || before["run_time"] != float64(600) {
		t.Errorf("before any test the form shows the command line's: %v users at %v/s for %v s",
			before["num_users"], before["spawn_rate"], before["run_time"])
	}

	f.startTest(t, url.Values{"user_count": {"4"}, "spawn_rate": {"5"}, "host": {"mock"}, "run_time": {"2m"}, "max_tokens": {"9"}})
	// While the users ramp up (4 at 5/s takes most of a second),
	// user_count, the Edit form's first choice, is already the target.
	t.Run("started", func(t *testing.T) {
		check(t, map[string]any{"num_users": float64(4), "spawn_rate": float64(5), "host": "mock", "run_time": float64(120), "user_count": float64(4)}, 9)
	})

	// The Edit form sends no host and no run time: both stay the test's.
	f.startTest(t, url.Values{"user_count": {"2"}, "spawn_rate": {"7"}, "max_tokens": {"5"}})
	waitFor(t, "the edit to reach 2 users", 20*time.Second, func() bool { return f.sess.UserCount() == 2 })
	t.Run("edited", func(t *testing.T) {
		check(t, map[string]any{"num_users": float64(2), "spawn_rate": float64(7), "host": "mock", "run_time": float64(120), "user_count": float64(2)}, 5)
	})

	// The next test starts from the last one's settings, as a form
	// re-opened after Stop shows them.
	f.stopTest(t)
	t.Run("stopped", func(t *testing.T) {
		check(t, map[string]any{"num_users": float64(2), "spawn_rate": float64(7), "host": "mock"}, 5)
	})
}
