// Package stream is each user's HTTP client: it sends requests over
// fasthttp, takes their timings where the bytes arrive, and cancels them
// when the user stops.
package stream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// DefaultTimeout bounds a plain request that names no timeout of its own,
// as Locust's FastHttpUser does with its network timeout.
const DefaultTimeout = 60 * time.Second

// UserAgent is sent with every request that sets none.
const UserAgent = "llmlocust"

// Client is one user's HTTP client. It is used by one goroutine at a time
// (its user's); Cancel may come from any goroutine through the context.
type Client struct {
	hc      *fasthttp.Client
	aborted atomic.Bool
	// dialed says the request in hand opened a new connection. A request
	// that fails on a new connection reached the server (or nothing
	// listened), so it is not sent again: the server would see it twice.
	dialed atomic.Bool
	buf    []byte
	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	// bodyErr is the reason a plain response over the body limit fails.
	bodyErr error
}

// NewClient returns a client that keeps connections alive between
// requests. fasthttp's ReadTimeout is left at zero on purpose: it caps a
// whole response, which would cut long streams; deadlines are ours instead.
func NewClient() *Client {
	c := &Client{conns: map[*trackedConn]struct{}{}}
	c.hc = &fasthttp.Client{
		Name:                UserAgent,
		MaxConnsPerHost:     4,
		MaxIdleConnDuration: 90 * time.Second,
		// Requests are small and written once; a smaller write buffer
		// saves memory across thousands of users (bodies larger than it
		// are written through in pieces).
		WriteBufferSize:               2 << 10,
		DisableHeaderNamesNormalizing: false,
		Dial:                          c.dial,
		// Header blocks larger than the default 4 KiB read buffer are
		// taken by the transport without growing that buffer.
		Transport: transport{},
		// fasthttp's header errors otherwise quote the bytes that came.
		ConfigureClient: func(hc *fasthttp.HostClient) error {
			hc.SecureErrorLogMessage = true
			return nil
		},
		// A keep-alive connection the server closed while idle fails on
		// first use; one more attempt on a fresh one is right, but never
		// after we cut the request off ourselves, and never when the failed
		// attempt was already on a fresh connection.
		MaxIdemponentCallAttempts: 2,
		RetryIfErr: func(_ *fasthttp.Request, attempts int, _ error) (bool, bool) {
			return false, attempts < 2 && !c.aborted.Load() && !c.dialed.Load()
		},
	}
	return c
}

// LimitBody bounds the body of a plain response to n bytes; a larger one
// fails with tooLarge and its connection is closed. Streamed bodies are
// bounded by their Sink instead. Call it before the client's first
// request.
func (c *Client) LimitBody(n int, tooLarge error) {
	c.hc.MaxResponseBodySize = n
	c.bodyErr = tooLarge
}

// Request is one plain HTTP request.
type Request struct {
	Method  string
	URL     string
	Header  [][2]string
	Body    []byte
	Timeout time.Duration // 0 means DefaultTimeout
}

// Result is what came back, with timings taken around the exchange.
type Result struct {
	Status    int
	Header    [][2]string // names as the server sent them
	Body      []byte
	Start     time.Time
	Elapsed   time.Duration
	Err       error // transport failure or timeout; nil when a response arrived
	Cancelled bool  // the user was stopped while the request was in flight
}

// errAborted ends a dial that a cut-off overtook.
var errAborted = errors.New("request cut off")

// ErrTimeout is wrapped by a Result's Err when the request's own deadline
// passed.
var ErrTimeout = errors.New("request timed out")

// Do sends req and reads the whole response. Cancelling ctx abandons the
// request at once by closing its connection; the Result says Cancelled.
func (c *Client) Do(ctx context.Context, req Request) Result {
	freq := fasthttp.AcquireRequest()
	fresp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(freq)
	defer fasthttp.ReleaseResponse(fresp)
	prepare(freq, req)

	timeout := req.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var timedOut bool
	var once sync.Once
	c.aborted.Store(false)
	c.dialed.Store(false)
	abort := func(byTimeout bool) {
		once.Do(func() {
			timedOut = byTimeout
			c.aborted.Store(true)
			c.closeConns()
		})
	}
	timer := time.AfterFunc(timeout, func() { abort(true) })
	stopCancel := context.AfterFunc(ctx, func() { abort(false) })

	res := Result{Start: time.Now()}
	err := c.hc.Do(freq, fresp)
	res.Elapsed = time.Since(res.Start)
	timer.Stop()
	stopCancel()
	once.Do(func() {}) // no abort may start after this point

	switch {
	case err == nil:
		// A response that arrived is kept even if a deadline fired late.
		res.Status = fresp.StatusCode()
		res.Body = append([]byte(nil), fresp.Body()...)
		for k, v := range fresp.Header.All() {
			res.Header = append(res.Header, [2]string{string(k), string(v)})
		}
	case timedOut:
		res.Err = fmt.Errorf("%w after %s", ErrTimeout, timeout)
	case errors.Is(err, fasthttp.ErrBodyTooLarge) && c.bodyErr != nil:
		res.Err = c.bodyErr
	case ctx.Err() != nil:
		res.Cancelled = true
		res.Err = ctx.Err()
	default:
		res.Err = err
	}
	return res
}

func prepare(freq *fasthttp.Request, req Request) {
	freq.Header.SetMethod(req.Method)
	freq.SetRequestURI(req.URL)
	for _, h := range req.Header {
		freq.Header.Set(h[0], h[1])
	}
	if len(req.Body) > 0 {
		freq.SetBodyRaw(req.Body)
	}
}

// CloseIdle drops the client's connections; the user calls it when it ends.
func (c *Client) CloseIdle() {
	c.hc.CloseIdleConnections()
	c.closeConns()
}

func (c *Client) dial(addr string) (net.Conn, error) {
	conn, err := fasthttp.DialTimeout(addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c.dialed.Store(true)
	tc := &trackedConn{Conn: conn, owner: c}
	c.mu.Lock()
	c.conns[tc] = struct{}{}
	c.mu.Unlock()
	// A cut-off that came while dialling closed the connections there
	// were then, not this one.
	if c.aborted.Load() {
		_ = tc.Close()
		return nil, errAborted
	}
	return tc, nil
}

func (c *Client) closeConns() {
	c.mu.Lock()
	conns := make([]*trackedConn, 0, len(c.conns))
	for tc := range c.conns {
		conns = append(conns, tc)
	}
	c.mu.Unlock()
	for _, tc := range conns {
		_ = tc.Close()
	}
}

// trackedConn lets a stopping user cut its requests off from another
// goroutine: closing a net.Conn is safe while it is being read.
type trackedConn struct {
	net.Conn
	owner *Client
	once  sync.Once
}

func (tc *trackedConn) Close() error {
	tc.once.Do(func() {
		tc.owner.mu.Lock()
		delete(tc.owner.conns, tc)
		tc.owner.mu.Unlock()
	})
	return tc.Conn.Close()
}
