package webui

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/run"
)

// routeCase is one route checked against a running test.
type routeCase struct {
	name        string
	path        string
	status      int
	contentType string // prefix
	check       func(t *testing.T, r response)
}

// TestLiveRun drives a test through the API as the UI does: start it,
// read every route while it runs, edit its user count, stop it, reset
// its stats.
func TestLiveRun(t *testing.T) {
	f := setup(t, nil)
	start := f.startTest(t, url.Values{"user_count": {"3"}, "spawn_rate": {"10"}, "host": {"mock"}, "run_time": {"5m"}})
	if start["host"] != "mock" || start["message"] != "Swarming started" || start["run_time"] != float64(300) {
		t.Errorf("POST /swarm answered %v", start)
	}
	waitFor(t, "LLM requests, failures, exceptions and two chart points", 20*time.Second, func() bool {
		st := f.stats(t)
		_, points, _, _ := f.srv.feed.snapshot()
		return num(t, st, "llm", "total", "requests") >= 3 && len(at(t, st, "errors").([]any)) > 0 &&
			len(f.sess.Snapshot().Exceptions) > 0 && len(points) >= 2
	})
	for _, rc := range liveRoutes() {
		t.Run(rc.name, func(t *testing.T) {
			r := f.get(t, rc.path)
			if r.status != rc.status {
				t.Fatalf("status %d, want %d: %s", r.status, rc.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, rc.contentType) {
				t.Errorf("Content-Type %q, want %q", ct, rc.contentType)
			}
			rc.check(t, r)
		})
	}
	t.Run("edit keeps the stats", func(t *testing.T) { checkEdit(t, f) })
	t.Run("stop", func(t *testing.T) {
		r := f.get(t, "/stop").json(t)
		if r["success"] != true || r["message"] != "Test stopped" {
			t.Errorf("GET /stop answered %v", r)
		}
		waitFor(t, "state stopped", 20*time.Second, func() bool { return f.stats(t)["state"] == "stopped" })
		// The ratios of a stopped test are those of its last users.
		if ratio := num(t, f.get(t, "/tasks").json(t), "per_class", "ChatUser", "ratio"); ratio != 1 {
			t.Errorf("ChatUser ratio after stop = %v, want 1", ratio)
		}
	})
	t.Run("reset", func(t *testing.T) {
		r := f.get(t, "/stats/reset")
		if r.status != 200 || string(r.body) != "ok" {
			t.Fatalf("GET /stats/reset: %d %q", r.status, r.body)
		}
		if n := num(t, f.stats(t), "stats", -1, "num_requests"); n != 0 {
			t.Errorf("Aggregated has %v requests after reset", n)
		}
	})
}

func liveRoutes() []routeCase {
	return []routeCase{
		{"index", "/", 200, "text/html", checkIndex},
		{"stats", "/stats/requests", 200, "application/json", checkStats},
		{"tasks", "/tasks", 200, "application/json", checkTasks},
		{"exceptions", "/exceptions", 200, "application/json", checkExceptions},
		{"logs", "/logs", 200, "application/json", checkLogs},
		{"worker count", "/worker-count", 200, "application/json", func(t *testing.T, r response) {
			if n := num(t, r.json(t), "worker_count"); n != 0 {
				t.Errorf("worker_count %v", n)
			}
		}},
		{"requests csv", "/stats/requests/csv", 200, "text/csv", csvCheck("requests", "Type,Name,Request Count,Failure Count,Median Response Time", `"POST","chat"`, "POST,chat")},
		{"failures csv", "/stats/failures/csv", 200, "text/csv", csvCheck("failures", "Method,Name,Error,Occurrences,First Seen,Last Seen", "HTTP 404")},
		{"exceptions csv", "/exceptions/csv", 200, "text/csv", csvCheck("exceptions", "Count,Message,Traceback,Nodes", "a task that always fails")},
		{"llm csv", "/stats/llm/csv", 200, "text/csv", csvCheck("llm", "Type,Name,Request Count,Failure Count,Output Tokens", "POST,chat")},
		{"full history csv without --csv-full-history", "/stats/requests_full_history/csv", 404, "text/plain", func(t *testing.T, r response) {
			if !strings.Contains(string(r.body), "full history") {
				t.Errorf("body %q", r.body)
			}
		}},
		{"report download", "/stats/report?download=1&theme=dark", 200, "text/html", checkReportDownload},
		{"points", "/llm/points?since=0", 200, "application/json", checkPoints},
		{"points since the newest", "/llm/points?since=999999", 200, "application/json", func(t *testing.T, r response) {
			m := r.json(t)
			if len(at(t, m, "points").([]any)) != 0 || m["reset"] != true {
				t.Errorf("a sequence number from the future gives %v", m)
			}
		}},
		{"points with a bad since", "/llm/points?since=x", 400, "application/json", func(*testing.T, response) {}},
	}
}

func checkIndex(t *testing.T, r response) {
	args := pageArgs(t, r.body)
	if st := args["state"]; st != "running" && st != "spawning" {
		t.Errorf("state %v", st)
	}
	for key, want := range map[string]any{
		// The form's defaults are the running test's (3 users at 10/s for
		// 5m), not the command line's (-r 3 -t 10m).
		"locustfile": "web.lua", "is_report": false, "host": "mock", "num_users": float64(3),
		"spawn_rate": float64(10), "run_time": float64(300), "version": "1.2.3-test", "tasks": "{}",
		"is_distributed": false, "show_userclass_picker": false,
	} {
		if args[key] != want {
			t.Errorf("templateArgs %s = %v, want %v", key, args[key], want)
		}
	}
	if n := num(t, args, "user_count"); n < 1 {
		t.Errorf("user_count %v", n)
	}
	if d := at(t, args, "extra_options", "max_tokens", "default_value"); d != float64(6) {
		t.Errorf("max_tokens default %v", d)
	}
	if c := at(t, args, "extra_options", "api", "choices"); len(c.([]any)) != 2 {
		t.Errorf("api choices %v", c)
	}
	if at(t, args, "extra_options", "api_key", "is_secret") != true || at(t, args, "extra_options", "api_key", "default_value") != "" {
		t.Errorf("api_key field %v", at(t, args, "extra_options", "api_key"))
	}
	// The form says where the server's key goes (the secret host policy).
	if h, _ := at(t, args, "extra_options", "api_key", "help_text").(string); !strings.Contains(h, "only to the hosts given when llmlocust was started") {
		t.Errorf("api_key help %q does not say where the key goes", h)
	}
	if len(at(t, args, "llm", "points").([]any)) < 2 || at(t, args, "llm", "ws_path") != "ws/llm" {
		t.Errorf("llm args %v", at(t, args, "llm"))
	}
	if h := at(t, args, "history").([]any); len(h) == 0 || at(t, h, 0, "current_rps") == nil {
		t.Errorf("history %v", h)
	}
	// The copy of the placeholder in the bundled code stays as it was.
	if !strings.Contains(string(r.body), `const raw = "__LLMLOCUST_TEMPLATE_ARGS__"`) || !strings.Contains(string(r.body), `window.theme = "";`) {
		t.Errorf("placeholders filled in the wrong places:\n%s", r.body)
	}
}

func checkStats(t *testing.T, r response) {
	m := r.json(t)
	stats := at(t, m, "stats").([]any)
	if at(t, stats, -1, "name") != "Aggregated" || at(t, stats, -1, "method") != "" {
		t.Errorf("last row %v", at(t, stats, -1))
	}
	for _, key := range []string{"num_requests", "num_failures", "min_response_time", "max_response_time", "current_rps",
		"current_fail_per_sec", "avg_response_time", "median_response_time", "total_rps", "total_fail_per_sec",
		"response_time_percentile_0.95", "response_time_percentile_0.99", "avg_content_length"} {
		at(t, stats, 0, key)
	}
	for _, key := range []string{"current_rps", "current_fail_per_sec", "total_rps", "total_fail_per_sec", "fail_ratio", "total_avg_response_time", "user_count"} {
		num(t, m, key)
	}
	if m["total_rps"] != m["current_rps"] {
		t.Errorf("total_rps %v differs from current_rps %v", m["total_rps"], m["current_rps"])
	}
	cur := at(t, m, "current_response_time_percentiles").(map[string]any)
	if _, ok := cur["response_time_percentile_0.5"]; !ok || len(cur) != 2 {
		t.Errorf("current percentiles %v", cur)
	}
	if e := at(t, m, "errors", 0); at(t, e, "name") != "missing" || num(t, e, "first_seen") < 1e9 {
		t.Errorf("error row %v", e)
	}
	chat := at(t, m, "llm", "rows", 0)
	if at(t, chat, "name") != "chat" || at(t, chat, "method") != "POST" || num(t, chat, "output_tokens") < 6 ||
		num(t, chat, "ttft_ms", "p50") < 150 || num(t, chat, "token_count_source", "usage") < 1 {
		t.Errorf("llm row %v", chat)
	}
	if at(t, m, "llm", "total", "name") != "Aggregated" {
		t.Errorf("llm total %v", at(t, m, "llm", "total"))
	}
	ext := at(t, m, "extended_stats", 0)
	if at(t, ext, "key") != "llm" || at(t, ext, "data", 0, "name") != "chat" || num(t, ext, "data", 0, "ttft_p50") < 150 {
		t.Errorf("extended_stats %v", ext)
	}
}

func checkTasks(t *testing.T, r response) {
	m := r.json(t)
	for task, want := range map[string]float64{"ask": 0.8, "lost": 0.1, "raise": 0.1} {
		if got := num(t, m, "per_class", "ChatUser", "tasks", task, "ratio"); got != want {
			t.Errorf("task %s ratio %v, want %v", task, got, want)
		}
	}
	if num(t, m, "total", "ChatUser", "ratio") != 1 {
		t.Errorf("total %v", at(t, m, "total"))
	}
}

func checkExceptions(t *testing.T, r response) {
	x := at(t, r.json(t), "exceptions", 0)
	if !strings.Contains(at(t, x, "msg").(string), "a task that always fails") || at(t, x, "nodes") != "local" || num(t, x, "count") < 1 {
		t.Errorf("exception %v", x)
	}
	at(t, x, "traceback")
}

func checkLogs(t *testing.T, r response) {
	m := r.json(t)
	if len(at(t, m, "master").([]any)) == 0 || len(at(t, m, "workers").(map[string]any)) != 0 {
		t.Errorf("logs %v", m)
	}
}

// csvCheck checks a CSV download's name, header and a row; any of rows
// may match.
func csvCheck(suffix, header string, rows ...string) func(*testing.T, response) {
	name := regexp.MustCompile(`^attachment;filename=Locust_\d{4}-\d\d-\d\d-\d\dh\d\d_web\.lua_mock_` + suffix + `\.csv$`)
	return func(t *testing.T, r response) {
		if d := r.header.Get("Content-Disposition"); !name.MatchString(d) {
			t.Errorf("Content-Disposition %q", d)
		}
		body := string(r.body)
		if !strings.HasPrefix(body, header) {
			t.Errorf("header line of %q", body)
		}
		for _, row := range rows {
			if strings.Contains(body, row) {
				return
			}
		}
		t.Errorf("none of %q in\n%s", rows, body)
	}
}

func checkReportDownload(t *testing.T, r response) {
	if d := r.header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment;filename=Locust_.*_web\.lua_mock\.html$`).MatchString(d) {
		t.Errorf("Content-Disposition %q", d)
	}
	args := pageArgs(t, r.body)
	if args["is_report"] != true || args["show_download_link"] != false {
		t.Errorf("is_report %v, show_download_link %v", args["is_report"], args["show_download_link"])
	}
	if !strings.Contains(string(r.body), `window.theme = "dark";`) {
		t.Error("theme not dark")
	}
}

func checkPoints(t *testing.T, r response) {
	m := r.json(t)
	if num(t, m, "seq") < 2 || m["reset"] != false {
		t.Errorf("seq %v reset %v", m["seq"], m["reset"])
	}
	p := at(t, m, "points", -1)
	for _, key := range []string{"time", "user_count", "rps", "fail_per_sec", "output_tokens_per_s", "token_mismatches"} {
		at(t, p, key)
	}
	for _, timing := range []string{"ttft", "itl", "tpot", "e2e"} {
		for _, q := range []string{"p50", "p90", "p95", "p99"} {
			at(t, p, timing, q) // present, number or null
		}
	}
	at(t, p, "backlog", "saturated")
	at(t, p, "token_sources", "usage")
	req := at(t, m, "requests", 0).([]any)
	if len(req) != 4 || req[2] != "chat" {
		t.Errorf("request %v", req)
	}
	if _, err := time.Parse(time.RFC3339, req[0].(string)); err != nil {
		t.Errorf("request time: %v", err)
	}
}

// checkEdit moves the running test to fewer users: the user count
// follows, the stats are kept.
func checkEdit(t *testing.T, f *fixture) {
	before := num(t, f.stats(t), "stats", -1, "num_requests")
	res := f.startTest(t, url.Values{"user_count": {"1"}, "spawn_rate": {"10"}, "max_tokens": {"4"}})
	if res["host"] != "mock" {
		t.Errorf("edit answered %v", res)
	}
	waitFor(t, "user count 1", 20*time.Second, func() bool { return num(t, f.stats(t), "user_count") == 1 })
	if after := num(t, f.stats(t), "stats", -1, "num_requests"); after < before {
		t.Errorf("requests went from %v to %v: the edit cleared the stats", before, after)
	}
	if got := f.option("max-tokens"); got != 4 {
		t.Errorf("max-tokens after the edit = %v, want 4", got)
	}
}

// TestFullHistoryDownload streams the --csv history file that the feed
// keeps writing while the test runs.
func TestFullHistoryDownload(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "run")
	f := setupSession(t,
		func(c *run.Config) { c.CSVPrefix, c.CSVFullHistory = prefix, true },
		func(c *Config) { c.CSVPrefix, c.FullHistory = prefix, true })
	if pageArgs(t, f.get(t, "/").body)["stats_history_enabled"] != true {
		t.Error("stats_history_enabled is not set")
	}
	f.startTest(t, url.Values{"user_count": {"2"}, "spawn_rate": {"10"}})
	var body string
	waitFor(t, "history rows of the chat requests", 20*time.Second, func() bool {
		r := f.get(t, "/stats/requests_full_history/csv")
		body = string(r.body)
		return r.status == 200 && strings.Contains(body, ",POST,chat,")
	})
	if !strings.HasPrefix(body, "Timestamp,User Count,Type,Name,Requests/s") {
		t.Errorf("history file starts %.80q", body)
	}
	r := f.get(t, "/stats/requests_full_history/csv")
	if ct, d := r.header.Get("Content-Type"), r.header.Get("Content-Disposition"); ct != "text/csv" || !strings.HasSuffix(d, "_web.lua_mock_requests_full_history.csv") {
		t.Errorf("Content-Type %q, Content-Disposition %q", ct, d)
	}
}
