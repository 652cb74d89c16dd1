package cluster

import (
	"time"
)

// handle acts on one message of a worker.
func (m *Master) handle(msg Message) {
	id := msg.NodeID
	m.mu.Lock()
	w := m.workers[id]
	if msg.Type == ClientReady {
		m.ready(w, id)
		return // unlocked
	}
	if w == nil {
		m.mu.Unlock()
		if msg.Type != Quit {
			// A worker of an earlier master: it joins again from the start.
			_ = m.srv.Send(id, Reconnect, nil)
		}
		return
	}
	w.LastBeat = time.Now()
	switch msg.Type {
	case Heartbeat:
		var d HeartbeatData
		if msg.Decode(&d) == nil {
			w.CPU, w.Memory = d.CurrentCPUUsage, d.CurrentMemoryUsage
		}
		if w.State == "missing" {
			w.State = "ready"
			m.signalLocked()
		}
		m.mu.Unlock()
		_ = m.srv.Send(id, Heartbeat, nil)
		return
	case Spawning:
		w.State = "spawning"
	case SpawningComplete:
		var d SpawningCompleteData
		if msg.Decode(&d) == nil {
			w.Classes, w.Users, w.State = d.UserClassesCount, d.UserCount, "running"
		}
		if t := m.cur; t != nil {
			if done := t.checkCompleteLocked(); done != nil {
				m.mu.Unlock()
				done()
				return
			}
		}
	case Stats:
		m.stats(w, msg)
		return // unlocked
	case ClientStopped:
		w.State, w.Users, w.Classes = "ready", 0, nil
		if t := m.cur; t != nil {
			t.workerStoppedLocked(id)
		}
	case Quit:
		delete(m.workers, id)
		m.loseLocked(w, time.Now(), "it quit")
	case Exception:
		var d ExceptionData
		if msg.Decode(&d) == nil {
			m.logf("ERROR", "worker %d: %s\n%s", w.Index, d.Msg, d.Traceback)
		}
	case Logs:
		var d LogsData
		if msg.Decode(&d) == nil {
			for _, line := range d.Logs {
				m.logf("INFO", "worker %d: %s", w.Index, line)
			}
		}
	}
	m.mu.Unlock()
}

// ready takes in a worker that says it is ready, new or back from a test,
// and answers with its index. m.mu is held, and released.
func (m *Master) ready(w *WorkerInfo, id string) {
	if w == nil {
		w = &WorkerInfo{ID: id, Index: m.next}
		m.next++
		m.workers[id] = w
		m.logf("INFO", "worker %s (index %d) connected", id, w.Index)
	}
	w.State, w.Users, w.Classes, w.LastBeat = "ready", 0, nil, time.Now()
	m.signalLocked()
	m.mu.Unlock()
	_ = m.srv.Send(id, Ack, AckData{Index: w.Index})
}

// stats merges a worker's report into the session's stats. m.mu is held,
// and released before the merge.
func (m *Master) stats(w *WorkerInfo, msg Message) {
	var d ReportData
	if err := msg.Decode(&d); err != nil {
		m.mu.Unlock()
		m.logf("WARNING", "a stats report of worker %d could not be read: %v", w.Index, err)
		return
	}
	w.Users, w.Classes = d.UserCount, d.UserClassesCount
	w.Requests += d.Total.NumRequests
	w.Failures += d.Total.NumFailures
	report, index := m.report, w.Index
	m.mu.Unlock()
	if report == nil {
		return
	}
	if err := report(d.Report); err != nil {
		m.logf("WARNING", "a stats report of worker %d could not be merged: %v", index, err)
	}
}
