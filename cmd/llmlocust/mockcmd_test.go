package main

import (
	"flag"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/mock"
)

// TestMockFlags checks that every flag of `llmlocust mock` sets its field.
func TestMockFlags(t *testing.T) {
	cfg := mock.DefaultConfig()
	fs := flag.NewFlagSet("mock", flag.ContinueOnError)
	mockFlags(fs, &cfg)
	args := []string{
		"--model", "m", "--ttft", "150ms", "--itl", "5ms", "--prefill-per-token", "1ms",
		"--max-concurrent", "8", "--itl-load-factor", "0.5", "--jitter", "0.1", "--seed", "9",
		"--default-max-tokens", "64", "--tokens-per-chunk", "1,3", "--headers-with-first-token",
		"--error-rate", "0.1", "--rate-limit-rate", "0.2", "--drop-rate", "0.05", "--retry-after", "2s",
		"--record-capacity", "50",
	}
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parsing flags: %v", err)
	}
	want := mock.Config{
		Model: "m", TTFT: 150 * time.Millisecond, ITL: 5 * time.Millisecond, PrefillPerToken: time.Millisecond,
		MaxConcurrent: 8, ITLLoadFactor: 0.5, Jitter: 0.1, Seed: 9, DefaultMaxTokens: 64,
		TokensPerChunk: []int{1, 3}, HeadersWithFirstToken: true, ErrorRate: 0.1, RateLimitRate: 0.2,
		DropRate: 0.05, RetryAfter: 2 * time.Second, RecordCapacity: 50,
	}
	got := cfg
	got.PromptTokens = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flags gave\n%+v\nwant\n%+v", got, want)
	}
	if def := fs.Lookup("ttft").DefValue; def != mock.DefaultTTFT.String() {
		t.Errorf("ttft default shows %q, want %q", def, mock.DefaultTTFT)
	}
	if def := fs.Lookup("tokens-per-chunk").DefValue; def != "1" {
		t.Errorf("tokens-per-chunk default shows %q, want 1", def)
	}
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Usage) < 10 {
			t.Errorf("flag %s has no real help: %q", f.Name, f.Usage)
		}
	})

	for _, bad := range []string{"0", "1,x", "-2"} {
		fs := flag.NewFlagSet("mock", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c := mock.DefaultConfig()
		mockFlags(fs, &c)
		if err := fs.Parse([]string{"--tokens-per-chunk", bad}); err == nil {
			t.Errorf("--tokens-per-chunk %s was accepted", bad)
		}
	}
}
