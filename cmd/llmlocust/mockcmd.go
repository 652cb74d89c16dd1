package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/llmlocust/llmlocust/engine/mock"
)

// runMock is `llmlocust mock`: the simulated LLM server on its own, until
// interrupted.
func runMock(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("llmlocust mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := mock.DefaultConfig()
	mockFlags(fs, &cfg)
	host := fs.String("host", "127.0.0.1", "address to listen on")
	port := fs.Int("port", 8000, "port to listen on (0 picks a free one)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: llmlocust mock [flags]\n\nRuns the built-in simulated OpenAI-compatible LLM server.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	srv, err := mock.New(cfg)
	if err != nil {
		return fail(stderr, err)
	}
	url, err := srv.Listen(net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		return fail(stderr, fmt.Errorf("listening: %w", err))
	}
	fmt.Fprintf(stdout, "simulated LLM server listening on %s (model %q)\n", url, cfg.Model)
	<-ctx.Done()
	_ = srv.Close()
	return exitOK
}

// mockFlags defines the flags of `llmlocust mock` on fs, bound to the
// fields of c; the current values of c are the flags' defaults.
func mockFlags(fs *flag.FlagSet, c *mock.Config) {
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
	out, err := mock.ParseTokenList(s)
	if err != nil {
		return err
	}
	*l = out
	return nil
}
