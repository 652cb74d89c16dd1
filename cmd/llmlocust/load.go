package main

import (
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
