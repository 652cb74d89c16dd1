// Package locusttest finds the real Locust that parity tests compare our
// stats and files against.
package locusttest

import (
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
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs python3 with locust installed: %v", err)
		}
		t.Skipf("python3 with locust is not available: %v", err)
	}
	return py
}
