package main

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/llmlocust/llmlocust/engine/cluster"
	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/script"
	"github.com/llmlocust/llmlocust/webui"
)

// masterMode runs the test on workers that connect to --master-bind-host
// and --master-bind-port: headless, it waits for --expect-workers, runs
// the test and writes the outputs from their merged reports.
func masterMode(ctx context.Context, plan *script.Plan, opts *options.Run, vals *options.Values, in options.Input, stdout, stderr io.Writer) int {
	if err := onMaster(opts); err != nil {
		return fail(stderr, err)
	}
	var m *cluster.Master
	dist := &distributed{
		hook: func(c *run.Config) {
			c.Remote = func(host string, classes []runner.UserClass, o runner.Options) (run.Driver, error) {
				return m.NewDriver(host, classes, o)
			}
			c.Summary.Workers = func() []output.SummaryWorker { return workerSummaries(m) }
		},
		ready: func(ctx context.Context, s *run.Session, log *logger, wait bool) error {
			var err error
			m, err = cluster.NewMaster(ctx, opts.MasterBindHost, opts.MasterBindPort, func(level, format string, args ...any) {
				log.levelf(level, "llmlocust.master", format, args...)
			})
			if err != nil {
				return err
			}
			m.OnReport(s.Extend)
			if !wait {
				log.log(LevelInfo, "llmlocust.master", "workers connect on port %d", m.Port())
				return nil
			}
			log.log(LevelInfo, "llmlocust.master", "waiting for %d workers on port %d", opts.ExpectWorkers, m.Port())
			return m.WaitFor(ctx, opts.ExpectWorkers, time.Duration(opts.ExpectWorkersMaxWait)*time.Second)
		},
		workers: func() []webui.WorkerRow {
			var rows []webui.WorkerRow
			for _, w := range m.Workers() {
				rows = append(rows, webui.WorkerRow{ID: w.ID, State: w.State, Users: w.Users, CPU: w.CPU, Memory: w.Memory})
			}
			return rows
		},
		finish: func(log *logger) {
			if m == nil {
				return
			}
			for _, l := range m.Lost() {
				log.log(LevelWarning, "llmlocust.master", "worker %s was lost at %s (%s); its %d requests (%d failed) until then are counted",
					l.ID, l.At.Format(time.TimeOnly), l.Why, l.Requests, l.Failures)
			}
			m.Quit()
		},
	}
	if !opts.Headless {
		return runWeb(ctx, plan, opts, vals, in, stdout, stderr, dist)
	}
	return runHeadless(ctx, plan, opts, vals, in, stdout, stderr, dist)
}

// workerSummaries is every worker of the run for the summary: those
// known now and those lost, with what each reported.
func workerSummaries(m *cluster.Master) []output.SummaryWorker {
	if m == nil {
		return nil
	}
	var out []output.SummaryWorker
	lost := map[string]bool{}
	for _, l := range m.Lost() {
		lost[l.ID] = true
		out = append(out, output.SummaryWorker{ID: l.ID, Requests: l.Requests, Failures: l.Failures, Lost: true,
			LostAt: l.At.UTC().Format(time.RFC3339), Why: l.Why})
	}
	for _, w := range m.Workers() {
		if !lost[w.ID] {
			out = append(out, output.SummaryWorker{ID: w.ID, Requests: w.Requests, Failures: w.Failures})
		}
	}
	return out
}

// onMaster refuses what a master does not run yet, before anything starts.
func onMaster(opts *options.Run) error {
	switch {
	case opts.Worker:
		return errors.New("--master and --worker: a process is one or the other")
	case opts.RequestRate > 0, opts.Trace != "", opts.Sweep != "":
		return errors.New("--master: request rates, traces and sweeps do not run on a master yet; run them on one process")
	}
	return nil
}
