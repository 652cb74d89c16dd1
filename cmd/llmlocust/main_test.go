package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/options"
)

// result is what one in-process run of the command gave.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command in-process with args, an environment of its own
// and dir as the working directory for config files.
func runCLI(t *testing.T, ctx context.Context, env map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	in := options.Input{
		Args:     args,
		Getenv:   func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		ReadFile: os.ReadFile,
		Dir:      t.TempDir(),
	}
	code := runCommand(ctx, in, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func writeScenario(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.lua")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type summary struct {
	Schema    string `json:"schema"`
	Cancelled int64  `json:"cancelled"`
	Totals    struct {
		Requests int64 `json:"requests"`
		Failures int64 `json:"failures"`
	} `json:"totals"`
	Endpoints []struct {
		Name     string `json:"name"`
		Method   string `json:"method"`
		Requests int64  `json:"requests"`
	} `json:"endpoints"`
	Errors []struct {
		Error string `json:"error"`
	} `json:"errors"`
	Exceptions []struct {
		Msg string `json:"msg"`
	} `json:"exceptions"`
}

func readSummary(t *testing.T, path string) summary {
	t.Helper()
	return readJSONFile[summary](t, path)
}

// readJSONFile reads the JSON file at path into a T.
func readJSONFile[T any](t *testing.T, path string) T {
	t.Helper()
	var v T
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s is not JSON: %v\n%s", path, err, b)
	}
	return v
}

func TestHeadlessRunWritesEveryOutput(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "out")
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/quickstart.lua", "--headless",
		"-u", "10", "-r", "10", "-t", "3s", "-H", "mock", "--max-tokens", "8",
		"--csv", prefix, "--json-file", prefix+".json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	s := readSummary(t, prefix+".json")
	if s.Schema != "llmlocust.summary/v1" || s.Totals.Requests == 0 || s.Totals.Failures != 0 {
		t.Fatalf("summary %+v", s)
	}
	for _, f := range []string{"_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv"} {
		b, err := os.ReadFile(prefix + f)
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	stats, _ := os.ReadFile(prefix + "_stats.csv")
	if !strings.Contains(string(stats), "POST,chat,") || !strings.Contains(string(stats), ",Aggregated,") {
		t.Fatalf("stats.csv:\n%s", stats)
	}
	for _, want := range []string{"Response time percentiles", "Aggregated"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("final tables lack %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "simulated LLM server listening on http://127.0.0.1:") {
		t.Errorf("no word of the simulator:\n%s", r.stderr)
	}
}

func TestJSONToStdout(t *testing.T) {
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/quickstart.lua", "--headless",
		"-u", "2", "-r", "2", "-t", "2s", "-H", "mock", "--max-tokens", "4", "--json", "--only-summary")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var s summary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.Totals.Requests == 0 {
		t.Fatalf("stdout is not the summary (%v):\n%s", err, r.stdout)
	}
	if strings.Contains(r.stderr, "[00:02]") {
		t.Errorf("--only-summary printed live lines:\n%s", r.stderr)
	}
}

// Every shipped scenario runs against the simulator with no failures.
func TestShippedScenariosRun(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatal("no scenarios found")
	}
	extra := map[string][]string{"shape_steps.lua": {"--duration", "3", "--step-seconds", "1"},
		"trace.lua": {"--trace", "../../scenarios/data/trace_sample.jsonl", "--trace-speed", "30", "-s", "10"}}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			js := filepath.Join(t.TempDir(), "s.json")
			args := append([]string{"-f", f, "--headless", "-u", "6", "-r", "6", "-t", "3s", "-H", "mock",
				"--only-summary", "--json-file", js}, extra[filepath.Base(f)]...)
			r := runCLI(t, context.Background(), nil, args...)
			s := readSummary(t, js)
			if r.code != 0 || s.Totals.Requests == 0 || s.Totals.Failures != 0 || len(s.Exceptions) != 0 {
				t.Fatalf("exit %d, summary %+v\n%s", r.code, s, r.stderr)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	failing := writeScenario(t, `
U = locust.user{ wait_time = locust.constant(0.1) }
U:task(function(self) self.client:get("/no/such/path") end)
`)
	raising := writeScenario(t, `
U = locust.user{ wait_time = locust.constant(0.1) }
U:task(function(self) error("scripted failure") end)
`)
	cases := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"failures give the exit-code-on-error default", []string{"-f", failing}, 1, ""},
		{"exit-code-on-error is honoured", []string{"-f", failing, "--exit-code-on-error", "3"}, 3, ""},
		{"exceptions count as errors", []string{"-f", raising}, 1, "scripted failure"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "--headless", "-u", "1", "-r", "1", "-t", "1s", "-H", "mock", "--only-summary")
			r := runCLI(t, context.Background(), nil, args...)
			if r.code != tc.code || !strings.Contains(r.stderr+r.stdout, tc.want) {
				t.Fatalf("exit %d (want %d)\n%s\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
		})
	}
}

// Bad input fails before any load, naming file and line, with exit code 2.
func TestBadInputFailsBeforeLoad(t *testing.T) {
	cases := []struct {
		name string
		src  string
		args []string
		want string
	}{
		{"syntax error", "U = locust.user{\n  weight = = 2 }\n", nil, "scenario.lua:2: syntax error near '='"},
		{"bad task weight", "U = locust.user{}\nU:task(0, function(self) end)\n", nil, "scenario.lua:2: task weight must be a positive whole number, got 0"},
		{"class without tasks", "\nU = locust.user{}\n", nil, "scenario.lua:2: user class U has no tasks"},
		{"missing host", "U = locust.user{}\nU:task(function(self) end)\n", []string{"--no-host"}, "give -H URL (or -H mock for the built-in simulated LLM server)"},
		{"unknown option", "U = locust.user{}\nU:task(function(self) end)\n", []string{"--max-tokenz", "3"}, "--max-tokenz"},
		{"bad option value", "locust.options{ max_tokens = 4 }\nU = locust.user{}\nU:task(function(self) end)\n", []string{"--max-tokens", "x"}, "invalid int value"},
		{"not yet", "U = locust.user{}\nU:task(function(self) end)\n", []string{"--processes", "2"}, "not available yet"},
		{"invalid host", "U = locust.user{}\nU:task(function(self) end)\n", []string{"-H", "localhost:8000"}, "must start with http://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeScenario(t, tc.src)
			args := []string{"-f", path, "--headless", "-t", "1s"}
			if len(tc.args) == 0 || tc.args[0] != "--no-host" {
				if !containsHost(tc.args) {
					args = append(args, "-H", "mock")
				}
				args = append(args, tc.args...)
			}
			r := runCLI(t, context.Background(), nil, args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "Ramping") {
				t.Fatalf("load started:\n%s", r.stderr)
			}
		})
	}
}

func containsHost(args []string) bool {
	for _, a := range args {
		if a == "-H" {
			return true
		}
	}
	return false
}

// Ctrl-C stops the users and still writes every output complete.
func TestInterruptWritesOutputs(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(2*time.Second, cancel)
	start := time.Now()
	r := runCLI(t, ctx, nil, "-f", "../../scenarios/quickstart.lua", "--headless", "-u", "5", "-r", "5",
		"-t", "1m", "-H", "mock", "--max-tokens", "4", "--csv", prefix, "--json-file", prefix+".json")
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("interrupt took %s", took)
	}
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if s := readSummary(t, prefix+".json"); s.Totals.Requests == 0 {
		t.Fatalf("summary %+v", s)
	}
	b, _ := os.ReadFile(prefix + "_stats.csv")
	if lines := strings.Count(string(b), "\n"); lines < 3 {
		t.Fatalf("stats.csv incomplete:\n%s", b)
	}
}

// Options reach the script from flags, LOCUST_ variables, their own
// environment variable and config files, with Locust's precedence.
func TestScenarioOptionsPrecedence(t *testing.T) {
	path := writeScenario(t, `
locust.options { max_tokens = 64, api_key = { env = "OPENAI_API_KEY", secret = true } }
U = locust.user{}
U:task(function(self)
  self.client:get("/v1/models", { name = "mt=" .. locust.option("max_tokens") .. " key=" .. locust.option("api_key") })
  self:stop()
end)
`)
	conf := filepath.Join(t.TempDir(), "my.conf")
	if err := os.WriteFile(conf, []byte("max-tokens = 16\nusers = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"default", nil, nil, "mt=64 key="},
		{"config file", nil, []string{"--config", conf}, "mt=16 key="},
		{"environment over config", map[string]string{"LOCUST_MAX_TOKENS": "32"}, []string{"--config", conf}, "mt=32 key="},
		{"flag over environment", map[string]string{"LOCUST_MAX_TOKENS": "32"}, []string{"--max-tokens", "8"}, "mt=8 key="},
		// The script read the key (else "key="), and the summary masks it.
		{"declared env var", map[string]string{"OPENAI_API_KEY": "sk-test"}, nil, "mt=64 key=******"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			js := filepath.Join(t.TempDir(), "s.json")
			args := append([]string{"-f", path, "--headless", "-t", "2s", "-H", "mock", "--only-summary", "--json-file", js}, tc.args...)
			r := runCLI(t, context.Background(), tc.env, args...)
			s := readSummary(t, js)
			if r.code != 0 || len(s.Endpoints) != 1 || s.Endpoints[0].Name != tc.want {
				t.Fatalf("exit %d, endpoints %+v, want name %q\n%s", r.code, s.Endpoints, tc.want, r.stderr)
			}
		})
	}
}

func TestHelpListsScenarioOptions(t *testing.T) {
	r := runCLI(t, context.Background(), map[string]string{"OPENAI_API_KEY": "sk-hidden"}, "-f", "../../scenarios/quickstart.lua", "--help")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"--max-tokens", "Scenario options", "-u <int>, --users <int>", "--exit-code-on-error"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "sk-hidden") {
		t.Fatal("help shows a secret")
	}
}

func TestListAndTaskRatio(t *testing.T) {
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/locust_features.lua", "-l")
	if r.code != 0 || r.stdout != "ChatUser\nCompletionUser\nWatcher\n" {
		t.Fatalf("exit %d, list %q", r.code, r.stdout)
	}
	r = runCLI(t, context.Background(), nil, "-f", "../../scenarios/locust_features.lua", "--show-task-ratio-json", "-u", "5")
	var ratios struct {
		PerClass map[string]struct {
			Ratio float64 `json:"ratio"`
		} `json:"per_class"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ratios); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	// 5 users: 1 fixed Watcher, the other 4 split 3:1.
	if ratios.PerClass["ChatUser"].Ratio != 0.6 || ratios.PerClass["Watcher"].Ratio != 0.2 {
		t.Fatalf("ratios %+v", ratios.PerClass)
	}
}
