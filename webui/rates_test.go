package webui

import (
	"bytes"
	"net/url"
	"testing"
	"time"
)

// A test started from the form after the UI sat idle divides its rates
// by its own running time, and a stopped test's figures stay as they were
// at its end, in the API and in the CSV downloads alike.
func TestRatesOverTheTestsOwnTime(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 3 s test after 2 s idle")
	}
	f := setup(t, nil)
	idle := 2 * time.Second
	time.Sleep(idle) // the UI waits before anyone presses Start
	f.startTest(t, url.Values{"user_count": {"3"}, "spawn_rate": {"3"}, "host": {"mock"}, "run_time": {"3s"}})
	waitFor(t, "the test to stop by its run time", 30*time.Second, func() bool {
		return f.stats(t)["state"] == "stopped"
	})
	start, end := f.sess.Times()
	ran := end.Sub(start).Seconds()
	if ran > 3+idle.Seconds()/2 {
		t.Fatalf("the test ran %.1f s for a run time of 3 s", ran)
	}
	first := f.stats(t)
	tokens := num(t, first, "llm", "total", "output_tokens")
	rate := num(t, first, "llm", "total", "output_tokens_per_s")
	if tokens == 0 {
		t.Fatal("no output tokens")
	}
	if want := tokens / ran; rate < want*0.95 || rate > want*1.05 {
		t.Errorf("output tok/s %.1f, want %.0f tokens / %.2f s = %.1f (the idle time before the test is not part of it)", rate, tokens, ran, want)
	}
	snap := f.sess.Snapshot()
	if snap.Start.Before(start.Add(-time.Second)) {
		t.Errorf("the stats start %s before the test (%s)", snap.Start, start)
	}
	if want := float64(snap.Total.NumRequests) / ran; snap.Total.TotalRPS() < want*0.9 || snap.Total.TotalRPS() > want*1.3 {
		t.Errorf("total RPS %.2f, want about %d requests / %.2f s = %.2f", snap.Total.TotalRPS(), snap.Total.NumRequests, ran, want)
	}
	// The Statistics tab's rates of a finished test are over its running
	// time too.
	row := at(t, first, "stats", -1).(map[string]any)
	// Locust's total rate ends at the newest request, a little before the
	// test's end: a little above requests / running time.
	if want := float64(snap.Total.NumRequests) / ran; num(t, row, "current_rps") < want*0.9 || num(t, row, "current_rps") > want*1.3 || num(t, first, "total_rps") != num(t, row, "current_rps") {
		t.Errorf("the stopped test shows %v requests/s (total_rps %v), want about %d requests / %.2f s = %.2f",
			num(t, row, "current_rps"), num(t, first, "total_rps"), snap.Total.NumRequests, ran, want)
	}
	csv1 := f.get(t, "/stats/llm/csv").body
	req1 := f.get(t, "/stats/requests/csv").body
	time.Sleep(1500 * time.Millisecond)
	later := f.stats(t)
	if got := num(t, later, "llm", "total", "output_tokens_per_s"); got != rate {
		t.Errorf("output tok/s moved after the test stopped: %.3f, then %.3f", rate, got)
	}
	if got := num(t, later, "total_rps"); got != num(t, first, "total_rps") {
		t.Errorf("total_rps moved after the test stopped: %v, then %v", num(t, first, "total_rps"), got)
	}
	if csv2 := f.get(t, "/stats/llm/csv").body; !bytes.Equal(csv1, csv2) {
		t.Errorf("the LLM CSV changed after the test stopped:\n%s\nthen\n%s", csv1, csv2)
	}
	if req2 := f.get(t, "/stats/requests/csv").body; !bytes.Equal(req1, req2) {
		t.Errorf("the stats CSV changed after the test stopped:\n%s\nthen\n%s", req1, req2)
	}
}
