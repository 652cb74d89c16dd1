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

// signalScenario streams chat completions and also fails a request and
// raises an error now and then, so that every output file has rows.
const signalScenario = `
U = locust.user{ wait_time = locust.constant(0.1), llm = { api = "openai-chat", model = "m", include_usage = true } }
U:task(4, function(self)
  self.llm:chat{ name = "chat", messages = { { role = "user", content = "hi" } }, max_tokens = 4 }
end)
U:task(1, function(self) self.client:get("/no/such/path", { name = "missing" }) end)
U:task(1, function(self) error("scripted exception") end)
`

// A real SIGINT or SIGTERM to the built binary stops the users and still
// writes complete CSV, JSON and HTML files.
func TestSignalsWriteCompleteOutputs(t *testing.T) {
	bin := buildBinary(t)
	path := writeScenario(t, signalScenario)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			prefix := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(bin, "-f", path, "--headless", "-u", "5", "-r", "5", "-t", "5m", "-H", "mock",
				"--csv", prefix, "--json-file", prefix+".json", "--html", prefix+".html", "--exit-code-on-error", "3")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Signal once every kind of row exists, whatever the random
			// picks of tasks took to get there.
			waitFiles(t, 30*time.Second, map[string]string{
				prefix + "_stats.csv": "missing", prefix + "_exceptions.csv": "scripted exception", prefix + "_llm_stats.csv": "chat",
			})
			_ = cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("the run did not stop\n%s", stderr.String())
			}
			// 3 is --exit-code-on-error: the run ended by itself, with the
			// scenario's failures, rather than being killed by the signal.
			if code := cmd.ProcessState.ExitCode(); code != 3 || strings.Contains(stderr.String(), "/ERROR/llmlocust.main") {
				t.Fatalf("exit %d (%v), want 3 and no error of its own\n%s", code, cmd.ProcessState, stderr.String())
			}
			checkCSVFiles(t, prefix, []csvWant{
				{"_stats.csv", "Name", []string{"chat", "missing", "Aggregated"}},
				{"_stats_history.csv", "Name", []string{"Aggregated"}},
				{"_failures.csv", "Name", []string{"missing"}},
				{"_exceptions.csv", "Message", []string{"scripted exception"}},
				{"_llm_stats.csv", "Name", []string{"chat", "Aggregated"}},
				{"_llm_stats_history.csv", "Name", []string{"Aggregated"}},
			})
			if s := checkLLMSummary(t, prefix+".json"); s.Totals.Failures == 0 {
				t.Errorf("the summary counts no failures: %+v", s.Totals)
			}
			checkHTMLReport(t, prefix+".html")
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

// waitFiles waits until each file holds its text (the CSV files are
// rewritten every second while a run goes on).
func waitFiles(t *testing.T, limit time.Duration, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for path, text := range want {
		for {
			b, _ := os.ReadFile(path)
			if strings.Contains(string(b), text) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not come to hold %q within %s", path, text, limit)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
