package output

import (
	"encoding/json"
	"fmt"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"io"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// SummarySchema names the version of the JSON summary's layout. It changes
// whenever a key changes meaning or disappears.
const SummarySchema = "llmlocust.summary/v1"

// RunInfo describes the run that a summary reports on.
type RunInfo struct {
	Start, End time.Time
	Host       string
	Scenario   string
	UserCount  int
	// Backlog is the largest backlog of the metrics daemon during the run.
	Backlog metrics.Backlog
	// Open says whether the run sent on open-loop schedules, and Unsent
	// how many of their arrivals fell due and never went out.
	Open   bool
	Unsent int64
	// Percentiles are those of the LLM timings; nil for DefaultPercentiles.
	Percentiles Percentiles
	// Sweep is the steps of a test that swept; nil without.
	Sweep *Sweep
}

// Summary is the JSON summary of a run (--json, --json-file). Every key is
// always present, so that consumers never need to test for one: a count
// or rate that was not measured is zero, a timing without samples null.
type Summary struct {
	Schema     string             `json:"schema"`
	StartTime  string             `json:"start_time"` // UTC, ISO 8601
	EndTime    string             `json:"end_time"`   // UTC, ISO 8601
	DurationS  float64            `json:"duration_s"`
	Host       string             `json:"host"`
	Scenario   string             `json:"scenario"`
	UserCount  int                `json:"user_count"`
	Cancelled  int64              `json:"cancelled"`
	Backlog    SummaryBacklog     `json:"metrics_backlog"`
	Schedule   *SummarySchedule   `json:"schedule"`
	Warmup     *SummaryWarmup     `json:"warmup"`
	SLOs       []string           `json:"slos"`    // as --slo gave them, normalised
	Goodput    *Goodput           `json:"goodput"` // the totals' goodput; nil without SLOs
	Totals     Stats              `json:"totals"`
	Endpoints  []Stats            `json:"endpoints"`
	Errors     []SummaryError     `json:"errors"`
	Exceptions []SummaryException `json:"exceptions"`
	Checks     []CheckResult      `json:"checks"` // the --check gates, once evaluated
	Sweep      *Sweep             `json:"sweep"`
	// Workers is a master's workers, left out of one process's summary.
	Workers []SummaryWorker `json:"workers,omitempty"`
}

// SummaryWorker is one worker of a master's run: what its reports
// brought, and whether it was lost before the end, when and why.
type SummaryWorker struct {
	ID       string `json:"id"`
	Requests int64  `json:"requests"`
	Failures int64  `json:"failures"`
	Lost     bool   `json:"lost"`
	LostAt   string `json:"lost_at,omitempty"` // UTC, ISO 8601
	Why      string `json:"lost_because,omitempty"`
}

// Stats is the summary of one endpoint (Name and Method set) or of the
// whole run (both nil, and left out of the JSON).
type Stats struct {
	Name   *string `json:"name,omitempty"`
	Method *string `json:"method,omitempty"`

	Requests  int64   `json:"requests"`
	Failures  int64   `json:"failures"`
	RPS       float64 `json:"rps"`
	FailRatio float64 `json:"fail_ratio"`

	OutputTokens     int64            `json:"output_tokens"`
	InputTokens      int64            `json:"input_tokens"`
	ReasoningTokens  int64            `json:"reasoning_tokens"`
	OutputTokensPerS float64          `json:"output_tokens_per_s"`
	TokenCountSource TokenCountSource `json:"token_count_source"`
	TokenMismatches  int64            `json:"token_mismatches"`

	// A timing without samples is nil, null in the JSON.
	TTFT *Latency `json:"ttft_ms"`
	ITL  *Latency `json:"itl_ms"`
	TPOT *Latency `json:"tpot_ms"`
	E2E  *Latency `json:"e2e_ms"`
	TTFO *Latency `json:"ttfo_ms"`
	TTFB *Latency `json:"ttfb_ms"`

	// Goodput is nil without SLOs, and for an endpoint without LLM
	// requests.
	Goodput *Goodput `json:"goodput"`
}

// SummaryBacklog is the largest backlog of the metrics daemon: the most
// items queued, the most bytes of chunks they held, the longest wait of
// the oldest, how many chunks were refused at the queue's bound (each
// failed its request), and whether the client was saturated at some
// point, so that its timings may be late.
type SummaryBacklog struct {
	MaxQueued       int     `json:"max_queued"`
	MaxBytes        int64   `json:"max_bytes"`
	MaxOldestMS     float64 `json:"max_oldest_ms"`
	LimitHits       int64   `json:"limit_hits"`
	ClientSaturated bool    `json:"client_saturated"`
}

// TokenCountSource counts the requests whose output tokens came from each
// source: the server's usage report, the client's tokenizer, or the number
// of token chunks.
type TokenCountSource struct {
	Usage     int64 `json:"usage"`
	Tokenizer int64 `json:"tokenizer"`
	Chunks    int64 `json:"chunks"`
}

// SummarySchedule is how an open-loop run kept its schedules, null for a
// closed-loop run: how many scheduled requests were counted, how many fell
// due and never went out before the end, and how late they went out
// (send time minus due time).
type SummarySchedule struct {
	Scheduled int64    `json:"scheduled"`
	Unsent    int64    `json:"unsent"`
	LagMS     *Latency `json:"lag_ms"`
}

// SummaryWarmup is what a warm-up left out of every other figure, null
// without one: the requests that started in its first UntilS seconds.
type SummaryWarmup struct {
	UntilS   float64 `json:"until_s"`
	Excluded int64   `json:"excluded_requests"`
}

func summarySchedule(info RunInfo, s stats.Schedule) *SummarySchedule {
	if !info.Open {
		return nil
	}
	out := &SummarySchedule{Unsent: info.Unsent, LagMS: LatencyOf(s.Lag, info.Percentiles)}
	if s.Lag != nil {
		out.Scheduled = s.Lag.Count()
	}
	return out
}

func summaryWarmup(info RunInfo, w stats.Warmup) *SummaryWarmup {
	if w.Until.IsZero() {
		return nil
	}
	return &SummaryWarmup{UntilS: w.Until.Sub(info.Start).Seconds(), Excluded: w.Excluded}
}

// SummaryError is one group of failed requests.
type SummaryError struct {
	Method      string `json:"method"`
	Name        string `json:"name"`
	Error       string `json:"error"`
	Occurrences int64  `json:"occurrences"`
}

// SummaryException is one group of errors raised by tasks' scripts.
type SummaryException struct {
	Count     int64  `json:"count"`
	Msg       string `json:"msg"`
	Traceback string `json:"traceback"`
}

// NewSummary builds the summary of a run from its final snapshot.
func NewSummary(info RunInfo, snap *stats.Snapshot) *Summary {
	s := &Summary{
		Schema:     SummarySchema,
		StartTime:  isoUTC(info.Start),
		EndTime:    isoUTC(info.End),
		DurationS:  info.End.Sub(info.Start).Seconds(),
		Host:       info.Host,
		Scenario:   info.Scenario,
		UserCount:  info.UserCount,
		Cancelled:  snap.Cancelled,
		Backlog:    summaryBacklog(info.Backlog),
		Schedule:   summarySchedule(info, snap.Schedule),
		Warmup:     summaryWarmup(info, snap.Warmup),
		Totals:     requestStats(snap.Total),
		Endpoints:  make([]Stats, 0, len(snap.Entries)),
		Errors:     make([]SummaryError, 0, len(snap.Errors)),
		Exceptions: make([]SummaryException, 0, len(snap.Exceptions)),
		Checks:     []CheckResult{},
		Sweep:      info.Sweep,
	}
	if snap.LLMTotal != nil {
		addLLM(&s.Totals, snap.LLMTotal, info.End, info.Percentiles)
	}
	llm := llmByKey(snap)
	for _, e := range snap.Entries {
		st := requestStats(e)
		st.Name, st.Method = &e.Name, &e.Method
		if l := llm[[2]string{e.Name, e.Method}]; l != nil {
			addLLM(&st, l, info.End, info.Percentiles)
		}
		s.Endpoints = append(s.Endpoints, st)
	}
	for _, e := range snap.Errors {
		s.Errors = append(s.Errors, SummaryError{Method: e.Method, Name: e.Name, Error: e.Error, Occurrences: e.Occurrences})
	}
	for _, x := range snap.Exceptions {
		s.Exceptions = append(s.Exceptions, SummaryException{Count: x.Count, Msg: x.Msg, Traceback: x.Traceback})
	}
	addGoodput(s, snap, info.End)
	return s
}

func summaryBacklog(b metrics.Backlog) SummaryBacklog {
	return SummaryBacklog{MaxQueued: b.Queued, MaxBytes: b.Bytes, MaxOldestMS: MS(b.Oldest), LimitHits: b.Refused, ClientSaturated: b.Saturated()}
}

func requestStats(e *stats.Entry) Stats {
	return Stats{
		Requests:  e.NumRequests,
		Failures:  e.NumFailures,
		RPS:       e.TotalRPS(),
		FailRatio: e.FailRatio(),
	}
}

// Encode writes the summary as indented JSON and a final newline.
func (s *Summary) Encode(w io.Writer) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding summary: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing summary: %w", err)
	}
	return nil
}

// WriteSummary writes the JSON summary of a run to w.
func WriteSummary(w io.Writer, info RunInfo, snap *stats.Snapshot) error {
	return NewSummary(info, snap).Encode(w)
}

// isoUTC formats t as ISO 8601 in UTC with milliseconds.
func isoUTC(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
