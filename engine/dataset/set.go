// Package dataset loads and generates the prompts a scenario sends: JSONL
// files, ShareGPT conversations, synthetic prompts of exact token lengths,
// shared-prefix groups for prefix-cache tests, and request traces (as
// Mooncake publishes them) whose prompts are made to replay at their
// times. A loaded Set or Trace is immutable and shared by every user of a
// run.
package dataset

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
)

// Set is a loaded dataset. Its rows never change; only the shared cursor
// behind Next moves, so one Set serves any number of users at once.
type Set struct {
	rows   []Row
	report Report
	cursor atomic.Uint64
}

// Report says what loading a set found.
type Report struct {
	// Source names the set: a file path or a generator's description.
	Source string
	// Rows is the number of rows kept.
	Rows int
	// Skipped counts the entries left out, by reason.
	Skipped map[string]int
}

// String reads like "data.json: 18 rows, 2 skipped (no human turn)".
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d rows", r.Source, r.Rows)
	for _, reason := range slices.Sorted(maps.Keys(r.Skipped)) {
		fmt.Fprintf(&b, ", %d skipped (%s)", r.Skipped[reason], reason)
	}
	return b.String()
}

func newSet(rows []Row, report Report) *Set {
	report.Rows = len(rows)
	return &Set{rows: rows, report: report}
}

// Len is the number of rows, at least one.
func (s *Set) Len() int { return len(s.rows) }

// Row returns row i, counted from 0; it panics when i is out of range, as
// indexing a slice does.
func (s *Set) Row(i int) Row { return s.rows[i] }

// Next returns the row after the one any user took last, wrapping around
// at the end, so a run walks the set in order whatever the number of
// users.
func (s *Set) Next() Row {
	i := s.cursor.Add(1) - 1
	return s.rows[i%uint64(len(s.rows))]
}

// Random returns a row drawn with r, or with the global source when r is
// nil.
func (s *Set) Random(r *rand.Rand) Row {
	if r == nil {
		return s.rows[rand.IntN(len(s.rows))]
	}
	return s.rows[r.IntN(len(s.rows))]
}

// Report says where the set came from and what loading it left out.
func (s *Set) Report() Report {
	r := s.report
	r.Skipped = maps.Clone(r.Skipped)
	return r
}
