package stats

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

func TestParseSLO(t *testing.T) {
	cases := []struct {
		name    string
		specs   []string
		want    []string // normalised
		wantErr string
	}{
		{name: "none", specs: nil, want: []string{}},
		{name: "each metric", specs: []string{"ttft_ms<500", "tpot_ms<50", "itl_ms<100", "e2e_ms<10000", "ttfb_ms<300", "ttfo_ms<800"},
			want: []string{"ttft_ms<500", "tpot_ms<50", "itl_ms<100", "e2e_ms<10000", "ttfb_ms<300", "ttfo_ms<800"}},
		{name: "spaces and <=", specs: []string{" ttft_ms <= 500.50 ", "tpot_ms< 5e1"}, want: []string{"ttft_ms<=500.5", "tpot_ms<50"}},
		{name: "unknown metric", specs: []string{"ttft<500"}, wantErr: `--slo "ttft<500": unknown metric "ttft" (known: ttft_ms, `},
		{name: "lower bound", specs: []string{"ttft_ms>500"}, wantErr: `use < or <=, not ">"`},
		{name: "equality", specs: []string{"ttft_ms==500"}, wantErr: `use < or <=, not "=="`},
		{name: "no operator", specs: []string{"ttft_ms 500"}, wantErr: "want METRIC<MS"},
		{name: "not a number", specs: []string{"ttft_ms<fast"}, wantErr: `"fast" is not a number of milliseconds`},
		{name: "infinite", specs: []string{"ttft_ms<inf"}, wantErr: `"inf" is not a number`},
		{name: "zero", specs: []string{"ttft_ms<0"}, wantErr: "above 0 ms"},
		{name: "one metric twice", specs: []string{"ttft_ms<500", "ttft_ms<=400"}, wantErr: "ttft_ms is already bounded by ttft_ms<500"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			slo, err := ParseSLO(tc.specs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := slo.Strings(); !slices.Equal(got, tc.want) {
				t.Errorf("Strings() = %q, want %q", got, tc.want)
			}
		})
	}
}

// goodRun is a set of records judged against SLOs, with what the LLM total
// must count, worked out by hand.
type goodRun struct {
	name      string
	slo       []string
	records   []*record.Record
	good      int64
	goodTok   int64
	requests  int64
	fraction  float64
	perSecond float64 // over the run of 10 s
}

func TestGoodputArithmetic(t *testing.T) {
	// Four tokens from 100 ms: TPOT (190−100)/3 = 30 ms, gaps 20, 30, 40.
	fast := func(start time.Duration) *record.Record { return llmRec("chat", start, []float64{100, 120, 150, 190}) }
	slow := llmRec("chat", 2*time.Second, []float64{700, 720, 750, 790}) // TTFT 700 ms
	failed := fast(3 * time.Second)
	failed.Error = "HTTP 500"
	oneToken := llmRec("chat", 4*time.Second, []float64{100})              // no TPOT
	bigGap := llmRec("chat", 5*time.Second, []float64{100, 110, 300, 310}) // gaps 10, 190, 10; TPOT 70
	cancelled := fast(6 * time.Second)
	cancelled.Cancelled = true

	cases := []goodRun{
		{name: "all good", slo: []string{"ttft_ms<500", "tpot_ms<50"},
			records: []*record.Record{fast(0), fast(time.Second)}, good: 2, goodTok: 8, requests: 2, fraction: 1, perSecond: 0.2},
		{name: "one TTFT miss", slo: []string{"ttft_ms<500"},
			records: []*record.Record{fast(0), slow}, good: 1, goodTok: 4, requests: 2, fraction: 0.5, perSecond: 0.1},
		{name: "a bound met exactly is met only by <=", slo: []string{"ttft_ms<=700"},
			records: []*record.Record{slow}, good: 1, goodTok: 4, requests: 1, fraction: 1, perSecond: 0.1},
		{name: "a bound met exactly misses <", slo: []string{"ttft_ms<700"},
			records: []*record.Record{slow}, good: 0, goodTok: 0, requests: 1, fraction: 0, perSecond: 0},
		{name: "failure never good", slo: []string{"e2e_ms<10000"},
			records: []*record.Record{fast(0), failed}, good: 1, goodTok: 4, requests: 2, fraction: 0.5, perSecond: 0.1},
		{name: "1-token meets TPOT", slo: []string{"tpot_ms<1"},
			records: []*record.Record{oneToken}, good: 1, goodTok: 1, requests: 1, fraction: 1, perSecond: 0.1},
		{name: "ITL uses largest gap", slo: []string{"itl_ms<100"},
			records: []*record.Record{fast(0), bigGap}, good: 1, goodTok: 4, requests: 2, fraction: 0.5, perSecond: 0.1},
		{name: "largest gap met", slo: []string{"itl_ms<=190"},
			records: []*record.Record{bigGap}, good: 1, goodTok: 4, requests: 1, fraction: 1, perSecond: 0.1},
		{name: "cancelled ignored", slo: []string{"ttft_ms<500"},
			records: []*record.Record{fast(0), cancelled}, good: 1, goodTok: 4, requests: 1, fraction: 1, perSecond: 0.1},
		{name: "every SLO must hold", slo: []string{"ttft_ms<500", "tpot_ms<50"},
			records: []*record.Record{fast(0), bigGap}, good: 1, goodTok: 4, requests: 2, fraction: 0.5, perSecond: 0.1},
		{name: "no SLO counts nothing", slo: nil,
			records: []*record.Record{fast(0)}, good: 0, goodTok: 0, requests: 1, fraction: 0, perSecond: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			slo, err := ParseSLO(tc.slo)
			if err != nil {
				t.Fatal(err)
			}
			s := New(t0)
			s.SetSLO(slo)
			for _, r := range tc.records {
				s.Log(r)
			}
			end := t0.Add(10 * time.Second)
			total := s.Snapshot(end).LLMTotal
			if total.Good != tc.good || total.GoodOutputTokens != tc.goodTok || total.Requests != tc.requests {
				t.Errorf("good %d, good tokens %d, requests %d; want %d, %d, %d",
					total.Good, total.GoodOutputTokens, total.Requests, tc.good, tc.goodTok, tc.requests)
			}
			if got := total.GoodFraction(); !near(got, tc.fraction) {
				t.Errorf("fraction %v, want %v", got, tc.fraction)
			}
			if got := total.GoodputPerSec(end); !near(got, tc.perSecond) {
				t.Errorf("goodput %v req/s, want %v", got, tc.perSecond)
			}
			if got, want := total.GoodOutputTokensPerSec(end), float64(tc.goodTok)/10; !near(got, want) {
				t.Errorf("good tokens %v/s, want %v", got, want)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The timings a request never had: no token, no TTFT or E2E, so those
// bounds are missed; no gap or a single token, so ITL and TPOT bounds are
// met; TTFO falls back on TTFT when there was no reasoning.
func TestSLOUnmeasuredTimings(t *testing.T) {
	noToken := &record.Record{Method: "POST", Name: "chat", Start: t0, ResponseTime: ms(30), LLM: &record.LLM{TTFB: ms(25)}}
	plain := rec("GET", "/health", 0, ms(3))
	visible := llmRec("chat", 0, []float64{100, 200})
	thinking := llmRec("chat", 0, []float64{100, 200, 900})
	thinking.LLM.Reasoning, thinking.LLM.TTFO = true, ms(900)
	onlyThinking := llmRec("chat", 0, []float64{100, 200})
	onlyThinking.LLM.Reasoning = true
	cases := []struct {
		name string
		slo  string
		r    *record.Record
		good bool
	}{
		{"no token misses TTFT", "ttft_ms<500", noToken, false},
		{"no token misses E2E", "e2e_ms<500", noToken, false},
		{"no token meets TTFB", "ttfb_ms<500", noToken, true},
		{"no token meets ITL", "itl_ms<1", noToken, true},
		{"no token meets TPOT", "tpot_ms<1", noToken, true},
		{"a plain request is never good", "ttfb_ms<500", plain, false},
		{"TTFO is TTFT without reasoning", "ttfo_ms<150", visible, true},
		{"TTFO after reasoning", "ttfo_ms<500", thinking, false},
		{"TTFO never visible", "ttfo_ms<10000", onlyThinking, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			slo, err := ParseSLO([]string{tc.slo})
			if err != nil {
				t.Fatal(err)
			}
			if got := slo.Good(tc.r); got != tc.good {
				t.Errorf("Good = %v, want %v", got, tc.good)
			}
		})
	}
}

// The current goodput is over the whole seconds from twelve to three
// seconds before the snapshot, as the current output token rate.
func TestCurrentGoodput(t *testing.T) {
	slo, _ := ParseSLO([]string{"ttft_ms<500"})
	s := New(t0)
	s.SetSLO(slo)
	// One request ending in each of seconds 0..19 (0.195 s after each
	// start); those from second 10 on are slow.
	for i := range 20 {
		ttft := 100.0
		if i >= 10 {
			ttft = 600
		}
		r := llmRec("chat", time.Duration(i)*time.Second, []float64{ttft, ttft + 10})
		r.ResponseTime = ms(ttft + 15)
		s.Log(r)
	}
	snap := s.Snapshot(t0.Add(20*time.Second + 500*time.Millisecond))
	// Seconds 8..17: two good (8, 9) out of ten.
	rate, fraction, ok := snap.LLMTotal.CurrentGoodput()
	if !ok || !near(rate, 0.2) || !near(fraction, 0.2) {
		t.Errorf("current goodput %v req/s (%v), %v; want 0.2 req/s (0.2)", rate, fraction, ok)
	}
	if _, _, ok := New(t0).Snapshot(t0.Add(time.Minute)).LLMTotal.CurrentGoodput(); ok {
		t.Error("stats without requests have a current goodput")
	}
}

// The total's goodput is the rows' summed; a reset clears it.
func TestGoodputMergesAndResets(t *testing.T) {
	slo, _ := ParseSLO([]string{"ttft_ms<500"})
	s := New(t0)
	s.SetSLO(slo)
	s.Log(llmRec("chat", 0, []float64{100, 110}))
	s.Log(llmRec("completion", 0, []float64{100, 110, 120}))
	s.Log(llmRec("completion", 0, []float64{900}))
	snap := s.Snapshot(t0.Add(10 * time.Second))
	if got := snap.LLMTotal; got.Good != 2 || got.GoodOutputTokens != 5 || got.Requests != 3 {
		t.Errorf("total good %d, tokens %d of %d requests; want 2, 5 of 3", got.Good, got.GoodOutputTokens, got.Requests)
	}
	if snap.SLO != slo {
		t.Error("the snapshot does not carry the run's SLO")
	}
	s.Reset(t0.Add(10 * time.Second))
	if got := s.Snapshot(t0.Add(20 * time.Second)).LLMTotal; got.Good != 0 || got.GoodOutputTokens != 0 {
		t.Errorf("after a reset: good %d, tokens %d", got.Good, got.GoodOutputTokens)
	}
}
