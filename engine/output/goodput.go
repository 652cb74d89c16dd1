package output

import (
	"fmt"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// Goodput is how many LLM requests met every SLO of the run: of all of
// them (failures included, cancelled ones not counted), the good ones,
// their share, and the good requests and their output tokens per second
// of the run.
type Goodput struct {
	Requests         int64   `json:"requests"`
	GoodRequests     int64   `json:"good_requests"`
	Fraction         float64 `json:"fraction"`
	RequestsPerS     float64 `json:"requests_per_s"`
	OutputTokensPerS float64 `json:"output_tokens_per_s"`
}

// GoodputOf is the goodput of an LLM row, over the time from the start of
// its stats to end.
func GoodputOf(e *stats.LLMEntry, end time.Time) *Goodput {
	return &Goodput{
		Requests:         e.Requests,
		GoodRequests:     e.Good,
		Fraction:         e.GoodFraction(),
		RequestsPerS:     e.GoodputPerSec(end),
		OutputTokensPerS: e.GoodOutputTokensPerSec(end),
	}
}

// goodputColumns end the LLM stats file's rows when the run sets SLOs.
var goodputColumns = []string{"Good Requests", "Goodput (req/s)", "Good Output Tokens/s", "Good Fraction"}

// goodputFields are an LLM row's goodput columns; end is the end of the
// run's rates.
func goodputFields(e *stats.LLMEntry, end time.Time) []string {
	return []string{itoa(e.Good), pyFloat(e.GoodputPerSec(end)), pyFloat(e.GoodOutputTokensPerSec(end)), pyFloat(e.GoodFraction())}
}

// goodputLiveField is the live line's goodput: good requests per second
// and their share of the requests, over the current window (the whole
// run once the test has stopped), e.g. "goodput 4.1 req/s (82%)".
func goodputLiveField(e *stats.LLMEntry, now time.Time, stopped bool) string {
	rate, fraction, ok := e.CurrentGoodput()
	if stopped {
		rate, fraction, ok = e.GoodputPerSec(now), e.GoodFraction(), e.Requests > 0
	}
	share := "-"
	if ok {
		share = fmt.Sprintf("%.0f%%", fraction*100)
	}
	return fmt.Sprintf("goodput %.1f req/s (%s)", rate, share)
}

// addGoodput fills the summary's SLOs and, when there are any, the
// goodput of the totals and of every LLM endpoint.
func addGoodput(s *Summary, snap *stats.Snapshot, end time.Time) {
	s.SLOs = snap.SLO.Strings()
	if snap.SLO == nil {
		return
	}
	total := snap.LLMTotal
	if total == nil {
		total = &stats.LLMEntry{Start: snap.Start}
	}
	s.Totals.Goodput = GoodputOf(total, end)
	s.Goodput = s.Totals.Goodput
	llm := llmByKey(snap)
	for i, st := range s.Endpoints {
		if l := llm[[2]string{*st.Name, *st.Method}]; l != nil {
			s.Endpoints[i].Goodput = GoodputOf(l, end)
		}
	}
}
