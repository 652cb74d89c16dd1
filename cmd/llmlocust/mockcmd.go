package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/llmlocust/llmlocust/engine/mock"
)

// runMock is `llmlocust mock`: the simulated LLM server on its own, until
// interrupted.
func runMock(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("llmlocust mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := mock.DefaultConfig()
	cfg.RegisterFlags(fs)
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
