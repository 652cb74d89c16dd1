package mock

import (
	"flag"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestNewValidates checks that each bad setting is refused with an error
// naming the flag to fix.
func TestNewValidates(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string // in the error; empty for a valid config
	}{
		{"defaults", func(*Config) {}, ""},
		{"zero value fills defaults", func(c *Config) { *c = Config{} }, ""},
		{"negative ttft", func(c *Config) { c.TTFT = -time.Millisecond }, "ttft"},
		{"negative itl", func(c *Config) { c.ITL = -1 }, "itl"},
		{"negative prefill", func(c *Config) { c.PrefillPerToken = -1 }, "prefill-per-token"},
		{"negative retry-after", func(c *Config) { c.RetryAfter = -time.Second }, "retry-after"},
		{"error rate above one", func(c *Config) { c.ErrorRate = 1.5 }, "error-rate"},
		{"negative drop rate", func(c *Config) { c.DropRate = -0.1 }, "drop-rate"},
		{"NaN rate", func(c *Config) { c.RateLimitRate = math.NaN() }, "rate-limit-rate"},
		{"rates above one together", func(c *Config) { c.ErrorRate, c.DropRate = 0.6, 0.6 }, "must not exceed 1"},
		{"negative jitter", func(c *Config) { c.Jitter = -0.1 }, "jitter"},
		{"negative load factor", func(c *Config) { c.ITLLoadFactor = -1 }, "itl-load-factor"},
		{"negative max concurrent", func(c *Config) { c.MaxConcurrent = -1 }, "max-concurrent"},
		{"negative default max tokens", func(c *Config) { c.DefaultMaxTokens = -5 }, "default-max-tokens"},
		{"zero tokens per chunk", func(c *Config) { c.TokensPerChunk = []int{1, 0} }, "tokens-per-chunk"},
		{"negative record capacity", func(c *Config) { c.RecordCapacity = -1 }, "record-capacity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.change(&cfg)
			s, err := New(cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.want == "":
				if s.cfg.Model != DefaultModel || s.cfg.DefaultMaxTokens != DefaultMaxTokens || len(s.ring) != DefaultRecordCapacity {
					t.Errorf("defaults not filled: %+v", s.cfg)
				}
			case err == nil:
				t.Fatalf("New accepted a config with a bad %s", tc.want)
			case !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// TestRegisterFlags checks that every flag sets its field.
func TestRegisterFlags(t *testing.T) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("mock", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
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
	want := Config{
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
	if def := fs.Lookup("ttft").DefValue; def != DefaultTTFT.String() {
		t.Errorf("ttft default shows %q, want %q", def, DefaultTTFT)
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
		c := DefaultConfig()
		c.RegisterFlags(fs)
		if err := fs.Parse([]string{"--tokens-per-chunk", bad}); err == nil {
			t.Errorf("--tokens-per-chunk %s was accepted", bad)
		}
	}
}
