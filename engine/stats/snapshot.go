package stats

import (
	"cmp"
	"slices"
	"time"
)

// Snapshot is a deep copy of the stats at one moment. Nothing in it is
// shared with the live stats, so any goroutine may read it at leisure.
type Snapshot struct {
	// Time is when it was taken or, for a stopped test, the test's end:
	// the current window and the run rates end here.
	Time  time.Time
	Start time.Time // start of the run or of the last reset

	// Entries holds one row per (Name, Method), sorted by name, then
	// method, as Locust sorts its tables.
	Entries []*Entry
	// Total is the "Aggregated" row over every request, with Method "".
	Total *Entry

	Errors     []*ErrorEntry // most occurrences first
	Exceptions []*Exception  // highest count first

	// Cancelled counts requests cut off because their user stopped; they
	// appear nowhere else.
	Cancelled int64

	// SLO is the run's service level objectives, nil when it sets none:
	// the LLM rows then count no good requests.
	SLO *SLO

	// LLM holds one row per (Name, Method) that had LLM requests, sorted as
	// Entries; LLMTotal is their "Aggregated" total, with Method "", merged
	// exactly from the rows.
	LLM      []*LLMEntry
	LLMTotal *LLMEntry

	// Schedule is how late the scheduled requests went out; Warmup what
	// the warm-up left out.
	Schedule Schedule
	Warmup   Warmup
}

// Entry is the frozen stats of one (Name, Method) row, or of the total.
// Response times are in milliseconds; rates are per second.
type Entry struct {
	Name   string
	Method string

	NumRequests        int64 // failures included, as Locust counts
	NumFailures        int64
	TotalResponseTime  float64
	TotalContentLength int64

	// StartTime is when the row was created or last reset.
	StartTime time.Time
	// LastRequestTimestamp is when the row's newest request completed;
	// zero before the first.
	LastRequestTimestamp time.Time

	min, max float64
	hist     []Bucket // whole run, sorted by MS

	window      []Bucket // about the last ten seconds, sorted by MS
	windowCount int64
	windowOK    bool

	currentRPS, currentFailPerSec float64
	totalRPS, totalFailPerSec     float64
}

// Avg is the mean response time in ms, 0 without requests.
func (e *Entry) Avg() float64 {
	if e.NumRequests == 0 {
		return 0
	}
	return e.TotalResponseTime / float64(e.NumRequests)
}

// Min is the fastest exact response time in ms, 0 without requests.
func (e *Entry) Min() float64 { return e.min }

// Max is the slowest exact response time in ms, 0 without requests.
func (e *Entry) Max() float64 { return e.max }

// Median is Locust's median response time in ms: the histogram's 50th
// percentile, pulled into [Min, Max]. The histogram is rounded but min and
// max are exact, and without the clamp a single slow request would show a
// median above its own maximum. The result is a whole number unless the
// clamp applied, which is why it is a float.
func (e *Entry) Median() float64 {
	if len(e.hist) == 0 {
		return 0
	}
	m := float64(percentileOf(e.hist, e.NumRequests, 0.5))
	if m > e.max {
		return e.max
	}
	if m < e.min {
		return e.min
	}
	return m
}

// Percentile is the rounded response time in ms within which a fraction p
// (0 to 1) of the requests completed, over the whole run; 0 without
// requests.
func (e *Entry) Percentile(p float64) int64 {
	return percentileOf(e.hist, e.NumRequests, p)
}

// CurrentPercentile is Percentile over the requests of about the last ten
// seconds before the snapshot. ok is false when the stats hold no
// histogram copy from around then (as Locust answers None), for instance
// in the first seconds after a reset.
func (e *Entry) CurrentPercentile(p float64) (ms int64, ok bool) {
	if !e.windowOK {
		return 0, false
	}
	return percentileOf(e.window, e.windowCount, p), true
}

// Buckets returns a copy of the whole-run histogram, sorted by MS.
func (e *Entry) Buckets() []Bucket { return slices.Clone(e.hist) }

// CurrentRPS is the requests per second of the recent past: the mean over
// the seconds from 12 to 3 seconds before the run's newest request.
func (e *Entry) CurrentRPS() float64 { return e.currentRPS }

// CurrentFailPerSec is CurrentRPS for failures.
func (e *Entry) CurrentFailPerSec() float64 { return e.currentFailPerSec }

// TotalRPS is the row's requests divided by the time from the run's start
// to its newest request.
func (e *Entry) TotalRPS() float64 { return e.totalRPS }

// TotalFailPerSec is TotalRPS for failures.
func (e *Entry) TotalFailPerSec() float64 { return e.totalFailPerSec }

// ShownRates are the "current" request and failure rates that tables and
// headers show: CurrentRPS and CurrentFailPerSec while the test runs and,
// once it has stopped, TotalRPS and TotalFailPerSec, so that what is shown
// of a finished test agrees with its requests over its running time
// rather than fading with the seconds since its end.
func (e *Entry) ShownRates(stopped bool) (rps, failPerSec float64) {
	if stopped {
		return e.totalRPS, e.totalFailPerSec
	}
	return e.currentRPS, e.currentFailPerSec
}

// AvgContentLength is the mean response body size in bytes, 0 without
// requests.
func (e *Entry) AvgContentLength() float64 {
	if e.NumRequests == 0 {
		return 0
	}
	return float64(e.TotalContentLength) / float64(e.NumRequests)
}

// FailRatio is failures over requests, from 0 to 1.
func (e *Entry) FailRatio() float64 {
	switch {
	case e.NumRequests > 0:
		return float64(e.NumFailures) / float64(e.NumRequests)
	case e.NumFailures > 0:
		return 1
	}
	return 0
}

// ErrorEntry is one kind of failure: the requests of one (Method, Name)
// that failed with the same error text.
type ErrorEntry struct {
	Method      string
	Name        string
	Error       string
	Occurrences int64
	FirstSeen   time.Time
	LastSeen    time.Time
}

// Exception is one kind of error raised by a task's script, grouped by
// message and traceback.
type Exception struct {
	Count     int64
	Msg       string
	Traceback string
	Nodes     []string // sorted names of the nodes that raised it
}

func (e *Entry) sortBuckets() {
	sortBuckets(e.hist)
	sortBuckets(e.window)
}

// sort puts every list in the order the Snapshot documents, once the
// copies are out from under the stats lock.
func (s *Snapshot) sort() {
	for _, e := range s.Entries {
		e.sortBuckets()
	}
	s.Total.sortBuckets()
	slices.SortFunc(s.Entries, func(a, b *Entry) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Method, b.Method))
	})
	for _, e := range s.LLM {
		e.sortSeconds()
	}
	s.LLMTotal.sortSeconds()
	slices.SortFunc(s.LLM, func(a, b *LLMEntry) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Method, b.Method))
	})
	slices.SortFunc(s.Errors, func(a, b *ErrorEntry) int {
		return cmp.Or(
			cmp.Compare(b.Occurrences, a.Occurrences),
			a.FirstSeen.Compare(b.FirstSeen),
			cmp.Compare(a.Method, b.Method),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Error, b.Error),
		)
	})
	// Exceptions arrive in first-seen order; a stable sort keeps it among
	// equal counts.
	slices.SortStableFunc(s.Exceptions, func(a, b *Exception) int {
		return cmp.Compare(b.Count, a.Count)
	})
}
