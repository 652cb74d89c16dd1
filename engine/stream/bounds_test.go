package stream

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// refusing is a Sink that takes chunks until it has limit bytes, then
// refuses, as a sink whose request crossed a bound does.
type refusing struct {
	limit, got int
	chunks     [][]byte
}

var errRefused = errors.New("refused: a bound was crossed")

func (s *refusing) Started(time.Time)                          {}
func (s *refusing) Headers(int, time.Time)                     {}
func (s *refusing) FirstTokenDue(time.Duration, error, func()) {}
func (s *refusing) Chunk(data []byte, _ time.Time) error {
	if s.got += len(data); s.limit > 0 && s.got > s.limit {
		return errRefused
	}
	s.chunks = append(s.chunks, append([]byte(nil), data...))
	return nil
}

// endless streams 4 KiB writes until the client goes away, then reports
// how much it sent.
func endless(t *testing.T) (url string, gone <-chan int64) {
	done := make(chan int64, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		piece := []byte(strings.Repeat("x", 4<<10))
		var sent int64
		for r.Context().Err() == nil {
			if _, err := w.Write(piece); err != nil {
				break
			}
			w.(http.Flusher).Flush()
			sent += int64(len(piece))
		}
		done <- sent
	}))
	t.Cleanup(srv.Close)
	return srv.URL, done
}

// A sink that refuses a chunk ends the request at once with its error,
// and the connection is closed: the server sees the client leave.
func TestSinkRefusalClosesTheConnection(t *testing.T) {
	url, gone := endless(t)
	c := NewClient()
	defer c.CloseIdle()
	for i := range 2 {
		sink := &refusing{limit: 256 << 10}
		res := c.Stream(context.Background(), Request{Method: "GET", URL: url}, Timeouts{Total: time.Minute}, sink)
		if !errors.Is(res.Err, errRefused) || res.Cancelled {
			t.Fatalf("request %d: err %v, cancelled %v; want the sink's refusal", i, res.Err, res.Cancelled)
		}
		select {
		case sent := <-gone:
			t.Logf("request %d: the server sent %d KiB before the client left", i, sent>>10)
		case <-time.After(10 * time.Second):
			t.Fatalf("request %d: the server still streams after the refusal", i)
		}
	}
}

// bigHeaders answers with a header block of about size bytes, and counts
// the connections it sees.
func bigHeaders(t *testing.T, size int) (url string, conns *atomic.Int64) {
	conns = new(atomic.Int64)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < size/(4<<10); i++ {
			w.Header().Set("X-Big-"+string(rune('a'+i%26))+string(rune('a'+i/26)), strings.Repeat("h", 4<<10-20))
		}
		w.Header().Set("X-Last", "end")
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: ok\n\n"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL, conns
}

// Header blocks up to 64 KiB are taken, streamed and plain, and the
// connection is kept; a larger one fails with a message that quotes none
// of its bytes.
func TestLargeResponseHeaders(t *testing.T) {
	cases := []struct {
		name string
		size int
		ok   bool
	}{
		{"10 KiB", 10 << 10, true},
		{"60 KiB", 60 << 10, true},
		{"100 KiB", 100 << 10, false},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/streamed", func(t *testing.T) {
			url, conns := bigHeaders(t, tc.size)
			c := NewClient()
			defer c.CloseIdle()
			for i := range 3 {
				sink := &refusing{}
				res := c.Stream(context.Background(), Request{Method: "POST", URL: url}, Timeouts{Total: time.Minute}, sink)
				checkHeaderResult(t, tc.ok, res.Err, res.Status)
				if tc.ok && string(joined(sink.chunks)) != "data: ok\n\n" {
					t.Fatalf("request %d: body %q", i, joined(sink.chunks))
				}
			}
			if n := conns.Load(); tc.ok && n != 1 {
				t.Fatalf("%d connections for 3 requests; keep-alive should reuse one", n)
			}
		})
		t.Run(tc.name+"/plain", func(t *testing.T) {
			url, conns := bigHeaders(t, tc.size)
			c := NewClient()
			defer c.CloseIdle()
			for range 3 {
				res := c.Do(context.Background(), Request{Method: "GET", URL: url})
				checkHeaderResult(t, tc.ok, res.Err, res.Status)
				if tc.ok && (string(res.Body) != "data: ok\n\n" || !hasHeaderValue(res.Header, "X-Last", "end")) {
					t.Fatalf("body %q, headers %d, want the body and every header", res.Body, len(res.Header))
				}
			}
			if n := conns.Load(); tc.ok && n != 1 {
				t.Fatalf("%d connections for 3 requests; keep-alive should reuse one", n)
			}
		})
	}
}

func checkHeaderResult(t *testing.T, ok bool, err error, status int) {
	t.Helper()
	switch {
	case ok && (err != nil || status != http.StatusOK):
		t.Fatalf("status %d, err %v; want 200", status, err)
	case !ok && !errors.Is(err, ErrHeadersTooLarge):
		t.Fatalf("status %d, err %v; want %v", status, err, ErrHeadersTooLarge)
	case !ok && (strings.Contains(Describe(err), "hhhh") || len(Describe(err)) > 100):
		t.Fatalf("the error quotes what came: %.200q", Describe(err))
	}
}

func joined(chunks [][]byte) []byte {
	var out []byte
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}

func hasHeaderValue(h [][2]string, name, value string) bool {
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) && kv[1] == value {
			return true
		}
	}
	return false
}

// A plain body over the client's bound fails with the bound's error,
// whether its length was announced or it streams without end, and the
// connection is closed.
func TestPlainBodyBound(t *testing.T) {
	errBody := errors.New("the body passed its bound")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sized" {
			_, _ = w.Write([]byte(strings.Repeat("s", 64<<10)))
			return
		}
		for r.Context().Err() == nil {
			if _, err := w.Write([]byte(strings.Repeat("e", 4<<10))); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	for _, path := range []string{"/sized", "/endless"} {
		t.Run(path, func(t *testing.T) {
			c := NewClient()
			defer c.CloseIdle()
			c.LimitBody(16<<10, errBody)
			res := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL + path, Timeout: time.Minute})
			if !errors.Is(res.Err, errBody) || len(res.Body) != 0 {
				t.Fatalf("err %v with %d bytes, want %v", res.Err, len(res.Body), errBody)
			}
		})
	}
}

// An error response whose body never ends is read for its message and a
// little more, then left: the request ends with its status, not at a
// timeout, and the connection is closed.
func TestEndlessErrorBodyIsLeft(t *testing.T) {
	gone := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(gone)
		w.WriteHeader(http.StatusInternalServerError)
		for r.Context().Err() == nil {
			if _, err := w.Write([]byte(strings.Repeat("e", 4<<10))); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	c := NewClient()
	defer c.CloseIdle()
	res := c.Stream(context.Background(), Request{Method: "POST", URL: srv.URL}, Timeouts{Total: time.Minute}, &refusing{})
	if res.Status != http.StatusInternalServerError || res.Err != nil || len(res.ErrorBody) != maxErrorBody {
		t.Fatalf("status %d, err %v, %d bytes of error body", res.Status, res.Err, len(res.ErrorBody))
	}
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the server still streams its error body")
	}
}
