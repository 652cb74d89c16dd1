package mock

import (
	"errors"
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

// ParseTokenList reads tokens per chunk written as a comma-separated
// list, such as "1,3"; every entry must be at least 1.
func ParseTokenList(s string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("parsing %q: %w", part, err)
		}
		if n < 1 {
			return nil, fmt.Errorf("tokens per chunk must be at least 1, got %d", n)
		}
		out = append(out, n)
	}
	return out, nil
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
