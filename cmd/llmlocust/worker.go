package main

import (
	"context"
	"errors"
	"io"

	"github.com/llmlocust/llmlocust/engine/cluster"
	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/script"
)

// workerMode runs the scenario as a worker of the master at --master-host
// and --master-port until the master says quit or a signal comes.
func workerMode(ctx context.Context, plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, stdout, stderr io.Writer) int {
	secrets, stdout, stderr, log, done, err := openConsole(stdout, stderr, opts)
	defer done()
	if err != nil {
		return fail(stderr, err)
	}
	w := cluster.NewWorker(cluster.NodeID(), func(level, format string, args ...any) {
		log.levelf(level, "llmlocust.worker", format, args...)
	})
	s, err := newSession(plan, opts, vals, in, log, secrets, stdout, stderr, false, func(c *run.Config) {
		c.OnRecord = bothRecords(c.OnRecord, w.Log)
		c.OnSpawningComplete = w.SpawningComplete
		c.OnException = w.Exception
	})
	if err != nil {
		return fail(stderr, err)
	}
	err = w.Run(ctx, s, opts.MasterHost, opts.MasterPort)
	if _, cerr := s.Close(); cerr != nil {
		log.log(LevelError, "llmlocust.main", "%v", cerr)
	}
	if err == nil || errors.Is(err, context.Canceled) {
		return exitOK
	}
	log.log(LevelError, "llmlocust.worker", "%v", err)
	return exitLostMaster
}

// bothRecords hands each Record to a, when set, then to b.
func bothRecords(a, b func(*record.Record)) func(*record.Record) {
	if a == nil {
		return b
	}
	return func(r *record.Record) { a(r); b(r) }
}
