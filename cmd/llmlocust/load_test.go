package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type loadSummary struct {
	Totals struct {
		Requests int64 `json:"requests"`
	} `json:"totals"`
	Schedule *struct {
		Scheduled int64 `json:"scheduled"`
		Unsent    int64 `json:"unsent"`
		LagMS     *struct {
			P50 float64 `json:"p50"`
			P99 float64 `json:"p99"`
			Max float64 `json:"max"`
		} `json:"lag_ms"`
	} `json:"schedule"`
	Warmup *struct {
		UntilS   float64 `json:"until_s"`
		Excluded int64   `json:"excluded_requests"`
	} `json:"warmup"`
}

func readLoadSummary(t *testing.T, path string) loadSummary {
	t.Helper()
	return readJSONFile[loadSummary](t, path)
}

// 20 s at 20 requests/s against the simulator: about 400 requests, sent
// within a few milliseconds of their schedule. It measures time, so it
// runs in the pass without the race detector.
func TestOpenLoopRateAccuracy(t *testing.T) {
	if raceEnabled {
		t.Skip("measures send times; run without the race detector")
	}
	js := filepath.Join(t.TempDir(), "s.json")
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/openai_chat.lua", "-H", "mock", "--headless",
		"-u", "200", "-t", "20s", "-s", "10", "--request-rate", "20", "--only-summary", "--json-file", js)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	s := readLoadSummary(t, js)
	if s.Schedule == nil || s.Schedule.LagMS == nil {
		t.Fatal("no schedule in the summary of an open-loop run")
	}
	if n := s.Schedule.Scheduled; n < 360 || n > 440 {
		t.Errorf("%d scheduled requests in 20 s at 20/s, want 400 ± 40", n)
	}
	if lag := s.Schedule.LagMS; lag.P99 >= 5 {
		t.Errorf("schedule lag p50 %.3f ms p99 %.3f ms max %.3f ms; want p99 under 5 ms", lag.P50, lag.P99, lag.Max)
	}
	t.Logf("%d requests, lag p50 %.3f ms p99 %.3f ms max %.3f ms", s.Schedule.Scheduled, s.Schedule.LagMS.P50, s.Schedule.LagMS.P99, s.Schedule.LagMS.Max)
}

// A trace at speed 2 sends its requests at half their offsets, and the
// test ends with the trace.
func TestTraceAtSpeedTwoArrivesAtHalfItsOffsets(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.jsonl")
	lines := `{"timestamp": 5000, "input_length": 40, "output_length": 4, "hash_ids": [1]}
{"timestamp": 6000, "input_length": 60, "output_length": 4, "hash_ids": [1]}
{"timestamp": 7000, "prompt": "Hello there", "output_length": 4}
`
	if err := os.WriteFile(trace, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	reqs := filepath.Join(dir, "requests.jsonl")
	begin := time.Now()
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/trace.lua", "-H", "mock", "--headless",
		"-u", "4", "-s", "10", "--trace", trace, "--trace-speed", "2", "--only-summary", "--requests-jsonl", reqs)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if took := time.Since(begin); took > 20*time.Second {
		t.Errorf("the run took %v: it did not end with the trace", took)
	}
	b, err := os.ReadFile(reqs)
	if err != nil {
		t.Fatal(err)
	}
	var starts []time.Time
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rec struct {
			Start time.Time `json:"start"`
			Lag   *float64  `json:"schedule_lag_ms"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Lag == nil {
			t.Errorf("a replayed request without its schedule lag: %s", line)
		}
		starts = append(starts, rec.Start)
	}
	if len(starts) != 3 {
		t.Fatalf("%d requests, want 3", len(starts))
	}
	for i, want := range []time.Duration{0, 500 * time.Millisecond, time.Second} {
		if got := starts[i].Sub(starts[0]); (got - want).Abs() > 100*time.Millisecond {
			t.Errorf("request %d sent at +%v, want +%v", i, got, want)
		}
	}
}

// A warm-up by count leaves its requests out of every figure.
func TestWarmupRequestsAreLeftOut(t *testing.T) {
	js := filepath.Join(t.TempDir(), "s.json")
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/openai_chat.lua", "-H", "mock", "--headless",
		"-u", "50", "-t", "6s", "-s", "10", "--request-rate", "10", "--max-tokens", "4", "--warmup-requests", "10",
		"--only-summary", "--json-file", js)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	s := readLoadSummary(t, js)
	if s.Warmup == nil || s.Warmup.Excluded < 10 || s.Warmup.UntilS <= 0 {
		t.Fatalf("warm-up %+v, want at least 10 requests left out", s.Warmup)
	}
	if s.Totals.Requests < 20 || s.Schedule == nil || s.Totals.Requests != s.Schedule.Scheduled {
		t.Errorf("%d requests counted beside %d left out, schedule %+v; want the rest of the run counted, its lags with it",
			s.Totals.Requests, s.Warmup.Excluded, s.Schedule)
	}
}
