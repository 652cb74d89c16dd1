package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A prompt that takes the client's tokenizer far longer than the run time
// to count does not stretch the run: -t is the test's duration, the rates
// divide by it, and the files are written soon after, saying which counts
// were cut short.
func TestHugePromptDoesNotStretchTheRun(t *testing.T) {
	// 150,000 letters without a space are one piece for the BPE, which
	// takes it tens of seconds to merge.
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range 150_000 {
		b.WriteByte(byte('a' + rng.IntN(26)))
	}
	row, _ := json.Marshal(map[string]string{"prompt": b.String()})
	data := filepath.Join(t.TempDir(), "huge.jsonl")
	if err := os.WriteFile(data, append(row, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	// A simulator of its own, counting prompt words: it answers at once, so
	// the client's own count is what takes the time.
	_, url := startMock(t)

	js := filepath.Join(t.TempDir(), "s.json")
	began := time.Now()
	r := runCLI(t, context.Background(), nil, "-f", "../../scenarios/openai_chat.lua", "--headless", "-u", "1", "-t", "3s",
		"-H", url, "--dataset", data, "--include-usage=false", "--max-tokens", "8", "--only-summary", "--json-file", js)
	took := time.Since(began)
	var s struct {
		Duration float64 `json:"duration_s"`
	}
	raw, err := os.ReadFile(js)
	if err != nil {
		t.Fatalf("no summary (exit %d): %v\n%s", r.code, err, r.stderr)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	if r.code != 0 || s.Duration < 2.9 || s.Duration > 4 {
		t.Errorf("exit %d, duration_s %.2f, want 0 and the 3 s of -t\n%s", r.code, s.Duration, r.stderr)
	}
	if took > 15*time.Second {
		t.Errorf("the run took %s for -t 3s", took.Round(time.Millisecond))
	}
	if !strings.Contains(r.stderr, "token counts") {
		t.Errorf("the run does not say that counts were cut short:\n%s", r.stderr)
	}
}
