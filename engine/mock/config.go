package mock

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Defaults of a Config, as DefaultConfig returns them.
const (
	DefaultModel          = "mock-model"
	DefaultTTFT           = 200 * time.Millisecond
	DefaultITL            = 20 * time.Millisecond
	DefaultMaxTokens      = 128
	DefaultRetryAfter     = time.Second
	DefaultRecordCapacity = 10000
)

// Limits that keep one request from filling memory.
const (
	maxOutputTokens     = 1 << 20
	maxRequestBodyBytes = 32 << 20
)

// Config shapes the simulated server: its timing, its capacity and the
// faults it injects. Zero durations and rates are meaningful (no wait, no
// faults); New fills only the fields whose zero value would make no sense:
// Model, DefaultMaxTokens, TokensPerChunk, RecordCapacity and PromptTokens.
type Config struct {
	// Model is the served model name, listed by /v1/models and used in
	// responses to requests that name no model.
	Model string

	// TTFT is the base time from the start of service to the first token.
	TTFT time.Duration
	// ITL is the gap between successive content chunks. Each chunk stands
	// for one engine step; with TokensPerChunk above 1 a step carries
	// several tokens, as with speculative decoding or a stream interval.
	ITL time.Duration
	// PrefillPerToken adds to TTFT for every prompt token.
	PrefillPerToken time.Duration

	// MaxConcurrent bounds the sequences served at once; the rest wait in
	// a FIFO queue. Zero means no bound.
	MaxConcurrent int
	// ITLLoadFactor stretches each gap with load:
	// ITL × (1 + factor × (active−1) / max(MaxConcurrent, 1)).
	ITLLoadFactor float64
	// Jitter is the relative standard deviation of TTFT and of each gap
	// (0.1 = 10%); a jittered value below zero becomes zero.
	Jitter float64
	// Seed seeds jitter, faults, output words and request IDs, so the
	// same seed and the same order of requests give the same draws.
	Seed int64

	// DefaultMaxTokens is the output length of a request that names
	// neither max_tokens nor max_completion_tokens.
	DefaultMaxTokens int
	// TokensPerChunk lists the tokens carried by successive content
	// chunks, cycled; the last chunk carries what remains.
	TokensPerChunk []int
	// HeadersWithFirstToken holds the response headers of a stream back
	// until the first token chunk, as some servers do; otherwise they are
	// flushed as soon as the request is read.
	HeadersWithFirstToken bool

	// ErrorRate, RateLimitRate and DropRate are the shares of requests
	// answered 500, answered 429, or cut mid-stream. Their sum must not
	// exceed 1, since one draw decides among them.
	ErrorRate     float64
	RateLimitRate float64
	DropRate      float64
	// RetryAfter is the wait a 429 answer asks for.
	RetryAfter time.Duration

	// RecordCapacity is how many finished requests Sent keeps.
	RecordCapacity int
	// PromptTokens counts the tokens of a prompt for usage and prefill.
	// The default, CountWords, counts whitespace-separated words.
	PromptTokens func(string) int
}

// DefaultConfig returns the configuration `llmlocust mock` starts from.
func DefaultConfig() Config {
	return Config{
		Model:            DefaultModel,
		TTFT:             DefaultTTFT,
		ITL:              DefaultITL,
		DefaultMaxTokens: DefaultMaxTokens,
		TokensPerChunk:   []int{1},
		RetryAfter:       DefaultRetryAfter,
		RecordCapacity:   DefaultRecordCapacity,
		PromptTokens:     CountWords,
	}
}

// CountWords is the default prompt token count: the number of
// whitespace-separated words. It is a rough stand-in for a tokenizer,
// good enough for a simulated server whose own output words are single
// tokens.
func CountWords(s string) int { return len(strings.Fields(s)) }

// RegisterFlags defines the flags of `llmlocust mock` on fs, bound to the
// fields of c; the current values of c are the flags' defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Model, "model", c.Model, "model name the server reports and lists in /v1/models")
	fs.DurationVar(&c.TTFT, "ttft", c.TTFT, "base time to first token, from the start of service")
	fs.DurationVar(&c.ITL, "itl", c.ITL, "gap between successive content chunks")
	fs.DurationVar(&c.PrefillPerToken, "prefill-per-token", c.PrefillPerToken, "time added to TTFT for each prompt token")
	fs.IntVar(&c.MaxConcurrent, "max-concurrent", c.MaxConcurrent, "requests served at once, the rest wait in a FIFO queue (0 = no limit)")
	fs.Float64Var(&c.ITLLoadFactor, "itl-load-factor", c.ITLLoadFactor,
		"stretch of each gap with load: ITL × (1 + factor × (active−1) / max(max-concurrent, 1))")
	fs.Float64Var(&c.Jitter, "jitter", c.Jitter, "relative standard deviation of TTFT and of each gap (0.1 = 10%)")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "seed of jitter, faults and output words; the same seed gives the same draws")
	fs.IntVar(&c.DefaultMaxTokens, "default-max-tokens", c.DefaultMaxTokens, "output tokens when a request names no max_tokens")
	fs.Var((*tokenList)(&c.TokensPerChunk), "tokens-per-chunk", "tokens in successive content chunks, cycled (for example 1,3)")
	fs.BoolVar(&c.HeadersWithFirstToken, "headers-with-first-token", c.HeadersWithFirstToken,
		"hold stream headers back until the first token instead of sending them at once")
	fs.Float64Var(&c.ErrorRate, "error-rate", c.ErrorRate, "share of requests answered 500 (0 to 1)")
	fs.Float64Var(&c.RateLimitRate, "rate-limit-rate", c.RateLimitRate, "share of requests answered 429 with Retry-After (0 to 1)")
	fs.Float64Var(&c.DropRate, "drop-rate", c.DropRate, "share of requests whose connection is cut mid-stream (0 to 1)")
	fs.DurationVar(&c.RetryAfter, "retry-after", c.RetryAfter, "wait that 429 answers ask for")
	fs.IntVar(&c.RecordCapacity, "record-capacity", c.RecordCapacity, "how many finished requests' send records are kept in memory")
}

// tokenList is a flag.Value for a comma-separated list of positive ints.
type tokenList []int

func (l *tokenList) String() string {
	if l == nil {
		return ""
	}
	parts := make([]string, len(*l))
	for i, n := range *l {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func (l *tokenList) Set(s string) error {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return fmt.Errorf("parsing %q: %w", part, err)
		}
		if n < 1 {
			return fmt.Errorf("tokens per chunk must be at least 1, got %d", n)
		}
		out = append(out, n)
	}
	*l = out
	return nil
}

// withDefaults fills the fields whose zero value has no useful meaning.
func (c Config) withDefaults() Config {
	if c.Model == "" {
		c.Model = DefaultModel
	}
	if c.DefaultMaxTokens == 0 {
		c.DefaultMaxTokens = DefaultMaxTokens
	}
	if len(c.TokensPerChunk) == 0 {
		c.TokensPerChunk = []int{1}
	}
	if c.RecordCapacity == 0 {
		c.RecordCapacity = DefaultRecordCapacity
	}
	if c.PromptTokens == nil {
		c.PromptTokens = CountWords
	}
	c.TokensPerChunk = append([]int(nil), c.TokensPerChunk...)
	return c
}

// validate reports every problem of c at once, so a user fixes a bad
// command line in one go.
func (c Config) validate() error {
	var errs []error
	durations := []struct {
		name string
		d    time.Duration
	}{{"ttft", c.TTFT}, {"itl", c.ITL}, {"prefill-per-token", c.PrefillPerToken}, {"retry-after", c.RetryAfter}}
	for _, d := range durations {
		if d.d < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative, got %v", d.name, d.d))
		}
	}
	rates := []struct {
		name string
		r    float64
	}{{"error-rate", c.ErrorRate}, {"rate-limit-rate", c.RateLimitRate}, {"drop-rate", c.DropRate}}
	for _, r := range rates {
		if !(r.r >= 0 && r.r <= 1) {
			errs = append(errs, fmt.Errorf("%s must be between 0 and 1, got %v", r.name, r.r))
		}
	}
	if sum := c.ErrorRate + c.RateLimitRate + c.DropRate; sum > 1 {
		errs = append(errs, fmt.Errorf("error-rate + rate-limit-rate + drop-rate must not exceed 1, got %v", sum))
	}
	if !(c.Jitter >= 0) {
		errs = append(errs, fmt.Errorf("jitter must not be negative, got %v", c.Jitter))
	}
	if !(c.ITLLoadFactor >= 0) {
		errs = append(errs, fmt.Errorf("itl-load-factor must not be negative, got %v", c.ITLLoadFactor))
	}
	if c.MaxConcurrent < 0 {
		errs = append(errs, fmt.Errorf("max-concurrent must not be negative, got %d", c.MaxConcurrent))
	}
	if c.DefaultMaxTokens < 1 || c.DefaultMaxTokens > maxOutputTokens {
		errs = append(errs, fmt.Errorf("default-max-tokens must be between 1 and %d, got %d", maxOutputTokens, c.DefaultMaxTokens))
	}
	if c.RecordCapacity < 1 {
		errs = append(errs, fmt.Errorf("record-capacity must be at least 1, got %d", c.RecordCapacity))
	}
	for _, n := range c.TokensPerChunk {
		if n < 1 {
			errs = append(errs, fmt.Errorf("tokens-per-chunk entries must be at least 1, got %d", n))
			break
		}
	}
	return errors.Join(errs...)
}
