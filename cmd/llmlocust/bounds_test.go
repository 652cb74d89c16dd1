package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The bound options reach the run: a request that crosses one fails with
// the bound's reason, and a size that cannot be read stops the run before
// any load with exit code 2.
func TestBoundOptions(t *testing.T) {
	const plain, streamed = "../../scenarios/quickstart.lua", "../../scenarios/openai_chat.lua"
	cases := []struct {
		name     string
		scenario string
		args     []string
		code     int
		want     string // the one error group of the run, or in stderr for code 2
	}{
		{"text bound, plain body", plain, []string{"--max-text-size", "8B"}, 1, "the response text exceeded 8 B (--max-text-size)"},
		{"text bound, stream", streamed, []string{"--max-text-size", "0.01KiB"}, 1, "the response text exceeded 10 B (--max-text-size)"},
		{"event bound", streamed, []string{"--max-event-size", "16"}, 1, "a stream event exceeded 16 B (--max-event-size)"},
		{"unreadable size", streamed, []string{"--max-backlog", "lots"}, 2, `invalid size "lots"`},
		{"a generous bound", streamed, []string{"--max-backlog", "1GiB"}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			js := filepath.Join(t.TempDir(), "s.json")
			args := append([]string{"-f", tc.scenario, "--headless", "-u", "1", "-r", "1", "-t", "1s",
				"-H", "mock", "--max-tokens", "4", "--only-summary", "--json-file", js}, tc.args...)
			r := runCLI(t, context.Background(), nil, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.code == 2 {
				if !strings.Contains(r.stderr, tc.want) {
					t.Fatalf("stderr lacks %q:\n%s", tc.want, r.stderr)
				}
				return
			}
			s := readSummary(t, js)
			for _, e := range s.Errors {
				if e.Error != tc.want {
					t.Fatalf("error group %q, want only %q", e.Error, tc.want)
				}
			}
			if s.Totals.Requests == 0 || (tc.want != "" && len(s.Errors) == 0) {
				t.Fatalf("%d requests, errors %v; want requests, failing with %q", s.Totals.Requests, s.Errors, tc.want)
			}
		})
	}
}
