package record

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// The JSON form of a Record is one object per request, written one per
// line by --requests-jsonl: every timing and count the stats derive from,
// so that the file can be read back into Records that give the same
// aggregates. Times are milliseconds from the request's start (exact to
// the nanosecond when read back); the start is an RFC 3339 time with
// nanoseconds.

type jsonRecord struct {
	Name          string    `json:"name"`
	Method        string    `json:"method"`
	Start         time.Time `json:"start"`
	ResponseTime  float64   `json:"response_time_ms"`
	Status        int       `json:"status"`
	ContentLength int64     `json:"content_length"`
	Error         string    `json:"error,omitempty"`
	Cancelled     bool      `json:"cancelled,omitempty"`
	// LagMS is how late a scheduled request went out; absent for others.
	LagMS *float64 `json:"schedule_lag_ms,omitempty"`
	LLM   *jsonLLM `json:"llm,omitempty"`
}

type jsonLLM struct {
	TTFB float64  `json:"ttfb_ms"`
	TTFT float64  `json:"ttft_ms"`
	TTFO float64  `json:"ttfo_ms"`
	E2E  float64  `json:"e2e_ms"`
	TPOT *float64 `json:"tpot_ms"` // null for one output token or none

	OutputTokens    int    `json:"output_tokens"`
	InputTokens     int    `json:"input_tokens"`
	ReasoningTokens int    `json:"reasoning_tokens"`
	Source          string `json:"token_source"`
	ServerTokens    int    `json:"server_tokens,omitempty"`
	ClientTokens    int    `json:"client_tokens,omitempty"`
	Mismatch        bool   `json:"mismatch,omitempty"`
	Reasoning       bool   `json:"reasoning,omitempty"`

	// ChunkTimes are the token chunks' arrivals and ChunkTokens their
	// tokens, in arrival order.
	ChunkTimes  []float64 `json:"chunk_times_ms"`
	ChunkTokens []int     `json:"chunk_tokens"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMS(v float64) time.Duration { return time.Duration(math.Round(v * float64(time.Millisecond))) }

// MarshalJSON writes r in its JSON form.
func (r Record) MarshalJSON() ([]byte, error) {
	out := jsonRecord{
		Name: r.Name, Method: r.Method, Start: r.Start, ResponseTime: ms(r.ResponseTime),
		Status: r.Status, ContentLength: r.ContentLength, Error: r.Error, Cancelled: r.Cancelled,
	}
	if r.Scheduled {
		lag := ms(r.Lag)
		out.LagMS = &lag
	}
	if l := r.LLM; l != nil {
		j := &jsonLLM{
			TTFB: ms(l.TTFB), TTFT: ms(l.TTFT), TTFO: ms(l.TTFO), E2E: ms(l.E2E),
			OutputTokens: l.OutputTokens, InputTokens: l.InputTokens, ReasoningTokens: l.ReasoningTokens,
			Source: l.Source.String(), ServerTokens: l.ServerTokens, ClientTokens: l.ClientTokens,
			Mismatch: l.Mismatch, Reasoning: l.Reasoning,
			ChunkTimes: make([]float64, len(l.Chunks)), ChunkTokens: make([]int, len(l.Chunks)),
		}
		if tpot, ok := l.TPOT(); ok {
			v := ms(tpot)
			j.TPOT = &v
		}
		for i, c := range l.Chunks {
			j.ChunkTimes[i], j.ChunkTokens[i] = ms(c.At), c.Tokens
		}
		out.LLM = j
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a Record from its JSON form.
func (r *Record) UnmarshalJSON(data []byte) error {
	var in jsonRecord
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*r = Record{
		Name: in.Name, Method: in.Method, Start: in.Start, ResponseTime: fromMS(in.ResponseTime),
		Status: in.Status, ContentLength: in.ContentLength, Error: in.Error, Cancelled: in.Cancelled,
	}
	if in.LagMS != nil {
		r.Scheduled, r.Lag = true, fromMS(*in.LagMS)
	}
	if j := in.LLM; j != nil {
		src, err := parseSource(j.Source)
		if err != nil {
			return err
		}
		if len(j.ChunkTimes) != len(j.ChunkTokens) {
			return fmt.Errorf("%d chunk times but %d chunk token counts", len(j.ChunkTimes), len(j.ChunkTokens))
		}
		l := &LLM{
			TTFB: fromMS(j.TTFB), TTFT: fromMS(j.TTFT), TTFO: fromMS(j.TTFO), E2E: fromMS(j.E2E),
			OutputTokens: j.OutputTokens, InputTokens: j.InputTokens, ReasoningTokens: j.ReasoningTokens,
			Source: src, ServerTokens: j.ServerTokens, ClientTokens: j.ClientTokens,
			Mismatch: j.Mismatch, Reasoning: j.Reasoning,
		}
		if len(j.ChunkTimes) > 0 {
			l.Chunks = make([]Chunk, len(j.ChunkTimes))
			for i := range j.ChunkTimes {
				l.Chunks[i] = Chunk{At: fromMS(j.ChunkTimes[i]), Tokens: j.ChunkTokens[i]}
			}
		}
		r.LLM = l
	}
	return nil
}

func parseSource(s string) (TokenSource, error) {
	for src := SourceNone; src <= SourceChunks; src++ {
		if src.String() == s {
			return src, nil
		}
	}
	return 0, fmt.Errorf("unknown token source %q (known: none, usage, tokenizer, chunks)", s)
}
