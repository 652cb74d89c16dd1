package script

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/locusttest"
)

// aimockText is what the third-party mock answers to every request.
const aimockText = "Once upon a time there was a load tester that measured every token as it arrived."

// startAimock runs @copilotkit/aimock (installed by .ci/run with npm ci)
// with the given chaos flags, and returns its base URL.
func startAimock(t *testing.T, flags ...string) string {
	t.Helper()
	bin, _ := filepath.Abs("testdata/aimock/node_modules/.bin/llmock")
	if _, err := os.Stat(bin); err != nil {
		locusttest.Missing(t, "aimock (npm ci --prefix script/testdata/aimock): %v", err)
	}
	fixtures := filepath.Join(t.TempDir(), "fixtures.json")
	fx := fmt.Sprintf(`{"fixtures":[{"match":{},"response":{"content":%q},"streamingProfile":{"ttft":30,"tps":400,"jitter":0}}]}`, aimockText)
	if err := os.WriteFile(fixtures, []byte(fx), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"--host", "127.0.0.1", "-p", fmt.Sprint(port), "-f", fixtures, "--log-level", "silent"}, flags...)
	cmd := exec.CommandContext(ctx, bin, args...)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + "/v1/models"); err == nil {
			resp.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			t.Fatal("aimock did not start")
		}
	}
}

// A real third-party mock, in each wire format it speaks: the text comes
// through whole and tokens are counted; its usage figures (its own rough
// estimate) disagree with the tokenizer, and that is counted as a mismatch.
func TestAimockFormats(t *testing.T) {
	url := startAimock(t)
	cases := []struct {
		name, api, call string
	}{
		{"openai chat", "openai", `self.llm:chat{ messages = { { role = "user", content = "tell a story" } } }`},
		{"anthropic", "anthropic", `self.llm:chat{ messages = { { role = "user", content = "tell a story" } }, max_tokens = 64 }`},
		{"ollama", "ollama", `self.llm:chat{ messages = { { role = "user", content = "tell a story" } } }`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &collect{}
			classes := bind(t, fmt.Sprintf(`
U = locust.user{ llm = { api = %q, model = "m" } }
U:task(function(self)
  local r = %s
  assert(r.ok, r.error)
  assert(r.text == %q, "text: " .. r.text)
end)
`, tc.api, tc.call, aimockText), llmEnv(t, url, c))
			runUser(t, classes[0], func() bool { return len(c.llmRecords()) >= 2 }, 30*time.Second)
			if len(c.exceptions) > 0 {
				t.Fatalf("exceptions: %q", c.exceptions)
			}
			for _, r := range c.llmRecords() {
				if r.Error != "" || r.LLM.OutputTokens == 0 || r.LLM.TTFT < 25*time.Millisecond {
					t.Fatalf("record error %q, tokens %d, TTFT %s", r.Error, r.LLM.OutputTokens, r.LLM.TTFT)
				}
				// aimock's OpenAI usage is its own estimate (21 tokens for this
				// text), which o200k_base does not share: both are kept.
				if tc.api == "openai" && (r.LLM.ServerTokens != 21 || !r.LLM.Mismatch || r.LLM.ClientTokens == 21) {
					t.Fatalf("server %d, client %d, mismatch %v", r.LLM.ServerTokens, r.LLM.ClientTokens, r.LLM.Mismatch)
				}
			}
		})
	}
}

// aimock's chaos options: every fault is one failed Record with a reason,
// and the user goes on.
func TestAimockChaos(t *testing.T) {
	cases := []struct {
		flag, want string
	}{
		{"--chaos-drop", "HTTP 500"},
		{"--chaos-ratelimit", "HTTP 429"},
		{"--chaos-malformed", "not an SSE stream"},
		{"--chaos-disconnect", ""},
	}
	for _, tc := range cases {
		t.Run(tc.flag, func(t *testing.T) {
			url := startAimock(t, tc.flag, "1")
			c := runLLM(t, fmt.Sprintf(chatTask, 8, "true", ""), url, 3)
			for _, r := range c.llmRecords()[:3] {
				if r.Error == "" || !strings.Contains(r.Error, tc.want) {
					t.Fatalf("error %q, want one containing %q", r.Error, tc.want)
				}
			}
			t.Logf("reason: %s", c.llmRecords()[0].Error)
		})
	}
}
