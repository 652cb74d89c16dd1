package run

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// Every figure of a run comes from its Records alone: the Records of a
// run, written as JSON lines and read back into fresh stats, give the
// same tables, percentiles and token rates, to the digit. This is what
// lets a master merge its workers' Records exactly.
func TestRecordsReplayIntoTheSameStats(t *testing.T) {
	var mu sync.Mutex
	var lines [][]byte
	s, err := New(Config{Plan: &chatPlan{wait: 10 * time.Millisecond}, Host: "mock", Tokenizer: "o200k_base",
		Options: func(string) (any, bool) { return nil, false },
		OnRecord: func(r *record.Record) {
			line, err := json.Marshal(r)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			lines = append(lines, line)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(Test{Users: 4, SpawnRate: 100, RunTime: 2500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	<-s.Stopped()
	live, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	start, end := live.Total.StartTime, live.Time

	replay := stats.New(start)
	for _, line := range lines {
		var r record.Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("reading back %s: %v", line, err)
		}
		replay.Log(&r)
	}
	replay.Stop(end)
	again := replay.Snapshot(end)

	if live.LLMTotal.Requests < 10 || live.LLMTotal.OutputTokens == 0 {
		t.Fatalf("the run made %d requests, %d tokens: too few to compare", live.LLMTotal.Requests, live.LLMTotal.OutputTokens)
	}
	if got, want := summary(t, again, start, end), summary(t, live, start, end); got != want {
		t.Errorf("replayed Records give\n%s\nthe run gave\n%s", got, want)
	}
	if got, want := again.LLMTotal.OutputTokensBySecond(), live.LLMTotal.OutputTokensBySecond(); !equalSeconds(got, want) {
		t.Errorf("tokens by second: replayed %v, run %v", got, want)
	}
}

func summary(t *testing.T, snap *stats.Snapshot, start, end time.Time) string {
	t.Helper()
	var b bytes.Buffer
	if err := output.WriteSummary(&b, output.RunInfo{Start: start, End: end}, snap); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func equalSeconds(a, b []stats.SecondTokens) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
