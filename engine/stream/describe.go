package stream

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/valyala/fasthttp"
)

// Describe words a transport error for people and for grouping: the same
// cause gives the same text, whatever connection it happened on.
func Describe(err error) string {
	var dnsErr *net.DNSError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrTimeout):
		return err.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed in the middle of the response"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, fasthttp.ErrConnectionClosed):
		return "server closed the connection before responding"
	case errors.Is(err, fasthttp.ErrDialTimeout):
		return "connecting timed out"
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name
	}
	return err.Error()
}
