// Package metrics is the metrics daemon: it takes finished Records from
// users without ever blocking them, and feeds them to the stats on its own
// goroutine, measuring how far behind it runs.
package metrics

import (
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// Consumer receives the Records the daemon hands on, on the daemon's
// goroutine only.
type Consumer interface {
	Log(r *record.Record)
}

// Daemon queues Records and hands them to a Consumer. Add never blocks on
// the consumer and never drops a Record: the queue grows instead, and its
// size and age are reported as the backlog.
type Daemon struct {
	consumer Consumer

	mu      sync.Mutex
	queue   []queued
	spare   []queued
	wake    chan struct{}
	idle    *sync.Cond
	busy    bool
	closed  bool
	stopped chan struct{}
}

type queued struct {
	rec record.Record
	at  time.Time
}

// NewDaemon starts a daemon that hands Records to c.
func NewDaemon(c Consumer) *Daemon {
	d := &Daemon{consumer: c, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	d.idle = sync.NewCond(&d.mu)
	go d.loop()
	return d
}

// Add queues r. It is safe from any goroutine and returns at once.
func (d *Daemon) Add(r record.Record) {
	d.mu.Lock()
	d.queue = append(d.queue, queued{rec: r, at: time.Now()})
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Backlog is what waits in the queue: how many Records, and how long the
// oldest has waited. A growing backlog means the client, not the server,
// is the bottleneck.
type Backlog struct {
	Queued int
	Oldest time.Duration
}

// Backlog reports the queue now.
func (d *Daemon) Backlog() Backlog {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := Backlog{Queued: len(d.queue)}
	if len(d.queue) > 0 {
		b.Oldest = time.Since(d.queue[0].at)
	}
	return b
}

// Flush waits until every Record added before the call has reached the
// consumer.
func (d *Daemon) Flush() {
	d.mu.Lock()
	for len(d.queue) > 0 || d.busy {
		d.idle.Wait()
	}
	d.mu.Unlock()
}

// Close flushes and stops the daemon. Records added after Close are lost,
// so callers close it only once every user has stopped.
func (d *Daemon) Close() {
	d.Flush()
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	<-d.stopped
}

func (d *Daemon) loop() {
	defer close(d.stopped)
	for range d.wake {
		for {
			d.mu.Lock()
			if d.closed && len(d.queue) == 0 {
				d.mu.Unlock()
				return
			}
			if len(d.queue) == 0 {
				d.busy = false
				d.idle.Broadcast()
				d.mu.Unlock()
				break
			}
			batch := d.queue
			d.queue, d.spare = d.spare[:0], nil
			d.busy = true
			d.mu.Unlock()

			for i := range batch {
				d.consumer.Log(&batch[i].rec)
				batch[i] = queued{}
			}
			d.mu.Lock()
			d.spare = batch[:0]
			d.mu.Unlock()
		}
	}
}
