package main

import (
	"strings"
	"testing"
)

// A panic that reaches the program exits with the internal-error code
// and says it is a bug, with the stack; it never passes for exit 2 ("the
// command line or the scenario is wrong, nothing was sent").
func TestGuardedTurnsPanicsIntoInternalErrors(t *testing.T) {
	tests := []struct {
		name     string
		program  func() int
		wantCode int
		wantText []string
	}{
		{"a clean run keeps its code", func() int { return exitOK }, exitOK, nil},
		{"failures keep theirs", func() int { return 1 }, 1, nil},
		{"a panic", func() int { panic("stats out of range") }, exitInternal,
			[]string{"internal error (a bug in llmlocust", "stats out of range", "goroutine "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			code := guarded(&stderr, tc.program)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d", code, tc.wantCode)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if tc.wantText == nil && stderr.Len() > 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
		})
	}
	if exitInternal == exitUsage {
		t.Fatal("the internal-error code is the usage code")
	}
}
