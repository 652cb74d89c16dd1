// Package metrics is the metrics daemon: it takes finished Records and the
// raw chunks of streamed LLM responses from users without ever blocking
// them, decodes and tokenizes the streams into Records on its own
// goroutine, feeds the stats, and measures how far behind it runs.
package metrics

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/llmlocust/llmlocust/engine/record"
)

// Consumer receives, on the daemon's goroutine only, the Records the
// daemon builds and, while streams are open, their token chunks as they
// are decoded, so that live rates need not wait for requests to end.
// Chunks are provisional: just before it logs a stream's Record, the
// daemon takes back (n < 0) what it handed over of it, so that every
// figure comes from Records alone and the same Records, however they
// arrive (replayed from a file, merged at a master), give the same stats.
type Consumer interface {
	Log(r *record.Record)
	Streaming(name, method string, at time.Time, n int)
}

// Daemon queues work and does it on one goroutine of its own. Nothing
// that users hand it blocks on its progress, and nothing is lost unseen:
// the queue grows instead, and its size and age are reported as the
// backlog. It grows up to a bound in bytes (Limits.Backlog); past it, a
// chunk is refused rather than queued and its request fails, counted, so
// that the client stays within its memory whatever the servers send.
type Daemon struct {
	consumer Consumer
	limits   Limits

	// bytes is what the queued chunks hold; it is added to as chunks are
	// queued and taken from as each is handled, so that it is right while
	// a long batch is being worked through.
	bytes atomic.Int64

	mu      sync.Mutex
	queue   []item
	spare   []item
	wake    chan struct{}
	idle    *sync.Cond
	busy    bool
	closed  bool
	stopped chan struct{}
	peak    Backlog

	// counting is how many finished requests wait for counts under way
	// beside the daemon (under mu, for Flush); beside is when each began
	// (the daemon's goroutine only).
	counting  int
	beside    map[*Stream]time.Time
	cutCounts atomic.Int64

	onPanic atomic.Pointer[func(v any, stack []byte)]
}

// item is one piece of queued work: a finished plain Record, a chunk of a
// stream, or a stream's end.
type item struct {
	at  time.Time // when the user handed it over (for the backlog's age)
	rec record.Record
	req *Stream
	buf *[]byte // a chunk of a stream, from chunkPool
	end *End

	counted *counts    // the client's counts of req, done beside the daemon
	cut     *time.Time // cut short the counts under way since before then
}

// chunkOverhead is what a queued chunk holds besides its bytes: its queue
// entry and the header of its pooled buffer.
const chunkOverhead = int64(unsafe.Sizeof(item{}) + unsafe.Sizeof([]byte(nil)))

// NewDaemon starts a daemon with the default limits that hands Records to c.
func NewDaemon(c Consumer) *Daemon { return NewDaemonWithLimits(c, DefaultLimits()) }

// NewDaemonWithLimits starts a daemon bounded by l (zero fields take the
// defaults) that hands Records to c.
func NewDaemonWithLimits(c Consumer, l Limits) *Daemon {
	d := &Daemon{consumer: c, limits: l.orDefault(), wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	d.idle = sync.NewCond(&d.mu)
	go d.loop()
	return d
}

// Limits are the bounds the daemon applies.
func (d *Daemon) Limits() Limits { return d.limits }

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
	d.signal()
}

// pushChunk queues a chunk of size bytes unless the queue would then hold
// more than the backlog bound; it reports whether it did. A refusal is
// counted, never waited out.
func (d *Daemon) pushChunk(it item, size int64) bool {
	if held := d.bytes.Add(size); held > d.limits.Backlog {
		d.bytes.Add(-size)
		d.mu.Lock()
		d.peak.Refused++
		d.mu.Unlock()
		return false
	}
	d.mu.Lock()
	d.queue = append(d.queue, it)
	if n := len(d.queue); n > d.peak.Queued {
		d.peak.Queued = n
	}
	d.peak.Bytes = max(d.peak.Bytes, d.bytes.Load())
	d.mu.Unlock()
	d.signal()
	return true
}

func (d *Daemon) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Backlog is what waits in the queue: how many items, how many bytes of
// chunks, and how long the oldest has waited; and how many chunks were
// refused since the daemon started because the queue was at its bound. A
// growing backlog means the client, not the server, is the bottleneck.
type Backlog struct {
	Queued  int
	Bytes   int64
	Oldest  time.Duration
	Refused int64
}

// MarshalJSON writes the backlog as the web UI's charts take it.
func (b Backlog) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Queued    int     `json:"queued"`
		Bytes     int64   `json:"bytes"` // held by the queued chunks
		OldestMS  float64 `json:"oldest_ms"`
		LimitHits int64   `json:"limit_hits"` // chunks refused at the queue's bound, each failing its request
		Saturated bool    `json:"saturated"`
	}{b.Queued, b.Bytes, float64(b.Oldest) / float64(time.Millisecond), b.Refused, b.Saturated()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (b *Backlog) UnmarshalJSON(data []byte) error {
	var in struct {
		Queued    int     `json:"queued"`
		Bytes     int64   `json:"bytes"`
		OldestMS  float64 `json:"oldest_ms"`
		LimitHits int64   `json:"limit_hits"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*b = Backlog{Queued: in.Queued, Bytes: in.Bytes, Oldest: time.Duration(in.OldestMS * float64(time.Millisecond)), Refused: in.LimitHits}
	return nil
}

// Saturated reports a backlog large enough that timings of what the
// client does next may suffer: more than a second of waiting work, or a
// queue that reached its bound.
func (b Backlog) Saturated() bool { return b.Oldest > time.Second || b.Refused > 0 }

// Backlog reports the queue now.
func (d *Daemon) Backlog() Backlog {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := Backlog{Queued: len(d.queue), Bytes: d.bytes.Load(), Refused: d.peak.Refused}
	if len(d.queue) > 0 {
		b.Oldest = time.Since(d.queue[0].at)
	}
	d.peak.Oldest = max(d.peak.Oldest, b.Oldest)
	return b
}

// Peak is the largest backlog seen so far (as sampled by Backlog calls
// for its age, and at every hand-over for its size), with every refusal.
func (d *Daemon) Peak() Backlog {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.peak
}

// Flush waits until every item added before the call has been handled.
func (d *Daemon) Flush() {
	began := time.Now()
	// Counts under way beside the daemon get CountGrace, then are cut
	// short, so that no prompt however large holds up the caller for long.
	grace := time.AfterFunc(CountGrace, func() { d.push(item{cut: &began, at: time.Now()}) })
	defer grace.Stop()
	d.mu.Lock()
	for len(d.queue) > 0 || d.busy || d.counting > 0 {
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
	d.signal()
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
				d.safeHandle(&batch[i])
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
	case it.cut != nil:
		d.cut(*it.cut)
	case it.counted != nil:
		d.counted(it.req, *it.counted)
	case it.end != nil:
		it.req.finish(it.end, d.consumer)
	case it.req != nil:
		it.req.feed(*it.buf, it.at, d.consumer)
		it.req.first.check()
		d.bytes.Add(-chunkSize(it.buf))
		if cap(*it.buf) <= 64<<10 {
			chunkPool.Put(it.buf)
		}
	default:
		d.consumer.Log(&it.rec)
	}
}
