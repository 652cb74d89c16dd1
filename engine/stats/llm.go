package stats

import (
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// Timing names one of the LLM timings that the stats keep a Histogram of.
type Timing uint8

// The LLM timings, as docs/metrics.md defines them.
const (
	TTFT Timing = iota // time to the first token chunk
	TTFO               // time to the first visible (non-reasoning) chunk
	ITL                // each gap between consecutive token chunks
	TPOT               // per request, (E2E − TTFT) / (output tokens − 1)
	E2E                // time to the last token chunk
	TTFB               // time to the response headers
	Lag                // of a scheduled request: how late it went out
	numTimings
)

// String is the timing's name in lower case, as the JSON keys spell it.
func (t Timing) String() string {
	switch t {
	case TTFT:
		return "ttft"
	case TTFO:
		return "ttfo"
	case ITL:
		return "itl"
	case TPOT:
		return "tpot"
	case E2E:
		return "e2e"
	case TTFB:
		return "ttfb"
	case Lag:
		return "schedule_lag"
	}
	return "unknown"
}

const (
	// tokenSeconds is how many recent seconds of output tokens an LLM
	// entry keeps, for the current rate and the charts of the last two
	// minutes.
	tokenSeconds = 120

	// windowSlots is how many per-second histograms of the windowed
	// timings an entry keeps: the current window, plus two for records
	// that are logged slightly out of order.
	windowSlots = currentWindow + 2
)

// tokenRing counts output tokens by the Unix second they arrived, for the
// last tokenSeconds seconds only.
type tokenRing [tokenSeconds]struct{ sec, n int64 }

func (r *tokenRing) add(sec, n int64) {
	slot := &r[uint64(sec)%tokenSeconds]
	switch {
	case slot.sec == sec:
		slot.n += n
	case slot.sec < sec:
		slot.sec, slot.n = sec, n
	}
	// A second older than the one holding its slot is past the ring.
}

// windowedHists holds the windowed timings of the requests that ended in
// one second.
type windowedHists [numTimings]Histogram

func (w *windowedHists) reset() {
	for i := range w {
		w[i].reset()
	}
}

// llmEntry is the live LLM state of one (name, method) row.
type llmEntry struct {
	name, method string
	start        time.Time

	requests, failures        int64
	output, input, reasoning  int64
	usage, tokenizer, chunked int64
	mismatches                int64
	goodput                   goodCounts

	hist   [numTimings]Histogram
	tokens tokenRing // from Records
	open   tokenRing // from streams still open, until their Records come
	window secondRing[windowedHists, *windowedHists]
}

func newLLMEntry(name, method string, now time.Time) *llmEntry {
	e := &llmEntry{name: name, method: method, window: newSecondRing[windowedHists](windowSlots)}
	e.reset(now)
	return e
}

// reset zeroes the entry and restarts it at now, keeping its maps.
func (e *llmEntry) reset(now time.Time) {
	e.start = now
	e.requests, e.failures = 0, 0
	e.output, e.input, e.reasoning = 0, 0, 0
	e.usage, e.tokenizer, e.chunked, e.mismatches = 0, 0, 0, 0
	e.goodput = goodCounts{}
	for i := range e.hist {
		e.hist[i].reset()
	}
	e.tokens = tokenRing{}
	e.window.clear()
}

// log counts one LLM request that ended at end (already moved up to the
// stats' start if it ended before). Tokens count for every request, a
// failed one keeping what it received; timings only for successes, whose
// numbers describe a complete answer. slo, when set, judges the request
// good or not.
func (e *llmEntry) log(r *record.Record, end time.Time, slo *SLO) {
	l := r.LLM
	e.requests++
	if r.Failed() {
		e.failures++
	}
	e.output += int64(l.OutputTokens)
	e.input += int64(l.InputTokens)
	e.reasoning += int64(l.ReasoningTokens)
	switch l.Source {
	case record.SourceUsage:
		e.usage++
	case record.SourceTokenizer:
		e.tokenizer++
	case record.SourceChunks:
		e.chunked++
	}
	if l.Mismatch {
		e.mismatches++
	}
	e.logTokenSeconds(r, end)
	if r.Scheduled {
		e.logLag(r.Lag, end.Unix())
	}
	e.goodput.log(slo, r, end)
	if !r.Failed() {
		e.logTimings(l, end.Unix())
	}
}

// logTokenSeconds dates each chunk's tokens to the second it arrived.
// Tokens that no chunk carries (a count reported without a stream, say)
// are dated to the request's end.
func (e *llmEntry) logTokenSeconds(r *record.Record, end time.Time) {
	var dated int64
	for _, c := range r.LLM.Chunks {
		dated += int64(c.Tokens)
		if at := r.Start.Add(c.At); !at.Before(e.start) {
			e.tokens.add(at.Unix(), int64(c.Tokens))
		}
	}
	if rest := int64(r.LLM.OutputTokens) - dated; rest > 0 {
		e.tokens.add(end.Unix(), rest)
	}
}

// logTimings records the timings of a successful request into the
// whole-run histograms and into the window slot of its end second.
func (e *llmEntry) logTimings(l *record.LLM, endSec int64) {
	slot := e.window.take(endSec)
	rec := func(t Timing, d time.Duration) {
		us := microsOf(d)
		i := bucketIndex(us)
		e.hist[t].add(us, i)
		if slot != nil && isWindowed(t) {
			slot.val[t].add(us, i)
		}
	}
	if l.TTFB > 0 {
		rec(TTFB, l.TTFB)
	}
	if len(l.Chunks) == 0 {
		return // no token arrived: no TTFT, E2E, ITL or TPOT
	}
	rec(TTFT, l.TTFT)
	rec(E2E, l.E2E)
	if l.Reasoning && l.TTFO > 0 {
		rec(TTFO, l.TTFO)
	}
	l.ITL(func(gap time.Duration) { rec(ITL, gap) })
	if tpot, ok := l.TPOT(); ok {
		rec(TPOT, tpot)
	}
}

// logLag records how late a scheduled request went out, failed or not,
// into the whole-run histogram and the window slot of its end second.
func (e *llmEntry) logLag(lag time.Duration, endSec int64) {
	us := microsOf(lag)
	i := bucketIndex(us)
	e.hist[Lag].add(us, i)
	if slot := e.window.take(endSec); slot != nil {
		slot.val[Lag].add(us, i)
	}
}

// isWindowed says whether a timing keeps a current window: those that
// the live line, the history file and the web UI's charts show.
func isWindowed(t Timing) bool { return t == TTFT || t == ITL || t == TPOT || t == E2E || t == Lag }

// current is the windowed histograms of the seconds from
// now−currentWindow+1 to now.
func (e *llmEntry) current(now int64) [numTimings]*Histogram {
	var out [numTimings]*Histogram
	for i := range out {
		out[i] = &Histogram{}
	}
	e.window.lastSeconds(now, func(w *windowedHists) {
		for t := range numTimings {
			if isWindowed(t) {
				out[t].Merge(&w[t])
			}
		}
	})
	return out
}

// snapshot copies the entry into an immutable LLMEntry; now ends the
// current window.
func (e *llmEntry) snapshot(now time.Time) *LLMEntry {
	out := &LLMEntry{
		Name:            e.name,
		Method:          e.method,
		Start:           e.start,
		Requests:        e.requests,
		Failures:        e.failures,
		OutputTokens:    e.output,
		InputTokens:     e.input,
		ReasoningTokens: e.reasoning,
		Sources:         TokenSources{Usage: e.usage, Tokenizer: e.tokenizer, Chunks: e.chunked},
		Mismatches:      e.mismatches,
		current:         e.current(now.Unix()),
	}
	for t := range e.hist {
		out.hist[t] = e.hist[t].clone()
	}
	out.bySecond = e.tokenSeconds(now.Unix())
	out.Good, out.GoodOutputTokens = e.goodput.good, e.goodput.tokens
	out.goodWindow = e.goodput.window(now, e.start)
	return out
}

// tokenSeconds is the output tokens of each recent second: those Records
// dated to it, and those open streams brought in it so far (since the
// second the entry started).
func (e *llmEntry) tokenSeconds(nowSec int64) []SecondTokens {
	var out []SecondTokens
	for i := range e.tokens {
		done, open := e.tokens[i], e.open[i]
		if open.sec < e.start.Unix() {
			open.n = 0
		}
		if done.sec == open.sec {
			done.n, open.n = done.n+open.n, 0
		}
		for _, s := range [...]struct{ sec, n int64 }{done, open} {
			if s.n > 0 && s.sec > nowSec-tokenSeconds && s.sec <= nowSec {
				out = append(out, SecondTokens{Second: s.sec, Tokens: s.n})
			}
		}
	}
	return out
}
