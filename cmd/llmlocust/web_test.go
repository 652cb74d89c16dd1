package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Without --headless the web UI serves Locust's API; --autostart starts
// the test at once and Ctrl-C ends the run with every output written.
func TestWebModeAutostart(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	js := filepath.Join(dir, "s.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		done <- runCLI(t, ctx, nil, "-f", "../../scenarios/openai_chat.lua", "-H", "mock", "--web-port", fmt.Sprint(port),
			"--autostart", "-u", "3", "-r", "3", "--max-tokens", "8", "--prompt-tokens", "16", "--json-file", js)
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/stats/requests", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var body struct {
			State     string `json:"state"`
			UserCount int    `json:"user_count"`
			Stats     []struct {
				NumRequests int `json:"num_requests"`
			} `json:"stats"`
		}
		if resp, err := http.Get(url); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if body.State == "running" && len(body.Stats) > 0 && body.Stats[len(body.Stats)-1].NumRequests > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the autostarted test never showed requests: %+v", body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	r := <-done
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if s := readSummary(t, js); s.Totals.Requests == 0 {
		t.Fatalf("summary %+v", s)
	}
	if !strings.Contains(r.stderr, "Starting web interface at http://127.0.0.1:") {
		t.Fatalf("no address printed:\n%s", r.stderr)
	}
}

func TestWebRefusesOpenBindWithoutAuth(t *testing.T) {
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/openai_chat.lua", "-H", "mock", "--web-host", "0.0.0.0", "--web-port", fmt.Sprint(freePort(t)))
	if r.code != 2 || !strings.Contains(r.stderr, "--web-auth") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// --html writes the self-contained report at the end of a headless run.
func TestHeadlessHTMLReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report-{u}.html")
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/openai_chat.lua", "-H", "mock", "--headless",
		"-u", "2", "-r", "2", "-t", "3s", "--max-tokens", "8", "--prompt-tokens", "16", "--html", path, "--only-summary")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	b, err := os.ReadFile(strings.Replace(path, "{u}", "2", 1))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.Contains(page, `"is_report":true`) || strings.Contains(page, "__LLMLOCUST_TEMPLATE_ARGS__ ") || !strings.Contains(page, `"llm_report"`) {
		t.Fatalf("not a filled report (%d bytes)", len(page))
	}
}
