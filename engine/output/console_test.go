package output

import (
	"errors"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

func TestLiveLine(t *testing.T) {
	// Twenty seconds of 4 requests a second, 25 ms each, one in eight
	// failing. At 20 s the current window holds 25 ms requests only and the
	// current rate averages seconds 7..16 of the run: 4 a second.
	busy := stats.New(goldenStart)
	for i := range 80 {
		end := goldenStart.Add(time.Duration(i)*250*time.Millisecond + 100*time.Millisecond)
		r := &record.Record{Method: "POST", Name: "chat", Start: end.Add(-25 * time.Millisecond),
			ResponseTime: 25 * time.Millisecond}
		if i%8 == 0 {
			r.Error = "HTTP 500"
		}
		busy.Log(r)
	}
	busy.Log(&record.Record{Name: "chat", Start: goldenStart, Cancelled: true})

	tests := []struct {
		name    string
		snap    *stats.Snapshot
		users   int
		target  int
		state   string
		elapsed time.Duration
		want    string
	}{
		{
			name: "nothing yet", snap: stats.New(goldenStart).Snapshot(goldenStart),
			users: 0, target: 20, state: "spawning", elapsed: 0,
			want: "[00:00] spawning users 0/20  req/s 0.0  fails 0 (0.0%)  p50 - p95 -  cancelled 0",
		},
		{
			name: "running", snap: busy.Snapshot(goldenStart.Add(20 * time.Second)),
			users: 20, target: 20, state: "running", elapsed: 20 * time.Second,
			want: "[00:20] running  users 20/20  req/s 4.0  fails 10 (12.5%)  p50 25ms p95 25ms  cancelled 1",
		},
		{
			name: "past an hour", snap: busy.Snapshot(goldenStart.Add(2 * time.Hour)),
			users: 3, target: 20, state: "stopping", elapsed: time.Hour + 2*time.Minute + 3*time.Second,
			want: "[1:02:03] stopping users 3/20  req/s 4.0  fails 10 (12.5%)  p50 - p95 -  cancelled 1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LiveLine(tc.snap, tc.users, tc.target, tc.state, tc.elapsed); got != tc.want {
				t.Errorf("\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct{ n int }

var errFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWritersReportWriteErrors(t *testing.T) {
	snap := goldenStats().Snapshot(goldenStart.Add(30 * time.Second))
	info := RunInfo{Start: goldenStart, End: goldenStart.Add(30 * time.Second)}
	tests := []struct {
		name  string
		write func(w *failAfter) error
	}{
		{"stats table", func(w *failAfter) error { return PrintStats(w, snap) }},
		{"percentiles", func(w *failAfter) error { return PrintPercentiles(w, snap) }},
		{"errors", func(w *failAfter) error { return PrintErrors(w, snap) }},
		{"exceptions", func(w *failAfter) error { return PrintExceptions(w, snap) }},
		{"stats csv", func(w *failAfter) error { return WriteStatsCSV(w, snap) }},
		{"failures csv", func(w *failAfter) error { return WriteFailuresCSV(w, snap) }},
		{"exceptions csv", func(w *failAfter) error { return WriteExceptionsCSV(w, snap) }},
		{"summary", func(w *failAfter) error { return WriteSummary(w, info, snap) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Every output here is longer than 300 bytes.
			if err := tc.write(&failAfter{n: 300}); !errors.Is(err, errFull) {
				t.Errorf("error = %v, want the writer's error", err)
			}
		})
	}
}
