package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/locusttest"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

type csvStep struct {
	Op     string  `json:"op"`
	T      float64 `json:"t"`
	Method string  `json:"method,omitempty"`
	Name   string  `json:"name,omitempty"`
	RT     float64 `json:"rt"`
	Len    int64   `json:"len"`
	Err    string  `json:"err,omitempty"`
	Msg    string  `json:"msg,omitempty"`
	TB     string  `json:"tb,omitempty"`
	Node   string  `json:"node,omitempty"`
	Users  int     `json:"users"`

	at time.Time
	rt time.Duration
}

type csvTables struct {
	Stats       string `json:"stats"`
	Failures    string `json:"failures"`
	Exceptions  string `json:"exceptions"`
	History     string `json:"history"`
	FullHistory string `json:"full_history"`
	Console     string `json:"console"`
}

// csvScenario is a run with awkward names and error texts (commas, quotes,
// line breaks, non-ASCII, control characters), single requests whose
// median is clamped, a row with failures only in its early seconds, and
// CSV snapshots before any request, during the run and long after it.
func csvScenario(start time.Time) []csvStep {
	rng := rand.New(rand.NewPCG(3, 5))
	names := [][2]string{
		{"GET", "/"}, {"POST", "chat, with comma"}, {"GET", `say "hi"`},
		{"POST", "multi\nline"}, {"GET", "naïve/ünïcode"}, {"PUT", " leading space"},
	}
	errTexts := []string{
		"HTTP 500", "it's broken", `say "x"`, `both ' and "`, "tab\there",
		"naïve ünïcode", "emoji 🚀", "\x01control", "line\nbreak", "back\\slash",
		"non-breaking\u00a0space", "timeout",
	}
	var steps []csvStep
	at := func(d time.Duration) time.Time { return start.Add(d) }
	csvAt := func(d time.Duration, users int) {
		steps = append(steps, csvStep{Op: "csv", T: stats.UnixSeconds(at(d)), Users: users, at: at(d)})
	}
	log := func(d time.Duration, row [2]string, rt time.Duration, size int64, err string) {
		steps = append(steps, csvStep{Op: "log", T: stats.UnixSeconds(at(d)), Method: row[0], Name: row[1],
			RT: float64(rt) / float64(time.Millisecond), Len: size, Err: err, at: at(d), rt: rt})
	}
	csvAt(500*time.Millisecond, 0)
	log(700*time.Millisecond, [2]string{"GET", "/once"}, 147300*time.Microsecond, 0, "")
	log(800*time.Millisecond, [2]string{"GET", "/exact"}, 147*time.Millisecond, 10, "")
	for i := range 1500 {
		d := time.Second + time.Duration(i)*20*time.Millisecond
		row := names[rng.IntN(len(names))]
		rt := time.Duration(rng.IntN(3_000_000)) * time.Microsecond
		var err string
		if rng.IntN(8) == 0 || (row[1] == "/" && d < 5*time.Second) {
			err = errTexts[rng.IntN(len(errTexts))]
		}
		log(d, row, rt, int64(rng.IntN(2000)), err)
		if i%500 == 250 {
			csvAt(d, i/10)
		}
	}
	for i, x := range []struct{ msg, tb string }{
		{"attempt to index a nil value", "stack traceback:\n\tchat.lua:12: in function 'task'"},
		{"bad argument #1, \"x\"", "stack traceback:\n\tmain.lua:3"},
		{"boom", "tb3"},
	} {
		for range 3 - i { // first seen is also most frequent, as Locust lists them
			steps = append(steps, csvStep{Op: "exception", Msg: x.msg, TB: x.tb, Node: "local"})
		}
	}
	csvAt(32*time.Second, 150)
	csvAt(90*time.Second, 0)
	return steps
}

func runCSVOracle(t *testing.T, py string, start time.Time, steps []csvStep) []csvTables {
	t.Helper()
	in, err := json.Marshal(map[string]any{"start": stats.UnixSeconds(start), "steps": steps})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/locust_tables.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running locust csv oracle: %v\n%s", err, stderr.Bytes())
	}
	var tables []csvTables
	if err := json.Unmarshal(out, &tables); err != nil {
		t.Fatalf("decoding oracle answer: %v", err)
	}
	return tables
}

// ourTables replays the steps through our stats and writers.
func ourTables(t *testing.T, start time.Time, steps []csvStep) []csvTables {
	t.Helper()
	s := stats.New(start)
	var out []csvTables
	for _, st := range steps {
		switch st.Op {
		case "log":
			s.Log(&record.Record{Method: st.Method, Name: st.Name, Start: st.at.Add(-st.rt),
				ResponseTime: st.rt, ContentLength: st.Len, Error: st.Err})
		case "exception":
			s.LogException(st.Msg, st.TB, st.Node)
		case "csv":
			snap := s.Snapshot(st.at)
			var tb csvTables
			for _, w := range []struct {
				dst   *string
				write func(*bytes.Buffer) error
			}{
				{&tb.Stats, func(b *bytes.Buffer) error { return WriteStatsCSV(b, snap) }},
				{&tb.Failures, func(b *bytes.Buffer) error { return WriteFailuresCSV(b, snap) }},
				{&tb.Exceptions, func(b *bytes.Buffer) error { return WriteExceptionsCSV(b, snap) }},
				{&tb.History, func(b *bytes.Buffer) error { return writeHistoryRows(b, snap, st.Users, false) }},
				{&tb.FullHistory, func(b *bytes.Buffer) error { return writeHistoryRows(b, snap, st.Users, true) }},
				{&tb.Console, func(b *bytes.Buffer) error {
					return errors.Join(PrintStats(b, snap), PrintPercentiles(b, snap), PrintErrors(b, snap))
				}},
			} {
				var b bytes.Buffer
				if err := w.write(&b); err != nil {
					t.Fatal(err)
				}
				*w.dst = b.String()
			}
			out = append(out, tb)
		}
	}
	return out
}

func TestTablesMatchLocustByteForByte(t *testing.T) {
	py := locusttest.Python(t)
	start := time.Date(2026, 3, 1, 12, 0, 0, 125e6, time.UTC)
	steps := csvScenario(start)
	want := runCSVOracle(t, py, start, steps)
	got := ourTables(t, start, steps)
	if len(got) != len(want) {
		t.Fatalf("%d snapshots, oracle has %d", len(got), len(want))
	}
	for i := range want {
		for _, f := range []struct {
			name      string
			got, want string
		}{
			{"stats", got[i].Stats, want[i].Stats},
			{"failures", got[i].Failures, want[i].Failures},
			{"exceptions", got[i].Exceptions, want[i].Exceptions},
			{"history", got[i].History, want[i].History},
			{"full history", got[i].FullHistory, want[i].FullHistory},
			{"console", got[i].Console, want[i].Console},
		} {
			if f.got != f.want {
				t.Errorf("snapshot %d, %s table differs from Locust's:\n%s", i, f.name, firstDiff(f.got, f.want))
			}
		}
	}
}

// firstDiff shows the first line where two texts part.
func firstDiff(got, want string) string {
	g, w := strings.SplitAfter(got, "\n"), strings.SplitAfter(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d\n ours:   %q\n locust: %q", i+1, gl, wl)
		}
	}
	return "(no line differs)"
}
