package run

import (
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// Request is one finished LLM request, for the TTFT-against-time chart.
type Request struct {
	Seq   uint64
	Start time.Time
	TTFT  time.Duration
	Name  string
	OK    bool
}

// keptRequests is how many finished LLM requests are kept for the charts.
const keptRequests = 5000

// requestLog keeps the most recent LLM requests in a ring.
type requestLog struct {
	mu   sync.Mutex
	ring []Request
	next uint64 // sequence number of the next request
}

func newRequestLog() *requestLog { return &requestLog{ring: make([]Request, 0, 64)} }

func (l *requestLog) add(r *record.Record) {
	if r.LLM == nil || r.Cancelled || len(r.LLM.Chunks) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	req := Request{Seq: l.next, Start: r.Start, TTFT: r.LLM.TTFT, Name: r.Name, OK: !r.Failed()}
	if len(l.ring) < keptRequests {
		l.ring = append(l.ring, req)
		return
	}
	l.ring[int(l.next-1)%keptRequests] = req
}

func (l *requestLog) since(seq uint64) ([]Request, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Request
	for _, r := range l.ring {
		if r.Seq > seq {
			out = append(out, r)
		}
	}
	sortBySeq(out)
	return out, l.next
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring = l.ring[:0]
}

func sortBySeq(rs []Request) {
	// The ring is in order but for the wrap point: rotate it there.
	for i := 1; i < len(rs); i++ {
		if rs[i].Seq < rs[i-1].Seq {
			rotated := append(append([]Request(nil), rs[i:]...), rs[:i]...)
			copy(rs, rotated)
			return
		}
	}
}

// tee hands each Record and chunk to the stats, and each finished LLM
// request to the request log.
type tee struct {
	stats    *stats.RequestStats
	log      *requestLog
	onRecord func(r *record.Record)
}

func (t tee) Log(r *record.Record) {
	t.stats.Log(r)
	t.log.add(r)
	if t.onRecord != nil {
		t.onRecord(r)
	}
}

func (t tee) Streaming(name, method string, at time.Time, n int) {
	t.stats.Streaming(name, method, at, n)
}
