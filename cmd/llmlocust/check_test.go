package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/mock"
)

// startMock runs the simulated server for one test, to count what reaches
// it.
func startMock(t *testing.T) (*mock.Server, string) {
	t.Helper()
	m, err := mock.New(mock.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	url, err := m.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m, url
}

func writeData(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A dataset that an option names is opened and checked before the run:
// a broken one is a scenario error, exit 2, with no load sent.
func TestBrokenDatasetFailsBeforeLoad(t *testing.T) {
	dir := t.TempDir()
	good := writeData(t, dir, "good.jsonl", "{\"prompt\":\"Say hi.\"}\n{\"prompt\":\"Say bye.\"}\n")
	bad := writeData(t, dir, "bad.jsonl", "{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n{\"prompt\": nope}\n")
	noPrompt := writeData(t, dir, "noprompt.jsonl", "{\"prompt\":\"a\"}\n{\"text\":\"b\"}\n")
	missing := filepath.Join(dir, "missing.jsonl")
	cases := []struct {
		name    string
		dataset string
		code    int
		want    []string // in stderr
	}{
		{"malformed line", bad, 2, []string{"scenario error: ", "openai_chat.lua:", bad + ":3: invalid JSON"}},
		{"missing file", missing, 2, []string{"scenario error: ", "openai_chat.lua:", "data file " + missing + " not found"}},
		{"row without prompt", noPrompt, 2, []string{"scenario error: ", "openai_chat.lua:", noPrompt + `:2: no "prompt" field`}},
		{"good file", good, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, url := startMock(t)
			r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/openai_chat.lua", "-H", url, "--headless",
				"-u", "2", "-r", "2", "-t", "2s", "--max-tokens", "4", "--only-summary", "--dataset", tc.dataset)
			sent := m.Totals().Requests
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			switch {
			case tc.code == 0 && sent == 0:
				t.Fatalf("a good dataset sent nothing:\n%s", r.stderr)
			case tc.code != 0 && (sent != 0 || strings.Contains(r.stderr, "Ramping")):
				t.Fatalf("the simulator got %d requests from a broken dataset:\n%s", sent, r.stderr)
			}
		})
	}
	t.Run("the built-in simulator is not even started", func(t *testing.T) {
		r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/openai_chat.lua", "-H", "mock", "--headless",
			"-u", "2", "-t", "2s", "--dataset", bad)
		if r.code != 2 || strings.Contains(r.stderr, "simulated LLM server listening") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	})
}

// A value after an on/off flag reads as a user class, as in argparse; it
// fails before anything starts, and says how to give the value.
func TestBoolValueAfterFlagFailsBeforeStart(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"false after a scenario flag", []string{"--include-usage", "false"}, 2,
			`unknown user class "false"; the scenario has ChatUser; --include-usage takes no separate value: write --include-usage=false or --no-include-usage`},
		{"true after a built-in flag", []string{"--reset-stats", "true"}, 2,
			"--reset-stats takes no separate value: write --reset-stats=true or just --reset-stats"},
		{"unknown class", []string{"NoSuchUser"}, 2, `unknown user class "NoSuchUser"; the scenario has ChatUser`},
		{"the negative form", []string{"--no-include-usage"}, 0, ""},
		{"the value attached", []string{"--include-usage=false", "ChatUser"}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, url := startMock(t)
			args := append([]string{"-f", "../../scenarios/openai_chat.lua", "-H", url, "--headless", "-u", "1", "-t", "1s",
				"--max-tokens", "4", "--only-summary"}, tc.args...)
			r := runCLI(t, context.Background(), nil, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d (want %d), stderr:\n%s\nwant %q", r.code, tc.code, r.stderr, tc.want)
			}
			if sent := m.Totals().Requests; tc.code != 0 && sent != 0 {
				t.Fatalf("%d requests sent", sent)
			}
		})
	}
}

// Without --headless the web UI would start and wait for a swarm; a
// mistake on the command line must stop the run before that.
func TestCommandLineMistakesStopTheWebUI(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"a value after a flag", []string{"-H", "mock", "--include-usage", "false"}, "write --include-usage=false or --no-include-usage"},
		{"an unknown user class", []string{"-H", "mock", "Nobody"}, `unknown user class "Nobody"`},
		{"a host without a scheme", []string{"-H", "localhost:8000"}, `invalid host "localhost:8000"`},
		{"a broken dataset", []string{"-H", "mock", "--dataset", "no/such/file.jsonl"}, "data file no/such/file.jsonl not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Were the web UI to start, it would serve until interrupted.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			args := append([]string{"-f", "../../scenarios/openai_chat.lua", "--web-port", "0"}, tc.args...)
			r := runCLI(t, ctx, nil, args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "Starting web interface") || strings.Contains(r.stderr, "simulated LLM server listening") {
				t.Fatalf("started before failing:\n%s", r.stderr)
			}
		})
	}
}

// A syntax error names the construct left open, through the real entry.
func TestSyntaxErrorNamesTheOpenConstruct(t *testing.T) {
	path := writeScenario(t, "U = locust.user{}\nU:task(function(self)\n  local t = {\n    a = 1,\n")
	r := runCLI(t, context.Background(), nil, "-f", path, "-H", "mock", "--headless", "-t", "1s")
	want := path + ":4: '}' expected (to close '{' at line 3) near '<eof>'"
	if r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, want)
	}
}
