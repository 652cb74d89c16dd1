package script

import (
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// stopSummary is the summary of a run of two chat requests, TTFTs 100 and
// 300 ms, with no TTFO measured.
func stopSummary() *output.Summary {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := stats.New(start)
	for i, ttft := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond} {
		l := &record.LLM{TTFT: ttft, E2E: ttft, OutputTokens: 1, Chunks: []record.Chunk{{At: ttft, Tokens: 1}}}
		st.Log(&record.Record{Method: "POST", Name: "chat", Start: start.Add(time.Duration(i) * time.Second), ResponseTime: ttft, LLM: l})
	}
	end := start.Add(10 * time.Second)
	return output.NewSummary(output.RunInfo{Start: start, End: end}, st.Snapshot(end))
}

// test_stop listeners get Locust's environment, the summary in it, and
// may set environment.process_exit_code.
func TestTestStopEnvironment(t *testing.T) {
	const user = "\nU = locust.user {}\nU:task(function(self) end)\n"
	cases := []struct {
		name      string
		listeners string
		code      *int
		report    string // in the exceptions reported; "" for none
	}{
		{name: "no listener", listeners: "", code: nil},
		{name: "a listener that sets nothing", listeners: `
locust.events.test_stop:add_listener(function(environment) end)`, code: nil},
		{name: "the summary's figures decide", listeners: `
locust.events.test_stop:add_listener(function(environment)
  local s = environment.summary
  if s.totals.requests == 2 and s.totals.ttft_ms.max == 300 and s.totals.ttfo_ms == nil
     and s.endpoints[1].name == "chat" and #s.checks == 0 and s.goodput == nil then
    environment.process_exit_code = 3
  end
end)`, code: intPtr(3)},
		{name: "the last listener has the last word", listeners: `
locust.events.test_stop:add_listener(function(environment) environment.process_exit_code = 5 end)
locust.events.test_stop:add_listener(function(environment) environment.process_exit_code = 0 end)`, code: intPtr(0)},
		{name: "a listener that fails after setting a code", listeners: `
locust.events.test_stop:add_listener(function(environment) environment.process_exit_code = 4 end)
locust.events.test_stop:add_listener(function(environment) error("boom") end)`, code: intPtr(4), report: "boom"},
		{name: "text is no exit code", listeners: `
locust.events.test_stop:add_listener(function(environment) environment.process_exit_code = "3" end)`,
			report: `environment.process_exit_code must be a whole number from 0 to 255, got "3"`},
		{name: "a fraction is no exit code", listeners: `
locust.events.test_stop:add_listener(function(environment) environment.process_exit_code = 1.5 end)`,
			report: "must be a whole number from 0 to 255, got 1.5"},
		{name: "out of range", listeners: `
locust.events.test_stop:add_listener(function(environment) environment.process_exit_code = 256 end)`,
			report: "got 256"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := LoadSource("stop.lua", []byte(tc.listeners+user))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			var reports []string
			code := p.FireTestStop(func(msg, _ string) { reports = append(reports, msg) }, stopSummary())
			switch {
			case (code == nil) != (tc.code == nil):
				t.Errorf("exit code %v, want %v", deref(code), deref(tc.code))
			case code != nil && *code != *tc.code:
				t.Errorf("exit code %d, want %d", *code, *tc.code)
			}
			got := strings.Join(reports, "\n")
			if (tc.report == "") != (got == "") || !strings.Contains(got, tc.report) {
				t.Errorf("reported %q, want %q", got, tc.report)
			}
		})
	}
}

// test_start listeners are called as before, and a test_stop without a
// summary still gets an environment.
func TestTestStartAndStopWithoutSummary(t *testing.T) {
	p, err := LoadSource("events.lua", []byte(`
local started = false
locust.events.test_start:add_listener(function() started = true end)
locust.events.test_stop:add_listener(function(environment)
  if started and environment.summary == nil then environment.process_exit_code = 9 end
end)
U = locust.user {}
U:task(function(self) end)
`))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	report := func(msg, _ string) { t.Errorf("reported %q", msg) }
	p.FireTestStart(report)
	if code := p.FireTestStop(report, nil); code == nil || *code != 9 {
		t.Errorf("exit code %v, want 9", deref(code))
	}
}

func intPtr(n int) *int { return &n }

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
