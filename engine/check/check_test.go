package check

import (
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name    string
		spec    string
		want    string // normalised
		wantErr string
	}{
		{name: "spaced", spec: "ttft_ms.p95 < 500", want: "ttft_ms.p95 < 500"},
		{name: "packed", spec: "fail_ratio<0.01", want: "fail_ratio < 0.01"},
		{name: "each comparison", spec: "goodput.fraction>=0.9", want: "goodput.fraction >= 0.9"},
		{name: "not equal", spec: " cancelled != 0 ", want: "cancelled != 0"},
		{name: "an endpoint", spec: "endpoints[chat].ttft_ms.p95 <= 1e3", want: "endpoints[chat].ttft_ms.p95 <= 1000"},
		{name: "an endpoint by method", spec: "endpoints[POST chat].rps > 1", want: "endpoints[POST chat].rps > 1"},
		{name: "a percentile with a dot", spec: "ttft_ms.p99.9<800", want: "ttft_ms.p99.9 < 800"},
		{name: "no comparison", spec: "rps", wantErr: "want PATH OP NUMBER"},
		{name: "a single =", spec: "rps = 1", wantErr: `unknown comparison "="`},
		{name: "=>", spec: "rps => 1", wantErr: `unknown comparison "=>"`},
		{name: "no path", spec: "< 1", wantErr: `"" is not a dotted path`},
		{name: "an empty segment", spec: "ttft_ms..p95 < 1", wantErr: "is not a dotted path"},
		{name: "spaces in the path", spec: "ttft ms < 1", wantErr: "is not a dotted path"},
		{name: "not a number", spec: "rps > many", wantErr: `"many" is not a number`},
		{name: "NaN", spec: "rps > NaN", wantErr: `"NaN" is not a number`},
		{name: "an endpoint without a path", spec: "endpoints[chat] < 1", wantErr: "endpoints[NAME].PATH"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "--check ") {
					t.Errorf("error %q does not name the check", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.String() != tc.want {
				t.Errorf("String() = %q, want %q", c.String(), tc.want)
			}
		})
	}
}

// schema is the empty summary of a run with ps and the SLOs slo.
func schema(t *testing.T, ps string, slo ...string) (*output.Summary, output.Percentiles) {
	t.Helper()
	list, err := output.ParsePercentiles(ps)
	if err != nil {
		t.Fatal(err)
	}
	s, err := stats.ParseSLO(slo)
	if err != nil {
		t.Fatal(err)
	}
	st := stats.New(time.Time{})
	st.SetSLO(s)
	return output.NewSummary(output.RunInfo{Percentiles: list}, st.Snapshot(time.Time{})), list
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name    string
		check   string
		slo     []string
		ps      string
		wantErr string // "" for a valid path
	}{
		{name: "a timing's percentile", check: "ttft_ms.p95 < 500"},
		{name: "a timing's mean", check: "e2e_ms.mean < 5000"},
		{name: "a count of the totals", check: "requests > 100"},
		{name: "a rate", check: "output_tokens_per_s > 10"},
		{name: "a nested count", check: "token_count_source.usage > 0"},
		{name: "the top level", check: "duration_s >= 60"},
		{name: "cancelled", check: "cancelled == 0"},
		{name: "a flag", check: "metrics_backlog.client_saturated == 0"},
		{name: "an endpoint", check: "endpoints[chat].tpot_ms.p50 < 40"},
		{name: "goodput with SLOs", check: "goodput.fraction >= 0.9", slo: []string{"ttft_ms<500"}},
		{name: "goodput's fraction with an underscore", check: "goodput_fraction >= 0.9", slo: []string{"ttft_ms<500"}},
		{name: "goodput without SLOs", check: "goodput.fraction >= 0.9", wantErr: "goodput is null in a run with these options: goodput needs --slo"},
		{name: "a chosen percentile", check: "ttft_ms.p99.9 < 900", ps: "50,99.9"},
		{name: "a percentile not chosen", check: "ttft_ms.p95 < 900", ps: "50,99.9", wantErr: `no key "p95" in totals.ttft_ms (close: p50`},
		{name: "a typo of a key", check: "ttft_ms.p59 < 1", wantErr: `no key "p59" in totals.ttft_ms (close: p50, p99, p90, p95)`},
		{name: "an unknown metric", check: "ttfx_ms.p50 < 1", wantErr: `no key "ttfx_ms" in the summary's totals or at its top level (close: ttfb_ms, ttfo_ms, ttft_ms)`},
		{name: "a timing as a number", check: "ttft_ms < 1", wantErr: "totals.ttft_ms is a timing: name one of its figures (mean, min, max, p50, p90, p95, p99)"},
		{name: "an object as a number", check: "token_count_source < 1", wantErr: "totals.token_count_source is an object"},
		{name: "a key below a number", check: "rps.p50 < 1", wantErr: `totals.rps is a float64, which has no key "p50"`},
		{name: "text", check: "host == 1", wantErr: "host is text, not a number"},
		{name: "a list", check: "errors < 1", wantErr: "errors is a list, not a number"},
		{name: "past a timing's figure", check: "ttft_ms.p50.x < 1", wantErr: `no key "p50.x" in totals.ttft_ms`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.ps
			if ps == "" {
				ps = "50,90,95,99"
			}
			s, list := schema(t, ps, tc.slo...)
			c, err := Parse(tc.check)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate(s, list)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("valid path refused: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// runSummary is the summary of a small run: chat with three requests
// (one failed), a plain endpoint, SLO ttft_ms<300.
func runSummary(t *testing.T) *output.Summary {
	t.Helper()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	slo, _ := stats.ParseSLO([]string{"ttft_ms<300"})
	st := stats.New(start)
	st.SetSLO(slo)
	for i, ttft := range []time.Duration{100, 200, 400} {
		ttft *= time.Millisecond
		l := &record.LLM{TTFB: ttft / 2, TTFT: ttft, E2E: ttft + 20*time.Millisecond, OutputTokens: 2,
			Chunks: []record.Chunk{{At: ttft, Tokens: 1}, {At: ttft + 20*time.Millisecond, Tokens: 1}}}
		r := &record.Record{Method: "POST", Name: "chat", Start: start.Add(time.Duration(i) * time.Second),
			ResponseTime: l.E2E, LLM: l}
		if i == 1 {
			r.Error = "HTTP 500"
		}
		st.Log(r)
	}
	st.Log(&record.Record{Method: "GET", Name: "/v1/models", Start: start, ResponseTime: 5 * time.Millisecond})
	st.Log(&record.Record{Method: "POST", Name: "/v1/models", Start: start, ResponseTime: 5 * time.Millisecond})
	end := start.Add(10 * time.Second)
	return output.NewSummary(output.RunInfo{Start: start, End: end}, st.Snapshot(end))
}

func TestEvaluate(t *testing.T) {
	s := runSummary(t)
	cases := []struct {
		name   string
		check  string
		value  *float64 // nil for null
		pass   bool
		reason string
	}{
		{name: "a passing gate", check: "ttft_ms.max < 500", value: ptr(400), pass: true},
		{name: "a failing gate", check: "ttft_ms.max < 300", value: ptr(400)},
		{name: "equal to the bound", check: "requests <= 5", value: ptr(5), pass: true},
		{name: "not equal", check: "failures != 1", value: ptr(1)},
		{name: "greater", check: "fail_ratio > 0.1", value: ptr(0.2), pass: true},
		{name: "goodput from the totals", check: "goodput.good_requests == 1", value: ptr(1), pass: true},
		{name: "goodput's fraction with an underscore", check: "goodput_fraction >= 0.5", value: ptr(1.0 / 3)},
		{name: "the top level", check: "duration_s == 10", value: ptr(10), pass: true},
		{name: "never measured fails", check: "ttfo_ms.p50 < 1000", reason: "not measured in this run"},
		{name: "an endpoint", check: "endpoints[chat].fail_ratio < 0.5", value: ptr(1.0 / 3), pass: true},
		{name: "an endpoint by method", check: "endpoints[GET /v1/models].requests == 1", value: ptr(1), pass: true},
		{name: "a shared name", check: "endpoints[/v1/models].requests == 1",
			reason: `several endpoints are named "/v1/models" (GET, POST): write endpoints[METHOD /v1/models]`},
		{name: "no such endpoint", check: "endpoints[embed].requests > 0", reason: `no endpoint named "embed" in this run`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.check)
			if err != nil {
				t.Fatal(err)
			}
			r := c.Evaluate(s)
			if r.Check != c.String() || r.Pass != tc.pass || r.Reason != tc.reason {
				t.Errorf("result %+v, want pass %v, reason %q", r, tc.pass, tc.reason)
			}
			switch {
			case (r.Value == nil) != (tc.value == nil):
				t.Errorf("value %v, want %v", r.Value, tc.value)
			case r.Value != nil && *r.Value != *tc.value:
				t.Errorf("value %v, want %v", *r.Value, *tc.value)
			}
		})
	}
}

func ptr(v float64) *float64 { return &v }

// Every check is evaluated, in order, and the summary's own checks list
// is not what decides them.
func TestEvaluateAll(t *testing.T) {
	checks, err := ParseAll([]string{"requests > 0", "failures == 0"})
	if err != nil {
		t.Fatal(err)
	}
	res := EvaluateAll(checks, runSummary(t))
	if len(res) != 2 || !res[0].Pass || res[1].Pass || res[1].Check != "failures == 0" {
		t.Errorf("results %+v", res)
	}
	if len(EvaluateAll(nil, runSummary(t))) != 0 {
		t.Error("no checks gave results")
	}
}
