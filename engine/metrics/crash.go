package metrics

import (
	"fmt"
	"runtime/debug"

	"github.com/llmlocust/llmlocust/engine/record"
)

// OnPanic sets what is told of a panic while the daemon handled a piece
// of work (a bug): the value and its stack. The daemon itself goes on.
func (d *Daemon) OnPanic(report func(v any, stack []byte)) { d.onPanic.Store(&report) }

// safeHandle handles one piece of work, turning a panic into a failed
// request with its reason, so that a bug in decoding one stream neither
// ends the run nor leaves its user waiting for a Record.
func (d *Daemon) safeHandle(it *item) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if report := d.onPanic.Load(); report != nil {
			(*report)(v, debug.Stack())
		}
		if it.buf != nil && it.end == nil {
			d.bytes.Add(-chunkSize(it.buf)) // the chunk is gone; its bytes are no longer queued
		}
		if it.req != nil {
			it.req.crashed(fmt.Sprintf("internal error in the metrics daemon (a bug in llmlocust): %v", v), d.consumer)
		}
	}()
	d.handle(it)
}

// crashed fails r after a panic: its reader stops at its next read and,
// once its stream has ended, the failed Record is counted and handed to
// its user (unless it already was).
func (r *Stream) crashed(reason string, c Consumer) {
	r.err = reason
	r.halt(&LimitError{msg: reason})
	if r.end == nil || r.delivered {
		return
	}
	r.delivered = true
	rec := record.Record{
		Name: r.Name, Method: r.Method, Start: r.Start, ResponseTime: r.end.At.Sub(r.Start),
		ContentLength: r.end.Bytes, Status: r.end.Status, Error: reason, Cancelled: r.end.Cancelled,
		LLM: &record.LLM{},
	}
	rec.SetDue(r.Due)
	func() {
		defer func() { _ = recover() }() // the stats may be what broke
		r.takeBack(c)
		c.Log(&rec)
	}()
	r.result <- Result{Record: rec}
}
