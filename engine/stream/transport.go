package stream

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/valyala/fasthttp"
)

// MaxHeader is the largest response header block taken. Locust takes
// large ones, and servers behind gateways and CDNs send 10 KiB and more.
const MaxHeader = 64 << 10

// ErrHeadersTooLarge fails a response whose header block is larger than
// MaxHeader. Its message carries none of the bytes that came.
var ErrHeadersTooLarge = errors.New("the response headers exceed 64 KiB")

// transport is the client's fasthttp RoundTripper. It differs from
// fasthttp's own in one thing: a response header block that does not fit
// the user's small pooled reader moves, for the time of its parsing, to a
// reader of MaxHeader bytes, and the body then goes on through the small
// one. A fixed read buffer of MaxHeader bytes would cost every stream its
// size for the stream's whole life, and every idle user a pooled copy.
type transport struct{}

func (transport) RoundTrip(hc *fasthttp.HostClient, req *fasthttp.Request, resp *fasthttp.Response) (retry bool, err error) {
	cc, err := hc.AcquireConn(0, req.ConnectionClose())
	if err != nil {
		return false, err
	}
	conn := cc.Conn()
	resp.ParseNetConn(conn)
	if err := writeRequest(hc, conn, req); err != nil {
		hc.CloseConn(cc)
		return true, err
	}
	br := hc.AcquireReader(conn)
	tail, err := readHeader(resp, br, conn)
	if err != nil {
		hc.ReleaseReader(br)
		hc.CloseConn(cc)
		return !errors.Is(err, ErrHeadersTooLarge), err
	}
	// done gives the reader and the connection back once the body is read.
	// A connection is kept only when nothing of the next response can be
	// left in a reader being dropped.
	done := func(discard bool) {
		hc.ReleaseReader(br)
		if discard || (tail != nil && tail.Len() > 0) || req.ConnectionClose() || resp.ConnectionClose() {
			hc.CloseConn(cc)
		} else {
			hc.ReleaseConn(cc)
		}
	}
	if resp.SkipBody || req.Header.IsHead() || noBody(resp.StatusCode()) {
		done(false)
		return false, nil
	}
	if resp.StreamBody {
		streamBody(resp, br, conn, done)
		return false, nil
	}
	err = readBody(resp, br, hc.MaxResponseBodySize)
	done(err != nil)
	return err != nil && !errors.Is(err, fasthttp.ErrBodyTooLarge), err
}

func writeRequest(hc *fasthttp.HostClient, conn net.Conn, req *fasthttp.Request) error {
	bw := hc.AcquireWriter(conn)
	defer hc.ReleaseWriter(bw)
	if err := req.Write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// readHeader reads the final response header into resp, skipping interim
// (1xx) responses. When the block does not fit br, it is parsed from a
// reader of MaxHeader bytes, and br is reset to read first what that
// reader had taken beyond the block (tail), then the connection.
func readHeader(resp *fasthttp.Response, br *bufio.Reader, conn net.Conn) (tail *bytes.Reader, err error) {
	err = readFinalHeader(&resp.Header, br)
	if !smallBuffer(err) {
		return nil, err
	}
	big := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(buffered(br)), conn), MaxHeader)
	if err := readFinalHeader(&resp.Header, big); err != nil {
		if smallBuffer(err) {
			err = ErrHeadersTooLarge
		}
		return nil, err
	}
	tail = bytes.NewReader(buffered(big))
	br.Reset(io.MultiReader(tail, conn))
	return tail, nil
}

// maxInterim bounds the informational responses skipped before the final
// one, as fasthttp does.
const maxInterim = 100

var errTooManyInterim = errors.New("too many informational (1xx) responses")

func readFinalHeader(h *fasthttp.ResponseHeader, br *bufio.Reader) error {
	for range maxInterim {
		if err := h.Read(br); err != nil {
			return err
		}
		if code := h.StatusCode(); code < 100 || code > 199 || code == fasthttp.StatusSwitchingProtocols {
			return nil
		}
	}
	return errTooManyInterim
}

func smallBuffer(err error) bool {
	var small *fasthttp.ErrSmallBuffer
	return errors.As(err, &small)
}

// buffered copies what br holds unread.
func buffered(br *bufio.Reader) []byte {
	b, _ := br.Peek(br.Buffered())
	return bytes.Clone(b)
}

// noBody reports the statuses that never carry a body.
func noBody(code int) bool {
	return code < 200 || code == fasthttp.StatusNoContent || code == fasthttp.StatusNotModified
}

// readBody reads a whole body, and the trailer of a chunked one.
func readBody(resp *fasthttp.Response, br *bufio.Reader, maxBody int) error {
	if err := resp.ReadBody(br, maxBody); err != nil {
		return err
	}
	if resp.Header.ContentLength() != -1 {
		return nil
	}
	if err := resp.Header.ReadTrailer(br); err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

// streamBody makes resp's body stream read from br. fasthttp's stream
// reader lives in a response of its own, so that closing resp's body
// stream can give the reader and the connection back; that response needs
// only the body's framing, not a copy of the headers.
func streamBody(resp *fasthttp.Response, br *bufio.Reader, conn net.Conn, done func(discard bool)) {
	inner := fasthttp.AcquireResponse()
	inner.Header.SetContentLength(resp.Header.ContentLength())
	inner.StreamBody = true
	_ = inner.ReadBody(br, 0) // with StreamBody set, it only sets the stream up
	body := &streamedBody{inner: inner, r: inner.BodyStream(), conn: conn, done: done, eof: inner.Header.ContentLength() == 0}
	resp.SetBodyStream(body, inner.Header.ContentLength())
}

// streamedBody is a streamed response body. Closing it before the end
// closes the connection, which also stops a read in flight.
type streamedBody struct {
	inner  *fasthttp.Response
	r      io.Reader
	conn   net.Conn
	done   func(discard bool)
	mu     sync.Mutex // held by a read in flight
	eof    bool
	closed atomic.Bool
	once   sync.Once
}

func (b *streamedBody) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, io.ErrClosedPipe
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed.Load() {
		return 0, io.ErrClosedPipe
	}
	n, err := b.r.Read(p)
	if errors.Is(err, io.EOF) {
		b.eof = true
	}
	return n, err
}

// CloseWithError implements fasthttp.ReadCloserWithError.
func (b *streamedBody) CloseWithError(err error) error {
	b.once.Do(func() {
		b.closed.Store(true)
		locked := b.mu.TryLock()
		discard := err != nil || !locked || !b.eof
		if discard {
			_ = b.conn.Close()
		}
		if !locked {
			b.mu.Lock()
		}
		defer b.mu.Unlock()
		_ = b.inner.CloseBodyStream()
		fasthttp.ReleaseResponse(b.inner)
		b.done(discard)
	})
	return nil
}
