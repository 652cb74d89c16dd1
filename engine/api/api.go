// Package api holds what llmlocust knows of each LLM API family, one file
// a family: the request a chat or completion call becomes (path, headers,
// body), how the streamed answer is framed and decoded into text, usage
// and errors, and what marks its end. The framing itself (a Splitter
// cutting SSE or NDJSON events as reads arrive, a LineMeter bounding
// lines) and a generic reader driven by JSON paths, for servers no family
// covers, are here too.
//
// A new family is one file: its family value (paths, auth, the body each
// kind of call becomes, built from a Call) and its Format (decoder, end
// marker), with a line for each in the tables of registry.go.
package api

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

// Format is a wire format: how to frame its stream, how to decode its
// events and what ends it.
type Format struct {
	Name    string
	Framing Framing
	New     func() Decoder // a fresh Decoder for one stream
	// EndMarker names what ends a stream of the format, for the message
	// of a stream that closes without it.
	EndMarker string
}
