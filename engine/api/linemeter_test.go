package api

import (
	"strings"
	"testing"
)

// The meter refuses a line at the read where it passes the limit, however
// the body is cut, and agrees with the Splitter on it. (An NDJSON event
// has no slack for its line ending, which only the Splitter checks.)
func TestLineMeter(t *testing.T) {
	const limit = 64 // a line may have limit+lineSlack bytes
	long := strings.Repeat("x", limit+lineSlack)
	cases := []struct {
		name    string
		framing Framing
		body    string
		ok      bool
	}{
		{"short lines", SSE, "data: a\n\ndata: b\n\n", true},
		{"a line at the limit", SSE, long + "\n" + long + "\n", true},
		{"a line over the limit, ended", SSE, long + "x\n", false},
		{"an endless line", SSE, long + "x", false},
		{"CRLF endings", SSE, long + "\r\n" + long + "\r\n", true},
		{"bare CR endings in SSE", SSE, long + "\r" + long + "\r" + long, true},
		{"bare CR is no ending in NDJSON", NDJSON, long[:40] + "\r" + long[:40], false},
		{"NDJSON lines at the limit", NDJSON, long[:limit] + "\n" + long[:limit] + "\n", true},
		{"NDJSON line over the limit", NDJSON, "{}\n" + long + "xy", false},
	}
	for _, tc := range cases {
		for _, cut := range cuttings() {
			t.Run(tc.name+"/"+cut.name, func(t *testing.T) {
				m := NewLineMeter(tc.framing, limit)
				ok, at := true, 0
				for _, n := range cut.cuts(len(tc.body)) {
					if !m.Add([]byte(tc.body[at : at+n])) {
						ok = false
						break
					}
					at += n
				}
				if ok != tc.ok {
					t.Fatalf("meter ok = %v, want %v", ok, tc.ok)
				}
				_, err := splitAll(tc.framing, limit, []byte(tc.body), cut.cuts(len(tc.body)))
				if split := err == nil; split != tc.ok {
					t.Fatalf("the splitter says ok = %v (%v), the meter %v", split, err, tc.ok)
				}
			})
		}
	}
}

// Once over, the meter stays over: a request is refused for good.
func TestLineMeterStaysOver(t *testing.T) {
	m := NewLineMeter(SSE, 8)
	if m.Add([]byte(strings.Repeat("x", 30))) {
		t.Fatal("a 30-byte line passed a 24-byte limit")
	}
	if m.Add([]byte("\nok\n")) {
		t.Fatal("the meter forgot the line it refused")
	}
}
