package main

import (
	"errors"
	"fmt"

	"github.com/llmlocust/llmlocust/engine/arrival"
	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/run"
)

// load is the open-loop load and warm-up the options ask for. The kind was
// checked against its choices when the options were read.
func load(opts *options.Run) run.Load {
	kind, _ := arrival.ParseKind(opts.Arrival)
	return run.Load{
		Rate:           opts.RequestRate,
		Arrivals:       arrival.Spec{Kind: kind, Burstiness: opts.Burstiness, Seed: uint64(opts.Seed)},
		Ramp:           opts.RateRamp,
		Warmup:         opts.Warmup,
		WarmupRequests: opts.WarmupRequests,
		TracePath:      opts.Trace,
		TraceSpeed:     opts.TraceSpeed,
	}
}

// sweepOf is the sweep of --sweep and --step-time, nil without one; its
// error names the option and the value at fault.
func sweepOf(opts *options.Run) (*run.Sweep, error) {
	if opts.Sweep == "" {
		return nil, nil
	}
	if err := run.CheckStepTime(opts.StepTime); err != nil {
		return nil, fmt.Errorf("--step-time: %w", err)
	}
	sw, err := run.ParseSweep(opts.Sweep, opts.StepTime)
	if err != nil {
		return nil, fmt.Errorf("--sweep %w", err)
	}
	if sw.Mode == run.SweepRate && opts.Trace != "" {
		return nil, errors.New("--sweep rate=… and --trace both say when requests go out: give one")
	}
	return sw, nil
}

// cliTest is the test the command line asks for; its sweep was checked
// before anything started.
func cliTest(opts *options.Run) run.Test {
	sw, _ := sweepOf(opts)
	return run.Test{Users: opts.Users, SpawnRate: opts.SpawnRate, RunTime: opts.RunTime, Sweep: sw}
}
