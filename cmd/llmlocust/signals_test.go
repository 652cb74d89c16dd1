package main

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// longStreams streams answers of about 30 s from the simulator (1,500
// tokens at its 20 ms a token), far longer than any stop should take.
const longStreams = `
U = locust.user{ llm = { api = "openai-chat", model = "m", include_usage = true } }
U:task(function(self)
  self.llm:chat{ name = "chat", messages = { { role = "user", content = "hi" } }, max_tokens = 1500 }
end)
`

// startBinary starts the built binary and returns its stderr as lines on a
// channel, plus a channel that gets its exit.
func startBinary(t *testing.T, bin string, args ...string) (*exec.Cmd, <-chan string, <-chan error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // a slow reader must not block the program
			}
		}
		_, _ = io.Copy(io.Discard, pipe)
		close(lines)
		done <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, lines, done
}

// waitLine reads lines until one contains want; it fails after limit.
func waitLine(t *testing.T, lines <-chan string, want string, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the program ended before printing %q", want)
			}
			if strings.Contains(l, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no line with %q within %s", want, limit)
		}
	}
}

// The first signal stops gracefully, the second at once: a run with a
// 60 s stop timeout whose requests take 30 s ends within seconds of the
// second signal, counts what it cancelled and writes its files.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	bin := buildBinary(t)
	prefix := filepath.Join(t.TempDir(), "out")
	cmd, lines, done := startBinary(t, bin, "-f", writeScenario(t, longStreams), "--headless", "-u", "3", "-r", "100",
		"-t", "5m", "-s", "60", "-H", "mock", "--csv", prefix, "--json-file", prefix+".json")
	waitLine(t, lines, "All users spawned", 30*time.Second)
	time.Sleep(500 * time.Millisecond) // the requests are under way
	_ = cmd.Process.Signal(syscall.SIGINT)
	waitLine(t, lines, "interrupted: stopping", 10*time.Second)
	select {
	case err := <-done:
		t.Fatalf("the first signal did not wait for the requests in flight: exit %v", err)
	case <-time.After(time.Second):
	}
	second := time.Now()
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the second signal did not stop the run")
	}
	if took := time.Since(second); took > 10*time.Second {
		t.Errorf("the run took %s to end after the second signal", took.Round(time.Millisecond))
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d (%v), want 0: cancelled requests are not failures", code, cmd.ProcessState)
	}
	if s := readSummary(t, prefix+".json"); s.Cancelled != 3 {
		t.Errorf("the summary counts %d cancelled requests, want the 3 in flight", s.Cancelled)
	}
	checkCSVFiles(t, prefix, []csvWant{{"_stats.csv", "Name", []string{"Aggregated"}}})
}

// A scenario whose top level never returns can still be interrupted.
func TestSignalWhileLoading(t *testing.T) {
	bin := buildBinary(t)
	cmd, lines, done := startBinary(t, bin, "-f", writeScenario(t, "while true do end\n"), "--headless", "-H", "mock")
	time.Sleep(time.Second) // the scenario is loading; nothing is printed meanwhile
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a signal did not interrupt loading the scenario")
	}
	var out []string
	for l := range lines {
		out = append(out, l)
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(strings.Join(out, "\n"), "interrupted while loading the scenario") {
		t.Fatalf("exit %d (%v), want %d with a message\n%s", code, cmd.ProcessState, exitInterrupted, strings.Join(out, "\n"))
	}
}

// The last live line of a run agrees with its summary, cancellations at
// the stop included.
func TestLastLiveLineAgreesWithSummary(t *testing.T) {
	js := filepath.Join(t.TempDir(), "s.json")
	r := runCLI(t, context.Background(), nil, "-f", writeScenario(t, longStreams), "--headless", "-u", "3", "-r", "100",
		"-t", "3s", "-H", "mock", "--json-file", js)
	s := readSummary(t, js)
	var last string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, " cancelled ") {
			last = l
		}
	}
	if r.code != 0 || s.Cancelled != 3 || !strings.HasSuffix(last, "cancelled 3") {
		t.Fatalf("exit %d, summary cancelled %d, last live line %q\n%s", r.code, s.Cancelled, last, r.stderr)
	}
}
