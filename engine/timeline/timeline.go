// Package timeline keeps what a test's charts draw over time, once, in
// bounded buffers: a point a second (users, current rates, the current
// windows of the LLM timings, the token sources, the metrics daemon's
// backlog), every fifth of them as an entry of Locust's chart history,
// and the finished LLM requests for the TTFT scatter. The web UI's live
// feed and the HTML report both read it; it is one of a run's outputs,
// ticked once a second.
package timeline

import (
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// Bounds of what a timeline keeps.
const (
	HistoryEvery    = 5    // ticks between entries of Locust's chart history, as Locust's 5 s
	KeptPoints      = 3600 // an hour of points
	keptHistory     = 3600
	KeptRequests    = 5000
	requestsPerTick = 200 // the scatter gets at most this many requests a second, evenly spread
)

// Point is one second of a test.
type Point struct {
	Time             time.Time
	Users            int
	RPS, FailPerSec  float64 // current, as Locust's tables show them
	OutputTokensPerS float64 // current
	// The percentiles (the timeline's Percentiles) of the current window
	// of each LLM timing; nil when the window holds none.
	TTFT, ITL, TPOT, E2E []time.Duration
	// Lag is the same of the schedule lag of an open-loop test.
	Lag []time.Duration
	// Goodput is the current goodput under SLOs: good requests per
	// second and their share; HasGoodput is false without SLOs or while
	// no request ended in its window.
	GoodRPS, GoodFraction float64
	HasGoodput            bool
	// Warmup is true while the test's warm-up has begun and not ended:
	// the second is left out of every reported figure.
	Warmup bool

	Sources    stats.TokenSources
	Mismatches int64
	Backlog    metrics.Backlog

	// Locust's chart history: its mean response time and the current
	// response time percentiles it charts (ms, of ChartPercentiles).
	AvgResponseTime float64
	ResponseTimes   []int64
}

// Request is one finished LLM request, for the TTFT scatter.
type Request struct {
	Start time.Time
	TTFT  time.Duration // 0 when no token arrived
	Name  string
	OK    bool
}

// Tick is what one second added.
type Tick struct {
	Seq      uint64
	Point    Point
	Requests []Request
}

// Listener hears of a timeline's changes as they happen, in order, with
// the timeline locked: it must not call the timeline back.
type Listener interface {
	Restarted()  // a new test began: what was kept is gone
	Ticked(Tick) // a second was added
}

// Timeline is one scenario's charts over its tests; each new test starts
// it afresh. Its methods are safe for concurrent use.
type Timeline struct {
	chart       []float64          // ChartPercentiles
	percentiles output.Percentiles // of the LLM timings' windows

	mu        sync.Mutex
	seq       uint64 // of the newest tick
	resetSeq  uint64 // of the last tick before the current test
	testStart time.Time
	ticks     []Tick
	nreqs     int
	history   []Point
	classes   map[string]int // the last user count by class that had users
	pending   []Request      // finished since the last tick
	listeners []Listener
}

var _ output.Output = (*Timeline)(nil)

// ChartPercentiles are the current response time percentiles that
// Locust's chart history holds (its PERCENTILES_TO_CHART).
var ChartPercentiles = []float64{0.5, 0.95}

// New makes an empty timeline whose points hold the default percentiles
// of the LLM timings.
func New() *Timeline { return NewWithPercentiles(nil) }

// NewWithPercentiles makes an empty timeline whose points hold the
// percentiles ps of the LLM timings (nil for the default).
func NewWithPercentiles(ps output.Percentiles) *Timeline {
	if len(ps) == 0 {
		ps = output.DefaultPercentiles
	}
	return &Timeline{chart: ChartPercentiles, percentiles: ps}
}

// Percentiles are those of the LLM timings that the points hold.
func (t *Timeline) Percentiles() output.Percentiles { return t.percentiles }

// Listen adds l to those told of changes.
func (t *Timeline) Listen(l Listener) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.listeners = append(t.listeners, l)
}

// Log keeps a finished LLM request for the scatter; it runs on the metrics
// daemon's goroutine and only appends.
func (t *Timeline) Log(r *record.Record) {
	if r.LLM == nil || r.Cancelled || len(r.LLM.Chunks) == 0 {
		return
	}
	req := Request{Start: r.Start, TTFT: r.LLM.TTFT, Name: r.Name, OK: !r.Failed()}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) < KeptRequests {
		t.pending = append(t.pending, req)
	}
}

// Restart empties the timeline for a test begun at start, unless it is
// already that test's; listeners hear of it.
func (t *Timeline) Restart(start time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if start.Equal(t.testStart) {
		return
	}
	t.testStart = start
	t.resetSeq = t.seq
	t.ticks, t.nreqs, t.history, t.classes = nil, 0, nil, nil
	// Requests of the new test may have come before the first look at it.
	kept := t.pending[:0]
	for _, r := range t.pending {
		if !r.Start.Before(start) {
			kept = append(kept, r)
		}
	}
	t.pending = kept
	for _, l := range t.listeners {
		l.Restarted()
	}
}

// Start implements output.Output.
func (t *Timeline) Start(s output.Sample) error {
	t.Restart(s.TestStart)
	return nil
}

// Tick implements output.Output: it adds the second s.
func (t *Timeline) Tick(s output.Sample) error {
	t.Restart(s.TestStart)
	point := t.point(s)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	tick := Tick{Seq: t.seq, Point: point, Requests: sample(t.pending, requestsPerTick)}
	t.pending = nil
	t.push(tick)
	if (t.seq-t.resetSeq-1)%HistoryEvery == 0 {
		t.history = appendBounded(t.history, point, keptHistory)
	}
	if sum(s.Classes) > 0 {
		t.classes = s.Classes
	}
	for _, l := range t.listeners {
		l.Ticked(tick)
	}
	return nil
}

// Close implements output.Output: requests that finished after the last
// tick get a last point, so that the report's scatter holds them too.
func (t *Timeline) Close(s output.Sample) error {
	t.mu.Lock()
	pending := len(t.pending) > 0
	t.mu.Unlock()
	if pending {
		return t.Tick(s)
	}
	return nil
}

func (t *Timeline) point(s output.Sample) Point {
	snap := s.Stats
	total := snap.LLMTotal
	p := Point{
		Time:             s.Time,
		Users:            s.Users,
		RPS:              snap.Total.CurrentRPS(),
		FailPerSec:       snap.Total.CurrentFailPerSec(),
		OutputTokensPerS: total.CurrentOutputTokensPerSec(s.Time),
		Sources:          total.Sources,
		Mismatches:       total.Mismatches,
		Backlog:          s.Backlog,
		AvgResponseTime:  snap.Total.Avg(),
	}
	current := func(timing stats.Timing) []time.Duration {
		if h := total.Current(timing); h.Count() > 0 {
			return h.Percentiles(t.percentiles...)
		}
		return nil
	}
	p.TTFT, p.ITL, p.TPOT, p.E2E = current(stats.TTFT), current(stats.ITL), current(stats.TPOT), current(stats.E2E)
	p.Lag = current(stats.Lag)
	if snap.SLO != nil {
		p.GoodRPS, p.GoodFraction, p.HasGoodput = total.CurrentGoodput()
	}
	p.Warmup = snap.Warmup.Pending
	for _, q := range t.chart {
		v, _ := snap.Total.CurrentPercentile(q)
		p.ResponseTimes = append(p.ResponseTimes, v)
	}
	return p
}

// push keeps tick, then drops the oldest ticks beyond KeptPoints and the
// oldest requests beyond KeptRequests. The caller holds t.mu.
func (t *Timeline) push(tick Tick) {
	t.ticks = append(t.ticks, tick)
	t.nreqs += len(tick.Requests)
	if len(t.ticks) > KeptPoints {
		t.nreqs -= len(t.ticks[0].Requests)
		t.ticks = t.ticks[1:]
	}
	for i := 0; t.nreqs > KeptRequests && i < len(t.ticks); i++ {
		drop := min(len(t.ticks[i].Requests), t.nreqs-KeptRequests)
		t.ticks[i].Requests = t.ticks[i].Requests[drop:]
		if len(t.ticks[i].Requests) == 0 {
			t.ticks[i].Requests = nil // an empty tail would keep the whole array
		}
		t.nreqs -= drop
	}
}

// Since is what was added after tick seq, for polling: the newest tick's
// number, the ticks, and whether the caller's charts are stale because a
// new test began (or the process restarted) after its seq.
func (t *Timeline) Since(seq uint64) (latest uint64, ticks []Tick, reset bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seq, t.after(seq), seq > 0 && (seq <= t.resetSeq || seq > t.seq)
}

// View calls fn with the current test's ticks and history, the timeline
// locked: no change comes between what fn sees and what listeners hear
// next.
func (t *Timeline) View(fn func(seq uint64, ticks []Tick, history []Point)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fn(t.seq, t.after(0), t.history)
}

// All is the current test's ticks and Locust chart history.
func (t *Timeline) All() (seq uint64, ticks []Tick, history []Point) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seq, t.after(0), append([]Point(nil), t.history...)
}

// after is the ticks after seq; the caller holds t.mu.
func (t *Timeline) after(seq uint64) []Tick {
	var out []Tick
	for _, tick := range t.ticks {
		if tick.Seq > seq {
			out = append(out, tick)
		}
	}
	return out
}

// LastClasses is the user count by class at the last tick that had users:
// what the task ratios of a stopped test are taken from.
func (t *Timeline) LastClasses() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.classes
}

// appendBounded appends v and drops the oldest items beyond limit. The
// backing array does not grow forever: once its capacity runs out, append
// moves the kept items to a new one.
func appendBounded[T any](s []T, v T, limit int) []T {
	s = append(s, v)
	return s[max(len(s)-limit, 0):]
}

// sample keeps at most n requests, evenly spread.
func sample(reqs []Request, n int) []Request {
	if len(reqs) <= n {
		return reqs
	}
	out := make([]Request, n)
	for i := range out {
		out[i] = reqs[i*len(reqs)/n]
	}
	return out
}

func sum(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}
