package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A headless sweep ignores -t, logs a line per step, prints its table
// after the others and writes the summary's sweep and PREFIX_sweep.csv.
func TestHeadlessSweep(t *testing.T) {
	dir := t.TempDir()
	prefix, js := filepath.Join(dir, "run"), filepath.Join(dir, "summary.json")
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/openai_chat.lua", "-H", "mock", "--headless",
		"-u", "10", "-t", "1h", "-s", "5", "--max-tokens", "4", "--sweep", "users=1,3", "--step-time", "1s",
		"--csv", prefix, "--json-file", js)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"the run time of 1h0m0s is ignored", "sweep step 1/2 users=1: ", "sweep step 2/2 users=3: ", "sweep finished after 2 steps"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr has no %q:\n%s", want, r.stderr)
		}
	}
	llm, table := strings.Index(r.stdout, "LLM requests"), strings.Index(r.stdout, "Sweep by users, 1s steps")
	if llm < 0 || table < llm {
		t.Errorf("the sweep table does not follow the LLM table:\n%s", r.stdout)
	}
	var s struct {
		Sweep *struct {
			Mode      string  `json:"mode"`
			StepTimeS float64 `json:"step_time_s"`
			Steps     []struct {
				Users    int   `json:"users"`
				Requests int64 `json:"requests"`
			} `json:"steps"`
		} `json:"sweep"`
	}
	b, err := os.ReadFile(js)
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		t.Fatal(err)
	}
	if sw := s.Sweep; sw == nil || sw.Mode != "users" || sw.StepTimeS != 1 || len(sw.Steps) != 2 || sw.Steps[1].Users != 3 || sw.Steps[1].Requests == 0 {
		t.Errorf("summary's sweep %+v", s.Sweep)
	}
	csv, err := os.ReadFile(prefix + "_sweep.csv")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "Step,Users,Rate,") {
		t.Errorf("%s_sweep.csv:\n%s", prefix, csv)
	}
}

// A sweep the command line gets wrong fails before any load, naming the
// value, with exit code 2.
func TestBadSweepFailsBeforeLoad(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad rate", []string{"--sweep", "rate=1,two"}, `--sweep "rate=1,two": "two" is not a number of requests per second above 0`},
		{"zero users", []string{"--sweep", "users=0"}, `"0" is not a whole number of users above 0`},
		{"unknown key", []string{"--sweep", "tokens=4"}, `sweeps change users or rate, not "tokens"`},
		{"auto users", []string{"--sweep", "users=auto"}, "only the rate has an automatic sweep"},
		{"short step", []string{"--sweep", "rate=1", "--step-time", "0.5"}, "--step-time: step time 500ms is below 1s"},
		{"rate sweep and trace", []string{"--sweep", "rate=1", "--trace", "t.jsonl"}, "--sweep rate=… and --trace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-f", "../../scenarios/openai_chat.lua", "-H", "mock", "--headless"}, tc.args...)
			r := runCLI(t, context.Background(), nil, args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "Ramping") || strings.Contains(r.stderr, "simulated LLM server listening") {
				t.Fatalf("load started:\n%s", r.stderr)
			}
		})
	}
}
