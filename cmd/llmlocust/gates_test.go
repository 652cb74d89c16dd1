package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gateScenario streams short chats; its test_stop listener sets the exit
// code given as --stop-code, when there is one.
const gateScenario = `
locust.options { stop_code = { default = -1, help = "exit code test_stop sets; -1 sets none" } }
locust.events.test_stop:add_listener(function(environment)
  local code = locust.option("stop_code")
  if code >= 0 and environment.summary.totals.ttft_ms.p95 > 0 then
    environment.process_exit_code = code
  end
end)
U = locust.user{ wait_time = locust.constant(0.1), llm = { api = "openai-chat", model = "m", include_usage = true } }
U:task(function(self) self.llm:chat{ name = "chat", messages = { { role = "user", content = "hi" } }, max_tokens = 4 } end)
`

// The simulator's first tokens come after about 200 ms: the checks below
// pass or fail on that.
func TestChecksGateTheExitCode(t *testing.T) {
	path := writeScenario(t, gateScenario)
	cases := []struct {
		name string
		args []string
		code int
		want []string // in the console's final report
	}{
		{"a passing check", []string{"--check", "ttft_ms.p95 < 5000", "--check", "fail_ratio < 0.01"}, 0,
			[]string{"Checks: 2 passed, 0 failed", "✓ ttft_ms.p95 < 5000  ("}},
		{"a failing check", []string{"--check", "ttft_ms.p95 < 1", "--check", "requests > 0"}, 3,
			[]string{"Checks: 1 passed, 1 failed", "✗ ttft_ms.p95 < 1  ("}},
		{"a check never measured fails", []string{"--check", "ttfo_ms.p50<1000"}, 3,
			[]string{"✗ ttfo_ms.p50 < 1000  (null): not measured in this run"}},
		{"test_stop sets the code", []string{"--stop-code", "7"}, 7, nil},
		{"test_stop over a failed check", []string{"--stop-code", "0", "--check", "ttft_ms.p95 < 1"}, 0,
			[]string{"Checks: 0 passed, 1 failed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			js := filepath.Join(t.TempDir(), "s.json")
			args := append([]string{"-f", path, "--headless", "-u", "2", "-r", "2", "-t", "2s", "-H", "mock",
				"--only-summary", "--json-file", js}, tc.args...)
			r := runCLI(t, context.Background(), nil, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("final report lacks %q:\n%s", w, r.stdout)
				}
			}
			var s struct {
				Checks []struct {
					Check string   `json:"check"`
					Value *float64 `json:"value"`
					Pass  bool     `json:"pass"`
				} `json:"checks"`
			}
			b, _ := os.ReadFile(js)
			if err := json.Unmarshal(b, &s); err != nil || s.Checks == nil {
				t.Fatalf("summary checks %+v (%v):\n%s", s.Checks, err, b)
			}
			if n := strings.Count(strings.Join(tc.args, " "), "--check"); len(s.Checks) != n {
				t.Errorf("%d checks in the summary, want %d", len(s.Checks), n)
			}
		})
	}
}

// A wrong --slo, --check or --percentiles is a usage error that says
// which value and why, before any request is sent.
func TestBadGatesFailBeforeLoad(t *testing.T) {
	path := writeScenario(t, gateScenario)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown SLO metric", []string{"--slo", "ttft<500"}, `--slo "ttft<500": unknown metric "ttft"`},
		{"an SLO as a lower bound", []string{"--slo", "tpot_ms>=5"}, `--slo "tpot_ms>=5": an SLO is an upper bound`},
		{"an SLO without a number", []string{"--slo", "e2e_ms<soon"}, `--slo "e2e_ms<soon": "soon" is not a number`},
		{"an unknown check path", []string{"--check", "ttft_ms.p96 < 500"}, `--check "ttft_ms.p96 < 500": no key "p96" in totals.ttft_ms (close: `},
		{"goodput without an SLO", []string{"--check", "goodput.fraction >= 0.9"}, "goodput needs --slo"},
		{"a check without a comparison", []string{"--check", "rps"}, `--check "rps": want PATH OP NUMBER`},
		{"a percentile not chosen", []string{"--percentiles", "50,99.9", "--check", "ttft_ms.p95<1"}, `no key "p95"`},
		{"percentiles twice", []string{"--percentiles", "50,90,50"}, `--percentiles "50,90,50": 50 is given twice`},
		{"a percentile of 100", []string{"--percentiles", "50,100"}, "100 is not above 0 and below 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, url := startMock(t)
			args := append([]string{"-f", path, "--headless", "-u", "1", "-t", "1s", "-H", url}, tc.args...)
			r := runCLI(t, context.Background(), nil, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, want 2 with %q:\n%s", r.code, tc.want, r.stderr)
			}
			if sent := m.Totals().Requests; sent != 0 || strings.Contains(r.stderr, "Ramping") {
				t.Fatalf("the server got %d requests:\n%s", sent, r.stderr)
			}
		})
	}
}

// --slo and --percentiles reach the JSON summary, the LLM stats file and
// the live line.
func TestSLOsAndPercentilesReachTheOutputs(t *testing.T) {
	path := writeScenario(t, gateScenario)
	prefix := filepath.Join(t.TempDir(), "out")
	r := runCLI(t, context.Background(), nil, "-f", path, "--headless", "-u", "2", "-r", "2", "-t", "2s", "-H", "mock",
		"--slo", "ttft_ms<5000", "--slo", "tpot_ms <= 1000", "--percentiles", "50,99.9",
		"--check", "goodput.fraction >= 0.9", "--check", "ttft_ms.p99.9 < 5000",
		"--csv", prefix, "--json-file", prefix+".json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var s struct {
		SLOs    []string `json:"slos"`
		Goodput *struct {
			Requests     int64   `json:"requests"`
			GoodRequests int64   `json:"good_requests"`
			Fraction     float64 `json:"fraction"`
		} `json:"goodput"`
		Totals struct {
			TTFT map[string]float64 `json:"ttft_ms"`
		} `json:"totals"`
	}
	b, _ := os.ReadFile(prefix + ".json")
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.SLOs, " ") != "ttft_ms<5000 tpot_ms<=1000" {
		t.Errorf("slos %q", s.SLOs)
	}
	if g := s.Goodput; g == nil || g.Requests == 0 || g.GoodRequests != g.Requests || g.Fraction != 1 {
		t.Errorf("goodput %+v, want every request good", g)
	}
	_, p999 := s.Totals.TTFT["p99.9"]
	_, p95 := s.Totals.TTFT["p95"]
	if !p999 || p95 || s.Totals.TTFT["p50"] <= 0 {
		t.Errorf("ttft_ms %v, want p50 and p99.9 only", s.Totals.TTFT)
	}
	csv, _ := os.ReadFile(prefix + "_llm_stats.csv")
	header, _, _ := strings.Cut(string(csv), "\r\n")
	for _, col := range []string{",TTFT 50%,TTFT 99.9%,ITL Mean,", ",Good Requests,Goodput (req/s),Good Output Tokens/s,Good Fraction"} {
		if !strings.Contains(header, col) {
			t.Errorf("LLM stats header lacks %q: %s", col, header)
		}
	}
	if !strings.Contains(r.stderr, "goodput ") || !strings.Contains(r.stderr, " req/s (100%)") {
		t.Errorf("the live line shows no goodput:\n%s", r.stderr)
	}
}
