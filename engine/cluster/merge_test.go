package cluster

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// llmRecords are n streamed chat Records with varied timings, some failed
// and some scheduled, ending over a few seconds from start.
func llmRecords(n int, start time.Time) []*record.Record {
	rng := rand.New(rand.NewPCG(7, 11))
	out := make([]*record.Record, n)
	for i := range out {
		ttft := time.Duration(30+rng.IntN(900)) * time.Millisecond
		l := &record.LLM{TTFB: ttft / 2, TTFT: ttft, Source: record.SourceUsage, InputTokens: 100 + rng.IntN(50)}
		at := ttft
		for range 1 + rng.IntN(30) {
			l.Chunks = append(l.Chunks, record.Chunk{At: at, Tokens: 1})
			l.OutputTokens++
			at += time.Duration(5+rng.IntN(60)) * time.Millisecond
		}
		l.E2E = l.Chunks[len(l.Chunks)-1].At
		r := &record.Record{Method: "POST", Name: "chat", Start: start.Add(time.Duration(i) * 7 * time.Millisecond),
			ResponseTime: l.E2E + time.Millisecond, ContentLength: int64(200 + rng.IntN(800)), LLM: l}
		if i%17 == 0 {
			r.Error = "HTTP 503"
		}
		if i%3 == 0 {
			r.Scheduled, r.Lag = true, time.Duration(rng.IntN(2000))*time.Microsecond
		}
		out[i] = r
	}
	return out
}

// The same Records counted by two workers, their reports sent over the
// wire at several points and merged by a master, give the master the
// figures of one process that counted them all: Locust's rows and the
// LLM timings' percentiles, exactly.
func TestMergedReportsAreExact(t *testing.T) {
	start := time.Now().Add(-time.Minute)
	recs := llmRecords(3000, start)
	slo, err := stats.ParseSLO([]string{"ttft_ms<600"})
	if err != nil {
		t.Fatal(err)
	}
	one, master := stats.New(start), stats.New(start)
	workers := []*stats.RequestStats{stats.New(start), stats.New(start)}
	for _, s := range append([]*stats.RequestStats{one, master}, workers...) {
		s.SetSLO(slo)
	}
	send := func(w *stats.RequestStats) {
		b, err := Message{Type: Stats, Data: ReportData{Report: w.TakeReport(time.Now())}, NodeID: "w"}.Encode()
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		var d ReportData
		if err := m.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if err := master.Extend(d.Report); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range recs {
		one.Log(r)
		workers[i%2].Log(r)
		if i%500 == 499 {
			send(workers[i/500%2])
		}
	}
	send(workers[0])
	send(workers[1])
	now := time.Now()
	a, b := one.Snapshot(now), master.Snapshot(now)
	if a.Total.NumRequests != b.Total.NumRequests || a.Total.NumFailures != b.Total.NumFailures ||
		a.Total.Max() != b.Total.Max() || a.Total.Min() != b.Total.Min() || a.Total.TotalContentLength != b.Total.TotalContentLength {
		t.Errorf("totals: one process %+v, merged %+v", a.Total, b.Total)
	}
	for _, p := range []float64{0.5, 0.9, 0.95, 0.99, 1} {
		if x, y := a.Total.Percentile(p), b.Total.Percentile(p); x != y {
			t.Errorf("response time p%v: one process %d, merged %d", p*100, x, y)
		}
	}
	if len(a.Errors) != 1 || len(b.Errors) != 1 || a.Errors[0].Occurrences != b.Errors[0].Occurrences {
		t.Errorf("errors: one process %+v, merged %+v", a.Errors, b.Errors)
	}
	la, lb := a.LLMTotal, b.LLMTotal
	if la.Requests != lb.Requests || la.OutputTokens != lb.OutputTokens || la.InputTokens != lb.InputTokens ||
		la.Sources != lb.Sources || la.Good != lb.Good || la.GoodOutputTokens != lb.GoodOutputTokens {
		t.Errorf("LLM counts: one process %+v, merged %+v", la, lb)
	}
	for _, tm := range []stats.Timing{stats.TTFT, stats.TTFB, stats.ITL, stats.TPOT, stats.E2E, stats.Lag} {
		ha, hb := la.Hist(tm), lb.Hist(tm)
		if ha.Count() == 0 || ha.Count() != hb.Count() || ha.Sum() != hb.Sum() || ha.Min() != hb.Min() || ha.Max() != hb.Max() {
			t.Errorf("%s: one process n=%d sum=%v, merged n=%d sum=%v", tm, ha.Count(), ha.Sum(), hb.Count(), hb.Sum())
		}
		pa, pb := ha.Percentiles(50, 90, 95, 99, 99.9), hb.Percentiles(50, 90, 95, 99, 99.9)
		for i := range pa {
			if pa[i] != pb[i] {
				t.Errorf("%s percentiles: one process %v, merged %v", tm, pa, pb)
				break
			}
		}
	}
}
