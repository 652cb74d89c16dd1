package run

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/engine/timeline"
)

// initOutputs sets up the outputs every session has, the timeline and
// the CSV files when asked for, and starts ticking them.
func (s *Session) initOutputs() error {
	outs := []output.Output{s.timeline}
	if s.cfg.CSVPrefix != "" {
		w, err := output.NewCSVFiles(s.cfg.CSVPrefix, output.CSVConfig{FullHistory: s.cfg.CSVFullHistory,
			Percentiles: s.cfg.Summary.Percentiles, Goodput: s.cfg.Summary.SLO != nil})
		if err != nil {
			return fmt.Errorf("writing CSV files: %w", err)
		}
		w.MaskSecrets(s.keys.scrub)
		outs = append(outs, w, output.NewSweepCSV(s.cfg.CSVPrefix))
	}
	s.outputs = output.NewManager(outs, s.sample, s.active, func(format string, args ...any) {
		s.cfg.Logf("ERROR", "llmlocust.main", format, args...)
	})
	s.outputs.Run()
	return nil
}

// AddOutput adds an output to those ticked once a second and closed with
// the final figures. Call it before the first test starts.
func (s *Session) AddOutput(o output.Output) { s.outputs.Add(o) }

// Timeline is the charts' history of the current (or last) test.
func (s *Session) Timeline() *timeline.Timeline { return s.timeline }

// active says whether a test is under way, for the outputs' ticks.
func (s *Session) active() bool {
	switch s.State() {
	case runner.StateSpawning, runner.StateRunning, runner.StateStopping:
		return true
	}
	return false
}

// sample is the session as the outputs see it now.
func (s *Session) sample() output.Sample {
	now := time.Now()
	start, end := s.Times()
	if end.IsZero() {
		end = now
	}
	st := s.State()
	return output.Sample{
		Time: now, Stats: s.Snapshot(), Users: s.UserCount(), TargetUsers: s.TargetUserCount(),
		Classes: s.UserClassesCount(), State: string(st), Stopped: st == runner.StateStopped,
		TestStart: start, Elapsed: end.Sub(start), Backlog: s.Backlog(), Sweep: s.sweepSummary(now),
	}
}

// finalSample is the sample the outputs close with, once every Record is
// in.
func (s *Session) finalSample() output.Sample {
	f := s.sample()
	if t, ok := s.Test(); ok {
		f.TargetUsers = t.Users // the test's own count, not the ramp-down's
	}
	f.Host, f.Peak, f.CountsCut = s.shownHost(), s.Peak(), s.CountsCut()
	if r := s.current(); r != nil {
		a := r.Arrivals()
		f.Open, f.Unsent = a.Open, a.Unsent
	}
	return f
}

// shownHost is the host the test aimed at or, without one, its classes'
// hosts.
func (s *Session) shownHost() string {
	if h := s.Host(); h != "" {
		return h
	}
	var list []string
	for _, h := range s.cfg.Plan.Hosts() {
		if !slices.Contains(list, h) {
			list = append(list, h)
		}
	}
	return strings.Join(list, ", ")
}

// tee hands each Record and chunk to the stats, each finished Record to
// the timeline and to whoever asked for every Record.
type tee struct {
	stats    *stats.RequestStats
	timeline *timeline.Timeline
	onRecord func(r *record.Record)
	sweep    *atomic.Pointer[sweepRun]
}

func (t tee) Log(r *record.Record) {
	t.stats.Log(r)
	t.timeline.Log(r)
	if sw := t.sweep.Load(); sw != nil {
		sw.log(r)
	}
	if t.onRecord != nil {
		t.onRecord(r)
	}
}

func (t tee) Streaming(name, method string, at time.Time, n int) {
	t.stats.Streaming(name, method, at, n)
}
