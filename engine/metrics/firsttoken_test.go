package metrics

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/api"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stream"
)

// holdUp is a consumer that holds the daemon on the Record named "stall"
// until released, as a daemon that fell behind.
type holdUp struct{ release chan struct{} }

func (s *holdUp) Log(r *record.Record) {
	if r.Name == "stall" {
		<-s.release
	}
}

func (s *holdUp) Streaming(string, string, time.Time, int) {}

// sse serves the events after their delays from the request's arrival.
func sse(events []timedEvent) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		start := time.Now()
		for _, ev := range events {
			select {
			case <-time.After(time.Until(start.Add(ev.at))):
			case <-req.Context().Done():
				return
			}
			fmt.Fprintf(w, "data: %s\n\n", ev.data)
			w.(http.Flusher).Flush()
		}
	}))
}

type timedEvent struct {
	at   time.Duration
	data string
}

const (
	roleOnly = `{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`
	hello    = `{"choices":[{"index":0,"delta":{"content":"hello"}}]}`
	done     = `[DONE]`
)

// The first-token timeout judges by when the bytes arrived, not by when
// the daemon got to them: a token in time is in time however far behind
// the daemon is, and one too late is too late however fast it is. It
// asserts tens of milliseconds of the wall clock, so it runs where it owns
// the CPU: without the race detector, one package at a time (make test's
// accuracy pass).
func TestFirstTokenTimeoutAccuracy(t *testing.T) {
	if raceEnabled {
		t.Skip("timing is checked without the race detector (make test runs it so)")
	}
	const timeout = 100 * time.Millisecond
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	cases := []struct {
		name    string
		events  []timedEvent
		behind  time.Duration // how long the daemon is held up
		wantErr bool
		quick   bool // the stream is cut off at the timeout
	}{
		{name: "token in time, daemon behind", events: []timedEvent{{ms(10), hello}, {ms(150), done}}, behind: ms(400)},
		{name: "token in time, daemon keeping up", events: []timedEvent{{ms(10), hello}, {ms(150), done}}},
		{name: "only a role chunk in time, daemon behind", events: []timedEvent{{ms(10), roleOnly}, {ms(250), hello}, {ms(300), done}},
			behind: ms(500), wantErr: true},
		{name: "token late, daemon keeping up", events: []timedEvent{{ms(250), hello}, {ms(300), done}}, wantErr: true, quick: true},
		{name: "nothing in time, daemon behind", events: []timedEvent{{ms(400), hello}, {ms(450), done}},
			behind: ms(1000), wantErr: true, quick: true},
	}
	format, err := api.Lookup("openai-chat")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := sse(tc.events)
			defer srv.Close()
			c := &holdUp{release: make(chan struct{})}
			d := NewDaemon(c)
			defer d.Close()
			d.Add(record.Record{Name: "stall"})
			time.AfterFunc(tc.behind, func() { close(c.release) })

			r := &Stream{Name: "chat", Method: "POST", Format: format}
			d.Begin(r)
			client := stream.NewClient()
			defer client.CloseIdle()
			req := stream.Request{Method: "POST", URL: srv.URL, Body: []byte("{}")}
			res := client.Stream(context.Background(), req, stream.Timeouts{FirstToken: timeout}, r)
			end := End{At: res.End, Status: res.Status, Headers: res.Headers, Bytes: res.Bytes}
			if res.Err != nil {
				end.Err = stream.Describe(res.Err)
			}
			r.Finish(end)
			rec := r.Wait(context.Background()).Record

			const want = "no token arrived within the first-token timeout (100ms)"
			switch {
			case tc.wantErr && rec.Error != want:
				t.Fatalf("error %q, want %q", rec.Error, want)
			case !tc.wantErr && rec.Error != "":
				t.Fatalf("failed with %q although a token arrived after %s", rec.Error, rec.LLM.TTFT)
			case !tc.wantErr && (rec.LLM.OutputTokens == 0 || rec.LLM.TTFT >= timeout):
				t.Fatalf("tokens %d, TTFT %s", rec.LLM.OutputTokens, rec.LLM.TTFT)
			}
			if took := rec.ResponseTime; tc.quick && took > 3*timeout {
				t.Errorf("the stream ran %s; the timeout should have cut it off at %s", took, timeout)
			}
		})
	}
}
