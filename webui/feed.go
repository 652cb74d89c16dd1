package webui

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/session"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// Bounds of what the feed keeps and sends.
const (
	tickEvery       = time.Second
	historyEvery    = 5 // ticks between Locust history entries, as Locust's 5 s
	keptPoints      = 3600
	keptHistory     = 3600
	keptRequests    = 5000
	requestsPerTick = 200
	subscriberQueue = 64
)

// source is what the feed reads from a session; *session.Session is one.
type source interface {
	State() runner.State
	Times() (start, end time.Time)
	Snapshot() *stats.Snapshot
	UserCount() int
	UserClassesCount() map[string]int
	Backlog() metrics.Backlog
	Requests(since uint64) ([]session.Request, uint64)
}

// tick is what one second of a running test added.
type tick struct {
	seq   uint64
	point Point
	reqs  []Req
}

// feed samples the session once a second while a test runs: an LLM chart
// point, the finished LLM requests, and every five seconds an entry of
// Locust's chart history. It keeps bounded buffers of them for page
// reloads and polling, and pushes each second to the websocket clients.
type feed struct {
	src     source
	onTick  func() // called each second while a test runs (the CSV files)
	stopped chan struct{}
	done    chan struct{}
	// wasActive is whether a test ran at the last step; only step uses it.
	wasActive bool

	mu        sync.Mutex
	seq       uint64 // of the newest tick
	resetSeq  uint64 // of the last tick before the current test
	testStart time.Time
	ticks     []tick
	nreqs     int
	history   []map[string]any
	reqCursor uint64
	classes   map[string]int // the last user classes count with users
	subs      map[chan []byte]struct{}
	closed    bool

	logf func(level, name, format string, args ...any)
}

func newFeed(src source, onTick func(), logf func(level, name, format string, args ...any)) *feed {
	return &feed{
		src: src, onTick: onTick, logf: logf,
		stopped: make(chan struct{}), done: make(chan struct{}),
		subs: map[chan []byte]struct{}{},
	}
}

// run ticks until close.
func (f *feed) run() {
	defer close(f.done)
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-f.stopped:
			return
		case <-t.C:
			safely(f.logf, "the charts' feed", f.step)
		}
	}
}

// close stops the ticker and ends every subscription.
func (f *feed) close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	for ch := range f.subs {
		close(ch)
		delete(f.subs, ch)
	}
	f.mu.Unlock()
	close(f.stopped)
	<-f.done
}

func isActive(st runner.State) bool {
	return st == runner.StateSpawning || st == runner.StateRunning || st == runner.StateStopping
}

// step is one second: the session is sampled while a test runs, and
// once more when it has stopped, for the requests of its last second.
func (f *feed) step() {
	f.syncTest()
	active := isActive(f.src.State())
	if !active && !f.wasActive {
		return
	}
	f.wasActive = active
	now := time.Now()
	snap := f.src.Snapshot()
	reqs, cursor := f.src.Requests(f.cursor())
	f.add(now, snap, sampleRequests(reqs, requestsPerTick), cursor)
	if active {
		f.onTick()
	}
}

func (f *feed) cursor() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqCursor
}

// syncTest clears the buffers when a new test has started since the last
// look, and tells the websocket clients.
func (f *feed) syncTest() {
	start, _ := f.src.Times()
	if f.src.State() == runner.StateReady {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if start.Equal(f.testStart) {
		return
	}
	f.testStart = start
	f.resetSeq = f.seq
	f.ticks, f.nreqs, f.history = nil, 0, nil
	f.classes = nil
	f.broadcast(map[string]any{"type": "reset"})
}

// add stores one second's point, requests and, every historyEvery ticks,
// a Locust history entry, and sends them to the subscribers.
func (f *feed) add(now time.Time, snap *stats.Snapshot, reqs []session.Request, cursor uint64) {
	users := f.src.UserCount()
	classes := f.src.UserClassesCount()
	backlog := f.src.Backlog()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	f.reqCursor = cursor
	point := newPoint(now, snap, users, backlog)
	t := tick{seq: f.seq, point: point, reqs: toReqs(reqs)}
	f.pushTick(t)
	if (f.seq-f.resetSeq-1)%historyEvery == 0 {
		f.history = appendBounded(f.history, historyEntry(now, snap, users), keptHistory)
	}
	if sumCounts(classes) > 0 {
		f.classes = classes
	}
	f.broadcast(map[string]any{"type": "point", "seq": f.seq, "point": point})
	if len(t.reqs) > 0 {
		f.broadcast(map[string]any{"type": "requests", "seq": f.seq, "requests": t.reqs})
	}
}

// pushTick keeps t, then drops the oldest ticks beyond keptPoints and the
// oldest requests beyond keptRequests. The caller holds f.mu.
func (f *feed) pushTick(t tick) {
	f.ticks = append(f.ticks, t)
	f.nreqs += len(t.reqs)
	if len(f.ticks) > keptPoints {
		f.nreqs -= len(f.ticks[0].reqs)
		f.ticks = f.ticks[1:]
	}
	for i := 0; f.nreqs > keptRequests && i < len(f.ticks); i++ {
		drop := min(len(f.ticks[i].reqs), f.nreqs-keptRequests)
		f.ticks[i].reqs = f.ticks[i].reqs[drop:]
		if len(f.ticks[i].reqs) == 0 {
			f.ticks[i].reqs = nil // an empty tail would keep the whole array
		}
		f.nreqs -= drop
	}
}

// appendBounded appends v and drops the oldest items beyond limit. The
// backing array does not grow forever: once its capacity runs out, append
// moves the kept items to a new one.
func appendBounded[T any](s []T, v T, limit int) []T {
	s = append(s, v)
	return s[max(len(s)-limit, 0):]
}

// sampleRequests keeps at most n requests, evenly spread.
func sampleRequests(reqs []session.Request, n int) []session.Request {
	if len(reqs) <= n {
		return reqs
	}
	out := make([]session.Request, n)
	for i := range out {
		out[i] = reqs[i*len(reqs)/n]
	}
	return out
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// since is what the feed gathered after tick seq, for polling: the
// newest sequence number, the points and requests, and whether the
// caller's charts are stale because a new test began (or the server
// restarted) after its seq.
func (f *feed) since(seq uint64) (latest uint64, points []Point, reqs []Req, reset bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	points, reqs = f.after(seq)
	return f.seq, points, reqs, seq > 0 && (seq <= f.resetSeq || seq > f.seq)
}

// after collects the points and requests of the ticks after seq; the
// caller holds f.mu.
func (f *feed) after(seq uint64) ([]Point, []Req) {
	points, reqs := []Point{}, []Req{}
	for _, t := range f.ticks {
		if t.seq > seq {
			points = append(points, t.point)
			reqs = append(reqs, t.reqs...)
		}
	}
	return points, reqs
}

// snapshot is the points, requests and history of the current test.
func (f *feed) snapshot() (seq uint64, points []Point, reqs []Req, history []map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	points, reqs = f.after(0)
	return f.seq, points, reqs, append([]map[string]any{}, f.history...)
}

// lastClasses is the user count by class at the last tick that had users:
// what the task ratios of a stopped test are taken from.
func (f *feed) lastClasses() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.classes
}

// subscribe registers a websocket client and returns its queue, whose
// first message is the history so far; nil when the feed is closed.
func (f *feed) subscribe() chan []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	ch := make(chan []byte, subscriberQueue)
	points, reqs := f.after(0)
	if b, err := json.Marshal(map[string]any{"type": "history", "seq": f.seq, "points": points, "requests": reqs}); err == nil {
		ch <- b
	}
	f.subs[ch] = struct{}{}
	return ch
}

// unsubscribe forgets a client that went away.
func (f *feed) unsubscribe(ch chan []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[ch]; ok {
		delete(f.subs, ch)
		close(ch)
	}
}

// broadcast queues a message for every subscriber; a client too slow to
// take it is dropped rather than allowed to hold up the feed. The caller
// holds f.mu.
func (f *feed) broadcast(msg any) {
	if len(f.subs) == 0 {
		return
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return // every number is made finite first; nothing else can fail
	}
	for ch := range f.subs {
		select {
		case ch <- b:
		default:
			delete(f.subs, ch)
			close(ch)
		}
	}
}
