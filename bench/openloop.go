package main

import (
	"context"
	"fmt"
	"time"
)

// The open-loop runs send short requests at a fixed rate to a simulator in
// a process of its own and read how late the client sent them: the
// schedule lag, send time minus due time, that every open-loop figure
// rests on.
const (
	lagTargetRate = 5000
	lagTargetMS   = 1.0
	lagTargetName = "schedule lag p99 ≤ 1 ms"
	// openLoopUsers caps the requests in flight: far above rate × latency
	// (5,000/s × about 10 ms), so that a busy user never delays a send.
	openLoopUsers = 1000
)

// OpenLoop is one open-loop run.
type OpenLoop struct {
	Rate     int     `json:"rate"`
	RunTimeS float64 `json:"run_time_s"`
	Users    int     `json:"users"`
	Sent     int64   `json:"sent"`
	Unsent   int64   `json:"unsent"`
	Failures int64   `json:"failures"`
	Lag      struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
		Max float64 `json:"max"`
	} `json:"lag_ms"`
	CPUSeconds float64 `json:"client_cpu_s"`
}

// openLoop runs llmlocust at rate requests/s for d against answers of 4
// tokens, 5 ms to the first and 1 ms apart.
func (e *e2e) openLoop(ctx context.Context, rate int, d time.Duration) (OpenLoop, error) {
	o := OpenLoop{Rate: rate, RunTimeS: d.Seconds(), Users: openLoopUsers}
	e.logf("open loop at %d requests/s, %s", rate, d)
	sim, err := startSimulator(e.bins.llmlocust, "--ttft", "5ms", "--itl", "1ms", "--default-max-tokens", "4",
		"--record-capacity", "16")
	if err != nil {
		return o, err
	}
	defer sim.stop()
	sum, u, err := e.runOurs(ctx, sim.url, openLoopUsers, float64(openLoopUsers), d, 10*time.Second,
		[]string{"--request-rate", fmt.Sprint(rate), "--arrival", "constant", "--only-summary"}, nil)
	if err != nil {
		return o, err
	}
	o.CPUSeconds = u.CPU.Seconds()
	o.Failures = sum.Totals.Failures
	if s := sum.Schedule; s != nil {
		o.Sent, o.Unsent = s.Scheduled, s.Unsent
		if l := s.LagMS; l != nil {
			o.Lag.P50, _ = l.P(0.50)
			o.Lag.P99, _ = l.P(0.99)
			o.Lag.Max = l.Max
		}
	}
	return o, nil
}
