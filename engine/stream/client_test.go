package stream

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDoReadsResponse(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo", r.Header.Get("X-Test"))
		w.WriteHeader(201)
		_, _ = w.Write([]byte(r.Method + " " + r.URL.RequestURI() + " " + string(body)))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := NewClient()
	defer c.CloseIdle()
	for i := 0; i < 5; i++ {
		res := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL + "/x?q=1", Body: []byte("hello"), Header: [][2]string{{"X-Test", "yes"}}})
		if res.Err != nil || res.Status != 201 || string(res.Body) != "POST /x?q=1 hello" {
			t.Fatalf("got %+v", res)
		}
		if res.Elapsed <= 0 || res.Start.IsZero() {
			t.Fatalf("no timing: %+v", res)
		}
		found := false
		for _, h := range res.Header {
			found = found || (h[0] == "X-Echo" && h[1] == "yes")
		}
		if !found {
			t.Fatalf("headers %v", res.Header)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections for 5 requests; keep-alive should reuse one", n)
	}
}

// slowServer answers after d, or when the client goes away.
func slowServer(t *testing.T, d time.Duration) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
			_, _ = w.Write([]byte("late"))
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCancelAbandonsRequestAtOnce(t *testing.T) {
	srv := slowServer(t, 10*time.Second)
	c := NewClient()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	res := c.Do(ctx, Request{Method: "GET", URL: srv.URL})
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("cancel took %s", took)
	}
	if !res.Cancelled || res.Err == nil {
		t.Fatalf("got %+v, want a cancelled result", res)
	}
	// The client still works afterwards.
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer fast.Close()
	if res := c.Do(context.Background(), Request{Method: "GET", URL: fast.URL}); res.Err != nil || string(res.Body) != "ok" {
		t.Fatalf("after cancel: %+v", res)
	}
}

func TestTimeoutFailsRequest(t *testing.T) {
	srv := slowServer(t, 10*time.Second)
	c := NewClient()
	start := time.Now()
	res := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL, Timeout: 150 * time.Millisecond})
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("timeout took %s", took)
	}
	if res.Cancelled || !errors.Is(res.Err, ErrTimeout) || Describe(res.Err) != "request timed out after 150ms" {
		t.Fatalf("got %+v (%s)", res, Describe(res.Err))
	}
}

func TestDescribeTransportErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()

	closer, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	go func() {
		for {
			conn, err := closer.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = conn.Read(buf)
			_ = conn.Close()
		}
	}()

	cases := []struct {
		name, url, want string
	}{
		{"refused", refused, "connection refused"},
		{"closed before responding", "http://" + closer.Addr().String(), "server closed the connection before responding"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := NewClient().Do(context.Background(), Request{Method: "GET", URL: tc.url})
			if got := Describe(res.Err); !strings.Contains(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A keep-alive connection the server closed while idle is retried once on
// a fresh one; a request that failed on a fresh connection is not sent
// again (the server would see it twice).
func TestRetryOnlyStaleConnections(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("ok"))
	}))
	srv.Config.IdleTimeout = 50 * time.Millisecond
	var opened atomic.Int64
	closed := make(chan struct{}, 8)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			opened.Add(1)
		case http.StateClosed:
			closed <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	c := NewClient()
	if res := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL}); res.Err != nil {
		t.Fatal(res.Err)
	}
	select {
	case <-closed: // the server dropped the idle keep-alive connection
	case <-time.After(10 * time.Second):
		t.Fatal("the server never closed the idle connection: the stale case was not exercised")
	}
	if res := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL}); res.Err != nil || string(res.Body) != "ok" {
		t.Fatalf("the request on a connection the server had closed failed: %v", res.Err)
	}
	if opened.Load() != 2 || hits.Load() != 2 {
		t.Fatalf("%d connections and %d requests, want 2 of each: the second request must have met the stale connection and gone on a new one", opened.Load(), hits.Load())
	}

	var seen atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			if n, _ := conn.Read(buf); n > 0 {
				seen.Add(1)
			}
			_ = conn.Close()
		}
	}()
	res := NewClient().Do(context.Background(), Request{Method: "POST", URL: "http://" + ln.Addr().String()})
	// A retry would have been sent before Do returned; count what arrived.
	_ = ln.Close()
	<-accepting
	if res.Err == nil || seen.Load() != 1 {
		t.Fatalf("err %v, the server saw the request %d times", res.Err, seen.Load())
	}
}
