// Package metrics is the metrics daemon: it takes finished Records and the
// raw chunks of streamed LLM responses from users without ever blocking
// them, decodes and tokenizes the streams into Records on its own
// goroutine, feeds the stats, and measures how far behind it runs.
package metrics

import (
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// Consumer receives the Records the daemon builds, and each token chunk
// of a stream as it is decoded, on the daemon's goroutine only.
type Consumer interface {
	Log(r *record.Record)
	LogChunks(name, method string, at time.Time, n int)
}

// Daemon queues work and does it on one goroutine of its own. Nothing
// that users hand it blocks on its progress, and nothing is dropped: the
// queue grows instead, and its size and age are reported as the backlog.
type Daemon struct {
	consumer Consumer

	mu      sync.Mutex
	queue   []item
	spare   []item
	wake    chan struct{}
	idle    *sync.Cond
	busy    bool
	closed  bool
	stopped chan struct{}
	peak    Backlog
}

// item is one piece of queued work: a finished plain Record, a chunk of a
// stream, or a stream's end.
type item struct {
	at  time.Time // when the user handed it over (for the backlog's age)
	rec record.Record
	req *Request
	buf *[]byte // a chunk of a stream, from chunkPool
	end *End
}

// NewDaemon starts a daemon that hands Records to c.
func NewDaemon(c Consumer) *Daemon {
	d := &Daemon{consumer: c, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	d.idle = sync.NewCond(&d.mu)
	go d.loop()
	return d
}

// Add queues a finished Record. It is safe from any goroutine and returns
// at once.
func (d *Daemon) Add(r record.Record) {
	d.push(item{rec: r, at: time.Now()})
}

func (d *Daemon) push(it item) {
	d.mu.Lock()
	d.queue = append(d.queue, it)
	if n := len(d.queue); n > d.peak.Queued {
		d.peak.Queued = n
	}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Backlog is what waits in the queue: how many items, and how long the
// oldest has waited. A growing backlog means the client, not the server,
// is the bottleneck.
type Backlog struct {
	Queued int
	Oldest time.Duration
}

// Saturated reports a backlog large enough that timings of what the
// client does next may suffer: more than a second of waiting work.
func (b Backlog) Saturated() bool { return b.Oldest > time.Second }

// Backlog reports the queue now.
func (d *Daemon) Backlog() Backlog {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := Backlog{Queued: len(d.queue)}
	if len(d.queue) > 0 {
		b.Oldest = time.Since(d.queue[0].at)
	}
	d.peak.Oldest = max(d.peak.Oldest, b.Oldest)
	return b
}

// Peak is the largest backlog seen so far (as sampled by Backlog calls
// for its age, and at every hand-over for its size).
func (d *Daemon) Peak() Backlog {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.peak
}

// Flush waits until every item added before the call has been handled.
func (d *Daemon) Flush() {
	d.mu.Lock()
	for len(d.queue) > 0 || d.busy {
		d.idle.Wait()
	}
	d.mu.Unlock()
}

// Close flushes and stops the daemon. Work added after Close is lost, so
// callers close it only once every user has stopped.
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
			// The backlog's age is measured here too, so that its peak is
			// known whether or not anyone looks at it meanwhile.
			d.peak.Oldest = max(d.peak.Oldest, time.Since(batch[0].at))
			d.mu.Unlock()

			for i := range batch {
				d.handle(&batch[i])
				batch[i] = item{}
			}
			d.mu.Lock()
			d.spare = batch[:0]
			d.mu.Unlock()
		}
	}
}

func (d *Daemon) handle(it *item) {
	switch {
	case it.end != nil:
		it.req.finish(it.end, d.consumer)
	case it.req != nil:
		it.req.feed(*it.buf, it.at, d.consumer)
		if cap(*it.buf) <= 64<<10 {
			chunkPool.Put(it.buf)
		}
	default:
		d.consumer.Log(&it.rec)
	}
}
