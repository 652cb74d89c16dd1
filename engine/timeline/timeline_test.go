package timeline

import (
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

func TestSampleRequests(t *testing.T) {
	reqs := func(n int) []Request {
		out := make([]Request, n)
		for i := range out {
			out[i] = Request{Start: time.Unix(int64(i+1), 0)}
		}
		return out
	}
	cases := []struct {
		name      string
		n, limit  int
		wantLen   int
		wantFirst int64
		wantLast  int64
	}{
		{"under the limit", 5, 200, 5, 1, 5},
		{"at the limit", 200, 200, 200, 1, 200},
		{"twice the limit", 400, 200, 200, 1, 399},
		{"a little over", 201, 200, 200, 1, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := sample(reqs(tc.n), tc.limit)
			if len(got) != tc.wantLen || got[0].Start.Unix() != tc.wantFirst || got[len(got)-1].Start.Unix() != tc.wantLast {
				t.Errorf("%d requests from %d to %d", len(got), got[0].Start.Unix(), got[len(got)-1].Start.Unix())
			}
			for i := 1; i < len(got); i++ {
				if got[i].Start.Unix() <= got[i-1].Start.Unix() {
					t.Fatalf("out of order at %d", i)
				}
			}
		})
	}
}

func chat(start time.Time) *record.Record {
	return &record.Record{Name: "chat", Start: start, LLM: &record.LLM{TTFT: time.Millisecond,
		Chunks: []record.Chunk{{At: time.Millisecond, Tokens: 1}}}}
}

// Requests that come between a test's start and the first look at it
// stay, those of the test before go; requests after the last tick get a
// last point at the close, so that the report holds them.
func TestRestartAndClose(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tl := New()
	snap := stats.New(t0).Snapshot(t0)
	tl.Log(chat(t0.Add(-time.Second))) // the previous test's
	tl.Log(chat(t0.Add(time.Second)))
	if err := tl.Tick(output.Sample{Time: t0.Add(2 * time.Second), Stats: snap, TestStart: t0}); err != nil {
		t.Fatal(err)
	}
	tl.Log(chat(t0.Add(3 * time.Second)))
	if err := tl.Close(output.Sample{Time: t0.Add(4 * time.Second), Stats: snap, TestStart: t0}); err != nil {
		t.Fatal(err)
	}
	_, ticks, _ := tl.All()
	if len(ticks) != 2 || len(ticks[0].Requests) != 1 || len(ticks[1].Requests) != 1 ||
		!ticks[0].Requests[0].Start.Equal(t0.Add(time.Second)) {
		t.Fatalf("ticks %+v", ticks)
	}
	if err := tl.Close(output.Sample{Time: t0.Add(5 * time.Second), Stats: snap, TestStart: t0}); err != nil {
		t.Fatal(err)
	}
	if _, again, _ := tl.All(); len(again) != 2 {
		t.Fatalf("a close with nothing pending added a point: %d ticks", len(again))
	}
}
