package output

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
}

func logN(s *stats.RequestStats, n int, name, errText string, at time.Time) {
	for range n {
		s.Log(&record.Record{Method: "GET", Name: name, Start: at.Add(-10 * time.Millisecond),
			ResponseTime: 10 * time.Millisecond, Error: errText})
	}
}

func TestNewCSVWriterCreatesFilesWithHeaders(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "deeper", "folder", "run")
	w, err := NewCSVWriter(prefix, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Finish(stats.New(goldenStart).Snapshot(goldenStart), 0); err != nil {
			t.Error(err)
		}
	})
	tests := []struct {
		suffix string
		header []string
	}{
		{"_stats.csv", statsColumns},
		{"_stats_history.csv", historyColumns},
		{"_failures.csv", failuresColumns},
		{"_exceptions.csv", exceptionsColumns},
		{"_llm_stats.csv", llmStatsColumns(nil, false)},
		{"_llm_stats_history.csv", llmHistoryColumns},
	}
	for _, tc := range tests {
		t.Run(tc.suffix, func(t *testing.T) {
			got, err := os.ReadFile(prefix + tc.suffix)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			_ = writeCSVRow(&want, tc.header...)
			if string(got) != want.String() {
				t.Errorf("file holds %q, want the header %q", got, want.String())
			}
		})
	}
}

func TestNewCSVWriterFailsOnBadPrefix(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewCSVWriter(filepath.Join(file, "run"), false); err == nil {
		t.Error("a prefix under a plain file: no error")
	}
}

func TestCSVWriterTicks(t *testing.T) {
	tests := []struct {
		name        string
		fullHistory bool
		// history rows per tick: the total, plus one per entry when full
		wantHistory int
	}{
		{"plain history", false, 3},
		{"full history", true, 3 * 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := stats.New(goldenStart)
			prefix := filepath.Join(t.TempDir(), "run")
			w, err := NewCSVWriter(prefix, tc.fullHistory)
			if err != nil {
				t.Fatal(err)
			}
			logN(s, 5, "/a", "", goldenStart.Add(time.Second))
			logN(s, 3, "/b", "HTTP 500", goldenStart.Add(time.Second))
			logN(s, 2, "/c", "timeout", goldenStart.Add(time.Second))
			s.LogException("boom", "tb", "local")
			if err := w.Write(s.Snapshot(goldenStart.Add(time.Second)), 3); err != nil {
				t.Fatal(err)
			}
			if got := len(readLines(t, prefix+"_stats.csv")); got != 1+3+1 {
				t.Errorf("stats file has %d lines after the first tick, want 5", got)
			}

			// After a reset the rewritten files must shrink, not keep
			// stale rows after the new ones.
			s.Reset(goldenStart.Add(2 * time.Second))
			if err := w.Write(s.Snapshot(goldenStart.Add(2*time.Second)), 3); err != nil {
				t.Fatal(err)
			}
			logN(s, 1, "/a", "", goldenStart.Add(2500*time.Millisecond))
			final := s.Snapshot(goldenStart.Add(3 * time.Second))
			if err := w.Finish(final, 3); err != nil {
				t.Fatal(err)
			}

			for _, f := range []struct {
				suffix string
				write  func(*bytes.Buffer) error
			}{
				{"_stats.csv", func(b *bytes.Buffer) error { return WriteStatsCSV(b, final) }},
				{"_failures.csv", func(b *bytes.Buffer) error { return WriteFailuresCSV(b, final) }},
				{"_exceptions.csv", func(b *bytes.Buffer) error { return WriteExceptionsCSV(b, final) }},
			} {
				var want bytes.Buffer
				if err := f.write(&want); err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(prefix + f.suffix)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != want.String() {
					t.Errorf("%s after Close:\n%s\nwant the final snapshot:\n%s", f.suffix, got, want.String())
				}
			}
			history := readLines(t, prefix+"_stats_history.csv")
			if got := len(history) - 1; got != tc.wantHistory {
				t.Errorf("history has %d rows, want %d", got, tc.wantHistory)
			}
			if last := history[len(history)-1]; !strings.HasPrefix(last, "1772366403,3,,Aggregated,") {
				t.Errorf("last history row = %q, want the final total at second 1772366403", last)
			}
		})
	}
}

// The history files end on the final totals, the same as the stats file,
// whether the run ends in the second of the last tick or a later one, and
// no second is repeated.
func TestCloseEndsHistoryOnTheFinalTotals(t *testing.T) {
	tests := []struct {
		name  string
		close time.Duration // after the tick at 1 s
		rows  int           // history rows after Close
	}{
		{"same second as the last tick", 900 * time.Millisecond, 1},
		{"a later second", 1100 * time.Millisecond, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := stats.New(goldenStart)
			prefix := filepath.Join(t.TempDir(), "run")
			w, err := NewCSVWriter(prefix, false)
			if err != nil {
				t.Fatal(err)
			}
			tick := goldenStart.Add(time.Second)
			logN(s, 3, "/a", "", tick.Add(-time.Millisecond))
			s.Log(llmRecord("chat", tick.Add(-200*time.Millisecond), 50*time.Millisecond, 3, 1))
			if err := w.Write(s.Snapshot(tick), 1); err != nil {
				t.Fatal(err)
			}
			end := tick.Add(tc.close)
			logN(s, 4, "/a", "", end.Add(-time.Millisecond))
			s.Log(llmRecord("chat", end.Add(-200*time.Millisecond), 50*time.Millisecond, 3, 1))
			if err := w.Finish(s.Snapshot(end), 1); err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct{ history, stats string }{
				{"_stats_history.csv", "_stats.csv"},
				{"_llm_stats_history.csv", "_llm_stats.csv"},
			} {
				history := readLines(t, prefix+f.history)
				if got := len(history) - 1; got != tc.rows {
					t.Errorf("%s has %d rows, want %d:\n%s", f.history, got, tc.rows, strings.Join(history, ""))
				}
				if got, want := requestCount(t, history[0], history[len(history)-1]), finalCount(t, prefix+f.stats); got != want {
					t.Errorf("%s ends on %s requests, %s says %s", f.history, got, f.stats, want)
				}
			}
		})
	}
}

// requestCount reads the "Total Request Count" (or "Request Count") of a
// history row.
func requestCount(t *testing.T, header, row string) string {
	t.Helper()
	cols, vals := splitCSV(header), splitCSV(row)
	for i, c := range cols {
		if (c == "Total Request Count" || c == "Request Count") && i < len(vals) {
			return vals[i]
		}
	}
	t.Fatalf("no request count column in %q", header)
	return ""
}

// finalCount is the Aggregated row's request count of a stats file.
func finalCount(t *testing.T, path string) string {
	t.Helper()
	lines := readLines(t, path)
	for _, l := range lines[1:] {
		if strings.Contains(l, ",Aggregated,") {
			return splitCSV(l)[2]
		}
	}
	t.Fatalf("no Aggregated row in %s", path)
	return ""
}

func splitCSV(line string) []string { return strings.Split(strings.TrimRight(line, "\r\n"), ",") }
