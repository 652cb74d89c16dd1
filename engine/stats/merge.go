package stats

import (
	"fmt"
	"time"
)

// LLMDict is one LLM row of a worker's report, what its requests added
// since the last report: counts, the whole-run histograms of each timing,
// the windowed histograms of each second, and the output tokens and
// goodput by second. Histograms travel as buckets, so that a master
// merges them exactly: its percentiles are those of every worker's
// Records taken together, never averages of the workers' percentiles.
type LLMDict struct {
	Name       string                   `msgpack:"name"`
	Method     string                   `msgpack:"method"`
	Requests   int64                    `msgpack:"requests"`
	Failures   int64                    `msgpack:"failures"`
	Output     int64                    `msgpack:"output_tokens"`
	Input      int64                    `msgpack:"input_tokens"`
	Reasoning  int64                    `msgpack:"reasoning_tokens"`
	Usage      int64                    `msgpack:"source_usage"`
	Tokenizer  int64                    `msgpack:"source_tokenizer"`
	Chunks     int64                    `msgpack:"source_chunks"`
	Mismatches int64                    `msgpack:"token_mismatches"`
	Good       int64                    `msgpack:"good"`
	GoodTokens int64                    `msgpack:"good_output_tokens"`
	Timings    map[string]HistogramData `msgpack:"timings"`
	Windows    []WindowDict             `msgpack:"windows"`
	Tokens     map[int64]int64          `msgpack:"tokens_per_sec"`
	GoodSecs   map[int64]int64          `msgpack:"good_per_sec"`
	AllSecs    map[int64]int64          `msgpack:"judged_per_sec"`
}

// WindowDict is the windowed timings of the requests that ended in one
// Unix second.
type WindowDict struct {
	Sec     int64                    `msgpack:"sec"`
	Timings map[string]HistogramData `msgpack:"timings"`
}

// timingNamed is the timing of a name Timing.String gives.
func timingNamed(name string) (Timing, bool) {
	for t := range numTimings {
		if t.String() == name {
			return t, true
		}
	}
	return 0, false
}

func timingsDict(hs *[numTimings]Histogram, only func(Timing) bool) map[string]HistogramData {
	out := make(map[string]HistogramData)
	for t := range numTimings {
		if hs[t].Count() > 0 && (only == nil || only(t)) {
			out[t.String()] = hs[t].Data()
		}
	}
	return out
}

func ringDict(r *tokenRing) map[int64]int64 {
	out := make(map[int64]int64)
	for _, s := range r {
		if s.n != 0 {
			out[s.sec] = s.n
		}
	}
	return out
}

// dict is the LLM entry as a report carries it.
func (e *llmEntry) dict() LLMDict {
	d := LLMDict{
		Name: e.name, Method: e.method,
		Requests: e.requests, Failures: e.failures,
		Output: e.output, Input: e.input, Reasoning: e.reasoning,
		Usage: e.usage, Tokenizer: e.tokenizer, Chunks: e.chunked, Mismatches: e.mismatches,
		Good: e.goodput.good, GoodTokens: e.goodput.tokens,
		Timings:  timingsDict(&e.hist, nil),
		Tokens:   ringDict(&e.tokens),
		GoodSecs: ringDict(&e.goodput.goodSecs),
		AllSecs:  ringDict(&e.goodput.allSecs),
	}
	for _, s := range e.window.all() {
		d.Windows = append(d.Windows, WindowDict{Sec: s.sec, Timings: timingsDict((*[numTimings]Histogram)(&s.val), isWindowed)})
	}
	return d
}

// extend adds what a report's row brought.
func (e *llmEntry) extend(d LLMDict) error {
	e.requests += d.Requests
	e.failures += d.Failures
	e.output += d.Output
	e.input += d.Input
	e.reasoning += d.Reasoning
	e.usage += d.Usage
	e.tokenizer += d.Tokenizer
	e.chunked += d.Chunks
	e.mismatches += d.Mismatches
	e.goodput.good += d.Good
	e.goodput.tokens += d.GoodTokens
	if err := mergeTimings(&e.hist, d.Timings); err != nil {
		return err
	}
	for _, w := range d.Windows {
		if slot := e.window.take(w.Sec); slot != nil {
			if err := mergeTimings((*[numTimings]Histogram)(&slot.val), w.Timings); err != nil {
				return err
			}
		}
	}
	for sec, n := range d.Tokens {
		e.tokens.add(sec, n)
	}
	for sec, n := range d.GoodSecs {
		e.goodput.goodSecs.add(sec, n)
	}
	for sec, n := range d.AllSecs {
		e.goodput.allSecs.add(sec, n)
	}
	return nil
}

func mergeTimings(hs *[numTimings]Histogram, in map[string]HistogramData) error {
	for name, h := range in {
		t, ok := timingNamed(name)
		if !ok {
			return fmt.Errorf("unknown timing %q", name)
		}
		if err := hs[t].MergeData(h); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// extend adds a report's row to the entry, as Locust's StatsEntry.extend
// does on a master: counts and histogram buckets summed, extremes and
// times kept, and the current window's second closed when the row's
// newest request is of a later second than the entry's.
func (e *entry) extend(d EntryDict) {
	oldLast := e.last
	if d.LastRequestTimestamp != nil {
		if at := fromUnix(*d.LastRequestTimestamp); at.After(e.last) {
			e.last = at
		}
	}
	if st := fromUnix(d.StartTime); d.StartTime > 0 && st.Before(e.start) {
		e.start = st
	}
	e.numRequests += d.NumRequests
	e.numFailures += d.NumFailures
	e.totalRT += d.TotalResponseTime
	e.maxRT = max(e.maxRT, d.MaxResponseTime)
	if d.MinResponseTime != nil && (!e.hasMin || *d.MinResponseTime < e.minRT) {
		e.minRT, e.hasMin = *d.MinResponseTime, true
	}
	e.contentLen += d.TotalContentLength
	for b, n := range d.ResponseTimes {
		e.hist[b] += n
		e.window.open.val.addN(b, n)
	}
	for sec, n := range d.NumReqsPerSec {
		e.reqs.addN(sec, n)
	}
	for sec, n := range d.NumFailPerSec {
		e.fails.addN(sec, n)
	}
	if last := e.last.Unix(); !e.last.IsZero() && (oldLast.IsZero() || last > oldLast.Unix()) {
		e.window.close(last)
	}
}

func fromUnix(s float64) time.Time {
	return time.Unix(0, int64(s*1e9))
}

// Extend merges a worker's report into these stats, as a master merges
// its workers' reports: Locust's rows, total and errors as Locust merges
// them, and the LLM rows exactly, bucket by bucket.
func (s *RequestStats) Extend(rep Report) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range rep.Stats {
		s.entry(d.Name, d.Method, s.start).extend(d)
	}
	s.total.extend(rep.Total)
	for _, d := range rep.Errors {
		s.errors.merge(d)
	}
	for _, d := range rep.LLM {
		if err := s.llmEntry(d.Name, d.Method).extend(d); err != nil {
			return fmt.Errorf("the LLM stats of %s %s: %w", d.Method, d.Name, err)
		}
	}
	return nil
}

// merge adds a reported error group.
func (g errorGroups) merge(d ErrorDict) {
	first, last := time.Now(), time.Now()
	if d.FirstSeen != nil {
		first = fromUnix(*d.FirstSeen)
	}
	if d.LastSeen != nil {
		last = fromUnix(*d.LastSeen)
	}
	k := errorKey{d.Method, d.Name, d.Error}
	eg := g[k]
	if eg == nil && len(g) >= maxErrorGroups {
		k.text = OtherErrors
		eg = g[k]
	}
	if eg == nil {
		g[k] = &errorGroup{occurrences: d.Occurrences, first: first, last: last}
		return
	}
	eg.occurrences += d.Occurrences
	if first.Before(eg.first) {
		eg.first = first
	}
	if last.After(eg.last) {
		eg.last = last
	}
}
