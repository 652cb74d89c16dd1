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
		if err := w.Close(stats.New(goldenStart).Snapshot(goldenStart), 0); err != nil {
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
		{"_llm_stats.csv", llmStatsColumns},
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
			if err := w.Tick(s.Snapshot(goldenStart.Add(time.Second)), 3); err != nil {
				t.Fatal(err)
			}
			if got := len(readLines(t, prefix+"_stats.csv")); got != 1+3+1 {
				t.Errorf("stats file has %d lines after the first tick, want 5", got)
			}

			// After a reset the rewritten files must shrink, not keep
			// stale rows after the new ones.
			s.Reset(goldenStart.Add(2 * time.Second))
			if err := w.Tick(s.Snapshot(goldenStart.Add(2*time.Second)), 3); err != nil {
				t.Fatal(err)
			}
			logN(s, 1, "/a", "", goldenStart.Add(2500*time.Millisecond))
			final := s.Snapshot(goldenStart.Add(3 * time.Second))
			if err := w.Close(final, 3); err != nil {
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

func TestCloseAddsNoHistoryRowForTheSameSecond(t *testing.T) {
	s := stats.New(goldenStart)
	prefix := filepath.Join(t.TempDir(), "run")
	w, err := NewCSVWriter(prefix, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Tick(s.Snapshot(goldenStart.Add(time.Second)), 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(s.Snapshot(goldenStart.Add(1900*time.Millisecond)), 1); err != nil {
		t.Fatal(err)
	}
	if got := len(readLines(t, prefix+"_stats_history.csv")); got != 2 {
		t.Errorf("history has %d lines, want the header and one row", got)
	}
}
