package output

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/secret"
)

// LiveLines prints the live line (LiveLine) every other tick, as Locust
// prints its status every two seconds, and a last one with the final
// figures when the run closes.
type LiveLines struct {
	w       io.Writer
	ticking bool
	ticks   int
}

// NewLiveLines prints live lines on w; without ticking, only the last.
func NewLiveLines(w io.Writer, ticking bool) *LiveLines { return &LiveLines{w: w, ticking: ticking} }

// Start implements Output.
func (l *LiveLines) Start(Sample) error { return nil }

// Tick implements Output.
func (l *LiveLines) Tick(s Sample) error {
	// A stopped test's line is the last, printed at the close.
	if l.ticks++; l.ticking && !s.Stopped && l.ticks%2 == 0 {
		fmt.Fprintln(l.w, LiveLine(s.Stats, liveOf(s)))
	}
	return nil
}

// Close implements Output: the last line agrees with the final tables
// (cancellations happen at the stop).
func (l *LiveLines) Close(s Sample) error {
	fmt.Fprintln(l.w, LiveLine(s.Stats, liveOf(s)))
	return nil
}

func liveOf(s Sample) Live {
	return Live{Users: s.Users, TargetUsers: s.TargetUsers, State: s.State, Elapsed: s.Elapsed,
		Backlog: s.Backlog, Stopped: s.Stopped}
}

// InfoOf is what the summary of a run closed with final says of it.
func InfoOf(final Sample, scenario string) RunInfo {
	return RunInfo{Start: final.TestStart, End: final.TestStart.Add(final.Elapsed), Host: final.Host,
		Scenario: scenario, UserCount: final.TargetUsers, Backlog: final.Peak, Open: final.Open, Unsent: final.Unsent, Sweep: final.Sweep}
}

// SummaryOutput writes the JSON summary (--json, --json-file) when the
// run closes.
type SummaryOutput struct {
	build func(final Sample) *Summary
	write func(func(io.Writer) error) error
}

// NewSummaryOutput writes the summary that build makes of the run's final
// sample to w.
func NewSummaryOutput(w io.Writer, build func(final Sample) *Summary) *SummaryOutput {
	return &SummaryOutput{build: build, write: func(f func(io.Writer) error) error { return f(w) }}
}

// NewSummaryFile writes the summary to the file at path, through secrets.
func NewSummaryFile(path string, build func(final Sample) *Summary, secrets *secret.Scrubber) *SummaryOutput {
	return &SummaryOutput{build: build, write: func(f func(io.Writer) error) error { return WriteFile(path, secrets, f) }}
}

// Start implements Output.
func (o *SummaryOutput) Start(Sample) error { return nil }

// Tick implements Output.
func (o *SummaryOutput) Tick(Sample) error { return nil }

// Close implements Output.
func (o *SummaryOutput) Close(s Sample) error {
	err := o.write(o.build(s).Encode)
	if err != nil {
		return fmt.Errorf("writing the JSON summary: %w", err)
	}
	return nil
}

// WriteFile writes a file through secrets, so that it holds no key.
func WriteFile(path string, secrets *secret.Scrubber, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := secrets.Writer(f)
	if err := errors.Join(write(w), w.Flush()); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// RequestLog writes one JSON line per request (--requests-jsonl): the
// Record's JSON form (timings, chunk arrivals, token counts by source,
// error), through the run's secrets. Records are queued as they come and
// written at each tick, so that the metrics daemon never waits for the
// disk.
type RequestLog struct {
	f   *os.File
	w   *bufio.Writer
	out *secret.Writer

	mu      sync.Mutex
	pending []record.Record
}

// NewRequestLog creates the file at path.
func NewRequestLog(path string, secrets *secret.Scrubber) (*RequestLog, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("writing the request log: %w", err)
	}
	out := secrets.Writer(f)
	return &RequestLog{f: f, out: out, w: bufio.NewWriterSize(out, 64<<10)}, nil
}

// Log queues r; it runs on the metrics daemon's goroutine and only copies.
func (l *RequestLog) Log(r *record.Record) {
	l.mu.Lock()
	l.pending = append(l.pending, *r)
	l.mu.Unlock()
}

// Start implements Output.
func (l *RequestLog) Start(Sample) error { return nil }

// Tick implements Output: it writes the Records queued since the last.
func (l *RequestLog) Tick(Sample) error {
	if err := l.flush(); err != nil {
		return fmt.Errorf("writing the request log: %w", err)
	}
	return nil
}

// Close implements Output: the rest, then the file is closed.
func (l *RequestLog) Close(Sample) error {
	err := errors.Join(l.flush(), l.out.Flush(), l.f.Close())
	if err != nil {
		return fmt.Errorf("writing the request log: %w", err)
	}
	return nil
}

func (l *RequestLog) flush() error {
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()
	enc := json.NewEncoder(l.w)
	enc.SetEscapeHTML(false)
	for i := range batch {
		if err := enc.Encode(&batch[i]); err != nil {
			return err
		}
	}
	return l.w.Flush()
}
