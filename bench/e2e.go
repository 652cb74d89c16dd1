package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/output"
)

// The simulator's settings in every end-to-end run.
const (
	simTTFT      = 200 * time.Millisecond
	simITL       = 20 * time.Millisecond
	simTokens    = 64
	stopTimeout  = 30 * time.Second // users finish the request in flight, as the baseline does
	recordsKept  = 400000           // more than any run here finishes, so Sent holds them all
	scenarioPath = "bench/stream64.lua"
)

// binaries are the programs the runs start.
type binaries struct{ llmlocust, baseline string }

// buildBinaries builds the client and the baseline into dir.
func buildBinaries(ctx context.Context, root, dir string) (binaries, error) {
	b := binaries{llmlocust: filepath.Join(dir, "llmlocust"), baseline: filepath.Join(dir, "baseline")}
	for out, pkg := range map[string]string{b.llmlocust: "./cmd/llmlocust", b.baseline: "./bench/baseline"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("go build %s: %w: %s", pkg, err, bytes.TrimSpace(msg))
		}
	}
	return b, nil
}

// e2e makes the runs against the simulator.
type e2e struct {
	bins binaries
	root string
	dir  string // for the clients' outputs
	logf func(string, ...any)
}

// Spread is a timing's median and 99th percentile in milliseconds.
type Spread struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
}

// Client is one client's run at one user count: what it cost, seen from
// outside, and what it measured, beside what the simulator recorded.
type Client struct {
	Requests int64 `json:"requests"`
	Failures int64 `json:"failures"`
	// Chunks is the simulator's count of tokens sent, one per chunk.
	Chunks int64 `json:"chunks"`
	// TokensCounted is what the client counted (output tokens, or token
	// chunks for the baseline); it should equal Chunks.
	TokensCounted int64 `json:"tokens_counted"`

	CPUSeconds     float64 `json:"cpu_s"`
	CPUPer1kChunks float64 `json:"cpu_s_per_1k_chunks"`
	PeakRSSBytes   int64   `json:"peak_rss_bytes"`
	RSSPerUserKiB  float64 `json:"rss_per_user_kib"`
	WallSeconds    float64 `json:"wall_s"`
	TTFT           Spread  `json:"ttft_ms"`
	TPOT           Spread  `json:"tpot_ms"`
	SimTTFT        Spread  `json:"simulator_ttft_ms"`
	SimTPOT        Spread  `json:"simulator_tpot_ms"`
	SimRecords     int     `json:"simulator_records"`
	TTFTError      Spread  `json:"ttft_error_ms"`
	TPOTError      Spread  `json:"tpot_error_ms"`
	// SimulatorCPUSeconds is what the simulator used in the run;
	// OthersCPUSeconds what every other process of the machine used
	// while the client ran: both compete with the client for the CPUs.
	SimulatorCPUSeconds float64                `json:"simulator_cpu_s"`
	OthersCPUSeconds    float64                `json:"others_cpu_s"`
	MetricsBacklog      *output.SummaryBacklog `json:"metrics_backlog,omitempty"`
	ExitCode            int                    `json:"exit_code"`
	LastError           string                 `json:"last_error,omitempty"`
}

// Run is one user count: our client and the baseline in the same
// conditions, each against a freshly started simulator.
type Run struct {
	Users     int     `json:"users"`
	RunTimeS  float64 `json:"run_time_s"`
	Ours      Client  `json:"ours"`
	Baseline  Client  `json:"baseline"`
	CPURatio  float64 `json:"cpu_ratio"` // ours / baseline, per chunk
	RSSRatio  float64 `json:"rss_ratio"`
	TTFTSlack float64 `json:"ttft_p50_error_over_baseline_ms"`
}

// compare runs ours, then the baseline, at users users for d.
func (e *e2e) compare(ctx context.Context, users int, d time.Duration) (Run, error) {
	r := Run{Users: users, RunTimeS: d.Seconds()}
	var err error
	e.logf("users=%d, %s: llmlocust", users, d)
	if r.Ours, err = e.ours(ctx, users, d); err != nil {
		return r, err
	}
	e.logf("users=%d, %s: baseline", users, d)
	if r.Baseline, err = e.baseline(ctx, users, d); err != nil {
		return r, err
	}
	r.CPURatio = ratio(r.Ours.CPUPer1kChunks, r.Baseline.CPUPer1kChunks)
	r.RSSRatio = ratio(float64(r.Ours.PeakRSSBytes), float64(r.Baseline.PeakRSSBytes))
	r.TTFTSlack = r.Ours.TTFTError.P50 - r.Baseline.TTFTError.P50
	return r, nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// withSimulator runs fn against a simulator of its own, so that its
// record and counters hold this run only, and fills in the simulator's
// side of c and the CPU the rest of the machine used meanwhile.
func (e *e2e) withSimulator(c *Client, args []string, fn func(url string) error) error {
	sim, err := startSimulator(e.bins.llmlocust, args...)
	if err != nil {
		return err
	}
	defer sim.stop()
	busy0, ok0 := machineBusy()
	if err := fn(sim.url); err != nil {
		return err
	}
	busy1, ok1 := machineBusy()
	var tot mock.Totals
	if err := getJSON(sim.url+"/mock/stats", &tot); err != nil {
		return err
	}
	var tim mock.Timings
	if err := getJSON(sim.url+"/mock/timings", &tim); err != nil {
		return err
	}
	if !tim.Complete {
		return fmt.Errorf("the simulator's record overflowed (%d records kept): raise its record capacity", tim.Records)
	}
	c.SimulatorCPUSeconds = sim.stop().Seconds()
	if ok0 && ok1 {
		c.OthersCPUSeconds = max(0, (busy1-busy0).Seconds()-c.CPUSeconds-c.SimulatorCPUSeconds)
	}
	c.Chunks = tot.CompletionTokens
	c.SimTTFT, c.SimTPOT, c.SimRecords = Spread{tim.TTFT.P50, tim.TTFT.P99}, Spread{tim.TPOT.P50, tim.TPOT.P99}, tim.Records
	c.TTFTError = Spread{c.TTFT.P50 - c.SimTTFT.P50, c.TTFT.P99 - c.SimTTFT.P99}
	c.TPOTError = Spread{c.TPOT.P50 - c.SimTPOT.P50, c.TPOT.P99 - c.SimTPOT.P99}
	return nil
}

func simArgs(maxTokens int, itl time.Duration) []string {
	return []string{"--ttft", simTTFT.String(), "--itl", itl.String(), "--default-max-tokens", strconv.Itoa(maxTokens),
		"--record-capacity", strconv.Itoa(recordsKept)}
}

// ours runs llmlocust headless at users users, all started within a
// second, and reads its JSON summary.
func (e *e2e) ours(ctx context.Context, users int, d time.Duration) (Client, error) {
	var c Client
	err := e.withSimulator(&c, simArgs(simTokens, simITL), func(url string) error {
		sum, u, err := e.runOurs(ctx, url, users, float64(users), d, stopTimeout, nil, nil)
		if err != nil {
			return err
		}
		fillOurs(&c, sum, u, users)
		return nil
	})
	c.CPUPer1kChunks = perK(c.CPUSeconds, c.Chunks)
	return c, err
}

func fillOurs(c *Client, sum *output.Summary, u Usage, users int) {
	t := sum.Totals
	c.Requests, c.Failures, c.TokensCounted = t.Requests, t.Failures, t.OutputTokens
	c.TTFT, c.TPOT = spreadOf(t.TTFT), spreadOf(t.TPOT)
	c.MetricsBacklog = &sum.Backlog
	fillUsage(c, u, users)
	if len(sum.Errors) > 0 {
		c.LastError = sum.Errors[len(sum.Errors)-1].Error
	}
}

// spreadOf is a timing's p50 and p99 (a run's default percentiles).
func spreadOf(l *output.Latency) Spread {
	if l == nil {
		return Spread{}
	}
	p50, _ := l.P(0.50)
	p99, _ := l.P(0.99)
	return Spread{p50, p99}
}

func fillUsage(c *Client, u Usage, users int) {
	c.CPUSeconds, c.PeakRSSBytes, c.WallSeconds, c.ExitCode = u.CPU.Seconds(), u.MaxRSS, u.Wall.Seconds(), u.Exit
	c.RSSPerUserKiB = float64(u.MaxRSS) / 1024 / float64(users)
}

func perK(cpuSeconds float64, chunks int64) float64 {
	if chunks == 0 {
		return 0
	}
	return cpuSeconds / float64(chunks) * 1000
}

// runOurs runs the client process and returns its summary and usage.
func (e *e2e) runOurs(ctx context.Context, url string, users int, rate float64, d, stop time.Duration,
	extra []string, during func(context.Context, int)) (*output.Summary, Usage, error) {
	name := fmt.Sprintf("ours-%d", users)
	jsonPath := filepath.Join(e.dir, name+".json")
	args := append([]string{"-f", filepath.Join(e.root, scenarioPath), "-H", url, "--headless",
		"-u", strconv.Itoa(users), "-r", strconv.FormatFloat(rate, 'f', -1, 64),
		"-t", d.String(), "-s", stop.String(), "--json-file", jsonPath, "-L", "WARNING"}, extra...)
	cmd := exec.Command(e.bins.llmlocust, args...)
	logPath := filepath.Join(e.dir, name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, Usage{}, fmt.Errorf("creating %s: %w", logPath, err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	u, err := measure(ctx, cmd, d+stop+2*time.Minute, during)
	if err != nil {
		return nil, u, err
	}
	var sum output.Summary
	b, err := os.ReadFile(jsonPath)
	if err == nil {
		err = json.Unmarshal(b, &sum)
	}
	if err != nil {
		tail, _ := os.ReadFile(logPath)
		return nil, u, fmt.Errorf("reading llmlocust's summary (exit code %d): %w; its output ends: %s", u.Exit, err, lastLines(string(tail), 8))
	}
	return &sum, u, nil
}

// baselineReport is what the baseline program prints.
type baselineReport struct {
	Requests  int64  `json:"requests"`
	Errors    int64  `json:"errors"`
	Chunks    int64  `json:"chunks"`
	TTFT      Spread `json:"ttft_ms"`
	TPOT      Spread `json:"tpot_ms"`
	LastError string `json:"last_error"`
}

// baseline runs the baseline client in the conditions of ours.
func (e *e2e) baseline(ctx context.Context, users int, d time.Duration) (Client, error) {
	var c Client
	err := e.withSimulator(&c, simArgs(simTokens, simITL), func(url string) error {
		var out bytes.Buffer
		cmd := exec.Command(e.bins.baseline, "-url", url+"/v1/chat/completions", "-users", strconv.Itoa(users),
			"-rate", strconv.Itoa(users), "-duration", d.String(), "-max-tokens", strconv.Itoa(simTokens))
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		u, err := measure(ctx, cmd, d+stopTimeout+2*time.Minute, nil)
		if err != nil {
			return err
		}
		var rep baselineReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			return fmt.Errorf("reading the baseline's report (exit code %d): %w: %q", u.Exit, err, out.String())
		}
		c.Requests, c.Failures, c.TokensCounted = rep.Requests, rep.Errors, rep.Chunks
		c.TTFT, c.TPOT, c.LastError = rep.TTFT, rep.TPOT, rep.LastError
		fillUsage(&c, u, users)
		return nil
	})
	c.CPUPer1kChunks = perK(c.CPUSeconds, c.Chunks)
	return c, err
}

// getJSON decodes the JSON answer of a GET.
func getJSON(url string, v any) error {
	client := http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("asking the simulator: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("decoding %s: %w", url, err)
	}
	return nil
}
