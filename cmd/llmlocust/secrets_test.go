package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The keys of the leak test: one a secret option, one that only a header
// carries. The first holds characters that URLs escape.
const (
	optionKey = "sk-opt+Leak/Check=7f3a9c"
	headerKey = "ak-header-only-5be81d"
)

// leakyServer answers as a careless server does: it echoes the
// credentials it got into its error bodies.
func leakyServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		auth, other := r.Header.Get("Authorization"), r.Header.Get("X-Api-Key")
		switch {
		case r.URL.Path == "/echo":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "unauthorized: "+auth)
		case r.URL.Path == "/v1/chat/completions" && other != "":
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "backend failed for key " + other}})
		case r.URL.Path == "/v1/chat/completions":
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "Incorrect API key provided: " + auth}})
		default:
			_, _ = io.WriteString(w, "ok")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

const leakyScenario = `
local env = require("env")

locust.options {
  api_key = { env = "OPENAI_API_KEY", secret = true, help = "API key" },
}

Leaky = locust.user {
  wait_time = locust.constant(0.05),
  llm = { api = "openai-chat", model = "m", api_key = locust.option("api_key") },
}

Leaky:task(function(self)
  local key = locust.option("api_key")
  self.client:get("/named", { name = "lookup " .. key })
  self.client:get("/query", { params = { key = key } })
  local r = self.client:get("/echo", { headers = { Authorization = "Bearer " .. key } })
  print("the server said: " .. r.text)
  self.llm:chat { messages = { { role = "user", content = "hi" } }, max_tokens = 2 }
  self.llm:chat { name = "other", api_key = "", headers = { ["x-api-key"] = env.get("OTHER_SERVICE_KEY", "") },
    messages = { { role = "user", content = "hi" } }, max_tokens = 2 }
  error("giving up with key " .. key)
end)
`

// TestSecretsReachNoOutput runs a scenario that puts its key into a
// request name, a URL, print and an error, against a server that echoes
// the keys it gets, and reads every output: no key may be left, and the
// mask must stand where each was.
func TestSecretsReachNoOutput(t *testing.T) {
	requireFrontend(t)
	srv := leakyServer(t)
	dir := t.TempDir()
	prefix := filepath.Join(dir, "out")
	env := map[string]string{"OPENAI_API_KEY": optionKey, "OTHER_SERVICE_KEY": headerKey}
	r := runCLI(t, context.Background(), env, "-f", writeScenario(t, leakyScenario), "--headless",
		"-u", "2", "-r", "2", "-t", "2s", "-H", srv.URL,
		"--csv", prefix, "--json-file", prefix+".json", "--html", prefix+".html", "--logfile", prefix+".log")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 for the failed requests\n%s", r.code, r.stderr)
	}
	outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	files, _ := filepath.Glob(prefix + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Base(f)] = string(b)
	}
	if len(files) < 9 {
		t.Fatalf("only %d files written: %v", len(files), files)
	}
	// However an output escapes a key, its last characters stay as they are.
	raw := []string{optionKey, url.QueryEscape(optionKey), headerKey, optionKey[len(optionKey)-6:], headerKey[len(headerKey)-6:]}
	for name, text := range outputs {
		for _, k := range raw {
			if i := strings.Index(text, k); i >= 0 {
				t.Errorf("%s holds the key %q: …%s…", name, k, text[max(0, i-80):min(len(text), i+len(k)+20)])
			}
		}
	}
	masked := map[string][]string{
		"stdout":             {"lookup ******", "/query?key=******"},
		"stderr":             {"the server said: unauthorized: ******"},
		"out.log":            {"the server said: unauthorized: ******"},
		"out_stats.csv":      {"lookup ******", "/query?key=******"},
		"out_failures.csv":   {"Incorrect API key provided: ******", "backend failed for key ******"},
		"out_exceptions.csv": {"giving up with key ******"},
		"out.json":           {"lookup ******", "Incorrect API key provided: ******", "giving up with key ******"},
		"out.html":           {"lookup ******", "backend failed for key ******"},
	}
	for name, wants := range masked {
		for _, want := range wants {
			if !strings.Contains(outputs[name], want) {
				t.Errorf("%s lacks %q where the key was", name, want)
			}
		}
	}
}
