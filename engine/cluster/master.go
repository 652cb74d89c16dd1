package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// Locust's heartbeat rules.
const (
	// MissingAfter is how long a worker may be silent before it is
	// missing: three heartbeats.
	MissingAfter = 3 * time.Second
	// RemovedAfter is how long a missing worker is kept before it is
	// forgotten.
	RemovedAfter = 60 * time.Second
)

// WorkerInfo is what the master knows of one worker.
type WorkerInfo struct {
	ID       string
	Index    int
	State    string // ready, spawning, running, stopped or missing
	CPU      float64
	Memory   int64
	Users    int
	Classes  map[string]int
	LastBeat time.Time
	// Requests and Failures are what its reports brought, so far.
	Requests, Failures int64
}

// Lost is a worker that went missing or quit during a test, with what it
// had reported until then.
type Lost struct {
	ID                 string
	At                 time.Time
	Why                string
	Requests, Failures int64
}

// Master is the master's socket and the workers that joined it. Its
// methods are safe for concurrent use.
type Master struct {
	srv  *Server
	logf func(level, format string, args ...any)

	mu      sync.Mutex
	workers map[string]*WorkerInfo
	next    int
	cur     *test
	report  func(stats.Report) error
	lost    []Lost
	changed chan struct{} // closed and replaced whenever a worker joins or leaves
	done    chan struct{}
}

// NewMaster binds the master's socket on host:port and starts reading its
// workers' messages; logf receives its log lines.
func NewMaster(ctx context.Context, host string, port int, logf func(level, format string, args ...any)) (*Master, error) {
	srv, err := ListenWorkers(ctx, host, port)
	if err != nil {
		return nil, err
	}
	m := &Master{srv: srv, logf: logf, workers: map[string]*WorkerInfo{}, changed: make(chan struct{}), done: make(chan struct{})}
	go m.read()
	go m.watch()
	return m, nil
}

// Port is the port the workers connect to.
func (m *Master) Port() int { return m.srv.Port() }

// OnReport sets where the workers' stats reports go: the session's
// stats, which merge them.
func (m *Master) OnReport(f func(stats.Report) error) {
	m.mu.Lock()
	m.report = f
	m.mu.Unlock()
}

// Workers is the workers known, by index.
func (m *Master) Workers() []WorkerInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]WorkerInfo, 0, len(m.workers))
	for _, w := range m.workers {
		c := *w
		c.Classes = maps.Clone(w.Classes)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b WorkerInfo) int { return a.Index - b.Index })
	return out
}

// Lost is the workers lost during tests, in the order they were lost.
func (m *Master) Lost() []Lost {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.lost)
}

// WaitFor waits until n workers are ready, at most maxWait (0: forever).
func (m *Master) WaitFor(ctx context.Context, n int, maxWait time.Duration) error {
	var timeout <-chan time.Time
	if maxWait > 0 {
		t := time.NewTimer(maxWait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		m.mu.Lock()
		have, changed := m.readyLocked(), m.changed
		m.mu.Unlock()
		if len(have) >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return fmt.Errorf("%d of the %d expected workers connected within %s", len(have), n, maxWait)
		}
	}
}

// readyLocked is the workers that can take users, by index.
func (m *Master) readyLocked() []*WorkerInfo {
	var out []*WorkerInfo
	for _, w := range m.workers {
		if w.State != "missing" {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b *WorkerInfo) int { return a.Index - b.Index })
	return out
}

// Quit tells every worker to quit and closes the socket.
func (m *Master) Quit() {
	m.mu.Lock()
	ids := make([]string, 0, len(m.workers))
	for id, w := range m.workers {
		if w.State != "missing" {
			ids = append(ids, id)
		}
	}
	m.mu.Unlock()
	for _, id := range ids {
		_ = m.srv.Send(id, Quit, nil)
	}
	// Let the socket write the quits before it closes.
	time.Sleep(200 * time.Millisecond)
	close(m.done)
	_ = m.srv.Close()
}

func (m *Master) signalLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

func (m *Master) read() {
	for {
		msg, err := m.srv.Recv()
		if err != nil {
			select {
			case <-m.done:
			default:
				if !errors.Is(err, context.Canceled) {
					m.logf("ERROR", "the workers' socket: %v", err)
				}
			}
			return
		}
		m.handle(msg)
	}
}

// watch marks workers missing after MissingAfter without a heartbeat and
// forgets them after RemovedAfter more.
func (m *Master) watch() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-m.done:
			return
		case now := <-tick.C:
			m.checkHealth(now)
		}
	}
}

func (m *Master) checkHealth(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, w := range m.workers {
		silent := now.Sub(w.LastBeat)
		switch {
		case w.State == "missing" && silent > MissingAfter+RemovedAfter:
			delete(m.workers, id)
			m.signalLocked()
		case w.State != "missing" && silent > MissingAfter:
			m.loseLocked(w, now, fmt.Sprintf("no heartbeat for %s", silent.Round(time.Second)))
			w.State = "missing"
		}
	}
}

// loseLocked notes a worker that left; during a test it is one of the
// test's lost workers, whose reports stay counted.
func (m *Master) loseLocked(w *WorkerInfo, at time.Time, why string) {
	m.logf("WARNING", "worker %s (%d) is lost: %s; what it reported stays counted (%d requests, %d failures)", w.ID, w.Index, why, w.Requests, w.Failures)
	if t := m.cur; t != nil && t.activeLocked() {
		m.lost = append(m.lost, Lost{ID: w.ID, At: at, Why: why, Requests: w.Requests, Failures: w.Failures})
		t.workerGoneLocked(w.ID)
	}
	m.signalLocked()
}
