package output

import (
	"errors"
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// Output is one thing a run keeps up to date or writes at its end: the
// console, the CSV files, the timeline of the charts, the JSON summary,
// the HTML report, the per-request log, the web UI's live feed.
//
// The Manager calls an Output from one goroutine of its own, never
// concurrently and never from a user's or the metrics daemon's goroutine:
// Start once before the first tick, Tick once a second while a test runs
// (and once more when it has stopped), Close once with the final figures,
// after the last Record has been counted. An Output that is slow holds up
// only the outputs after it, never the run; an error it returns is
// logged (Tick) or returned from the run's close (Close), and the other
// outputs go on.
type Output interface {
	Start(s Sample) error
	Tick(s Sample) error
	Close(s Sample) error
}

// Sample is the run as it stands at one tick, or at its end.
type Sample struct {
	Time        time.Time
	Stats       *stats.Snapshot
	Users       int // running now
	TargetUsers int // the count the test moves to
	Classes     map[string]int
	State       string
	Stopped     bool          // the test has ended
	TestStart   time.Time     // when the current test started
	Elapsed     time.Duration // since then, to its end once it has stopped
	Backlog     metrics.Backlog

	// Final only: the test's host, its largest backlog and how many
	// requests' client-side counts were cut short at the end.
	Host      string
	Peak      metrics.Backlog
	CountsCut int64
	// Open says whether the test sent on open-loop schedules; Unsent how
	// many of their arrivals fell due and never went out.
	Open   bool
	Unsent int64

	// Sweep is the test's steps, nil when it does not sweep.
	Sweep *Sweep
}

// Manager ticks a run's outputs once a second while a test is active.
type Manager struct {
	outputs []Output
	sample  func() Sample
	active  func() bool
	logf    func(format string, args ...any)

	mu      sync.Mutex // one call into the outputs at a time
	running bool
	started bool
	closed  bool
	stop    chan struct{}
	done    chan struct{}
	align   chan struct{}
	lastErr []string // of each output's last tick
}

// NewManager ticks outputs with what sample returns whenever active says
// a test runs (once more after it stops); logf reports the errors of
// ticks. Nothing happens until Run.
func NewManager(outputs []Output, sample func() Sample, active func() bool, logf func(format string, args ...any)) *Manager {
	return &Manager{outputs: outputs, sample: sample, active: active, logf: logf,
		stop: make(chan struct{}), done: make(chan struct{}), align: make(chan struct{}, 1)}
}

// Add appends an output before Run.
func (m *Manager) Add(o Output) { m.outputs = append(m.outputs, o) }

// Run ticks until Close, on a goroutine of its own.
func (m *Manager) Run() {
	m.mu.Lock()
	m.running = true
	m.mu.Unlock()
	go func() {
		defer close(m.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		wasActive := false
		for {
			select {
			case <-m.stop:
				return
			case <-m.align:
				t.Reset(time.Second)
			case <-t.C:
				active := m.active()
				if active || wasActive {
					m.tick()
				}
				wasActive = active
			}
		}
	}()
}

// Align starts the seconds of the ticks afresh now, when a test starts:
// its ticks then come a second, two seconds, … after its start, as
// Locust's own intervals do.
func (m *Manager) Align() {
	select {
	case m.align <- struct{}{}:
	default:
	}
}

// tick samples the run and ticks every output now.
func (m *Manager) tick() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	s := m.sample()
	m.startOnce(s)
	if len(m.lastErr) != len(m.outputs) {
		m.lastErr = make([]string, len(m.outputs))
	}
	for i, o := range m.outputs {
		msg := ""
		if err := o.Tick(s); err != nil {
			msg = err.Error()
		}
		// A failure that repeats every second is told once.
		if msg != "" && msg != m.lastErr[i] {
			m.logf("%s", msg)
		}
		m.lastErr[i] = msg
	}
}

func (m *Manager) startOnce(s Sample) {
	if m.started {
		return
	}
	m.started = true
	for _, o := range m.outputs {
		if err := o.Start(s); err != nil {
			m.logf("%v", err)
		}
	}
}

// Close stops the ticks and closes every output with final, in order;
// it returns their errors, joined.
func (m *Manager) Close(final Sample) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	running := m.running
	m.mu.Unlock()
	if running {
		close(m.stop)
		<-m.done
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.startOnce(final)
	var errs []error
	for _, o := range m.outputs {
		errs = append(errs, o.Close(final))
	}
	return errors.Join(errs...)
}
