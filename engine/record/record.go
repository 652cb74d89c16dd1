// Package record defines Record, the account of one request from which every
// table, chart and file of a run is derived.
package record

import "time"

// Record is one request as the client saw it. A failed request is a Record
// with Error set, never a panic or a lost sample.
type Record struct {
	// Name and Method key the stats entry, as in Locust: Name is the
	// request's name= (or its path), Method the HTTP method or request type.
	Name   string
	Method string

	// Start is taken just before the request is written (wall clock with
	// Go's monotonic reading). ResponseTime runs from Start until the whole
	// response has been read, as Locust measures it.
	Start        time.Time
	ResponseTime time.Duration

	// ContentLength is the number of body bytes received.
	ContentLength int64

	// Status is the HTTP status code, 0 when no response arrived.
	Status int

	// Error is empty for a success, else the reason, worded for people;
	// failures are grouped by (Method, Name, Error).
	Error string

	// Cancelled marks a request that was cut off because its user was
	// stopped. It is not counted as a request or a failure; runs report
	// how many there were.
	Cancelled bool

	// LLM holds the streaming measurements of an LLM request; nil for a
	// plain HTTP request.
	LLM *LLM

	// Scheduled marks the request an open-loop schedule asked for, and
	// Lag is how late it went out: Start minus the time it was due.
	Scheduled bool
	Lag       time.Duration
}

// SetDue marks the request as sent for an arrival due at due; a zero due
// leaves it unscheduled.
func (r *Record) SetDue(due time.Time) {
	if due.IsZero() {
		return
	}
	r.Scheduled, r.Lag = true, r.Start.Sub(due)
}

// End is when the request finished: Start plus ResponseTime.
func (r *Record) End() time.Time { return r.Start.Add(r.ResponseTime) }

// Failed reports whether the request counts as a failure.
func (r *Record) Failed() bool { return r.Error != "" }

// TokenSource says where an output token count came from.
type TokenSource uint8

// Token sources, from most to least trusted.
const (
	SourceNone      TokenSource = iota
	SourceUsage                 // the server's usage report
	SourceTokenizer             // the client's tokenizer over the whole output text
	SourceChunks                // the number of token chunks
)

// String names the source as outputs spell it.
func (s TokenSource) String() string {
	switch s {
	case SourceUsage:
		return "usage"
	case SourceTokenizer:
		return "tokenizer"
	case SourceChunks:
		return "chunks"
	}
	return "none"
}

// LLM is the part of a Record that only streamed LLM requests have. All
// durations are measured from Record.Start.
type LLM struct {
	TTFB time.Duration // response headers arrived
	TTFT time.Duration // first chunk carrying an output token (content or reasoning)
	TTFO time.Duration // first chunk with visible (non-reasoning) content; 0 when there was none
	E2E  time.Duration // last token chunk; the stream closed at Record.ResponseTime

	// Chunks are the token chunks in arrival order. Tokens of a chunk are
	// the request's output tokens shared out over its chunks by the size
	// of their text, so that they add up to OutputTokens; they date tokens
	// to the second they arrived. The Record holds all there is to know of
	// the request: stats fed the same Records agree, however they came.
	Chunks []Chunk

	OutputTokens    int
	InputTokens     int
	ReasoningTokens int
	Source          TokenSource

	// ServerTokens and ClientTokens are both kept when the server reported
	// usage and a tokenizer counted the output too (else 0); Mismatch says
	// they disagree.
	ServerTokens int
	ClientTokens int
	Mismatch     bool

	// Reasoning is true when reasoning text was seen (TTFO then matters).
	Reasoning bool
}

// Chunk is one token-carrying stream event.
type Chunk struct {
	At     time.Duration // arrival, from Record.Start
	Tokens int
}

// ITL calls fn with each gap between consecutive token chunks.
func (l *LLM) ITL(fn func(gap time.Duration)) {
	for i := 1; i < len(l.Chunks); i++ {
		fn(l.Chunks[i].At - l.Chunks[i-1].At)
	}
}

// TPOT is (E2E − TTFT) / (output tokens − 1); ok is false for requests
// with one output token or fewer, which have no time per output token.
func (l *LLM) TPOT() (tpot time.Duration, ok bool) {
	if l.OutputTokens <= 1 {
		return 0, false
	}
	return (l.E2E - l.TTFT) / time.Duration(l.OutputTokens-1), true
}
