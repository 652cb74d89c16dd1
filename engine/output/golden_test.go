package output

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var goldenStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// goldenRecords is a fixed 30-second run in order of end time: three
// endpoints, failures of two kinds and a cancelled request.
func goldenRecords() []*record.Record {
	var out []*record.Record
	for i := range 300 {
		end := time.Duration(i)*100*time.Millisecond + 50*time.Millisecond
		r := &record.Record{Method: "POST", Name: "chat", ContentLength: 900 + int64(i%7)*10}
		switch i % 3 {
		case 1:
			r.Method, r.Name, r.ContentLength = "GET", "/v1/models", 120
		case 2:
			r.Name = "completion"
		}
		r.ResponseTime = time.Duration(20+(i*37)%900)*time.Millisecond + time.Duration(i%10)*100*time.Microsecond
		r.Start = goldenStart.Add(end - r.ResponseTime)
		r.Status = 200
		switch {
		case i%25 == 0:
			r.Error, r.Status = "HTTP 500: Internal Server Error", 500
		case i%40 == 7:
			r.Error, r.Status = "read: connection reset by peer", 0
		}
		out = append(out, r)
	}
	return append(out, &record.Record{Method: "POST", Name: "chat", Start: goldenStart.Add(29 * time.Second),
		ResponseTime: time.Second, Cancelled: true})
}

// logGoldenUntil logs the golden records that end before until, from
// index from on, and returns the index of the first one not logged.
func logGoldenUntil(s *stats.RequestStats, recs []*record.Record, from int, until time.Time) int {
	for from < len(recs) && recs[from].End().Before(until) {
		s.Log(recs[from])
		from++
	}
	return from
}

func logGoldenExceptions(s *stats.RequestStats) {
	for range 3 {
		s.LogException("chat.lua:12: attempt to index a nil value (field 'choices')",
			"stack traceback:\n\tchat.lua:12: in function 'task'\n\t[G]: in ?", "local")
	}
	s.LogException("bad argument #1 to 'format'",
		"stack traceback:\n\t[C]: in function 'string.format'\n\tmain.lua:3: in main chunk\n"+
			"\tmain.lua:9: in function 'task'\n\t[G]: in ?\n\t[G]: in ?", "local")
}

// goldenStats is the whole golden run.
func goldenStats() *stats.RequestStats {
	s := stats.New(goldenStart)
	for _, r := range goldenRecords() {
		s.Log(r)
	}
	logGoldenExceptions(s)
	return s
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is meant):\n--- got\n%s\n--- want\n%s",
			name, got, want)
	}
}

func TestGoldenCSVFiles(t *testing.T) {
	prefix, s := writeGoldenRun(t, goldenRecords(), true, 10)
	logGoldenExceptions(s.RequestStats)
	if err := s.csv.Finish(s.Snapshot(goldenStart.Add(30*time.Second)), 10); err != nil {
		t.Fatal(err)
	}
	// The LLM files of a run without LLM requests hold only their headers.
	for _, suffix := range []string{"_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv",
		"_llm_stats.csv", "_llm_stats_history.csv"} {
		t.Run(suffix, func(t *testing.T) {
			got, err := os.ReadFile(prefix + suffix)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "run"+suffix, got)
		})
	}
}

// goldenRun is a run's stats with the CSV writer that ticked along.
type goldenRun struct {
	*stats.RequestStats
	csv *CSVWriter
}

// writeGoldenRun logs recs into fresh stats while a CSVWriter ticks at 10
// and 20 s, as in a real run, then logs the rest; the caller closes it.
func writeGoldenRun(t *testing.T, recs []*record.Record, fullHistory bool, users int) (string, goldenRun) {
	t.Helper()
	s := stats.New(goldenStart)
	prefix := filepath.Join(t.TempDir(), "run")
	w, err := NewCSVWriter(prefix, fullHistory)
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	for _, sec := range []time.Duration{10, 20} {
		now := goldenStart.Add(sec * time.Second)
		next = logGoldenUntil(s, recs, next, now)
		if err := w.Write(s.Snapshot(now), users); err != nil {
			t.Fatal(err)
		}
	}
	logGoldenUntil(s, recs, next, goldenStart.Add(time.Hour))
	return prefix, goldenRun{s, w}
}

func TestGoldenConsole(t *testing.T) {
	snap := goldenStats().Snapshot(goldenStart.Add(30 * time.Second))
	var b bytes.Buffer
	for _, print := range []func(*bytes.Buffer, *stats.Snapshot) error{
		func(b *bytes.Buffer, s *stats.Snapshot) error { return PrintStats(b, s) },
		func(b *bytes.Buffer, s *stats.Snapshot) error { return PrintPercentiles(b, s) },
		func(b *bytes.Buffer, s *stats.Snapshot) error { return PrintErrors(b, s) },
		func(b *bytes.Buffer, s *stats.Snapshot) error { return PrintExceptions(b, s) },
	} {
		if err := print(&b, snap); err != nil {
			t.Fatal(err)
		}
	}
	b.WriteString(LiveLine(snap, Live{Users: 10, TargetUsers: 10, State: "running", Elapsed: 30 * time.Second}) + "\n")
	checkGolden(t, "console.txt", b.Bytes())
}

func TestGoldenSummary(t *testing.T) {
	snap := goldenStats().Snapshot(goldenStart.Add(30 * time.Second))
	info := RunInfo{
		Start: goldenStart, End: goldenStart.Add(30*time.Second + 250*time.Millisecond),
		Host: "http://127.0.0.1:8000", Scenario: "scenarios/chat.lua", UserCount: 10,
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, info, snap); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "summary.json", b.Bytes())
}
