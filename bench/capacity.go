package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/script"
)

// Capacity is the run that holds many streams open at once: answers long
// enough that every user is streaming when the run ends.
type Capacity struct {
	Users     int     `json:"users"`
	SpawnRate float64 `json:"spawn_rate"`
	MaxTokens int     `json:"max_tokens"`
	ITLMS     float64 `json:"itl_ms"`
	RunTimeS  float64 `json:"run_time_s"`

	PeakRSSBytes  int64   `json:"peak_rss_bytes"`
	RSSPerUserKiB float64 `json:"rss_per_user_kib"`
	CPUSeconds    float64 `json:"cpu_s"`
	// MaxStreaming is the most requests the simulator was serving at once,
	// sampled every second: the streams open together.
	MaxStreaming int   `json:"max_streaming"`
	Chunks       int64 `json:"chunks"`
	Requests     int64 `json:"requests"`
	Failures     int64 `json:"failures"`
	Cancelled    int64 `json:"cancelled"`

	MetricsBacklog output.SummaryBacklog `json:"metrics_backlog"`
	// ClientFDLimit is the open-file limit the client ran with.
	ClientFDLimit string `json:"client_fd_limit"`
	LastError     string `json:"last_error,omitempty"`
	ExitCode      int    `json:"exit_code"`
}

// capacity runs users users with answers of tokens tokens, a chunk every
// itl, so that all of them stream at once, and stops them at the end of
// the run without waiting for their answers.
func (e *e2e) capacity(ctx context.Context, users int, rate float64, tokens int, itl, d time.Duration) (*Capacity, error) {
	c := &Capacity{Users: users, SpawnRate: rate, MaxTokens: tokens, ITLMS: float64(itl) / float64(time.Millisecond), RunTimeS: d.Seconds()}
	e.logf("capacity: %d users at %g/s, %d-token answers every %s, %s", users, rate, tokens, itl, d)
	sim, err := startSimulator(e.bins.llmlocust, simArgs(tokens, itl)...)
	if err != nil {
		return nil, err
	}
	defer sim.stop()
	var maxStreaming atomic.Int64
	watch := func(ctx context.Context, _ int) { sampleInService(ctx, sim.url, &maxStreaming) }
	sum, u, err := e.runOurs(ctx, sim.url, users, rate, d, 0, []string{"--max-tokens", strconv.Itoa(tokens)}, watch)
	if err != nil {
		return nil, err
	}
	var tot mock.Totals
	if err := getJSON(sim.url+"/mock/stats", &tot); err != nil {
		return nil, err
	}
	c.PeakRSSBytes, c.CPUSeconds, c.ExitCode, c.ClientFDLimit = u.MaxRSS, u.CPU.Seconds(), u.Exit, u.FDLimit
	c.RSSPerUserKiB = float64(u.MaxRSS) / 1024 / float64(users)
	c.MaxStreaming, c.Chunks = int(maxStreaming.Load()), tot.CompletionTokens
	c.Requests, c.Failures, c.Cancelled, c.MetricsBacklog = sum.Totals.Requests, sum.Totals.Failures, sum.Cancelled, sum.Backlog
	if len(sum.Errors) > 0 {
		c.LastError = sum.Errors[len(sum.Errors)-1].Error
	}
	return c, nil
}

// sampleInService keeps the most requests the simulator served at once.
func sampleInService(ctx context.Context, url string, peak *atomic.Int64) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			var tot mock.Totals
			if getJSON(url+"/mock/stats", &tot) == nil && int64(tot.InService) > peak.Load() {
				peak.Store(int64(tot.InService))
			}
		}
	}
}

// Profile says where the profiles of the profile pass went.
type Profile struct {
	Users int    `json:"users"`
	CPU   string `json:"cpu"`
	Heap  string `json:"heap"`
}

// profile runs the client in this process, through the same session a
// headless run uses, with runtime/pprof writing a CPU profile of the
// whole run and a heap profile taken three quarters of the way in, while
// every user streams.
func (e *e2e) profile(ctx context.Context, dir string, users int, d time.Duration) (*Profile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("making %s: %w", dir, err)
	}
	p := &Profile{Users: users, CPU: filepath.Join(dir, "cpu.pprof"), Heap: filepath.Join(dir, "heap.pprof")}
	e.logf("profile: %d users in-process, %s; profiles to %s", users, d, dir)
	sim, err := startSimulator(e.bins.llmlocust, simArgs(simTokens, simITL)...)
	if err != nil {
		return nil, err
	}
	defer sim.stop()
	plan, err := script.Load(filepath.Join(e.root, scenarioPath))
	if err != nil {
		return nil, fmt.Errorf("loading the scenario: %w", err)
	}
	defer plan.Close()
	s, err := run.New(run.Config{Plan: plan, Host: sim.url, Tokenizer: "o200k_base", StopTimeout: stopTimeout})
	if err != nil {
		return nil, fmt.Errorf("starting the session: %w", err)
	}
	stopCPU, err := startCPUProfile(p.CPU)
	if err != nil {
		_, _ = s.Close()
		return nil, err
	}
	runErr := profiledRun(ctx, s, users, d, p.Heap)
	_, closeErr := s.Close()
	if err := stopCPU(); err != nil {
		return nil, err
	}
	if runErr != nil {
		return nil, runErr
	}
	return p, closeErr
}

func profiledRun(ctx context.Context, s *run.Session, users int, d time.Duration, heapPath string) error {
	if err := s.Start(run.Test{Users: users, SpawnRate: float64(users), RunTime: d}); err != nil {
		return fmt.Errorf("starting the test: %w", err)
	}
	heapAt := time.NewTimer(d * 3 / 4)
	defer heapAt.Stop()
	for {
		select {
		case <-heapAt.C:
			if err := writeHeapProfile(heapPath); err != nil {
				s.Stop()
				return err
			}
		case <-s.Stopped():
			return nil
		case <-ctx.Done():
			s.Stop()
			return ctx.Err()
		}
	}
}

func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("starting the CPU profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing the CPU profile: %w", err)
		}
		return nil
	}, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating the heap profile: %w", err)
	}
	runtime.GC() // the in-use figures are as of the last collection
	if err := pprof.WriteHeapProfile(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing the heap profile: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the heap profile: %w", err)
	}
	return nil
}
