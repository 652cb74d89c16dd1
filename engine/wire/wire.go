// Package wire turns the bytes of a streamed LLM response into decoded
// events: a Splitter cuts the body into SSE or NDJSON events as reads
// arrive, and a Decoder per wire format (OpenAI chat and completions,
// Anthropic messages, TGI, Ollama, or a generic reader driven by JSON
// paths) says what text, usage, errors and end markers each event carries.
package wire

import (
	"fmt"
	"sort"
	"strings"
)

// Framing is how a response body is cut into events.
type Framing int

// The framings real LLM servers use. SSE is the zero value because most
// servers speak it.
const (
	SSE    Framing = iota // text/event-stream: "data:" lines, events end at a blank line
	NDJSON                // one JSON object per line (Ollama's native API)
)

// String names the framing as scenarios spell it.
func (f Framing) String() string {
	switch f {
	case SSE:
		return "sse"
	case NDJSON:
		return "ndjson"
	}
	return fmt.Sprintf("Framing(%d)", int(f))
}

// ParseFraming reads a framing name as String writes it.
func ParseFraming(name string) (Framing, error) {
	switch strings.ToLower(name) {
	case "sse":
		return SSE, nil
	case "ndjson":
		return NDJSON, nil
	}
	return 0, fmt.Errorf("unknown framing %q (known: sse, ndjson)", name)
}

func (f Framing) valid() bool { return f == SSE || f == NDJSON }

// Event is one event of a stream. Data is only valid during the callback
// that receives the event: it may point into the caller's read buffer or
// into a buffer the Splitter reuses.
type Event struct {
	Name string // the SSE "event:" field; empty when absent and for NDJSON
	Data []byte // the joined "data:" lines, or one NDJSON line
}

// Usage is a token usage report carried by an event.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	ReasoningTokens  int

	// HasPrompt and HasCompletion say whether the server gave each count:
	// a reported zero differs from no report.
	HasPrompt     bool
	HasCompletion bool
}

// Delta is what one event says about the response.
type Delta struct {
	// Text is visible output text carried by this event.
	Text string
	// Reasoning is reasoning text (reasoning, reasoning_content, thinking).
	Reasoning string
	// Tokens is the number of output tokens the event says it carries, when
	// the format says so (TGI: one per non-special token), else 0.
	Tokens int
	// Usage is the usage reported in this event, nil if none. Servers may
	// report usage more than once (zeros first, or cumulative counts), so
	// callers keep the last one seen.
	Usage *Usage
	// Err is an error the stream itself reports after a successful HTTP
	// status, worded for people.
	Err string
	// Done marks the format's end-of-stream marker.
	Done bool
	// Finish is the finish or stop reason, when given.
	Finish string
}

// Decoder decodes the events of one stream. A Decoder may keep state from
// one event to the next, so each stream needs its own.
type Decoder interface {
	// Decode returns what ev carries. The error is only for a malformed
	// event (bad JSON, wrong shape); its message says what was wrong and
	// quotes at most about 80 bytes of the event.
	Decode(ev Event) (Delta, error)
}

// Format is a wire format: how to frame its stream and how to decode
// its events.
type Format struct {
	Name    string
	Framing Framing
	New     func() Decoder // a fresh Decoder for one stream
}

// formats maps each built-in API name to its Format. It is an explicit
// table rather than registration at init, so the full list reads here.
var formats = map[string]Format{
	"openai-chat":        {Name: "openai-chat", Framing: SSE, New: func() Decoder { return &openAIDecoder{chat: true} }},
	"openai-completions": {Name: "openai-completions", Framing: SSE, New: func() Decoder { return &openAIDecoder{} }},
	"anthropic":          {Name: "anthropic", Framing: SSE, New: func() Decoder { return &anthropicDecoder{} }},
	"tgi":                {Name: "tgi", Framing: SSE, New: func() Decoder { return &tgiDecoder{} }},
	"ollama":             {Name: "ollama", Framing: NDJSON, New: func() Decoder { return &ollamaDecoder{} }},
}

// Names lists the built-in API names in sorted order.
func Names() []string {
	names := make([]string, 0, len(formats))
	for name := range formats {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the built-in format of an API name: "openai-chat",
// "openai-completions", "anthropic", "tgi" or "ollama" (which covers both
// /api/generate and /api/chat).
func Lookup(api string) (Format, error) {
	if f, ok := formats[api]; ok {
		return f, nil
	}
	return Format{}, fmt.Errorf("unknown api %q (known: %s)", api, strings.Join(Names(), ", "))
}
