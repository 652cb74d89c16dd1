// Package locusttest finds the real things that tests compare us against
// (a real Locust, npm fixtures), and makes a missing one fail the run in CI
// and stand out everywhere else.
package locusttest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Python returns a python3 that can import locust. Without one the test
// is skipped, except in CI, where it must not silently pass.
func Python(t testing.TB) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import locust.stats").Run()
	}
	if err != nil {
		Missing(t, "python3 with locust (pip install locust==2.47.0): %v", err)
	}
	return py
}

// Missing ends a test whose real counterpart is not installed: under CI
// it fails, since a skip there would hide a gap; elsewhere it skips, and
// notes the skip in the file that $LLMLOCUST_SKIPS names, which make test
// prints at its end, so that no skip passes unseen.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	why := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("required when CI is set: %s", why)
	}
	if path := os.Getenv("LLMLOCUST_SKIPS"); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s: %s\n", t.Name(), why)
			_ = f.Close()
		}
	}
	t.Skip(why)
}
