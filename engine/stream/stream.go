package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Timeouts bound a streamed request with timers, never with fasthttp's
// ReadTimeout (which would cap the whole stream).
type Timeouts struct {
	FirstToken time.Duration // from the start until the first token; 0: none
	Idle       time.Duration // between reads once the body flows; 0: none
	Total      time.Duration // the whole request; 0: none
}

// Sink receives what a streamed response brings, on the reading goroutine.
// Chunk must copy data and return at once: the reader never waits for
// whoever consumes the chunks.
type Sink interface {
	// Started is called with the start time, just before the request is
	// written.
	Started(at time.Time)
	Headers(status int, at time.Time)
	// Chunk takes one read of the body. An error ends the request at once
	// with that error as its reason, and its connection is closed: the
	// sink refuses more (a bound was crossed).
	Chunk(data []byte, at time.Time) error
	// FirstTokenDue is called once the first-token timeout (after, from
	// the start) has passed with the stream still open. The sink calls
	// fire (at once, or later from any goroutine) if no token arrived
	// within it, judged by the arrival stamps of the reads it was given: a
	// consumer that is behind in reading them must not make a timeout of
	// bytes that came in time. reason is the timeout's error, for the
	// request's Record.
	FirstTokenDue(after time.Duration, reason error, fire func())
}

// StreamResult is how a streamed request ended.
type StreamResult struct {
	Start     time.Time
	Status    int
	Headers   time.Time // when the response headers arrived; zero if they did not
	End       time.Time // when the body ended or the request failed
	Bytes     int64
	ErrorBody []byte // the body of a response with status 400 or more (first 64 KiB)
	Err       error  // transport failure or timeout
	Cancelled bool   // the user was stopped meanwhile
}

// maxErrorBody is how much of an error response is kept for its message.
const maxErrorBody = 64 << 10

// maxDrain is how much of an error response past maxErrorBody is read to
// keep its connection; a longer body is left, and its connection closed.
const maxDrain = 1 << 20

// readSize is the size of each read from the body: a server flush of a
// few events fits in one read, so each read is stamped when its bytes
// arrived; larger flushes take several reads. Every user holds one, so it
// is kept small.
const readSize = 1 << 10

// Stream sends req and hands each read of the response body to sink,
// stamped from the monotonic clock right after the read returns.
func (c *Client) Stream(ctx context.Context, req Request, t Timeouts, sink Sink) StreamResult {
	freq := fasthttp.AcquireRequest()
	fresp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(freq)
	defer fasthttp.ReleaseResponse(fresp)
	prepare(freq, req)
	fresp.StreamBody = true

	g := c.guard(ctx, t, sink)
	defer g.stop()

	res := StreamResult{Start: time.Now()}
	sink.Started(res.Start)
	err := c.hc.Do(freq, fresp)
	if err != nil {
		res.End = time.Now()
		res.Err, res.Cancelled = g.why(ctx, err)
		return res
	}
	res.Headers = time.Now()
	res.Status = fresp.StatusCode()
	sink.Headers(res.Status, res.Headers)
	body := fresp.BodyStream()
	if body == nil {
		body = bytes.NewReader(fresp.Body())
	}
	if res.Status >= http.StatusBadRequest {
		res.ErrorBody, err = readLimited(body, maxErrorBody)
		res.Bytes = int64(len(res.ErrorBody))
	} else {
		res.Bytes, err = c.pump(body, sink, g)
	}
	_ = fresp.CloseBodyStream()
	res.End = time.Now()
	if err != nil {
		res.Err, res.Cancelled = g.why(ctx, err)
	}
	return res
}

func (c *Client) pump(body io.Reader, sink Sink, g *guard) (int64, error) {
	buf := c.readBuf()
	var n int64
	for {
		k, err := body.Read(buf)
		at := time.Now()
		if k > 0 {
			n += int64(k)
			if err := sink.Chunk(buf[:k], at); err != nil {
				return n, err
			}
			g.touch(at)
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// readBuf is the user's read buffer, kept for its next stream.
func (c *Client) readBuf() []byte {
	if c.buf == nil {
		c.buf = make([]byte, readSize)
	}
	return c.buf
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit))
	if err == nil {
		// Drain what is left so the connection can be reused.
		_, err = io.CopyN(io.Discard, r, maxDrain)
		if errors.Is(err, io.EOF) {
			err = nil
		}
	}
	return b, err
}

// Reasons a guard cut a stream off.
var (
	ErrFirstToken = errors.New("no token arrived within the first-token timeout")
	ErrIdle       = errors.New("the stream went idle past the idle timeout")
	ErrTotal      = errors.New("the request ran past its total timeout")
)

// guard cuts a stream off when the user is stopped or a timeout passes,
// by closing the user's connections; the blocked read then returns.
type guard struct {
	c      *Client
	mu     sync.Mutex
	reason error
	t      Timeouts
	timers []*time.Timer
	idle   *time.Timer
	cancel func() bool

	// lastRead is when the body last brought bytes (Unix nanoseconds). The
	// idle timer checks it when it fires rather than being reset on every
	// read, which would cost a timer operation per chunk.
	lastRead atomic.Int64
	// done is set once the request is over: a timer that fires late must
	// not cut off the user's next request.
	done atomic.Bool
}

func (c *Client) guard(ctx context.Context, t Timeouts, sink Sink) *guard {
	c.aborted.Store(false)
	c.dialed.Store(false)
	g := &guard{c: c, t: t}
	if t.Total > 0 {
		g.timers = append(g.timers, time.AfterFunc(t.Total, func() { g.abort(fmt.Errorf("%w (%s)", ErrTotal, t.Total)) }))
	}
	if t.FirstToken > 0 {
		reason := fmt.Errorf("%w (%s)", ErrFirstToken, t.FirstToken)
		due := func() { sink.FirstTokenDue(t.FirstToken, reason, func() { g.abort(reason) }) }
		g.timers = append(g.timers, time.AfterFunc(t.FirstToken, due))
	}
	if t.Idle > 0 {
		g.lastRead.Store(time.Now().UnixNano())
		// Made stopped, then started, so the callback always sees g.idle.
		g.idle = time.AfterFunc(time.Hour, g.checkIdle)
		g.idle.Reset(t.Idle)
	}
	g.cancel = context.AfterFunc(ctx, func() { g.abort(ctx.Err()) })
	return g
}

func (g *guard) touch(at time.Time) {
	if g.idle != nil {
		g.lastRead.Store(at.UnixNano())
	}
}

// checkIdle fails the stream if nothing was read for the idle timeout, or
// waits again for what is left of it.
func (g *guard) checkIdle() {
	if g.done.Load() {
		return
	}
	quiet := time.Since(time.Unix(0, g.lastRead.Load()))
	if quiet >= g.t.Idle {
		g.abort(fmt.Errorf("%w (%s)", ErrIdle, g.t.Idle))
		return
	}
	g.idle.Reset(g.t.Idle - quiet)
}

func (g *guard) abort(reason error) {
	if g.done.Load() {
		return
	}
	g.mu.Lock()
	first := g.reason == nil
	if first {
		g.reason = reason
	}
	g.mu.Unlock()
	if first {
		g.c.aborted.Store(true)
		g.c.closeConns()
	}
}

func (g *guard) stop() {
	g.done.Store(true)
	g.cancel()
	for _, t := range g.timers {
		t.Stop()
	}
	if g.idle != nil {
		g.idle.Stop()
	}
}

// why turns a read or request error into the reason the stream ended.
func (g *guard) why(ctx context.Context, err error) (reason error, cancelled bool) {
	g.mu.Lock()
	r := g.reason
	g.mu.Unlock()
	switch {
	case r != nil && ctx.Err() != nil && errors.Is(r, ctx.Err()):
		return r, true
	case r != nil:
		return r, false
	}
	return err, false
}
