package output

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

func TestParsePercentiles(t *testing.T) {
	cases := []struct {
		name    string
		list    string
		keys    []string
		wantErr string
	}{
		{name: "the default", list: "50,90,95,99", keys: []string{"p50", "p90", "p95", "p99"}},
		{name: "fractions and spaces", list: "50, 99.9 ,99.99", keys: []string{"p50", "p99.9", "p99.99"}},
		{name: "the order given", list: "99,50", keys: []string{"p99", "p50"}},
		{name: "not a number", list: "50,high", wantErr: `"high" is not a number`},
		{name: "zero", list: "0,50", wantErr: "0 is not above 0 and below 100"},
		{name: "a hundred", list: "50,100", wantErr: "100 is not above 0 and below 100"},
		{name: "negative", list: "-5", wantErr: "-5 is not above 0"},
		{name: "twice", list: "50,90,50.0", wantErr: "50.0 is given twice"},
		{name: "empty", list: "", wantErr: "an empty item"},
		{name: "an empty item", list: "50,,90", wantErr: "an empty item"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := ParsePercentiles(tc.list)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ps.Keys(); !slices.Equal(got, tc.keys) {
				t.Errorf("keys %q, want %q", got, tc.keys)
			}
		})
	}
	if ps, _ := ParsePercentiles("50,90,95,99"); !slices.Equal(ps, DefaultPercentiles) {
		t.Errorf("the default list parses to %v, want DefaultPercentiles %v", ps, DefaultPercentiles)
	}
}

// A Latency writes mean, min, max, then its percentiles in the run's
// order, and reads back the same.
func TestLatencyJSON(t *testing.T) {
	ps, _ := ParsePercentiles("99.9,50")
	l := Latency{Mean: 12.5, Min: 1, Max: 200.6, Percentiles: ps, Values: []float64{199, 10.25}}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"mean":12.5,"min":1,"max":200.6,"p99.9":199,"p50":10.25}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back Latency
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(back); !bytes.Equal(got, b) {
		t.Errorf("round trip %s, want %s", got, b)
	}
	cases := []struct {
		name string
		q    float64
		want float64
		ok   bool
	}{
		{"p50", 0.5, 10.25, true},
		{"p99.9", 0.999, 199, true},
		{"not shown", 0.95, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if v, ok := back.P(tc.q); v != tc.want || ok != tc.ok {
				t.Errorf("P(%v) = %v, %v; want %v, %v", tc.q, v, ok, tc.want, tc.ok)
			}
		})
	}
}

// The golden LLM run with --percentiles 50,99.9: the summary's timings
// have the keys p50 and p99.9, the LLM stats file the columns 50% and
// 99.9%.
func TestGoldenLLMPercentiles(t *testing.T) {
	ps, err := ParsePercentiles("50,99.9")
	if err != nil {
		t.Fatal(err)
	}
	snap := goldenLLMStats().Snapshot(goldenLLMEnd)
	var b bytes.Buffer
	if err := NewSummary(RunInfo{Start: goldenStart, End: goldenLLMEnd, Percentiles: ps}, snap).Encode(&b); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "llm_summary_p50_p99.9.json", b.Bytes())
	var s struct {
		Totals struct {
			TTFT map[string]float64 `json:"ttft_ms"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Totals.TTFT["p99.9"]; !ok || len(s.Totals.TTFT) != 5 {
		t.Errorf("ttft_ms = %v, want mean, min, max, p50 and p99.9", s.Totals.TTFT)
	}

	var csv bytes.Buffer
	if err := WriteLLMStatsCSVWith(&csv, snap, ps); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "llm_stats_p50_p99.9.csv", csv.Bytes())
	header, _, _ := strings.Cut(csv.String(), "\r\n")
	if !strings.Contains(header, ",TTFT 50%,TTFT 99.9%,ITL Mean,") {
		t.Errorf("header %q lacks TTFT 50%% and 99.9%%", header)
	}
}

// goldenSLO are the SLOs of the golden goodput run: the golden LLM
// records' TTFTs run from 150 to 550 ms.
var goldenSLO = []string{"ttft_ms<400", "itl_ms<=35"}

func goldenGoodputStats(t *testing.T) *stats.RequestStats {
	t.Helper()
	slo, err := stats.ParseSLO(goldenSLO)
	if err != nil {
		t.Fatal(err)
	}
	s := stats.New(goldenStart)
	s.SetSLO(slo)
	for _, r := range goldenLLMRecords() {
		s.Log(r)
	}
	return s
}

// The golden LLM run with SLOs: goodput in the summary (top level, totals
// and each LLM endpoint), four more columns in the LLM stats file, and a
// goodput field in the live line.
func TestGoldenLLMGoodput(t *testing.T) {
	s := goldenGoodputStats(t)
	snap := s.Snapshot(goldenLLMEnd)
	var b bytes.Buffer
	if err := WriteSummary(&b, RunInfo{Start: goldenStart, End: goldenLLMEnd}, snap); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "llm_summary_goodput.json", b.Bytes())

	prefix := filepath.Join(t.TempDir(), "run")
	w, err := NewCSVFiles(prefix, CSVConfig{Goodput: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(snap, 4); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, prefix+"_llm_stats.csv")
	checkGolden(t, "llm_stats_goodput.csv", got)
	var want bytes.Buffer
	if err := WriteLLMStatsCSV(&want, snap); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("the file differs from WriteLLMStatsCSV of the same snapshot:\n%s\n%s", got, want.Bytes())
	}

	live := LiveLine(snap, Live{Users: 4, TargetUsers: 4, State: "running", Elapsed: 30 * time.Second})
	stopped := LiveLine(snap, Live{Users: 0, TargetUsers: 4, State: "stopped", Elapsed: 30 * time.Second, Stopped: true})
	checkGolden(t, "llm_live_goodput.txt", []byte(live+"\n"+stopped+"\n"))
}

// The summary's goodput agrees with the records, counted here by hand
// from the SLOs' own definitions.
func TestSummaryGoodputFromRecords(t *testing.T) {
	var requests, good, goodTokens int64
	for _, r := range goldenLLMRecords() {
		if r.LLM == nil || r.Cancelled {
			continue
		}
		requests++
		if r.Failed() || r.LLM.TTFT >= 400*time.Millisecond {
			continue
		}
		var worst time.Duration
		r.LLM.ITL(func(gap time.Duration) { worst = max(worst, gap) })
		if worst > 35*time.Millisecond {
			continue
		}
		good++
		goodTokens += int64(r.LLM.OutputTokens)
	}
	if good == 0 || good == requests {
		t.Fatalf("the golden run has %d good requests of %d: it tells nothing", good, requests)
	}
	sum := NewSummary(RunInfo{Start: goldenStart, End: goldenLLMEnd}, goldenGoodputStats(t).Snapshot(goldenLLMEnd))
	g := sum.Goodput
	if g == nil || g.Requests != requests || g.GoodRequests != good {
		t.Fatalf("goodput %+v, want %d good of %d", g, good, requests)
	}
	if !near(g.Fraction, float64(good)/float64(requests)) || !near(g.RequestsPerS, float64(good)/30) ||
		!near(g.OutputTokensPerS, float64(goodTokens)/30) {
		t.Errorf("goodput %+v, want fraction %v, %v req/s, %v tok/s", g, float64(good)/float64(requests),
			float64(good)/30, float64(goodTokens)/30)
	}
	if !slices.Equal(sum.SLOs, goldenSLO) {
		t.Errorf("slos %q, want %q", sum.SLOs, goldenSLO)
	}
	for _, e := range sum.Endpoints {
		if llm := *e.Name != "/v1/models"; (e.Goodput != nil) != llm {
			t.Errorf("endpoint %s: goodput %+v", *e.Name, e.Goodput)
		}
	}
}

func near(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }

func TestPrintChecks(t *testing.T) {
	v1, v2 := 231.4, 0.05
	cases := []struct {
		name    string
		results []CheckResult
		want    string
	}{
		{"none", nil, ""},
		{"passed, failed and unmeasured", []CheckResult{
			{Check: "ttft_ms.p95 < 500", Value: &v1, Pass: true},
			{Check: "fail_ratio < 0.01", Value: &v2},
			{Check: "ttfo_ms.p50 < 100", Reason: "not measured in this run"},
		}, "Checks: 1 passed, 2 failed\n" +
			"  ✓ ttft_ms.p95 < 500  (231.4)\n" +
			"  ✗ fail_ratio < 0.01  (0.05)\n" +
			"  ✗ ttfo_ms.p50 < 100  (null): not measured in this run\n\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := PrintChecks(&b, tc.results); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("printed\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Without SLOs and with the default percentiles the LLM files are those
// of before: the goodput columns come only with SLOs.
func TestLLMStatsWithoutSLOKeepTheirColumns(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLLMStatsCSV(&b, goldenLLMStats().Snapshot(goldenLLMEnd)); err != nil {
		t.Fatal(err)
	}
	if want := readGolden(t, "llm_run_llm_stats.csv"); !bytes.Equal(b.Bytes(), want) {
		t.Errorf("the LLM stats of the golden run changed:\n%s\nwant\n%s", b.Bytes(), want)
	}
}
