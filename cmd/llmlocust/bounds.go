package main

import (
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/options"
)

// limits are the bounds of --max-event-size, --max-text-size and
// --max-backlog. Their values were vetted when read; one that still fails
// to parse keeps the default.
func limits(opts *options.Run) metrics.Limits {
	size := func(text string) int64 {
		n, _ := options.ParseSize(text)
		return n
	}
	return metrics.Limits{
		Event:   int(size(opts.MaxEventSize)),
		Text:    int(size(opts.MaxTextSize)),
		Backlog: size(opts.MaxBacklog),
	}
}

// warnSaturated says, at the end of a run, that the client could not keep
// up, and what that cost.
func warnSaturated(log *logger, peak metrics.Backlog) {
	if !peak.Saturated() {
		return
	}
	log.log(LevelWarning, "llmlocust.main", "the client was saturated: the metrics daemon fell up to %s behind (%d chunks, %s queued); give the run more CPU or fewer users, as timings may be late",
		peak.Oldest.Round(time.Millisecond), peak.Queued, metrics.FormatSize(peak.Bytes))
	if peak.Refused > 0 {
		log.log(LevelWarning, "llmlocust.main", "the metrics backlog reached its bound (--max-backlog) %d times: each time, the request whose chunk was refused failed", peak.Refused)
	}
}
