package mock

import (
	"math"
	"slices"
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

func TestParseTokenList(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    []int
		wantErr string
	}{
		{"one", "1", []int{1}, ""},
		{"several with spaces", "1, 3,2", []int{1, 3, 2}, ""},
		{"zero", "0", nil, "at least 1"},
		{"negative", "1,-2", nil, "at least 1"},
		{"not a number", "1,x", nil, `parsing "x"`},
		{"empty", "", nil, `parsing ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTokenList(tc.text)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseTokenList(%q) error = %v, want it to contain %q", tc.text, err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("ParseTokenList(%q) = %v, %v; want %v", tc.text, got, err, tc.want)
			}
		})
	}
}
