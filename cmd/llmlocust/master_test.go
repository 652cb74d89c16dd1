package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// readRecords reads a --requests-jsonl file back into Records.
func readRecords(t *testing.T, path string) []*record.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*record.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		r := new(record.Record)
		if err := json.Unmarshal(sc.Bytes(), r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, r)
	}
	return out
}

// totalsOf is the totals of a JSON summary, as raw JSON by key.
func totalsOf(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var s struct {
		Totals map[string]json.RawMessage `json:"totals"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s.Totals
}

// Our master with two of our workers against the simulator: its totals
// are the simulator's count, and its LLM figures those of every Record
// the workers made, counted in one process.
func TestOurMasterMergesItsWorkersExactly(t *testing.T) {
	m, url := startMock(t)
	dir := t.TempDir()
	port := fmt.Sprint(freePort(t))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	workers := make(chan result, 2)
	for i := range 2 {
		go func() {
			workers <- runCLI(t, ctx, nil, "-f", "../../scenarios/openai_chat.lua", "--worker", "--master-port", port,
				"--max-tokens", "8", "--requests-jsonl", filepath.Join(dir, fmt.Sprintf("w%d.jsonl", i)))
		}()
	}
	js := filepath.Join(dir, "summary.json")
	r := runCLI(t, ctx, nil, "-f", "../../scenarios/openai_chat.lua", "--master", "--headless", "--master-bind-host", "127.0.0.1",
		"--master-bind-port", port, "--expect-workers", "2", "-u", "6", "-r", "6", "-t", "6s", "-H", url, "--json-file", js)
	if r.code != 0 || !strings.Contains(r.stderr, `All users spawned: {"ChatUser": 6} (6 total users)`) {
		t.Fatalf("the master exited %d:\n%s", r.code, r.stderr)
	}
	var recs []*record.Record
	for i := range 2 {
		w := <-workers
		if w.code != 0 {
			t.Errorf("a worker exited %d:\n%s", w.code, w.stderr)
		}
		recs = append(recs, readRecords(t, filepath.Join(dir, fmt.Sprintf("w%d.jsonl", i)))...)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	got := totalsOf(t, b)
	var requests int64
	if err := json.Unmarshal(got["requests"], &requests); err != nil || requests == 0 || requests != m.Totals().Completed {
		t.Errorf("the master counted %s requests; the simulator answered %d in full", got["requests"], m.Totals().Completed)
	}
	one := stats.New(recs[0].Start)
	for _, r := range recs {
		one.Log(r)
	}
	now := time.Now()
	want, err := json.Marshal(output.NewSummary(output.RunInfo{Start: recs[0].Start, End: now}, one.Snapshot(now)))
	if err != nil {
		t.Fatal(err)
	}
	exp := totalsOf(t, want)
	for _, k := range []string{"requests", "failures", "output_tokens", "input_tokens", "ttft_ms", "itl_ms", "tpot_ms", "e2e_ms", "ttfb_ms", "token_count_source"} {
		if compact(got[k]) != compact(exp[k]) {
			t.Errorf("%s: the master has %s, the workers' Records in one process %s", k, got[k], exp[k])
		}
	}
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

var lostLine = regexp.MustCompile(`\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\] \S+/WARNING/llmlocust.master: worker (\S+) \(\d+\) is lost: no heartbeat for \S+; what it reported stays counted \((\d+) requests`)

// A worker killed mid-run: the master notices within 5 s, the test goes
// on with the other, and the outputs count what the lost worker reported
// and say it was lost.
func TestMasterGoesOnWhenAWorkerDies(t *testing.T) {
	bin := buildBinary(t)
	_, url := startMock(t)
	port := fmt.Sprint(freePort(t))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	doomed := exec.CommandContext(ctx, bin, "-f", "../../scenarios/openai_chat.lua", "--worker", "--master-port", port, "--max-tokens", "8")
	if err := doomed.Start(); err != nil {
		t.Fatal(err)
	}
	survivor := make(chan result, 1)
	go func() {
		survivor <- runCLI(t, ctx, nil, "-f", "../../scenarios/openai_chat.lua", "--worker", "--master-port", port, "--max-tokens", "8")
	}()
	killed := make(chan time.Time, 1)
	go func() {
		// Two reports of the doomed worker reach the master first.
		time.Sleep(8 * time.Second)
		_ = doomed.Process.Signal(syscall.SIGKILL)
		killed <- time.Now()
		_ = doomed.Wait()
	}()
	js := filepath.Join(t.TempDir(), "summary.json")
	r := runCLI(t, ctx, nil, "-f", "../../scenarios/openai_chat.lua", "--master", "--headless", "--master-bind-host", "127.0.0.1",
		"--master-bind-port", port, "--expect-workers", "2", "-u", "4", "-r", "4", "-t", "16s", "-H", url, "--json-file", js)
	at := <-killed
	if r.code != 0 {
		t.Fatalf("the master exited %d:\n%s", r.code, r.stderr)
	}
	m := lostLine.FindStringSubmatch(r.stderr)
	if m == nil || !strings.Contains(r.stderr, "was lost at") {
		t.Fatalf("the master does not say a worker was lost:\n%s", r.stderr)
	}
	noticed, err := time.ParseInLocation("2006-01-02 15:04:05,000", m[1], time.Local)
	if err != nil {
		t.Fatal(err)
	}
	if d := noticed.Sub(at); d > 5*time.Second {
		t.Errorf("the master noticed the lost worker %v after it was killed, want within 5 s", d)
	}
	lostReqs, _ := strconv.ParseInt(m[3], 10, 64)
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var requests int64
	_ = json.Unmarshal(totalsOf(t, b)["requests"], &requests)
	if lostReqs == 0 || requests <= lostReqs {
		t.Errorf("the lost worker reported %d requests, the summary counts %d in all", lostReqs, requests)
	}
	var sum struct {
		Workers []struct {
			ID       string `json:"id"`
			Requests int64  `json:"requests"`
			Lost     bool   `json:"lost"`
			LostAt   string `json:"lost_at"`
		} `json:"workers"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	var lost, kept int64
	for _, w := range sum.Workers {
		if w.Lost {
			lost++
			if w.ID != m[2] || w.Requests != lostReqs || w.LostAt == "" {
				t.Errorf("the summary's lost worker %+v; the log said %s with %d requests", w, m[2], lostReqs)
			}
		} else {
			kept += w.Requests
		}
	}
	if len(sum.Workers) != 2 || lost != 1 || kept+lostReqs != requests {
		t.Errorf("the summary's workers %+v do not add up to its %d requests", sum.Workers, requests)
	}
	if w := <-survivor; w.code != 0 {
		t.Errorf("the other worker exited %d:\n%s", w.code, w.stderr)
	}
}
