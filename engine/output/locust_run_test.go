package output

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/locusttest"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// TestCSVLayoutMatchesRealLocust runs the real locust command against a
// local server and compares its four CSV files with ours: the header lines
// byte for byte, and every data row cell by cell for the kind of value
// (integer, Python float, fixed six decimals, N/A, UTC time, text).
func TestCSVLayoutMatchesRealLocust(t *testing.T) {
	locust, err := exec.LookPath("locust")
	if err != nil {
		locusttest.Missing(t, "the locust command (pip install locust==2.47.0)")
	}
	theirs := runLocust(t, locust)
	ours := writeOurCSVs(t)

	for _, tc := range []struct {
		suffix string
		key    func(row []string) string // which rows to compare with which
	}{
		{"_stats.csv", func(r []string) string { return r[0] + " " + r[1] }},
		{"_stats_history.csv", func(r []string) string { return "last " + r[2] + " " + r[3] }},
		{"_failures.csv", func(r []string) string { return r[0] + " " + r[1] }},
		{"_exceptions.csv", func(r []string) string { return "the exception" }},
	} {
		t.Run(tc.suffix, func(t *testing.T) {
			lb, ob := readFile(t, theirs+tc.suffix), readFile(t, ours+tc.suffix)
			if lh, oh := firstLine(lb), firstLine(ob); lh != oh {
				t.Errorf("header line:\n ours:   %q\n locust: %q", oh, lh)
			}
			lrows, orows := keyedRows(t, lb, tc.key), keyedRows(t, ob, tc.key)
			if len(lrows) == 0 {
				t.Fatalf("locust wrote no data rows:\n%s", lb)
			}
			header := parseCSV(t, lb)[0]
			for key, lrow := range lrows {
				orow, ok := orows[key]
				if !ok {
					t.Errorf("locust has a row %q that our run lacks", key)
					continue
				}
				compareCellKinds(t, key, header, lrow, orow)
			}
		})
	}
}

// runLocust runs locust headless for three seconds and returns its CSV
// prefix.
func runLocust(t *testing.T, locust string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			http.Error(w, "nope", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "hello")
	}))
	t.Cleanup(srv.Close)

	prefix := filepath.Join(t.TempDir(), "loc")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, locust, "-f", "testdata/locustfile.py", "--headless",
		"-u", "2", "-r", "2", "-t", "5s", "--csv", prefix, "-H", srv.URL,
		"--exit-code-on-error", "0", "--only-summary", "--loglevel", "WARNING")
	// Settings from the environment would make the run depend on the machine.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LOCUST_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("running locust: %v\n%s", err, out)
	}
	return prefix
}

// writeOurCSVs writes our four files for a run shaped like the locustfile's:
// float response times, a failing endpoint, one exception.
func writeOurCSVs(t *testing.T) string {
	t.Helper()
	start := time.Now()
	s := stats.New(start)
	for i := range 60 {
		r := &record.Record{Method: "GET", Name: "/", ContentLength: 5,
			ResponseTime: 1234567*time.Nanosecond + time.Duration(i)*37119*time.Nanosecond}
		if i%5 == 0 {
			r.Name, r.Error = "/fail", "HTTPError('500 Server Error: Internal Server Error for url: /fail')"
		}
		r.Start = start.Add(time.Duration(i)*50*time.Millisecond - r.ResponseTime)
		s.Log(r)
	}
	s.LogException("boom, with a comma",
		"Traceback (most recent call last):\n  File \"locustfile.py\", line 24, in boom\nValueError: boom, with a comma\n", "local")

	prefix := filepath.Join(t.TempDir(), "ours")
	w, err := NewCSVWriter(prefix, false)
	if err != nil {
		t.Fatal(err)
	}
	for sec := 1; sec <= 3; sec++ {
		if err := w.Write(s.Snapshot(start.Add(time.Duration(sec)*time.Second)), 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(s.Snapshot(start.Add(3500*time.Millisecond)), 2); err != nil {
		t.Fatal(err)
	}
	return prefix
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstLine(b []byte) string {
	line, _ := bufio.NewReader(bytes.NewReader(b)).ReadString('\n')
	return line
}

func parseCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parsing csv: %v\n%s", err, b)
	}
	return rows
}

// keyedRows maps data rows by key; of rows with the same key the last wins,
// which for the history is the newest.
func keyedRows(t *testing.T, b []byte, key func([]string) string) map[string][]string {
	t.Helper()
	rows := parseCSV(t, b)
	out := make(map[string][]string)
	for _, r := range rows[1:] {
		out[key(r)] = r
	}
	return out
}

var cellKinds = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"empty", regexp.MustCompile(`^$`)},
	{"N/A", regexp.MustCompile(`^N/A$`)},
	{"int", regexp.MustCompile(`^-?\d+$`)},
	{"six decimals", regexp.MustCompile(`^-?\d+\.\d{6}$`)},
	{"float", regexp.MustCompile(`^-?\d+\.\d+(e[+-]\d+)?$|^-?\d+e[+-]\d+$`)},
	{"utc time", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)},
	{"text", regexp.MustCompile(`(?s).`)},
}

// cellKind names the kind of a cell for a column. A median is an integer
// histogram key unless it was clamped to the exact minimum or maximum,
// which depends on the timings, so both count as a number. A Python float
// may happen to have six decimals; only the rate columns of the history
// must.
func cellKind(column, cell string) string {
	for _, k := range cellKinds {
		if !k.re.MatchString(cell) {
			continue
		}
		switch {
		case strings.Contains(column, "Median") && (k.kind == "int" || k.kind == "float" || k.kind == "six decimals"):
			return "number"
		case k.kind == "six decimals" && column != "Requests/s" && column != "Failures/s":
			return "float"
		}
		return k.kind
	}
	return "?"
}

func compareCellKinds(t *testing.T, key string, header, theirs, ours []string) {
	t.Helper()
	if len(theirs) != len(header) || len(ours) != len(header) {
		t.Errorf("row %q: locust has %d cells, we have %d, the header %d", key, len(theirs), len(ours), len(header))
		return
	}
	for i, col := range header {
		if lk, ok := cellKind(col, theirs[i]), cellKind(col, ours[i]); lk != ok {
			t.Errorf("row %q, column %q: locust wrote %s %q, we wrote %s %q", key, col, lk, theirs[i], ok, ours[i])
		}
	}
}
