package api

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// cutting is a way of cutting a body into reads.
type cutting struct {
	name string
	cuts func(n int) []int // read lengths adding up to n
}

// cuttings cut a body whole, one byte at a time, and at random points
// (seeded, so a failure can be replayed).
func cuttings() []cutting {
	cs := []cutting{
		{"whole", func(n int) []int { return []int{n} }},
		{"bytewise", func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = 1
			}
			return out
		}},
	}
	for seed := uint64(1); seed <= 4; seed++ {
		cs = append(cs, cutting{fmt.Sprintf("random%d", seed), func(n int) []int {
			return randomCuts(n, seed)
		}})
	}
	return cs
}

func randomCuts(n int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 99))
	var out []int
	for n > 0 {
		k := min(n, 1+r.IntN(12))
		out = append(out, k)
		n -= k
	}
	return out
}

// splitAll feeds body to a new splitter in reads of the given lengths and
// returns copies of the events it emits and the first error. Every read
// goes through one scratch buffer that is scribbled over after each Feed,
// as a caller's read buffer would be, so events that keep pointing into a
// finished read show up as corrupt.
func splitAll(f Framing, maxEvent int, body []byte, cuts []int) ([]Event, error) {
	s := NewSplitter(f, maxEvent)
	var events []Event
	emit := func(ev Event) {
		events = append(events, Event{Name: ev.Name, Data: bytes.Clone(ev.Data)})
	}
	scratch := make([]byte, len(body))
	for _, n := range cuts {
		read := scratch[:n]
		copy(read, body[:n])
		body = body[n:]
		err := s.Feed(read, emit)
		for i := range read {
			read[i] = '#'
		}
		if err != nil {
			return events, err
		}
	}
	return events, s.Close(emit)
}

func ev(name, data string) Event { return Event{Name: name, Data: []byte(data)} }

func eventsEqual(a, b []Event) bool {
	return slices.EqualFunc(a, b, func(x, y Event) bool {
		return x.Name == y.Name && bytes.Equal(x.Data, y.Data)
	})
}

func showEvents(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "[%s %q] ", e.Name, e.Data)
	}
	return b.String()
}

func TestSplitterSSE(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Event
	}{
		{"one event", "data: {\"a\":1}\n\n", []Event{ev("", `{"a":1}`)}},
		{"several events", "data: a\n\ndata: b\n\ndata: c\n\n", []Event{ev("", "a"), ev("", "b"), ev("", "c")}},
		{"CRLF", "data: a\r\n\r\ndata: b\r\n\r\n", []Event{ev("", "a"), ev("", "b")}},
		{"CR", "data: a\r\rdata: b\r\r", []Event{ev("", "a"), ev("", "b")}},
		{"mixed line endings", "data: a\r\n\ndata: b\r\rdata: c\n\r\n", []Event{ev("", "a"), ev("", "b"), ev("", "c")}},
		{"data without space (TGI)", "data:{\"x\":1}\n\ndata:[DONE]\n\n", []Event{ev("", `{"x":1}`), ev("", "[DONE]")}},
		{"only one space stripped", "data:  two\n\n", []Event{ev("", " two")}},
		{"tab is kept", "data:\tx\n\n", []Event{ev("", "\tx")}},
		{"comments and keep-alives", ": ping\n\n:\ndata: a\n: inside\n\n: tail\n\n", []Event{ev("", "a")}},
		{"several data lines joined", "data: a\ndata: b\ndata:\ndata: c\n\n", []Event{ev("", "a\nb\n\nc")}},
		{"event names", "event: message_start\ndata: {}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n",
			[]Event{ev("message_start", "{}"), ev("ping", `{"type":"ping"}`)}},
		{"name does not leak to the next event", "event: x\ndata: 1\n\ndata: 2\n\n", []Event{ev("x", "1"), ev("", "2")}},
		{"last event name wins", "event: a\nevent: b\ndata: 1\n\n", []Event{ev("b", "1")}},
		{"event without data is dropped", "event: x\n\ndata: 1\n\n", []Event{ev("", "1")}},
		{"name of a dropped event does not leak", "event: x\nid: 3\n\ndata: 1\n\n", []Event{ev("", "1")}},
		{"id, retry and unknown fields ignored", "id: 7\nretry: 100\nfoo: bar\ndata: a\n\n", []Event{ev("", "a")}},
		{"field without colon", "data\n\n", []Event{ev("", "")}},
		{"empty data line", "data:\n\n", []Event{ev("", "")}},
		{"colon inside the value", "data: a: b: c\n\n", []Event{ev("", "a: b: c")}},
		{"blank lines between events", "\n\n\ndata: a\n\n\n\ndata: b\n\n", []Event{ev("", "a"), ev("", "b")}},
		{"close emits an event without its blank line", "data: a\n\ndata: b\n", []Event{ev("", "a"), ev("", "b")}},
		{"close emits a last line without terminator", "data: a\n\ndata: {\"b\":2}", []Event{ev("", "a"), ev("", `{"b":2}`)}},
		{"close after CR", "data: a\r", []Event{ev("", "a")}},
		{"close keeps data lines together", "data: a\ndata: b", []Event{ev("", "a\nb")}},
		{"close with only a comment", "data: a\n\n: bye", []Event{ev("", "a")}},
		{"close with a truncated field name", "data: a\n\nda", []Event{ev("", "a")}},
		{"no events at all", "", nil},
		{"UTF-8 in data", "data: héllo 世界 🙂\n\n", []Event{ev("", "héllo 世界 🙂")}},
		{"invalid UTF-8 passes through", "data: a\xff\xfeb\xe4\xb8\n\n", []Event{ev("", "a\xff\xfeb\xe4\xb8")}},
	}
	for _, tc := range tests {
		for _, c := range cuttings() {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				got, err := splitAll(SSE, 0, []byte(tc.body), c.cuts(len(tc.body)))
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !eventsEqual(got, tc.want) {
					t.Errorf("events\n got %s\nwant %s", showEvents(got), showEvents(tc.want))
				}
			})
		}
	}
}

func TestSplitterNDJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Event
	}{
		{"lines", "{\"a\":1}\n{\"b\":2}\n", []Event{ev("", `{"a":1}`), ev("", `{"b":2}`)}},
		{"CRLF", "{\"a\":1}\r\n{\"b\":2}\r\n", []Event{ev("", `{"a":1}`), ev("", `{"b":2}`)}},
		{"blank lines ignored", "\n{\"a\":1}\n\n  \r\n\t\n{\"b\":2}\n\n", []Event{ev("", `{"a":1}`), ev("", `{"b":2}`)}},
		{"close emits a last line without newline", "{\"a\":1}\n{\"done\":true}", []Event{ev("", `{"a":1}`), ev("", `{"done":true}`)}},
		{"close after CR", "{\"a\":1}\r", []Event{ev("", `{"a":1}`)}},
		{"lines are not SSE", "data: x\n: y\n", []Event{ev("", "data: x"), ev("", ": y")}},
		{"no lines", "", nil},
		{"only blank", "\n\r\n \n", nil},
	}
	for _, tc := range tests {
		for _, c := range cuttings() {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				got, err := splitAll(NDJSON, 0, []byte(tc.body), c.cuts(len(tc.body)))
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !eventsEqual(got, tc.want) {
					t.Errorf("events\n got %s\nwant %s", showEvents(got), showEvents(tc.want))
				}
			})
		}
	}
}

func TestSplitterTooLarge(t *testing.T) {
	const limit = 32
	big := strings.Repeat("x", limit+1)
	exact := strings.Repeat("y", limit)
	tests := []struct {
		name    string
		framing Framing
		body    string
		want    []Event // emitted before the failure
		fail    bool
	}{
		{"exact limit fits", SSE, "data: " + exact + "\n\n", []Event{ev("", exact)}, false},
		{"one data line over", SSE, "data: a\n\ndata: " + big + "\n\ndata: b\n\n", []Event{ev("", "a")}, true},
		{"joined data lines over", SSE, "data: " + exact[:20] + "\ndata: " + exact[:20] + "\n\n", nil, true},
		{"over without terminator", SSE, "data: a\n\ndata: " + big, []Event{ev("", "a")}, true},
		{"huge comment line", SSE, ": " + strings.Repeat("z", limit+lineSlack) + "\ndata: a\n\n", nil, true},
		{"NDJSON exact limit fits", NDJSON, exact + "\r\n", []Event{ev("", exact)}, false},
		{"NDJSON line over", NDJSON, "{}\n" + big + "\n{}\n", []Event{ev("", "{}")}, true},
		{"NDJSON line over without newline", NDJSON, "{}\n" + big, []Event{ev("", "{}")}, true},
	}
	for _, tc := range tests {
		for _, c := range cuttings() {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				got, err := splitAll(tc.framing, limit, []byte(tc.body), c.cuts(len(tc.body)))
				if !eventsEqual(got, tc.want) {
					t.Errorf("events\n got %s\nwant %s", showEvents(got), showEvents(tc.want))
				}
				if !tc.fail {
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					return
				}
				if !errors.Is(err, ErrEventTooLarge) {
					t.Fatalf("error = %v, want ErrEventTooLarge", err)
				}
				if !strings.Contains(err.Error(), "32-byte limit") {
					t.Errorf("error %q does not say the limit", err)
				}
			})
		}
	}
}

func TestSplitterStaysFailed(t *testing.T) {
	s := NewSplitter(SSE, 8)
	var n int
	emit := func(Event) { n++ }
	if err := s.Feed([]byte("data: 0123456789\n\n"), emit); !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("first feed: %v", err)
	}
	if err := s.Feed([]byte("data: a\n\n"), emit); !errors.Is(err, ErrEventTooLarge) {
		t.Errorf("feed after failure: %v", err)
	}
	if err := s.Close(emit); !errors.Is(err, ErrEventTooLarge) {
		t.Errorf("close after failure: %v", err)
	}
	if n != 0 {
		t.Errorf("%d events emitted by a failed splitter", n)
	}
	s.Reset()
	if err := s.Feed([]byte("data: a\n\n"), emit); err != nil || n != 1 {
		t.Errorf("after Reset: err %v, %d events, want nil and 1", err, n)
	}
}

func TestSplitterReuseAfterClose(t *testing.T) {
	s := NewSplitter(SSE, 0)
	var got []Event
	emit := func(e Event) { got = append(got, Event{Name: e.Name, Data: bytes.Clone(e.Data)}) }
	if err := s.Feed([]byte("event: a\ndata: 1\n\nevent: b\ndata: 2"), emit); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(emit); err != nil {
		t.Fatal(err)
	}
	// A second body must not inherit the first one's name or data, nor
	// the pending "\r\n" of a body that ended in "\r".
	if err := s.Feed([]byte("data: 3\n\n"), emit); err != nil {
		t.Fatal(err)
	}
	want := []Event{ev("a", "1"), ev("b", "2"), ev("", "3")}
	if !eventsEqual(got, want) {
		t.Errorf("events\n got %s\nwant %s", showEvents(got), showEvents(want))
	}
}

func TestSplitterUnknownFraming(t *testing.T) {
	s := NewSplitter(Framing(7), 0)
	if err := s.Feed([]byte("x\n"), func(Event) {}); err == nil || !strings.Contains(err.Error(), "unknown framing") {
		t.Errorf("Feed with an unknown framing: %v", err)
	}
}

func TestParseFraming(t *testing.T) {
	for _, f := range []Framing{SSE, NDJSON} {
		got, err := ParseFraming(f.String())
		if err != nil || got != f {
			t.Errorf("ParseFraming(%q) = %v, %v", f.String(), got, err)
		}
	}
	if _, err := ParseFraming("xml"); err == nil {
		t.Error("ParseFraming(xml) gave no error")
	}
}
