package run

import (
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/timeline"
)

func newSession(t *testing.T) *Session {
	t.Helper()
	s, err := New(Config{Plan: &chatPlan{wait: 50 * time.Millisecond}, Host: "mock", Tokenizer: "o200k_base",
		Options: func(string) (any, bool) { return nil, false }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = s.Close() })
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// A session runs tests one after another: a test can be edited while it
// runs without losing its stats, and a new test starts from fresh ones.
func TestTestsOneAfterAnother(t *testing.T) {
	s := newSession(t)
	if s.State() != runner.StateReady || s.Stopped() != nil {
		t.Fatalf("state %s before the first test", s.State())
	}
	if err := s.Start(Test{Users: 2, SpawnRate: 100}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "requests", func() bool { return s.Snapshot().Total.NumRequests >= 5 })
	waitFor(t, "the timeline's requests", func() bool { return len(timelineRequests(s)) > 0 })
	if reqs := timelineRequests(s); reqs[0].TTFT < 150*time.Millisecond {
		t.Fatalf("timeline's first request has TTFT %s", reqs[0].TTFT)
	}
	before := s.Snapshot().Total.NumRequests
	if err := s.Start(Test{Users: 4, SpawnRate: 100}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "4 users", func() bool { return s.UserCount() == 4 })
	if got := s.Snapshot().Total.NumRequests; got < before {
		t.Fatalf("editing the test cleared the stats: %d < %d", got, before)
	}
	s.Quit()
	if s.State() != runner.StateStopped {
		t.Fatalf("state %s after Quit", s.State())
	}
	if _, end := s.Times(); end.IsZero() {
		t.Fatal("no end time after the test stopped")
	}
	if err := s.Start(Test{Users: 1, SpawnRate: 100}); err != nil {
		t.Fatal(err)
	}
	if got := s.Snapshot().Total.NumRequests; got >= before {
		t.Fatalf("a new test kept %d requests of the last one", got)
	}
	waitFor(t, "the second test's requests", func() bool { return s.Snapshot().LLMTotal.Requests > 0 })
	s.Reset()
	if got := s.Snapshot().Total.NumRequests; got > 1 {
		t.Fatalf("reset left %d requests", got)
	}
}

func TestStartErrors(t *testing.T) {
	s, err := New(Config{Plan: &chatPlan{}, Options: func(string) (any, bool) { return nil, false }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = s.Close() }()
	if err := s.Start(Test{Users: 1, SpawnRate: 1}); err == nil {
		t.Fatal("a test without a host started")
	}
	if err := s.Start(Test{Users: 1, SpawnRate: 1, Host: "localhost:1"}); err == nil {
		t.Fatal("a host without a scheme was accepted")
	}
	if s.State() != runner.StateReady {
		t.Fatalf("state %s after failed starts", s.State())
	}
}

func timelineRequests(s *Session) []timeline.Request {
	_, ticks, _ := s.Timeline().All()
	var out []timeline.Request
	for _, t := range ticks {
		out = append(out, t.Requests...)
	}
	return out
}

// A test without -H shows its classes' hosts in what the outputs close
// with (the JSON summary's host).
func TestFinalHostIsTheClassesOwn(t *testing.T) {
	s, err := New(Config{Plan: &chatPlan{host: "mock", wait: 50 * time.Millisecond}, Tokenizer: "o200k_base",
		Options: func(string) (any, bool) { return nil, false }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = s.Close() }()
	if err := s.Start(Test{Users: 1, SpawnRate: 10}); err != nil {
		t.Fatal(err)
	}
	s.Quit()
	if got := s.finalSample().Host; got != "mock" {
		t.Fatalf("final host %q, want the class's host \"mock\"", got)
	}
}
