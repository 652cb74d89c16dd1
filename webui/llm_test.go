package webui

import (
	"github.com/llmlocust/llmlocust/engine/timeline"
	"net/url"
	"testing"
	"time"
)

// TestUnmeasuredTimingsAreNull: one-token answers without reasoning have
// no TTFO, no ITL and no TPOT; the LLM table, its flat extended form and
// the report say null, never a measured 0 ms.
func TestUnmeasuredTimingsAreNull(t *testing.T) {
	f := setup(t, nil)
	f.startTest(t, url.Values{"user_count": {"2"}, "spawn_rate": {"10"}, "host": {"mock"}, "max_tokens": {"1"}})
	waitFor(t, "LLM requests", 20*time.Second, func() bool { return num(t, f.stats(t), "llm", "total", "requests") >= 4 })
	st := f.stats(t)
	for _, row := range []any{at(t, st, "llm", "rows", 0), at(t, st, "llm", "total")} {
		if n := num(t, row, "output_tokens") / num(t, row, "requests"); n > 1 {
			t.Fatalf("%v output tokens a request, want 1", n)
		}
		for _, timing := range []string{"ttfo_ms", "itl_ms", "tpot_ms"} {
			if v := at(t, row, timing); v != nil {
				t.Errorf("%s of %v = %v, want null", timing, at(t, row, "name"), v)
			}
		}
		for _, timing := range []string{"ttft_ms", "e2e_ms"} {
			if num(t, row, timing, "p50") <= 0 {
				t.Errorf("%s of %v = %v, want measured", timing, at(t, row, "name"), at(t, row, timing))
			}
		}
	}
	flat := at(t, st, "extended_stats", 0, "data", 0)
	if at(t, flat, "tpot_p50") != nil || at(t, flat, "itl_p50") != nil || num(t, flat, "ttft_p50") <= 0 {
		t.Errorf("extended_stats row %v", flat)
	}
	f.stopTest(t)
	page, err := f.srv.Report("light")
	if err != nil {
		t.Fatal(err)
	}
	if v := at(t, pageArgs(t, page), "llm_report", "total", "tpot_ms"); v != nil {
		t.Errorf("the report's TPOT = %v, want null", v)
	}
}

// TestScatterWithoutToken: a request that got no token has no TTFT on the
// scatter chart.
func TestScatterWithoutToken(t *testing.T) {
	at0 := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	reqs := toReqs([]timeline.Request{
		{Start: at0, TTFT: 200600 * time.Microsecond, Name: "chat", OK: true},
		{Start: at0, Name: "chat", OK: false},
	})
	for i, want := range []string{`["2026-11-26T18:00:00.000Z",200.6,"chat",true]`, `["2026-11-26T18:00:00.000Z",null,"chat",false]`} {
		b, err := reqs[i].MarshalJSON()
		if err != nil || string(b) != want {
			t.Errorf("request %d: %s (%v), want %s", i, b, err, want)
		}
	}
}
