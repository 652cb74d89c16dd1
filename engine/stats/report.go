package stats

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// EntryDict is one stats row as Locust serializes it for the master
// (StatsEntryDict): counts since the last report, the response-time
// histogram by Locust's bucket and the requests and failures by Unix
// second. The tags are its msgpack keys on the wire.
type EntryDict struct {
	Name                 string          `msgpack:"name"`
	Method               string          `msgpack:"method"`
	LastRequestTimestamp *float64        `msgpack:"last_request_timestamp"`
	StartTime            float64         `msgpack:"start_time"`
	NumRequests          int64           `msgpack:"num_requests"`
	NumNoneRequests      int64           `msgpack:"num_none_requests"`
	NumFailures          int64           `msgpack:"num_failures"`
	TotalResponseTime    float64         `msgpack:"total_response_time"`
	MaxResponseTime      float64         `msgpack:"max_response_time"`
	MinResponseTime      *float64        `msgpack:"min_response_time"`
	TotalContentLength   int64           `msgpack:"total_content_length"`
	ResponseTimes        map[int64]int64 `msgpack:"response_times"`
	NumReqsPerSec        map[int64]int64 `msgpack:"num_reqs_per_sec"`
	NumFailPerSec        map[int64]int64 `msgpack:"num_fail_per_sec"`
}

// ErrorDict is one error group as Locust serializes it (StatsErrorDict).
type ErrorDict struct {
	Name        string   `msgpack:"name"`
	Method      string   `msgpack:"method"`
	Error       string   `msgpack:"error"`
	Occurrences int64    `msgpack:"occurrences"`
	FirstSeen   *float64 `msgpack:"first_seen"`
	LastSeen    *float64 `msgpack:"last_seen"`
}

// Report is what a worker tells its master about the requests since its
// last report: Locust's stats, stats_total and errors keys.
type Report struct {
	Stats  []EntryDict          `msgpack:"stats"`
	Total  EntryDict            `msgpack:"stats_total"`
	Errors map[string]ErrorDict `msgpack:"errors"`
	// LLM rides under a key of our own, which a Locust master keeps in
	// the report but never reads.
	LLM []LLMDict `msgpack:"llmlocust_llm,omitempty"`
}

// TakeReport is the report of everything logged since the last one, and
// starts the next at now, as Locust's worker strips its stats at each
// report: every report is a delta. Rows without requests or failures are
// left out, as Locust leaves them out.
func (s *RequestStats) TakeReport(now time.Time) Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := Report{Total: s.total.dict(), Errors: make(map[string]ErrorDict, len(s.errors))}
	for _, k := range slices.SortedFunc(maps.Keys(s.entries), cmpKeys) {
		if e := s.entries[k]; e.numRequests > 0 || e.numFailures > 0 {
			rep.Stats = append(rep.Stats, e.dict())
		}
	}
	for k, g := range s.errors {
		first, last := UnixSeconds(g.first), UnixSeconds(g.last)
		rep.Errors[ErrorKey(k.method, k.name, k.text)] = ErrorDict{Name: k.name, Method: k.method, Error: k.text,
			Occurrences: g.occurrences, FirstSeen: &first, LastSeen: &last}
	}
	for _, k := range slices.SortedFunc(maps.Keys(s.llmEntries), cmpKeys) {
		if e := s.llmEntries[k]; e.requests > 0 {
			rep.LLM = append(rep.LLM, e.dict())
		}
	}
	s.resetLocked(now)
	return rep
}

func cmpKeys(a, b entryKey) int {
	return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.method, b.method))
}

// ErrorKey is Locust's key of an error group in a report: the SHA-256 of
// "method.name.'error'", the error as Python writes a string's repr, so
// that a Locust master keys our errors as it keys its own workers'.
func ErrorKey(method, name, text string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s.%s.%s", method, name, pyRepr(text))))
	return hex.EncodeToString(sum[:])
}

// pyRepr is Python's repr of a string for the texts errors have: single
// quotes unless the text holds one and no double quote.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	out := []byte{q}
	for _, r := range s {
		switch {
		case r == '\\':
			out = append(out, `\\`...)
		case r == rune(q):
			out = append(out, '\\', q)
		case r == '\n':
			out = append(out, `\n`...)
		case r == '\r':
			out = append(out, `\r`...)
		case r == '\t':
			out = append(out, `\t`...)
		case r < 0x20 || r == 0x7f:
			out = append(out, fmt.Sprintf(`\x%02x`, r)...)
		default:
			out = append(out, string(r)...)
		}
	}
	return string(append(out, q))
}

// dict is the entry as Locust serializes it.
func (e *entry) dict() EntryDict {
	d := EntryDict{
		Name: e.name, Method: e.method,
		StartTime:          UnixSeconds(e.start),
		NumRequests:        e.numRequests,
		NumFailures:        e.numFailures,
		TotalResponseTime:  e.totalRT,
		MaxResponseTime:    e.maxRT,
		TotalContentLength: e.contentLen,
		ResponseTimes:      maps.Clone(e.hist),
		NumReqsPerSec:      e.reqs.counts(),
		NumFailPerSec:      e.fails.counts(),
	}
	if !e.last.IsZero() {
		last := UnixSeconds(e.last)
		d.LastRequestTimestamp = &last
	}
	if e.hasMin {
		m := e.minRT
		d.MinResponseTime = &m
	}
	return d
}

// counts is the seconds kept with their counts: all of a report's, since
// reports come every few seconds and an entry keeps sixteen.
func (p *perSecond) counts() map[int64]int64 {
	out := make(map[int64]int64)
	for _, slot := range p {
		if slot.n > 0 {
			out[slot.sec] = slot.n
		}
	}
	return out
}
