package metrics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/api"
	"github.com/llmlocust/llmlocust/engine/record"
)

// stall is a consumer whose Log blocks until opened, and says when the
// daemon is stuck in it: a daemon that fell behind.
type stall struct {
	entered chan struct{}
	open    chan struct{}
	records chan record.Record
}

func newStall() *stall {
	return &stall{entered: make(chan struct{}, 1), open: make(chan struct{}), records: make(chan record.Record, 16)}
}

func (s *stall) Log(r *record.Record) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.open
	s.records <- *r
}

func (s *stall) Streaming(string, string, time.Time, int) {}

// stalled returns a daemon bounded by l that is stuck in its consumer, so
// that whatever is handed to it now waits in the queue.
func stalled(t *testing.T, l Limits) (*Daemon, *stall) {
	t.Helper()
	s := newStall()
	d := NewDaemonWithLimits(s, l)
	t.Cleanup(func() {
		select {
		case <-s.open:
		default:
			close(s.open)
		}
		d.Close()
	})
	d.Add(record.Record{Name: "blocker"})
	<-s.entered
	return d, s
}

func begin(t *testing.T, d *Daemon, format string) *Stream {
	t.Helper()
	f, err := api.Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	r := &Stream{Name: "chat", Method: "POST", Format: f}
	d.Begin(r)
	r.Started(time.Now())
	return r
}

func contentEvent(text string) []byte {
	return []byte(`data: {"choices":[{"index":0,"delta":{"content":"` + text + `"}}]}` + "\n\n")
}

// A consumer that stalls while chunks pour in: the queue stops at its
// byte bound instead of growing, the refusal fails the request with the
// reason, and the backlog reports the bytes and the refusals.
func TestBacklogStopsAtItsByteBound(t *testing.T) {
	const bound = 1 << 20
	d, s := stalled(t, Limits{Backlog: bound})
	r := begin(t, d, "openai-chat")
	read := contentEvent(strings.Repeat("x", 900))
	var err error
	accepted := 0
	for range 4 * bound / len(read) {
		if err = r.Chunk(read, time.Now()); err != nil {
			break
		}
		accepted++
	}
	if !errors.Is(err, ErrBacklogLimit) {
		t.Fatalf("after %d chunks of %d bytes the hand-off still took them (err %v)", accepted, len(read), err)
	}
	const reason = "the metrics backlog passed 1 MiB (--max-backlog): the client is saturated"
	if err.Error() != reason {
		t.Fatalf("reason %q, want %q", err, reason)
	}
	b, peak := d.Backlog(), d.Peak()
	if b.Bytes > bound || peak.Bytes > bound || b.Bytes < bound/2 {
		t.Fatalf("backlog %+v, peak %+v: want bytes near the %d-byte bound and never over", b, peak, bound)
	}
	if b.Refused != 1 || peak.Refused != 1 || !peak.Saturated() {
		t.Fatalf("backlog %+v, peak %+v: want one refusal, saturated", b, peak)
	}
	// The reader ends the request with the reason; once the daemon catches
	// up, the Record carries it and the queue is empty.
	r.Finish(End{At: time.Now(), Status: 200, Err: err.Error()})
	close(s.open)
	res := r.Wait(context.Background())
	if res.Record.Error != reason || res.Record.LLM.OutputTokens == 0 {
		t.Fatalf("record error %q with %d tokens, want %q and the tokens before it", res.Record.Error, res.Record.LLM.OutputTokens, reason)
	}
	d.Flush()
	if b := d.Backlog(); b.Bytes != 0 || b.Queued != 0 {
		t.Fatalf("backlog after the flush %+v", b)
	}
}

// An endless line is refused at the read that crosses the event bound,
// by the reader itself, however far behind the daemon is.
func TestEndlessLineStopsAtTheEventBound(t *testing.T) {
	const event = 64 << 10
	d, s := stalled(t, Limits{Event: event})
	r := begin(t, d, "openai-chat")
	read := []byte(strings.Repeat("y", 1000))
	sent := 0
	var err error
	for sent < 4*event {
		if err = r.Chunk(read, time.Now()); err != nil {
			break
		}
		sent += len(read)
	}
	if !errors.Is(err, ErrEventLimit) || err.Error() != "a stream event exceeded 64 KiB (--max-event-size)" {
		t.Fatalf("after %d bytes of one line: err %v", sent, err)
	}
	if sent > event+1000 {
		t.Fatalf("the line was refused only after %d bytes", sent)
	}
	close(s.open)
}

// Bounds the daemon finds (the text a request keeps, an event of many
// short lines) stop the reader at its next read, drop what is queued
// after them, and are the reason the Record gives.
func TestDaemonBoundsStopTheReader(t *testing.T) {
	cases := []struct {
		name   string
		limits Limits
		read   func(i int) []byte
		want   error
		reason string
	}{
		{"text", Limits{Text: 64 << 10}, func(int) []byte { return contentEvent(strings.Repeat("t", 1000)) },
			ErrTextLimit, "the response text exceeded 64 KiB (--max-text-size)"},
		{"event of short lines", Limits{Event: 32 << 10}, func(i int) []byte {
			if i == 0 {
				return contentEvent("first")
			}
			return []byte(strings.Repeat("data: "+strings.Repeat("z", 90)+"\n", 10))
		}, ErrEventLimit, "a stream event exceeded 32 KiB (--max-event-size)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDaemonWithLimits(nopConsumer{}, tc.limits)
			defer d.Close()
			r := begin(t, d, "openai-chat")
			var err error
			reads := 0
			for ; reads < 1000 && err == nil; reads++ {
				err = r.Chunk(tc.read(reads), time.Now())
				d.Flush() // the daemon keeps up, so the bound is found at once
			}
			if !errors.Is(err, tc.want) || err.Error() != tc.reason {
				t.Fatalf("after %d reads: err %v, want %q", reads, err, tc.reason)
			}
			r.Finish(End{At: time.Now(), Status: 200, Err: "the connection closed in the middle of the response"})
			res := r.Wait(context.Background())
			if res.Record.Error != tc.reason || res.Record.LLM.OutputTokens == 0 {
				t.Fatalf("record error %q, %d tokens: want %q and the tokens before it", res.Record.Error, res.Record.LLM.OutputTokens, tc.reason)
			}
			if kept := len(res.Text); kept > tc.limits.Text+2000 && tc.limits.Text > 0 {
				t.Fatalf("%d bytes of text kept past a bound of %d", kept, tc.limits.Text)
			}
		})
	}
}

func TestFormatSize(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1 << 10, "1 KiB"}, {1536, "1.5 KiB"}, {1 << 20, "1 MiB"},
		{16 << 20, "16 MiB"}, {256 << 20, "256 MiB"}, {1 << 30, "1 GiB"}, {1000 << 10, "1000 KiB"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			if got := FormatSize(tc.n); got != tc.want {
				t.Fatalf("FormatSize(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

// Limits left at zero take the defaults.
func TestLimitsDefaults(t *testing.T) {
	d := NewDaemonWithLimits(nopConsumer{}, Limits{Text: 5})
	defer d.Close()
	if got, want := d.Limits(), (Limits{Event: DefaultEvent, Text: 5, Backlog: DefaultBacklog}); got != want {
		t.Fatalf("limits %+v, want %+v", got, want)
	}
}
