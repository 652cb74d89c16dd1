package webui

import (
	"errors"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestWithoutFrontend serves a binary built without the frontend: the
// page says so, the report cannot be made, the API still works.
func TestWithoutFrontend(t *testing.T) {
	f := setup(t, func(c *Config) { c.Index = nil })
	r := f.get(t, "/")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(r.body), "built without its web UI frontend") || !strings.Contains(string(r.body), "make build") {
		t.Errorf("GET / answered %d %q:\n%s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if r := f.get(t, "/stats/report"); r.status != 503 {
		t.Errorf("GET /stats/report answered %d", r.status)
	}
	if _, err := f.srv.Report("dark"); !errors.Is(err, ErrNoFrontend) {
		t.Errorf("Report: %v", err)
	}
	if r := f.get(t, "/stats/requests"); r.status != 200 {
		t.Errorf("GET /stats/requests answered %d", r.status)
	}
}

// TestFrontendEmbedded checks that Frontend gives the build exactly when
// there is one.
func TestFrontendEmbedded(t *testing.T) {
	_, err := os.Stat("dist/index.html")
	if built := err == nil; built != (Frontend() != nil) {
		t.Errorf("dist/index.html exists: %v, but Frontend() returned %d bytes", built, len(Frontend()))
	}
}

// TestBasePath serves every route under --web-base-path.
func TestBasePath(t *testing.T) {
	f := setup(t, func(c *Config) { c.BasePath = "/locust/" })
	cases := []struct {
		path   string
		status int
	}{
		{"/locust/", 200},
		{"/locust/?theme=dark", 200},
		{"/locust/stats/requests", 200},
		{"/locust/tasks", 200},
		{"/locust/exceptions", 200},
		{"/locust/logs", 200},
		{"/locust/worker-count", 200},
		{"/locust/stats/requests/csv", 200},
		{"/locust/stats/llm/csv", 200},
		{"/locust/stats/report", 200},
		{"/locust/llm/points?since=0", 200},
		{"/locust/ws/llm", 426},
		{"/", 404},
		{"/stats/requests", 404},
		{"/locustx/stats/requests", 404},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			if r := f.get(t, tc.path); r.status != tc.status {
				t.Errorf("status %d, want %d", r.status, tc.status)
			}
		})
	}
	t.Run("the bare base redirects to the folder", func(t *testing.T) {
		r := f.get(t, "/locust")
		if r.status != 302 || r.header.Get("Location") != "/locust/" {
			t.Errorf("GET /locust answered %d to %q", r.status, r.header.Get("Location"))
		}
	})
	t.Run("control routes", func(t *testing.T) {
		if r := f.do(t, "POST", "/locust/swarm", url.Values{"user_count": {"1"}, "spawn_rate": {"10"}}); r.json(t)["success"] != true {
			t.Fatalf("POST /locust/swarm answered %s", r.body)
		}
		r := f.get(t, "/locust/stop")
		if r.status != 200 || r.json(t)["message"] != "Test stopped" {
			t.Errorf("GET /locust/stop answered %d %s", r.status, r.body)
		}
		waitFor(t, "the test to stop", 20*time.Second, func() bool { return f.sess.State() == "stopped" })
		if r := f.get(t, "/locust/stats/reset"); string(r.body) != "ok" {
			t.Errorf("GET /locust/stats/reset answered %s", r.body)
		}
	})
}

// TestReport makes the report of a finished test: one self-contained
// file with Locust's report data and ours inlined.
func TestReport(t *testing.T) {
	f := setup(t, nil)
	f.startTest(t, url.Values{"user_count": {"2"}, "spawn_rate": {"10"}, "host": {"mock"}})
	waitFor(t, "LLM requests, a failure and a chart point", 20*time.Second, func() bool {
		_, points, _, _ := f.srv.feed.snapshot()
		st := f.stats(t)
		return num(t, st, "llm", "total", "requests") >= 4 && len(at(t, st, "errors").([]any)) > 0 && len(points) > 0
	})
	f.stopTest(t)
	page, err := f.srv.Report("dark")
	if err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, page)
	if !strings.Contains(string(page), `window.theme = "dark";`) {
		t.Error("theme not dark")
	}
	args := pageArgs(t, page)
	if args["is_report"] != true || args["show_download_link"] != false || args["locustfile"] != "web.lua" || args["host"] != "mock" {
		t.Errorf("report args: is_report %v, show_download_link %v, locustfile %v, host %v",
			args["is_report"], args["show_download_link"], args["locustfile"], args["host"])
	}
	rows := at(t, args, "requests_statistics").([]any)
	if at(t, rows, -1, "name") != "Aggregated" || num(t, rows, -1, "num_requests") < 4 {
		t.Errorf("requests_statistics %v", rows)
	}
	times := at(t, args, "response_time_statistics", 0).(map[string]any)
	for _, key := range []string{"name", "method", "0.5", "0.6", "0.7", "0.8", "0.9", "0.95", "0.99", "1.0"} {
		if _, ok := times[key]; !ok {
			t.Errorf("response_time_statistics lacks %q", key)
		}
	}
	if fs := at(t, args, "failures_statistics").([]any); len(fs) == 0 || at(t, fs, 0, "error") != "HTTP 404 Not Found" {
		t.Errorf("failures_statistics %v", fs)
	}
	at(t, args, "exceptions_statistics")
	iso := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	if !iso.MatchString(at(t, args, "start_time").(string)) || !iso.MatchString(at(t, args, "end_time").(string)) {
		t.Errorf("start %v, end %v", args["start_time"], args["end_time"])
	}
	if d := at(t, args, "duration").(string); !strings.HasSuffix(d, "second") && !strings.HasSuffix(d, "seconds") {
		t.Errorf("duration %q", d)
	}
	if num(t, args, "tasks", "per_class", "ChatUser", "ratio") != 1 {
		t.Errorf("tasks %v", args["tasks"])
	}
	if at(t, args, "llm_report", "rows", 0, "name") != "chat" || num(t, args, "llm_report", "total", "e2e_ms", "p50") < 200 {
		t.Errorf("llm_report %v", args["llm_report"])
	}
	if len(at(t, args, "llm", "points").([]any)) == 0 || len(at(t, args, "llm", "requests").([]any)) == 0 {
		t.Error("no chart data inlined")
	}
	if real := Frontend(); real != nil {
		f.srv.cfg.Index = real
		page, err := f.srv.Report("light")
		if err != nil {
			t.Fatal(err)
		}
		checkSelfContained(t, page)
		if pageArgs(t, page)["is_report"] != true {
			t.Error("the real page did not take the report's data")
		}
	}
}

// checkSelfContained fails on a page that loads anything from elsewhere.
func checkSelfContained(t *testing.T, page []byte) {
	t.Helper()
	external := regexp.MustCompile(`(?i)<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//`)
	if m := external.Find(page); m != nil {
		t.Errorf("the report loads from elsewhere: %s", m)
	}
	if strings.Contains(string(page), argsPlaceholder+";") {
		t.Error("the report's data placeholder was left unfilled")
	}
}

// TestAssets serves the build's assets folder and nothing outside it.
func TestAssets(t *testing.T) {
	assets := fstest.MapFS{
		"favicon.png": {Data: []byte("\x89PNG")},
		"app.js":      {Data: []byte("console.log(1)")},
	}
	f := setup(t, func(c *Config) { c.Assets = assets })
	cases := []struct {
		path, contentType string
		status            int
	}{
		{"/assets/favicon.png", "image/png", 200},
		{"/assets/app.js", "text/javascript", 200},
		{"/assets/missing.png", "", 404},
		{"/assets/../web.lua", "", 404},
		{"/assets/%2e%2e/web.lua", "", 404},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := f.get(t, tc.path)
			if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), tc.contentType) {
				t.Errorf("%d %q, want %d %q", r.status, r.header.Get("Content-Type"), tc.status, tc.contentType)
			}
		})
	}
}
