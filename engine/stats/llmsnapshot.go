package stats

import (
	"cmp"
	"slices"
	"time"
)

// LLMEntry is the frozen LLM stats of one (Name, Method) row, or of the
// total: the requests that carried LLM measurements (Record.LLM set).
// Token counts include failed requests, with whatever they received;
// timings come from successful requests only.
type LLMEntry struct {
	Name   string
	Method string
	// Start is the start of the stats (the run, or the last reset): the
	// time base of the run rates.
	Start time.Time

	Requests int64 // LLM requests, failures included
	Failures int64

	OutputTokens    int64
	InputTokens     int64
	ReasoningTokens int64

	// Sources counts requests by where their output count came from.
	Sources TokenSources
	// Mismatches counts requests whose server and client counts disagree.
	Mismatches int64

	// Good counts the requests that met every SLO of the run, and
	// GoodOutputTokens their output tokens; both 0 when it sets none.
	Good             int64
	GoodOutputTokens int64
	goodWindow       goodWindow

	hist     [numTimings]*Histogram
	current  [numTimings]*Histogram
	bySecond []SecondTokens // sorted by Second
}

// TokenSources counts requests by the source of their output token count;
// requests without any count are in none of them.
type TokenSources struct {
	Usage     int64 // the server's usage report
	Tokenizer int64 // the client's tokenizer
	Chunks    int64 // the number of token chunks
}

// SecondTokens is the number of output tokens that arrived during one
// wall-clock second (Unix time).
type SecondTokens struct {
	Second int64
	Tokens int64
}

// Hist is the whole-run histogram of a timing. It belongs to the snapshot:
// read it, do not record into it.
func (e *LLMEntry) Hist(t Timing) *Histogram {
	if t >= numTimings {
		return &Histogram{}
	}
	return e.hist[t]
}

// Current is the histogram of a timing over the requests that ended in
// about the last ten seconds before the snapshot. Only TTFT, ITL, TPOT,
// E2E and Lag keep one; the others give an empty histogram.
func (e *LLMEntry) Current(t Timing) *Histogram {
	if t >= numTimings {
		return &Histogram{}
	}
	return e.current[t]
}

// OutputTokensPerSec is the run's output tokens divided by the time from
// the start of the stats to end; 0 before any time has passed.
func (e *LLMEntry) OutputTokensPerSec(end time.Time) float64 {
	return perSecondSince(e.OutputTokens, e.Start, end)
}

// InputTokensPerSec is OutputTokensPerSec for input tokens.
func (e *LLMEntry) InputTokensPerSec(end time.Time) float64 {
	return perSecondSince(e.InputTokens, e.Start, end)
}

func perSecondSince(n int64, start, end time.Time) float64 {
	d := end.Sub(start).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(n) / d
}

// CurrentOutputTokensPerSec is the output token rate of the recent past:
// the mean of the tokens that arrived in each of the whole seconds from
// twelve to three seconds before now, never reaching back before the
// start of the stats. Tokens are dated to the second they arrived, but
// known only once their request has finished, so the newest two seconds
// are left out, as Locust leaves them out of its current request rate.
func (e *LLMEntry) CurrentOutputTokensPerSec(now time.Time) float64 {
	last := now.Unix()
	from := max(last-12, e.Start.Unix())
	to := last - 2
	if from >= to {
		return 0
	}
	var sum int64
	for _, s := range e.bySecond {
		if s.Second >= from && s.Second < to {
			sum += s.Tokens
		}
	}
	return float64(sum) / float64(to-from)
}

// OutputTokensBySecond returns the output tokens of each of the last two
// minutes' seconds that had any, oldest first.
func (e *LLMEntry) OutputTokensBySecond() []SecondTokens { return slices.Clone(e.bySecond) }

// mergeLLM adds up LLM rows into one named row starting at start: counts
// and token seconds by sum, histograms exactly by bucket.
func mergeLLM(name string, start time.Time, rows []*LLMEntry) *LLMEntry {
	out := &LLMEntry{Name: name, Start: start}
	for t := range numTimings {
		out.hist[t], out.current[t] = &Histogram{}, &Histogram{}
	}
	bySecond := make(map[int64]int64)
	for _, e := range rows {
		out.Requests += e.Requests
		out.Failures += e.Failures
		out.OutputTokens += e.OutputTokens
		out.InputTokens += e.InputTokens
		out.ReasoningTokens += e.ReasoningTokens
		out.Sources.Usage += e.Sources.Usage
		out.Sources.Tokenizer += e.Sources.Tokenizer
		out.Sources.Chunks += e.Sources.Chunks
		out.Mismatches += e.Mismatches
		out.Good += e.Good
		out.GoodOutputTokens += e.GoodOutputTokens
		out.goodWindow = out.goodWindow.merge(e.goodWindow)
		for t := range numTimings {
			out.hist[t].Merge(e.hist[t])
			out.current[t].Merge(e.current[t])
		}
		for _, s := range e.bySecond {
			bySecond[s.Second] += s.Tokens
		}
	}
	for sec, n := range bySecond {
		out.bySecond = append(out.bySecond, SecondTokens{Second: sec, Tokens: n})
	}
	return out
}

func (e *LLMEntry) sortSeconds() {
	slices.SortFunc(e.bySecond, func(a, b SecondTokens) int { return cmp.Compare(a.Second, b.Second) })
}
