package api

import (
	"bytes"
	"errors"
	"fmt"
)

// DefaultMaxEvent is the event size limit NewSplitter uses when given none.
const DefaultMaxEvent = 1 << 20

// lineSlack lets a line exceed the event limit by a field name ("data: ")
// and a line ending, so that an event of exactly the limit still fits.
const lineSlack = 16

// ErrEventTooLarge is wrapped by the error a Splitter returns when one
// event, or one line, exceeds its size limit.
var ErrEventTooLarge = errors.New("stream event too large")

// Splitter turns the bytes of a response body, as they arrive in arbitrary
// reads, into events. Read boundaries mean nothing to it: one read may hold
// many events or a fraction of one, and the events come out the same.
//
// The limit is checked at points that do not depend on read boundaries
// (the length of a line, the length of an event's data), so a body fails
// at the same event however it was cut.
type Splitter struct {
	framing  Framing
	maxEvent int
	maxLine  int
	err      error // sticky: once failed, the splitter stays failed

	line   []byte // the line being read when a read ended inside it
	skipLF bool   // the last line ended in '\r': a '\n' right after belongs to it

	// SSE event being built. data aliases the caller's read while the
	// event comes from a single line of the current read (the common case,
	// which then costs no copy); otherwise it is own.
	name    string
	data    []byte
	hasData bool
	owned   bool
	own     []byte
}

// NewSplitter returns a Splitter for framing f that refuses events larger
// than maxEvent bytes (DefaultMaxEvent when maxEvent ≤ 0).
func NewSplitter(f Framing, maxEvent int) *Splitter {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEvent
	}
	s := &Splitter{framing: f, maxEvent: maxEvent, maxLine: maxEvent + lineSlack}
	if !f.valid() {
		s.err = fmt.Errorf("splitting stream: unknown framing %d", int(f))
	}
	return s
}

// Reset makes the splitter ready for a new body, clearing a failure and
// keeping its buffers.
func (s *Splitter) Reset() {
	s.err = nil
	if !s.framing.valid() {
		s.err = fmt.Errorf("splitting stream: unknown framing %d", int(s.framing))
	}
	s.line = s.line[:0]
	s.skipLF = false
	s.endEvent()
}

// Feed splits the next read p of the body and calls emit for each event it
// completes. It returns an error wrapping ErrEventTooLarge when an event
// exceeds the limit; after that, the splitter stays failed until Reset.
func (s *Splitter) Feed(p []byte, emit func(Event)) error {
	if s.err != nil {
		return s.err
	}
	if s.skipLF && len(p) > 0 {
		s.skipLF = false
		if p[0] == '\n' {
			p = p[1:]
		}
	}
	for len(p) > 0 {
		line, inRead, rest, err := s.cutLine(p)
		if err != nil {
			return err
		}
		if rest == nil {
			break // p ended inside a line, which s.line now holds
		}
		p = rest
		if err := s.doLine(line, inRead, emit); err != nil {
			return err
		}
		s.line = s.line[:0]
	}
	// The read p belongs to the caller and may be reused once Feed
	// returns, so an unfinished event must stop pointing into it.
	if s.hasData && !s.owned {
		s.takeData()
	}
	return nil
}

// Close ends the body. Servers that close without a final line ending or
// blank line expect their last event to count, so Close emits what is left:
// an NDJSON line without "\n", an SSE event without its blank line. The
// splitter is then ready for a new body.
func (s *Splitter) Close(emit func(Event)) error {
	if s.err != nil {
		return s.err
	}
	if len(s.line) > 0 {
		err := s.doLine(s.line, false, emit)
		s.line = s.line[:0]
		if err != nil {
			return err
		}
	}
	if s.framing == SSE && s.hasData {
		s.dispatch(emit)
	}
	s.skipLF = false
	s.endEvent()
	return nil
}

// cutLine takes the first line off p. It returns the line, whether it
// points into p rather than into s.line, and the rest of p after the
// line's ending. When p holds no line ending, the bytes are kept in s.line
// and rest is nil.
func (s *Splitter) cutLine(p []byte) (line []byte, inRead bool, rest []byte, err error) {
	end := s.lineEnd(p)
	if end < 0 {
		if len(s.line)+len(p) > s.maxLine {
			return nil, false, nil, s.tooLarge()
		}
		s.line = append(s.line, p...)
		return nil, false, nil, nil
	}
	line, inRead = p[:end], true
	if len(s.line) > 0 {
		if len(s.line)+end > s.maxLine {
			return nil, false, nil, s.tooLarge()
		}
		s.line = append(s.line, line...)
		line, inRead = s.line, false
	}
	if p[end] == '\r' {
		switch {
		case end+1 == len(p):
			s.skipLF = true // the '\n' of a "\r\n" may open the next read
		case p[end+1] == '\n':
			end++
		}
	}
	return line, inRead, p[end+1:], nil
}

func (s *Splitter) tooLarge() error {
	s.err = fmt.Errorf("event over the %d-byte limit: %w", s.maxEvent, ErrEventTooLarge)
	return s.err
}

// lineEnd returns the index of the byte that ends the first line of p, or
// -1. SSE lines end in "\n", "\r\n" or "\r"; NDJSON lines in "\n" (a "\r"
// before it is trimmed with the other white space).
func (s *Splitter) lineEnd(p []byte) int {
	lf := bytes.IndexByte(p, '\n')
	if s.framing == NDJSON {
		return lf
	}
	head := p
	if lf >= 0 {
		head = p[:lf]
	}
	if cr := bytes.IndexByte(head, '\r'); cr >= 0 {
		return cr
	}
	return lf
}

// doLine handles one complete line. inRead says whether line points into
// the caller's read (and so may be kept until Feed returns) rather than
// into s.line, which is reused for the next line.
func (s *Splitter) doLine(line []byte, inRead bool, emit func(Event)) error {
	if s.framing == NDJSON {
		return s.ndjsonLine(line, emit)
	}
	return s.sseLine(line, inRead, emit)
}

func (s *Splitter) ndjsonLine(line []byte, emit func(Event)) error {
	if len(line) > s.maxLine {
		return s.tooLarge()
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil
	}
	if len(line) > s.maxEvent {
		return s.tooLarge()
	}
	emit(Event{Data: line})
	return nil
}

func (s *Splitter) sseLine(line []byte, inRead bool, emit func(Event)) error {
	if len(line) > s.maxLine {
		return s.tooLarge()
	}
	if len(line) == 0 {
		if s.hasData {
			s.dispatch(emit)
		}
		s.endEvent()
		return nil
	}
	if line[0] == ':' {
		return nil // a comment, used as keep-alive
	}
	field, value := line, line[len(line):]
	if colon := bytes.IndexByte(line, ':'); colon >= 0 {
		field, value = line[:colon], line[colon+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(field) {
	case "data":
		return s.addData(value, inRead)
	case "event":
		s.name = eventName(value)
	}
	return nil // id, retry and unknown fields carry nothing we use
}

func (s *Splitter) addData(value []byte, inRead bool) error {
	switch {
	case !s.hasData && inRead:
		s.data, s.owned = value, false
	case !s.hasData:
		s.own = append(s.own[:0], value...)
		s.data, s.owned = s.own, true
	default:
		if !s.owned {
			s.takeData()
		}
		s.own = append(s.own, '\n')
		s.own = append(s.own, value...)
		s.data = s.own
	}
	s.hasData = true
	if len(s.data) > s.maxEvent {
		return s.tooLarge()
	}
	return nil
}

// takeData copies event data that points into the caller's read into the
// splitter's own buffer.
func (s *Splitter) takeData() {
	s.own = append(s.own[:0], s.data...)
	s.data, s.owned = s.own, true
}

func (s *Splitter) dispatch(emit func(Event)) {
	emit(Event{Name: s.name, Data: s.data})
}

func (s *Splitter) endEvent() {
	s.name = ""
	s.data = nil
	s.hasData = false
	s.owned = false
	s.own = s.own[:0]
}

// eventName returns the event name as a string, without allocating for the
// names that real servers send on every event.
func eventName(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "message_start":
		return "message_start"
	case "content_block_start":
		return "content_block_start"
	case "content_block_delta":
		return "content_block_delta"
	case "content_block_stop":
		return "content_block_stop"
	case "message_delta":
		return "message_delta"
	case "message_stop":
		return "message_stop"
	case "ping":
		return "ping"
	case "error":
		return "error"
	case "message":
		return "message"
	}
	return string(b)
}
