package webui

import (
	"encoding/json"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/engine/timeline"
)

// fakeSource is a session whose state the test sets, over real stats and
// a real timeline and output manager, so that the feed's timing can run on
// synctest's clock.
type fakeSource struct {
	mu      sync.Mutex
	state   runner.State
	start   time.Time
	stats   *stats.RequestStats
	tl      *timeline.Timeline
	users   int
	perCall int // finished requests that appear between two samples
}

func newFakeSource() *fakeSource {
	return &fakeSource{state: runner.StateReady, start: time.Now(), stats: stats.New(time.Now()), tl: timeline.New()}
}

func (s *fakeSource) set(state runner.State, newTest bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = state
	if newTest {
		s.start = time.Now()
		s.stats.Reset(s.start)
	}
}

func (s *fakeSource) State() runner.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *fakeSource) Times() (time.Time, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.start, time.Time{}
}

func (s *fakeSource) Snapshot() *stats.Snapshot        { return s.stats.Snapshot(time.Now()) }
func (s *fakeSource) UserCount() int                   { return s.users }
func (s *fakeSource) UserClassesCount() map[string]int { return map[string]int{"ChatUser": s.users} }
func (s *fakeSource) Backlog() metrics.Backlog {
	return metrics.Backlog{Queued: 2, Oldest: 1500 * time.Millisecond}
}

// sample is the source as the output manager samples a session; the
// requests of the second reach the timeline as the daemon hands them.
func (s *fakeSource) sample() output.Sample {
	for range s.perCall {
		s.tl.Log(&record.Record{Name: "chat", Start: time.Now(), LLM: &record.LLM{TTFT: 200 * time.Millisecond,
			Chunks: []record.Chunk{{At: 200 * time.Millisecond, Tokens: 1}}}})
	}
	start, _ := s.Times()
	st := s.State()
	return output.Sample{Time: time.Now(), Stats: s.Snapshot(), Users: s.UserCount(), Classes: s.UserClassesCount(),
		State: string(st), Stopped: st == runner.StateStopped, TestStart: start, Backlog: s.Backlog()}
}

// csvTicks counts the ticks a CSV writer acts on: those of a running test.
type csvTicks struct{ n *int }

func (c csvTicks) Start(output.Sample) error { return nil }
func (c csvTicks) Tick(s output.Sample) error {
	if !s.Stopped {
		*c.n++
	}
	return nil
}
func (c csvTicks) Close(output.Sample) error { return nil }

// logChat records one streamed request that took e2e and ends now.
func (s *fakeSource) logChat(e2e time.Duration) {
	ttft := e2e / 2
	s.stats.Log(&record.Record{
		Name: "chat", Method: "POST", Start: time.Now().Add(-e2e), ResponseTime: e2e,
		LLM: &record.LLM{
			TTFT: ttft, E2E: e2e, OutputTokens: 2, Source: record.SourceUsage,
			Chunks: []record.Chunk{{At: ttft, Tokens: 1}, {At: e2e, Tokens: 1}},
		},
	})
}

// runFeed runs a feed over src in the bubble and counts its CSV ticks.
func runFeed(t *testing.T, src *fakeSource) (*feed, *int) {
	t.Helper()
	calls := new(int)
	f := newFeed(src.tl)
	active := func() bool { return isActive(src.State()) }
	m := output.NewManager([]output.Output{src.tl, csvTicks{calls}}, src.sample, active, func(string, ...any) {})
	m.Run()
	t.Cleanup(func() { _ = m.Close(src.sample()); f.close() })
	return f, calls
}

func TestFeedTiming(t *testing.T) {
	cases := []struct {
		name        string
		script      func(src *fakeSource) // run in the bubble
		points      int
		history     int
		csvTicks    int
		requests    int
		firstPoint  string // time of the first point
		pointsSince uint64 // points after this sequence number are counted
	}{
		{
			name:   "an idle session is not sampled",
			script: func(*fakeSource) { time.Sleep(5500 * time.Millisecond) },
		},
		{
			name: "a running test: a point a second, history every five",
			script: func(src *fakeSource) {
				src.set(runner.StateRunning, true)
				time.Sleep(12500 * time.Millisecond)
			},
			points: 12, history: 3, csvTicks: 12, firstPoint: "2000-01-01T00:00:01Z",
		},
		{
			name: "a stopped test gets one last point",
			script: func(src *fakeSource) {
				src.set(runner.StateRunning, true)
				time.Sleep(3500 * time.Millisecond)
				src.set(runner.StateStopped, false)
				time.Sleep(3 * time.Second)
			},
			points: 4, history: 1, csvTicks: 3,
		},
		{
			name: "a new test starts its charts afresh",
			script: func(src *fakeSource) {
				src.set(runner.StateRunning, true)
				time.Sleep(3500 * time.Millisecond)
				src.set(runner.StateStopped, false)
				time.Sleep(2 * time.Second)
				src.set(runner.StateSpawning, true)
				time.Sleep(2 * time.Second)
			},
			points: 2, history: 1, csvTicks: 5, firstPoint: "2000-01-01T00:00:06Z",
		},
		{
			name: "requests are sampled to 200 a second",
			script: func(src *fakeSource) {
				src.perCall = 300
				src.set(runner.StateRunning, true)
				time.Sleep(3500 * time.Millisecond)
			},
			points: 3, history: 1, csvTicks: 3, requests: 600,
		},
		{
			name: "buffers are bounded",
			script: func(src *fakeSource) {
				src.perCall = 300
				src.set(runner.StateRunning, true)
				time.Sleep(3700*time.Second + 500*time.Millisecond)
			},
			points: timeline.KeptPoints, history: 740, csvTicks: 3700, requests: timeline.KeptRequests,
		},
		{
			name: "requests leave with their points",
			script: func(src *fakeSource) {
				src.perCall = 1
				src.set(runner.StateRunning, true)
				time.Sleep(6000*time.Second + 500*time.Millisecond)
			},
			points: timeline.KeptPoints, history: 1200, csvTicks: 6000, requests: timeline.KeptPoints,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := newFakeSource()
				f, calls := runFeed(t, src)
				tc.script(src)
				synctest.Wait()
				seq, points, reqs, history := f.snapshot()
				if len(points) != tc.points || len(history) != tc.history || *calls != tc.csvTicks || len(reqs) != tc.requests {
					t.Errorf("%d points, %d history, %d CSV ticks, %d requests; want %d, %d, %d, %d",
						len(points), len(history), *calls, len(reqs), tc.points, tc.history, tc.csvTicks, tc.requests)
				}
				if tc.firstPoint != "" && (len(points) == 0 || points[0].Time != tc.firstPoint) {
					t.Errorf("first point %+v, want time %s", points, tc.firstPoint)
				}
				if _, newer, _, _ := f.since(seq); len(newer) != 0 {
					t.Errorf("%d points after the newest", len(newer))
				}
			})
		})
	}
}

// TestFeedMessages follows the messages a websocket client receives.
func TestFeedMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		src.perCall = 1
		f, _ := runFeed(t, src)
		ch := f.subscribe()
		src.set(runner.StateRunning, true)
		time.Sleep(2500 * time.Millisecond)
		src.set(runner.StateSpawning, true)
		time.Sleep(time.Second)
		synctest.Wait()
		var types []string
		for len(ch) > 0 {
			var m struct {
				Type  string `json:"type"`
				Point *Point `json:"point"`
			}
			if err := json.Unmarshal(<-ch, &m); err != nil {
				t.Fatal(err)
			}
			types = append(types, m.Type)
			if m.Point != nil && (!m.Point.Backlog.Saturated() || m.Point.Backlog.Oldest != 1500*time.Millisecond) {
				t.Errorf("backlog %+v", m.Point.Backlog)
			}
		}
		want := []string{"history", "reset", "point", "requests", "point", "requests", "reset", "point", "requests"}
		if len(types) != len(want) {
			t.Fatalf("messages %v, want %v", types, want)
		}
		for i := range want {
			if types[i] != want[i] {
				t.Fatalf("messages %v, want %v", types, want)
			}
		}
		_, _, _, reset := f.since(1)
		if !reset {
			t.Error("polling from the first test's points does not say reset")
		}
	})
}

// TestFeedE2EWindow checks that the E2E percentiles of a point cover the
// last ten seconds only, as the stats' own windows do.
func TestFeedE2EWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		f, _ := runFeed(t, src)
		src.set(runner.StateRunning, true)
		time.Sleep(500 * time.Millisecond)
		// Ten slow seconds, then ten fast ones.
		for i := range 20 {
			e2e := 900 * time.Millisecond
			if i >= 10 {
				e2e = 100 * time.Millisecond
			}
			src.logChat(e2e)
			time.Sleep(time.Second)
		}
		synctest.Wait()
		_, points, _, _ := f.snapshot()
		last := points[len(points)-1]
		if last.E2E.At("p99") == nil || *last.E2E.At("p99") > 101 {
			t.Errorf("E2E p99 of the last ten seconds = %v, want 100 ms", deref(last.E2E.At("p99")))
		}
		if mid := points[9]; mid.E2E.At("p50") == nil || *mid.E2E.At("p50") < 899 {
			t.Errorf("E2E p50 after the slow seconds = %v, want 900 ms", deref(mid.E2E.At("p50")))
		}
		if points[0].TTFT.At("p50") == nil || points[0].E2E.At("p50") == nil {
			t.Errorf("first point has no percentiles: %+v", points[0])
		}
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
