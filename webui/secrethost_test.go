package webui

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/run"
)

// keyRecorder is a server that keeps the Authorization header of every
// chat request it gets.
type keyRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newKeyRecorder(t *testing.T) *keyRecorder {
	t.Helper()
	k := &keyRecorder{}
	k.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v1/chat/completions" {
			k.mu.Lock()
			k.auth = append(k.auth, r.Header.Get("Authorization"))
			k.mu.Unlock()
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(k.Close)
	return k
}

func (k *keyRecorder) seen() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.auth)
}

// swarmAt starts a test from the form aimed at host and waits until the
// recorder has had a few chat requests; it returns the form's answer.
func swarmAt(t *testing.T, f *fixture, rec *keyRecorder, host, key string) map[string]any {
	t.Helper()
	res := f.startTest(t, url.Values{"user_count": {"1"}, "spawn_rate": {"10"}, "host": {host}, "api_key": {key}})
	waitFor(t, "chat requests at "+host, 20*time.Second, func() bool { return len(rec.seen()) >= 3 })
	f.stopTest(t)
	return res
}

const withheldNote = "not sent to a host typed in the form"

// TestSecretsGoOnlyToTheOperatorsHosts aims the form at a server the
// operator did not name: the operator's key must not reach it, a key
// typed in the form must, and the operator's own host gets the key.
func TestSecretsGoOnlyToTheOperatorsHosts(t *testing.T) {
	t.Run("a host typed in the form gets no secret", func(t *testing.T) {
		f := setup(t, nil)
		rec := newKeyRecorder(t)
		res := swarmAt(t, f, rec, rec.URL, "")
		for _, a := range rec.seen() {
			if strings.Contains(a, testSecret) {
				t.Fatalf("the operator's key went to a host typed in the form: %q", a)
			}
		}
		if msg, _ := res["message"].(string); !strings.HasPrefix(msg, "Swarming started") || !strings.Contains(msg, withheldNote) {
			t.Errorf("the answer does not say the key was kept back: %q", msg)
		}
		if !slices.ContainsFunc(f.logs.get(), func(l string) bool { return strings.Contains(l, withheldNote) }) {
			t.Errorf("no log line says the key was kept back: %q", f.logs.get())
		}
	})
	t.Run("a key typed in the form goes with it", func(t *testing.T) {
		f := setup(t, nil)
		rec := newKeyRecorder(t)
		const typed = "sk-typed-by-the-web-user"
		res := swarmAt(t, f, rec, rec.URL, typed)
		if got := rec.seen(); !slices.Contains(got, "Bearer "+typed) || slices.Contains(got, "Bearer "+testSecret) {
			t.Errorf("Authorization headers %q, want the typed key's", got)
		}
		if msg, _ := res["message"].(string); strings.Contains(msg, withheldNote) {
			t.Errorf("nothing was kept back, yet the answer says so: %q", msg)
		}
	})
	t.Run("the operator's host gets the operator's key", func(t *testing.T) {
		rec := newKeyRecorder(t)
		f := setupHost(t, rec.URL, nil, nil)
		// The form comes filled with the operator's host; a trailing slash
		// does not make it another.
		res := swarmAt(t, f, rec, rec.URL+"/", "")
		if got := rec.seen(); !slices.Contains(got, "Bearer "+testSecret) {
			t.Errorf("Authorization headers %q, want the operator's key", got)
		}
		if msg, _ := res["message"].(string); strings.Contains(msg, withheldNote) {
			t.Errorf("nothing was kept back, yet the answer says so: %q", msg)
		}
	})
}

// A history file streamed as a download is masked too: its rows may have
// been written before the run knew a key.
func TestStreamedDownloadsAreMasked(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "run")
	f := setupSession(t, func(c *run.Config) { c.CSVPrefix, c.CSVFullHistory = prefix, true },
		func(c *Config) { c.CSVPrefix, c.FullHistory = prefix, true })
	file, err := os.OpenFile(prefix+"_stats_history.csv", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = file.WriteString("1772366400,1,GET,lookup " + testSecret + ",0.0,0.0\n")
	if err := errors.Join(err, file.Close()); err != nil {
		t.Fatal(err)
	}
	res := f.get(t, "/stats/requests_full_history/csv")
	if body := string(res.body); res.status != 200 || strings.Contains(body, testSecret) || !strings.Contains(body, "lookup ******") {
		t.Errorf("status %d, body:\n%s", res.status, body)
	}
}
