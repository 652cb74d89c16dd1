package metrics

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// gate is a consumer that blocks until opened, like a daemon that fell
// behind.
type gate struct {
	open chan struct{}
	n    atomic.Int64
	seen sync.Map
}

func (g *gate) Log(r *record.Record) {
	<-g.open
	g.n.Add(1)
	g.seen.Store(r.Name, true)
}

func (g *gate) Streaming(string, string, time.Time, int) {}

func TestAddNeverBlocksAndLosesNothing(t *testing.T) {
	g := &gate{open: make(chan struct{})}
	d := NewDaemon(g)
	const writers, each = 8, 500
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				d.Add(record.Record{Name: string(rune('a'+w)) + "-" + string(rune(i))})
			}
		}(w)
	}
	wg.Wait()
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("adding took %s while the consumer was blocked", took)
	}
	// By now the consumer is stuck on a batch, so this one must queue.
	time.Sleep(20 * time.Millisecond)
	d.Add(record.Record{Name: "queued"})
	time.Sleep(20 * time.Millisecond)
	// The consumer is stuck on its first batch; what came after waits in
	// the queue, and its age shows it.
	b := d.Backlog()
	if b.Queued == 0 || b.Oldest < 20*time.Millisecond {
		t.Fatalf("backlog %+v does not show the queue and its wait", b)
	}
	close(g.open)
	d.Flush()
	if got := g.n.Load(); got != writers*each+1 {
		t.Fatalf("consumer got %d of %d records", got, writers*each+1)
	}
	if b := d.Backlog(); b.Queued != 0 {
		t.Fatalf("backlog after flush %+v", b)
	}
	d.Add(record.Record{Name: "last"})
	d.Close()
	if _, ok := g.seen.Load("last"); !ok {
		t.Fatal("close lost a record added before it")
	}
}
