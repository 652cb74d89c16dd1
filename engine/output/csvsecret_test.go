package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/secret"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// A key learnt after the stats took a Record holding it is still masked in
// every file written from then on; rows that held it get the mask.
func TestCSVFilesMaskSecrets(t *testing.T) {
	const key = "sk-csv-LEAK-2c9d"
	s := stats.New(goldenStart)
	logN(s, 3, "lookup "+key, "HTTP 401: bad key "+key, goldenStart.Add(100*time.Millisecond))
	s.LogException("giving up with "+key, "traceback "+key, "local")
	prefix := filepath.Join(t.TempDir(), "run")
	w, err := NewCSVWriter(prefix, true)
	if err != nil {
		t.Fatal(err)
	}
	sec := secret.New()
	w.MaskSecrets(sec)
	sec.Add(key)
	if err := w.Write(s.Snapshot(goldenStart.Add(time.Second)), 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(s.Snapshot(goldenStart.Add(2*time.Second)), 1); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"_stats.csv": "lookup ******", "_stats_history.csv": "lookup ******",
		"_failures.csv": "bad key ******", "_exceptions.csv": "giving up with ******",
	}
	for suffix, masked := range want {
		b, err := os.ReadFile(prefix + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), key) || !strings.Contains(string(b), masked) {
			t.Errorf("%s: want %q and no key:\n%s", suffix, masked, b)
		}
	}
}
