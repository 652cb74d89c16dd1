package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// Locust's intervals, which a master expects of its workers.
const (
	HeartbeatInterval = time.Second
	ReportInterval    = 3 * time.Second
	// MasterTimeout is how long a worker waits for a sign of its master
	// before it gives up, as Locust's workers do.
	MasterTimeout = 60 * time.Second
)

// Session is what a worker drives: a run.Session, or anything that starts
// and stops tests alike.
type Session interface {
	Start(t run.Test) error
	Stop()
	Stopped() <-chan struct{}
	UserCount() int
	UserClassesCount() map[string]int
}

// Worker is one worker's connection and what it reports. Make it with
// NewWorker, hand Log and the hooks to the session, then Run.
type Worker struct {
	id      string
	report  *stats.RequestStats
	logf    func(level, format string, args ...any)
	session Session
	client  *Client

	mu        sync.Mutex
	lastSpawn float64
	state     string
	index     int
	lastSeen  time.Time
}

// NodeID is a worker id as Locust makes them: host name, "_", a random hex.
func NodeID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "worker"
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return host + "_" + hex.EncodeToString(b)
}

// NewWorker makes a worker with node id id; logf receives its log lines.
func NewWorker(id string, logf func(level, format string, args ...any)) *Worker {
	return &Worker{id: id, report: stats.New(time.Now()), logf: logf, state: "ready", index: -1}
}

// ID is the worker's node id.
func (w *Worker) ID() string { return w.id }

// Log counts a Record in the next report: the session's OnRecord.
func (w *Worker) Log(r *record.Record) { w.report.Log(r) }

// Exception sends an error a user's script raised: the session's
// OnException.
func (w *Worker) Exception(msg, traceback string) {
	if c := w.conn(); c != nil {
		_ = c.Send(Exception, ExceptionData{Msg: msg, Traceback: traceback})
	}
}

// SpawningComplete tells the master the users run: the session's
// OnSpawningComplete.
func (w *Worker) SpawningComplete(int) {
	w.setState("running")
	if c := w.conn(); c != nil {
		counts := w.session.UserClassesCount()
		_ = c.Send(SpawningComplete, SpawningCompleteData{UserClassesCount: counts, UserCount: sum(counts)})
	}
}

func (w *Worker) conn() *Client {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.client
}

func (w *Worker) setState(s string) {
	w.mu.Lock()
	w.state = s
	w.mu.Unlock()
}

// Run joins the master at host:port and works for it until the master
// says quit, stays silent for MasterTimeout, or ctx ends (then the master
// is told this worker quits). It returns nil on a quit from the master.
func (w *Worker) Run(ctx context.Context, s Session, host string, port int) error {
	c, err := DialMaster(ctx, host, port, w.id)
	if err != nil {
		return err
	}
	defer c.Close()
	w.mu.Lock()
	w.session, w.client, w.lastSeen = s, c, time.Now()
	w.mu.Unlock()
	if err := c.Send(ClientReady, AnyVersion); err != nil {
		return err
	}
	w.logf("INFO", "connecting to the master at %s:%d as %s", host, port, w.id)
	msgs, recvErr, left := make(chan Message), make(chan error, 1), make(chan struct{})
	defer close(left)
	go func() {
		for {
			m, err := c.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-left:
				return
			}
		}
	}()
	beat, report := time.NewTicker(HeartbeatInterval), time.NewTicker(ReportInterval)
	defer beat.Stop()
	defer report.Stop()
	cpu := newCPUMeter()
	for {
		select {
		case <-ctx.Done():
			w.quit(c, s)
			return ctx.Err()
		case err := <-recvErr:
			return fmt.Errorf("the master's connection: %w", err)
		case m := <-msgs:
			done, err := w.handle(c, s, m)
			if done || err != nil {
				return err
			}
		case <-beat.C:
			if w.silentFor() > MasterTimeout {
				w.quit(c, s)
				return fmt.Errorf("no word from the master for %s", MasterTimeout)
			}
			w.mu.Lock()
			state := w.state
			w.mu.Unlock()
			pct, rss := cpu.sample()
			_ = c.Send(Heartbeat, HeartbeatData{State: state, CurrentCPUUsage: pct, CurrentMemoryUsage: rss})
		case <-report.C:
			w.sendReport(c, s)
		}
	}
}

func (w *Worker) silentFor() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Since(w.lastSeen)
}

// handle acts on one message of the master; done when the worker is to end.
func (w *Worker) handle(c *Client, s Session, m Message) (done bool, err error) {
	w.mu.Lock()
	w.lastSeen = time.Now()
	w.mu.Unlock()
	switch m.Type {
	case Ack:
		var a AckData
		if err := m.Decode(&a); err == nil {
			w.mu.Lock()
			w.index = a.Index
			w.mu.Unlock()
			w.logf("INFO", "connected to the master as worker %d", a.Index)
		}
	case Spawn:
		return false, w.spawn(c, s, m)
	case Stop:
		w.stop(c, s)
		return false, c.Send(ClientReady, AnyVersion)
	case Quit:
		w.logf("INFO", "the master said quit, shutting down")
		s.Stop()
		<-s.Stopped()
		w.sendReport(c, s)
		return true, nil
	case Reconnect:
		w.logf("WARNING", "the master asked this worker to reconnect")
		w.stop(c, s)
		return false, c.Send(ClientReady, AnyVersion)
	case Heartbeat, SpawningComplete:
		// A sign of life, and the master's total; nothing to do.
	default:
		w.logf("DEBUG", "a message of type %q from the master is not one a worker acts on", m.Type)
	}
	return false, nil
}

// spawn moves the users to the master's targets; an older spawn than the
// last acted on is ignored, as Locust's workers ignore it.
func (w *Worker) spawn(c *Client, s Session, m Message) error {
	if err := c.Send(Spawning, nil); err != nil {
		return err
	}
	var d SpawnData
	if err := m.Decode(&d); err != nil {
		return err
	}
	w.mu.Lock()
	stale := d.Timestamp <= w.lastSpawn
	if !stale {
		w.lastSpawn = d.Timestamp
		w.state = "spawning"
	}
	w.mu.Unlock()
	if stale {
		w.logf("INFO", "a spawn message not newer than the last one is ignored")
		return nil
	}
	t := run.Test{Classes: d.UserClassesCount}
	if d.Host != nil {
		t.Host = *d.Host
	}
	if err := s.Start(t); err != nil {
		w.logf("ERROR", "cannot spawn the users the master asked for: %v", err)
		_ = c.Send(Exception, ExceptionData{Msg: fmt.Sprintf("spawn: %v", err)})
		return nil
	}
	return nil
}

// stop stops the users, sends what they measured and says so.
func (w *Worker) stop(c *Client, s Session) {
	w.setState("stopped")
	s.Stop()
	<-s.Stopped()
	w.sendReport(c, s)
	_ = c.Send(ClientStopped, nil)
	w.mu.Lock()
	w.state, w.lastSpawn = "ready", 0
	w.mu.Unlock()
}

// quit tells the master this worker leaves, with its last report.
func (w *Worker) quit(c *Client, s Session) {
	s.Stop()
	select {
	case <-s.Stopped():
	case <-time.After(5 * time.Second):
	}
	w.sendReport(c, s)
	_ = c.Send(Quit, nil)
	// Let the socket write the last messages before it closes.
	time.Sleep(200 * time.Millisecond)
}

func (w *Worker) sendReport(c *Client, s Session) {
	counts := s.UserClassesCount()
	d := ReportData{Report: w.report.TakeReport(time.Now()), UserClassesCount: counts, UserCount: sum(counts)}
	if err := c.Send(Stats, d); err != nil && !errors.Is(err, context.Canceled) {
		w.logf("WARNING", "the stats report did not reach the master: %v", err)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
