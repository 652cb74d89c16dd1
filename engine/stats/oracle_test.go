package stats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/locusttest"

	"github.com/llmlocust/llmlocust/engine/record"
)

// The tests in this file replay the same request logs through Locust's own
// Python stats code (testdata/locust_oracle.py) and through RequestStats,
// and require the same numbers.

var oraclePercentiles = []float64{0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1}

type oracleStep struct {
	Op     string  `json:"op"`
	T      float64 `json:"t"`
	Name   string  `json:"name,omitempty"`
	Method string  `json:"method,omitempty"`
	RT     float64 `json:"rt"`
	Len    int64   `json:"len"`
	Err    string  `json:"err,omitempty"`

	at time.Time     // T as a time
	rt time.Duration // RT as a duration; RT is derived from it
}

type oracleCase struct {
	Name  string       `json:"name"`
	Start float64      `json:"start"`
	Steps []oracleStep `json:"steps"`

	start time.Time
}

type oracleEntry struct {
	Name              string     `json:"name"`
	Method            string     `json:"method"`
	NumRequests       int64      `json:"num_requests"`
	NumFailures       int64      `json:"num_failures"`
	Median            float64    `json:"median"`
	Avg               float64    `json:"avg"`
	Min               float64    `json:"min"`
	Max               float64    `json:"max"`
	Histogram         [][2]int64 `json:"histogram"`
	Percentiles       []int64    `json:"percentiles"`
	Current           []*int64   `json:"current"`
	CurrentRPS        float64    `json:"current_rps"`
	CurrentFailPerSec float64    `json:"current_fail_per_sec"`
	TotalRPS          float64    `json:"total_rps"`
	TotalFailPerSec   float64    `json:"total_fail_per_sec"`
	AvgContentLength  float64    `json:"avg_content_length"`
	FailRatio         float64    `json:"fail_ratio"`
	StartTime         float64    `json:"start_time"`
	LastRequestTime   *float64   `json:"last_request_timestamp"`
}

type oracleError struct {
	Method      string  `json:"method"`
	Name        string  `json:"name"`
	Error       string  `json:"error"`
	Occurrences int64   `json:"occurrences"`
	FirstSeen   float64 `json:"first_seen"`
	LastSeen    float64 `json:"last_seen"`
}

type oracleQuery struct {
	Entries []oracleEntry `json:"entries"`
	Total   oracleEntry   `json:"total"`
	Errors  []oracleError `json:"errors"`
}

type oracleAnswer struct {
	Cases []struct {
		Name    string        `json:"name"`
		Queries []oracleQuery `json:"queries"`
	} `json:"cases"`
}

// builder assembles an oracle case on a millisecond grid of times, so that
// Python's float seconds and Go's times agree on every whole second.
type builder struct{ c oracleCase }

func newBuilder(name string, start time.Time) *builder {
	return &builder{oracleCase{Name: name, Start: UnixSeconds(start), start: start}}
}

func (b *builder) at(offset time.Duration) time.Time { return b.c.start.Add(offset) }

func (b *builder) log(offset time.Duration, method, name string, rt time.Duration, size int64, err string) {
	at := b.at(offset)
	b.c.Steps = append(b.c.Steps, oracleStep{
		Op: "log", T: UnixSeconds(at), Name: name, Method: method,
		RT: toMS(rt), Len: size, Err: err, at: at, rt: rt,
	})
}

func (b *builder) op(op string, offset time.Duration) {
	at := b.at(offset)
	b.c.Steps = append(b.c.Steps, oracleStep{Op: op, T: UnixSeconds(at), at: at})
}

func oracleCases() []oracleCase {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 250e6, time.UTC)
	var cases []oracleCase

	b := newBuilder("no requests", t0)
	b.op("query", 5*time.Second)
	cases = append(cases, b.c)

	b = newBuilder("one request clamps the median", t0)
	b.log(500*time.Millisecond, "GET", "/slow", 147300*time.Microsecond, 10, "")
	b.op("query", time.Second)
	cases = append(cases, b.c)

	b = newBuilder("ties round half to even", t0)
	for i, ms := range []float64{0.5, 1.5, 2.5, 99.5, 145, 155, 1050, 1150, 9950, 10500, 11500} {
		rt := time.Duration(ms * float64(time.Millisecond))
		b.log(time.Duration(i)*300*time.Millisecond, "GET", "/ties", rt, 1, "")
	}
	b.op("query", 4*time.Second)
	cases = append(cases, b.c)

	cases = append(cases, randomCase(t0), gapsCase(t0), resetCase(t0))
	return cases
}

// randomCase spreads 3000 requests over 40 s and three rows, with times
// from 0.2 ms to 60 s so every bucket range is used, and asks every 3 s.
func randomCase(t0 time.Time) oracleCase {
	rng := rand.New(rand.NewPCG(7, 11))
	b := newBuilder("random spread over every bucket range", t0)
	rows := [][2]string{{"POST", "chat"}, {"GET", "/models"}, {"POST", "complete"}}
	errs := []string{"HTTP 500", "timeout", "connection reset"}
	next := 3 * time.Second
	for i := range 3000 {
		offset := time.Duration(i) * 40 * time.Second / 3000
		for offset >= next {
			b.op("query", next)
			next += 3 * time.Second
		}
		row := rows[rng.IntN(len(rows))]
		rtMS := math.Exp(rng.Float64()*math.Log(60000/0.2)) * 0.2
		rt := time.Duration(rtMS*1000) * time.Microsecond
		var err string
		if rng.IntN(10) == 0 {
			err = errs[rng.IntN(len(errs))]
		}
		b.log(offset, row[0], row[1], rt, int64(rng.IntN(5000)), err)
	}
	b.op("query", 41*time.Second)
	return b.c
}

// gapsCase has bursts separated by silences, so the histogram cache has
// holes and the current window must fall back to neighbouring seconds or
// find nothing.
func gapsCase(t0 time.Time) oracleCase {
	b := newBuilder("bursts and silences", t0)
	burst := func(from time.Duration, n int) {
		for i := range n {
			rt := time.Duration(5+i%40) * time.Millisecond
			b.log(from+time.Duration(i)*40*time.Millisecond, "GET", "/burst", rt, 100, "")
		}
	}
	burst(0, 60)
	for _, q := range []time.Duration{2, 5, 12, 13, 20} {
		b.op("query", q*time.Second)
	}
	burst(25*time.Second, 30)
	for _, q := range []time.Duration{27, 30, 35, 36, 37, 60} {
		b.op("query", q*time.Second)
	}
	return b.c
}

// resetCase resets the stats in the middle of a run.
func resetCase(t0 time.Time) oracleCase {
	b := newBuilder("reset in the middle", t0)
	for i := range 200 {
		rt := time.Duration(10+i%300) * time.Millisecond
		err := ""
		if i%7 == 0 {
			err = "HTTP 503"
		}
		b.log(time.Duration(i)*50*time.Millisecond, "GET", []string{"/a", "/b"}[i%2], rt, 10, err)
	}
	b.op("query", 10*time.Second)
	b.op("reset", 10500*time.Millisecond)
	b.op("query", 11*time.Second)
	for i := range 100 {
		b.log(11*time.Second+time.Duration(i)*100*time.Millisecond, "GET", "/a", 20*time.Millisecond, 5, "")
	}
	b.op("query", 22*time.Second)
	b.op("query", 25*time.Second)
	return b.c
}

func runOracle(t *testing.T, py string, cases []oracleCase) oracleAnswer {
	t.Helper()
	in, err := json.Marshal(map[string]any{"percentiles": oraclePercentiles, "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/locust_oracle.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running locust oracle: %v\n%s", err, stderr.Bytes())
	}
	var ans oracleAnswer
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("decoding oracle answer: %v", err)
	}
	return ans
}

// replay runs a case through RequestStats and snapshots at every query.
func replay(c oracleCase) []*Snapshot {
	s := New(c.start)
	var snaps []*Snapshot
	for _, st := range c.Steps {
		switch st.Op {
		case "log":
			s.Log(&record.Record{
				Name: st.Name, Method: st.Method, Start: st.at.Add(-st.rt),
				ResponseTime: st.rt, ContentLength: st.Len, Error: st.Err,
			})
		case "reset":
			s.Reset(st.at)
		case "query":
			snaps = append(snaps, s.Snapshot(st.at))
		}
	}
	return snaps
}

func TestMatchesLocust(t *testing.T) {
	py := locusttest.Python(t)
	cases := oracleCases()
	ans := runOracle(t, py, cases)
	if len(ans.Cases) != len(cases) {
		t.Fatalf("oracle answered %d cases, want %d", len(ans.Cases), len(cases))
	}
	for i, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			want := ans.Cases[i].Queries
			got := replay(c)
			if len(got) != len(want) {
				t.Fatalf("%d snapshots, oracle has %d", len(got), len(want))
			}
			for q := range want {
				compareQuery(t, q, got[q], want[q])
			}
		})
	}
}

func compareQuery(t *testing.T, q int, got *Snapshot, want oracleQuery) {
	t.Helper()
	if len(got.Entries) != len(want.Entries) {
		t.Fatalf("query %d: %d entries, Locust has %d", q, len(got.Entries), len(want.Entries))
	}
	for i, w := range want.Entries {
		compareEntry(t, q, got.Entries[i], w)
	}
	compareEntry(t, q, got.Total, want.Total)
	compareErrors(t, q, got.Errors, want.Errors)
}

func compareEntry(t *testing.T, q int, g *Entry, w oracleEntry) {
	t.Helper()
	where := func(field string) string { return fmt.Sprintf("query %d %s %s %s", q, w.Method, w.Name, field) }
	if g.Name != w.Name || g.Method != w.Method {
		t.Fatalf("%s: row is %q %q", where("key"), g.Method, g.Name)
	}
	eqInt(t, where("num_requests"), g.NumRequests, w.NumRequests)
	eqInt(t, where("num_failures"), g.NumFailures, w.NumFailures)
	eqFloat(t, where("median"), g.Median(), w.Median)
	eqFloat(t, where("avg"), g.Avg(), w.Avg)
	eqFloat(t, where("min"), g.Min(), w.Min)
	eqFloat(t, where("max"), g.Max(), w.Max)
	compareHistogram(t, where("histogram"), g.Buckets(), w.Histogram)
	for i, p := range oraclePercentiles {
		eqInt(t, where(fmt.Sprint("percentile ", p)), g.Percentile(p), w.Percentiles[i])
		ms, ok := g.CurrentPercentile(p)
		if ok != (w.Current[i] != nil) {
			t.Errorf("%s: ok = %v, Locust answered %v", where(fmt.Sprint("current ", p)), ok, w.Current[i])
		} else if ok {
			eqInt(t, where(fmt.Sprint("current ", p)), ms, *w.Current[i])
		}
	}
	eqFloat(t, where("current_rps"), g.CurrentRPS(), w.CurrentRPS)
	eqFloat(t, where("current_fail_per_sec"), g.CurrentFailPerSec(), w.CurrentFailPerSec)
	eqFloat(t, where("total_rps"), g.TotalRPS(), w.TotalRPS)
	eqFloat(t, where("total_fail_per_sec"), g.TotalFailPerSec(), w.TotalFailPerSec)
	eqFloat(t, where("avg_content_length"), g.AvgContentLength(), w.AvgContentLength)
	eqFloat(t, where("fail_ratio"), g.FailRatio(), w.FailRatio)
	eqFloat(t, where("start_time"), UnixSeconds(g.StartTime), w.StartTime)
	if w.LastRequestTime == nil {
		if !g.LastRequestTimestamp.IsZero() {
			t.Errorf("%s: %v, Locust has none", where("last_request_timestamp"), g.LastRequestTimestamp)
		}
	} else {
		eqFloat(t, where("last_request_timestamp"), UnixSeconds(g.LastRequestTimestamp), *w.LastRequestTime)
	}
}

func compareHistogram(t *testing.T, what string, got []Bucket, want [][2]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s has %d keys, Locust's has %d", what, len(got), len(want))
		return
	}
	for i, w := range want {
		if got[i].MS != w[0] || got[i].Count != w[1] {
			t.Errorf("%s key %d = %d ms x %d, Locust has %d ms x %d", what, i, got[i].MS, got[i].Count, w[0], w[1])
		}
	}
}

func compareErrors(t *testing.T, q int, got []*ErrorEntry, want []oracleError) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("query %d: %d error rows, Locust has %d", q, len(got), len(want))
	}
	byKey := make(map[errorKey]*ErrorEntry)
	for _, g := range got {
		byKey[errorKey{g.Method, g.Name, g.Error}] = g
	}
	for _, w := range want {
		g := byKey[errorKey{w.Method, w.Name, w.Error}]
		if g == nil {
			t.Errorf("query %d: no error row %s %s %q", q, w.Method, w.Name, w.Error)
			continue
		}
		eqInt(t, "occurrences of "+w.Error, g.Occurrences, w.Occurrences)
		eqFloat(t, "first_seen of "+w.Error, UnixSeconds(g.FirstSeen), w.FirstSeen)
		eqFloat(t, "last_seen of "+w.Error, UnixSeconds(g.LastSeen), w.LastSeen)
	}
}

func eqInt(t *testing.T, what string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, Locust says %d", what, got, want)
	}
}

// eqFloat requires the very same float: the arithmetic is Locust's, in
// Locust's order.
func eqFloat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, Locust says %v", what, got, want)
	}
}
