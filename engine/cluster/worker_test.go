package cluster

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/run"
)

// session is a session that runs no users: it keeps the targets it is given.
type session struct {
	mu      sync.Mutex
	counts  map[string]int
	starts  int
	stopped chan struct{}
	w       *Worker
}

func (s *session) Start(t run.Test) error {
	s.mu.Lock()
	s.counts, s.stopped = t.Classes, make(chan struct{})
	s.starts++
	s.mu.Unlock()
	go s.w.SpawningComplete(0)
	return nil
}

func (s *session) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped != nil {
		select {
		case <-s.stopped:
		default:
			close(s.stopped)
		}
	}
	s.counts = nil
}

func (s *session) Stopped() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return s.stopped
}

func (s *session) UserClassesCount() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

func (s *session) UserCount() int { return sum(s.UserClassesCount()) }

// fakeMaster is our side of the socket, reading what the worker sends.
type fakeMaster struct {
	t   *testing.T
	srv *Server
}

func (m fakeMaster) next(want string) Message {
	m.t.Helper()
	for {
		msg, err := m.srv.Recv()
		if err != nil {
			m.t.Fatal(err)
		}
		if msg.Type == want {
			return msg
		}
		if msg.Type != Heartbeat && msg.Type != Stats {
			m.t.Fatalf("got %s while waiting for %s", msg.Type, want)
		}
	}
}

// A worker says it is ready, runs each spawn's targets once (an older
// spawn is ignored), reports what was logged, and on stop sends its last
// report, client_stopped and client_ready again; on quit it ends.
func TestWorkerFollowsItsMaster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := ListenWorkers(ctx, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	m := fakeMaster{t, srv}
	w := NewWorker("w_1", func(string, string, ...any) {})
	s := &session{w: w}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, s, "127.0.0.1", srv.Port()) }()

	ready := m.next(ClientReady)
	var version int
	if err := ready.Decode(&version); err != nil || version != AnyVersion || ready.NodeID != "w_1" {
		t.Fatalf("client_ready %+v %v %v", ready, version, err)
	}
	send := func(typ string, data any) {
		if err := srv.Send("w_1", typ, data); err != nil {
			t.Fatal(err)
		}
	}
	send(Ack, AckData{Index: 0})
	send(Spawn, SpawnData{Timestamp: 2, UserClassesCount: map[string]int{"ChatUser": 3}})
	m.next(Spawning)
	var sc SpawningCompleteData
	if err := m.next(SpawningComplete).Decode(&sc); err != nil || sc.UserCount != 3 || sc.UserClassesCount["ChatUser"] != 3 {
		t.Fatalf("spawning_complete %+v %v", sc, err)
	}
	send(Spawn, SpawnData{Timestamp: 1, UserClassesCount: map[string]int{"ChatUser": 9}})
	m.next(Spawning)

	w.Log(&record.Record{Method: "POST", Name: "chat", Start: time.Now(), ResponseTime: 40 * time.Millisecond})
	w.Log(&record.Record{Method: "POST", Name: "chat", Start: time.Now(), ResponseTime: 50 * time.Millisecond, Error: "HTTP 503"})
	send(Stop, nil)
	var rep ReportData
	for rep.Total.NumRequests == 0 {
		msg, err := srv.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if msg.Type == Stats {
			rep = ReportData{}
			if err := msg.Decode(&rep); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rep.Total.NumRequests != 2 || rep.Total.NumFailures != 1 || len(rep.Errors) != 1 || len(rep.Stats) != 1 {
		t.Errorf("report %+v", rep)
	}
	m.next(ClientStopped)
	m.next(ClientReady)
	if s.starts != 1 {
		t.Errorf("the session was started %d times, want once: the older spawn is ignored", s.starts)
	}
	send(Quit, nil)
	if err := <-done; err != nil {
		t.Errorf("Run after quit: %v", err)
	}
}
