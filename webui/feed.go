package webui

import (
	"encoding/json"
	"sync"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/timeline"
)

// subscriberQueue is how many messages a websocket client may fall behind
// before it is dropped.
const subscriberQueue = 64

// feed puts the session's timeline on the web UI's wire: it pushes each
// second's point and requests to the websocket clients as the timeline
// gains them, and answers page loads and the polling fallback from it.
type feed struct {
	tl *timeline.Timeline

	mu     sync.Mutex
	subs   map[chan []byte]struct{}
	closed bool
}

func newFeed(tl *timeline.Timeline) *feed {
	f := &feed{tl: tl, subs: map[chan []byte]struct{}{}}
	tl.Listen(f)
	return f
}

func isActive(st runner.State) bool {
	return st == runner.StateSpawning || st == runner.StateRunning || st == runner.StateStopping
}

// Restarted implements timeline.Listener: the clients clear their charts.
func (f *feed) Restarted() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.broadcast(map[string]any{"type": "reset"})
}

// Ticked implements timeline.Listener.
func (f *feed) Ticked(t timeline.Tick) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.broadcast(map[string]any{"type": "point", "seq": t.Seq, "point": pointOf(t.Point, f.tl.Percentiles())})
	if len(t.Requests) > 0 {
		f.broadcast(map[string]any{"type": "requests", "seq": t.Seq, "requests": toReqs(t.Requests)})
	}
}

// close ends every subscription.
func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for ch := range f.subs {
		close(ch)
		delete(f.subs, ch)
	}
}

// since is what the timeline gained after tick seq, for polling: the
// newest sequence number, the points and requests, and whether the
// caller's charts are stale because a new test began (or the server
// restarted) after its seq.
func (f *feed) since(seq uint64) (latest uint64, points []Point, reqs []Req, reset bool) {
	latest, ticks, reset := f.tl.Since(seq)
	points, reqs = wireTicks(ticks, f.tl.Percentiles())
	return latest, points, reqs, reset
}

// snapshot is the points, requests and Locust chart history of the
// current test.
func (f *feed) snapshot() (seq uint64, points []Point, reqs []Req, history []map[string]any) {
	seq, ticks, hist := f.tl.All()
	points, reqs = wireTicks(ticks, f.tl.Percentiles())
	history = make([]map[string]any, len(hist))
	for i, p := range hist {
		history[i] = historyEntry(p)
	}
	return seq, points, reqs, history
}

// lastClasses is the user count by class at the last tick that had users:
// what the task ratios of a stopped test are taken from.
func (f *feed) lastClasses() map[string]int { return f.tl.LastClasses() }

// wireTicks is the points and requests of ticks as the wire carries them,
// with the timeline's percentiles ps.
func wireTicks(ticks []timeline.Tick, ps output.Percentiles) ([]Point, []Req) {
	points, reqs := make([]Point, 0, len(ticks)), []Req{}
	for _, t := range ticks {
		points = append(points, pointOf(t.Point, ps))
		reqs = append(reqs, toReqs(t.Requests)...)
	}
	return points, reqs
}

// subscribe registers a websocket client and returns its queue, whose
// first message is the history so far; nil when the feed is closed.
func (f *feed) subscribe() chan []byte {
	var ch chan []byte
	f.tl.View(func(seq uint64, ticks []timeline.Tick, _ []timeline.Point) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.closed {
			return
		}
		ch = make(chan []byte, subscriberQueue)
		points, reqs := wireTicks(ticks, f.tl.Percentiles())
		if b, err := json.Marshal(map[string]any{"type": "history", "seq": seq, "points": points, "requests": reqs}); err == nil {
			ch <- b
		}
		f.subs[ch] = struct{}{}
	})
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
