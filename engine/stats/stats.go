// Package stats aggregates request Records into Locust's request statistics:
// one entry per (name, method) plus the "Aggregated" total, with Locust's
// histogram rounding, percentiles, current and total rates, error groups and
// exceptions; and, for LLM requests, token counts, token rates by second and
// mergeable three-digit histograms of their timings. Its memory does not
// grow with the number of requests.
package stats

import (
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// TotalName is the name of the row that aggregates every request.
const TotalName = "Aggregated"

type entryKey struct{ name, method string }

// RequestStats is the live aggregate of a run. Log, LogException, Reset and
// Snapshot may be called from any goroutines at once.
type RequestStats struct {
	mu    sync.Mutex
	start time.Time
	// stop is when the test ended, zero while it runs: a stopped test's
	// figures stay as they were at its end.
	stop       time.Time
	total      *entry
	entries    map[entryKey]*entry
	errors     errorGroups
	exceptions exceptionGroups
	cancelled  int64
	slo        *SLO // judges LLM requests good or not; nil counts no goodput

	// The LLM total is not kept live: Snapshot merges it from the rows,
	// exactly, which halves the work of logging an LLM request.
	llmEntries map[entryKey]*llmEntry

	schedule schedule
	warmup   warmup
}

// New returns empty stats whose run starts at now.
func New(now time.Time) *RequestStats {
	return &RequestStats{
		start:      now,
		total:      newEntry(TotalName, "", now),
		entries:    make(map[entryKey]*entry),
		errors:     make(errorGroups),
		exceptions: make(exceptionGroups),
		llmEntries: make(map[entryKey]*llmEntry),
	}
}

// Log counts one finished request at its end time, as Locust counts a
// request when it completes, and an LLM request in the LLM stats too. A
// cancelled record is only counted as cancelled. A record that ended before
// the last reset is counted as ending at the reset, so it cannot fall
// outside the run it is part of.
func (s *RequestStats) Log(r *record.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.warmup.excludes(r) {
		return
	}
	if r.Cancelled {
		s.cancelled++
		return
	}
	s.schedule.log(r)
	at := r.End()
	if at.Before(s.start) {
		at = s.start
	}
	ms := toMS(r.ResponseTime)
	s.total.log(at, ms, r.ContentLength)
	e := s.entry(r.Name, r.Method, at)
	e.log(at, ms, r.ContentLength)
	if r.Failed() {
		s.total.logFailure(at)
		e.logFailure(at)
		s.errors.add(r.Method, r.Name, r.Error, at)
	}
	if r.LLM != nil {
		s.llmEntry(r.Name, r.Method).log(r, at, s.slo)
	}
	if s.warmup.counted(r.End()) {
		s.resetLocked(r.End())
	}
}

// Streaming counts n token chunks of a stream still open, one token
// each, in the second they arrived, so that the live output rate does not
// wait for the request to end. These counts are provisional and kept
// apart from what Records add: whoever hands them over takes them back
// (n < 0) when the stream's Record is logged, which then counts what the
// chunks really carried. A reset leaves them be, so that what is taken
// back is always what was given.
func (s *RequestStats) Streaming(name, method string, at time.Time, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.llmEntry(name, method).open.add(at.Unix(), int64(n))
}

func (s *RequestStats) llmEntry(name, method string) *llmEntry {
	k := entryKey{name, method}
	e := s.llmEntries[k]
	if e == nil {
		// A row born after a reset belongs to the run since that reset.
		e = newLLMEntry(name, method, s.start)
		s.llmEntries[k] = e
	}
	return e
}

func (s *RequestStats) entry(name, method string, now time.Time) *entry {
	k := entryKey{name, method}
	e := s.entries[k]
	if e == nil {
		e = newEntry(name, method, now)
		s.entries[k] = e
	}
	return e
}

// LogException counts an error raised by a task's script on node ("local"
// for a run without workers). Exceptions are grouped by message and
// traceback.
func (s *RequestStats) LogException(msg, traceback, node string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exceptions.add(msg, traceback, node)
}

// Reset zeroes every entry, drops errors, exceptions and the cancelled
// count, and restarts the run at now, as Locust's reset_stats does. The
// entries stay, so tables keep their rows.
func (s *RequestStats) Reset(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(now)
}

func (s *RequestStats) resetLocked(now time.Time) {
	s.start, s.stop = now, time.Time{}
	s.schedule = schedule{}
	s.total.reset(now)
	for _, e := range s.entries {
		e.reset(now)
	}
	clear(s.errors)
	clear(s.exceptions)
	s.cancelled = 0
	for _, e := range s.llmEntries {
		e.reset(now)
	}
}

// Stop marks the test ended at: snapshots taken later are taken as of at,
// so that every rate and window of a stopped test keeps the value it had
// at its end, however long the figures are looked at afterwards. Records
// that reach the stats later still count. The next Reset clears it.
func (s *RequestStats) Stop(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.Before(s.start) {
		at = s.start
	}
	s.stop = at
}

// Snapshot copies the stats as they stand. now ends the current window of
// CurrentPercentile and the time base of the run rates (or the test's end,
// once it has stopped); the request rates are anchored, as in Locust, to
// the newest request rather than to now.
func (s *RequestStats) Snapshot(now time.Time) *Snapshot {
	s.mu.Lock()
	if !s.stop.IsZero() && now.After(s.stop) {
		now = s.stop
	}
	snap := &Snapshot{
		Time:       now,
		Start:      s.start,
		Total:      s.total.snapshot(s.total, now),
		Entries:    make([]*Entry, 0, len(s.entries)),
		Errors:     s.errors.snapshot(),
		Exceptions: s.exceptions.snapshot(),
		Cancelled:  s.cancelled,
		Schedule:   s.schedule.snapshot(),
		Warmup:     s.warmup.snapshot(),
		SLO:        s.slo,
	}
	for _, e := range s.entries {
		snap.Entries = append(snap.Entries, e.snapshot(s.total, now))
	}
	snap.LLM = make([]*LLMEntry, 0, len(s.llmEntries))
	for _, e := range s.llmEntries {
		snap.LLM = append(snap.LLM, e.snapshot(now))
	}
	s.mu.Unlock()
	snap.LLMTotal = mergeLLM(TotalName, snap.Start, snap.LLM)
	snap.sort()
	return snap
}
