package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Each task is one request of about 1.5 s on the simulator (64 tokens).
const slowScenario = `
U = locust.user{}
U:task(function(self)
  self.client:post("/v1/chat/completions", { name = "chat",
    json = { model = "m", max_tokens = 64, messages = { { role = "user", content = "hi" } } } })
end)
`

func TestStopTimeout(t *testing.T) {
	path := writeScenario(t, slowScenario)
	cases := []struct {
		name          string
		args          []string
		wantCancelled bool
	}{
		{"without a stop timeout requests in flight are cancelled", nil, true},
		{"with one users finish the task in hand", []string{"-s", "10s"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			js := filepath.Join(t.TempDir(), "s.json")
			args := append([]string{"-f", path, "--headless", "-u", "4", "-r", "100", "-t", "1s", "-H", "mock",
				"--only-summary", "--json-file", js}, tc.args...)
			r := runCLI(t, context.Background(), nil, args...)
			s := readSummary(t, js)
			if r.code != 0 || (s.Cancelled > 0) != tc.wantCancelled {
				t.Fatalf("exit %d, cancelled %d, requests %d\n%s", r.code, s.Cancelled, s.Totals.Requests, r.stderr)
			}
			if !tc.wantCancelled && s.Totals.Requests < 4 {
				t.Fatalf("only %d requests finished", s.Totals.Requests)
			}
			if tc.wantCancelled && !strings.Contains(r.stdout, "were cancelled when their users stopped") {
				t.Fatalf("the cancelled count is not shown:\n%s", r.stdout)
			}
		})
	}
}

// A real SIGINT or SIGTERM to the built binary stops the users and still
// writes complete CSV and JSON files.
func TestSignalsWriteCompleteOutputs(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "llmlocust")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			prefix := filepath.Join(dir, "out")
			cmd := exec.Command(bin, "-f", "../../scenarios/quickstart.lua", "--headless", "-u", "5", "-r", "5",
				"-t", "5m", "-H", "mock", "--max-tokens", "4", "--csv", prefix, "--json-file", prefix+".json")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2500 * time.Millisecond)
			_ = cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit: %v\n%s", err, stderr.String())
				}
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the run did not stop")
			}
			if s := readSummary(t, prefix+".json"); s.Totals.Requests == 0 {
				t.Fatalf("summary %+v", s)
			}
			for _, f := range []string{"_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv"} {
				b, err := os.ReadFile(prefix + f)
				if err != nil || !strings.HasSuffix(string(b), "\n") {
					t.Fatalf("%s incomplete (%v):\n%s", f, err, b)
				}
			}
			stats, _ := os.ReadFile(prefix + "_stats.csv")
			if !strings.Contains(string(stats), ",Aggregated,") {
				t.Fatalf("stats.csv has no Aggregated row:\n%s", stats)
			}
		})
	}
}

func TestUserClassesOnCommandLine(t *testing.T) {
	js := filepath.Join(t.TempDir(), "s.json")
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/locust_features.lua", "--headless", "-u", "2",
		"-r", "2", "-t", "2s", "-H", "mock", "--only-summary", "--json-file", js, "Watcher")
	s := readSummary(t, js)
	if r.code != 0 || len(s.Endpoints) != 1 || s.Endpoints[0].Name != "models" {
		t.Fatalf("exit %d, endpoints %+v\n%s", r.code, s.Endpoints, r.stderr)
	}
	r = runCLI(t, context.Background(), nil, "-f", "../../scenarios/locust_features.lua", "--headless", "-H", "mock", "Nobody")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown user class "Nobody"; the scenario has ChatUser, CompletionUser, Watcher`) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// A class may name the simulator as its host; no -H is needed then.
func TestClassHostMock(t *testing.T) {
	path := writeScenario(t, `
U = locust.user{ host = "mock", wait_time = locust.constant(0.2) }
U:task(function(self) self.client:get("/v1/models") end)
`)
	js := filepath.Join(t.TempDir(), "s.json")
	r := runCLI(t, context.Background(), nil, "-f", path, "--headless", "-t", "1s", "--only-summary", "--json-file", js)
	if s := readSummary(t, js); r.code != 0 || s.Totals.Requests == 0 {
		t.Fatalf("exit %d, summary %+v\n%s", r.code, s, r.stderr)
	}
}
