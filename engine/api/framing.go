package api

import (
	"fmt"
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
