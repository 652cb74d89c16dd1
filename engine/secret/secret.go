// Package secret masks secrets in everything a run writes. A Scrubber
// learns the values to hide (the values of the scenario's secret options
// and the API keys that requests send) and replaces each one with Mask in
// strings, byte slices and streams, so that the console, the log, the
// files and the web responses never show a key, whatever a script or a
// server put it into. It is safe for concurrent use and costs a few
// substring searches when there is nothing to mask.
package secret

import (
	"bytes"
	"cmp"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Mask stands in for a secret wherever one would be shown.
const Mask = "******"

// MinLen is the shortest value masked: replacing shorter strings would
// mangle unrelated text and numbers, and no key is that short.
const MinLen = 4

var mask = []byte(Mask)

// Scrubber holds the secrets of a run. The zero value holds none yet; a
// nil *Scrubber masks nothing and takes nothing.
type Scrubber struct {
	mu  sync.Mutex // serialises additions
	set atomic.Pointer[set]
}

// set is one immutable generation of the secrets: readers load it without
// locking, additions replace it whole.
type set struct {
	// known holds every value offered, so that offering it again (every
	// request sends its key) costs one map lookup.
	known map[string]struct{}
	// patterns are the secrets as they may appear in text, longest first,
	// so that a secret holding another is masked whole; texts are the
	// same as strings.
	patterns [][]byte
	texts    []string
}

// New returns a Scrubber with no secrets.
func New() *Scrubber { return &Scrubber{} }

var empty = &set{known: map[string]struct{}{}}

// load is the current generation: nil for a nil Scrubber.
func (s *Scrubber) load() *set {
	if s == nil {
		return nil
	}
	if cur := s.set.Load(); cur != nil {
		return cur
	}
	return empty
}

// Add registers values to mask; those shorter than MinLen are ignored.
func (s *Scrubber) Add(values ...string) {
	for _, v := range values {
		if len(v) < MinLen || s.knows(v) {
			continue
		}
		s.add(v, v)
	}
}

// AddHeader registers the value of a header that carries credentials
// (Authorization, x-api-key and the like), both whole and, after a scheme
// such as "Bearer ", the bare token. Other headers are ignored.
func (s *Scrubber) AddHeader(name, value string) {
	if len(value) < MinLen || !isKeyHeader(name) || s.knows(value) {
		return
	}
	values := []string{value}
	if _, token, ok := strings.Cut(strings.TrimSpace(value), " "); ok {
		values = append(values, strings.TrimSpace(token))
	}
	s.add(value, values...)
}

// AddHeaders is AddHeader for each name, value pair of a request.
func (s *Scrubber) AddHeaders(h [][2]string) {
	if s == nil {
		return
	}
	for _, kv := range h {
		s.AddHeader(kv[0], kv[1])
	}
}

// keyHeaders are the request headers whose values are credentials.
var keyHeaders = []string{"Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key"}

func isKeyHeader(name string) bool {
	for _, h := range keyHeaders {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}

func (s *Scrubber) knows(v string) bool {
	cur := s.load()
	if cur == nil {
		return true // a nil Scrubber takes nothing
	}
	_, ok := cur.known[v]
	return ok
}

// add makes a new generation that knows key and masks values.
func (s *Scrubber) add(key string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.load()
	if _, ok := cur.known[key]; ok {
		return
	}
	next := &set{known: make(map[string]struct{}, len(cur.known)+len(values)), patterns: slices.Clone(cur.patterns)}
	for k := range cur.known {
		next.known[k] = struct{}{}
	}
	next.known[key] = struct{}{}
	have := make(map[string]bool, len(cur.patterns))
	for _, p := range cur.patterns {
		have[string(p)] = true
	}
	for _, v := range values {
		if len(v) < MinLen {
			continue
		}
		next.known[v] = struct{}{}
		for _, form := range forms(v) {
			if !have[form] {
				have[form] = true
				next.patterns = append(next.patterns, []byte(form))
			}
		}
	}
	slices.SortStableFunc(next.patterns, func(a, b []byte) int { return cmp.Compare(len(b), len(a)) })
	for _, p := range next.patterns {
		next.texts = append(next.texts, string(p))
	}
	s.set.Store(next)
}

// forms are the ways v may be written out: as it is, escaped inside a JSON
// string, in HTML, in a URL and inside a quoted CSV field.
func forms(v string) []string {
	out := []string{v}
	if quoted, err := json.Marshal(v); err == nil {
		out = append(out, string(quoted[1:len(quoted)-1]))
	}
	out = append(out, html.EscapeString(v), url.QueryEscape(v), url.PathEscape(v), strings.ReplaceAll(v, `"`, `""`))
	slices.Sort(out)
	return slices.Compact(out)
}

// Len is how many secrets the Scrubber masks, counting none of their
// escaped forms.
func (s *Scrubber) Len() int {
	cur := s.load()
	if cur == nil {
		return 0
	}
	return len(cur.known)
}

// Bytes returns b with every secret masked, and whether it held one. When
// it held none, b itself is returned; b is never changed.
func (s *Scrubber) Bytes(b []byte) (out []byte, masked bool) {
	return s.load().scrub(b)
}

// String returns v with every secret masked.
func (s *Scrubber) String(v string) string {
	cur := s.load()
	if cur == nil {
		return v
	}
	for _, p := range cur.texts {
		if strings.Contains(v, p) {
			v = strings.ReplaceAll(v, p, Mask)
		}
	}
	return v
}

func (st *set) scrub(b []byte) ([]byte, bool) {
	if st == nil {
		return b, false
	}
	masked := false
	for _, p := range st.patterns {
		if bytes.Contains(b, p) {
			b, masked = bytes.ReplaceAll(b, p, mask), true
		}
	}
	return b, masked
}

// pending is how many bytes at the end of b could be the start of a
// secret that the next write completes.
func (st *set) pending(b []byte) int {
	longest := 0
	for _, p := range st.patterns {
		from := max(0, len(b)-len(p)+1)
		for i := from; i < len(b); i++ {
			j := bytes.IndexByte(b[i:], p[0])
			if j < 0 {
				break
			}
			i += j
			if bytes.HasPrefix(p, b[i:]) {
				longest = max(longest, len(b)-i)
				break
			}
		}
	}
	return longest
}
