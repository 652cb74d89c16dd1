package metrics

import (
	"errors"
	"fmt"

	"github.com/llmlocust/llmlocust/engine/api"
)

// Limits bound what the daemon and each request may hold, so that no
// server, however broken or hostile, can make the client run out of
// memory. A request that crosses a bound fails with a LimitError and its
// connection is closed; the run goes on.
type Limits struct {
	// Event is the largest stream event (or line) accepted, in bytes.
	Event int
	// Text is the most a request keeps for its Record and its caller: its
	// output and reasoning text, and the time of each token chunk.
	Text int
	// Backlog is the most the daemon's queue may hold in chunk copies;
	// beyond it, the hand-off of a chunk is refused and that request fails.
	Backlog int64
}

// Default bounds. An event of 1 MiB is far past any real token delta and
// holds a large tool call; 16 MiB of text is some four million tokens,
// well beyond the longest output of any model, and tokenizing it at the
// end still takes only seconds; a backlog of 512 MiB is some 400,000
// chunks, seconds of the daemon's work, well past the one second of
// waiting at which the client already counts as saturated.
const (
	DefaultEvent   = api.DefaultMaxEvent
	DefaultText    = 16 << 20
	DefaultBacklog = 512 << 20
)

// DefaultLimits are the bounds a daemon has unless told otherwise.
func DefaultLimits() Limits {
	return Limits{Event: DefaultEvent, Text: DefaultText, Backlog: DefaultBacklog}
}

// orDefault fills the bounds left at zero or below with the defaults.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.Event <= 0 {
		l.Event = d.Event
	}
	if l.Text <= 0 {
		l.Text = d.Text
	}
	if l.Backlog <= 0 {
		l.Backlog = d.Backlog
	}
	return l
}

// The bounds a LimitError can name; errors.Is tells them apart.
var (
	ErrEventLimit   = errors.New("stream event limit")
	ErrTextLimit    = errors.New("text limit")
	ErrBacklogLimit = errors.New("metrics backlog limit")
)

// LimitError fails a request that crossed a bound. Its message is for
// people: what was crossed, by how much, and the option that sets it.
type LimitError struct {
	bound error
	msg   string
}

func (e *LimitError) Error() string { return e.msg }

// Unwrap makes errors.Is(err, ErrEventLimit) and the like work.
func (e *LimitError) Unwrap() error { return e.bound }

// EventError is the error of a request whose stream held an event larger
// than the bound.
func (l Limits) EventError() *LimitError {
	return &LimitError{ErrEventLimit, fmt.Sprintf("a stream event exceeded %s (--max-event-size)", FormatSize(int64(l.Event)))}
}

// TextError is the error of a request that brought more text than the
// bound, for streams and plain response bodies alike.
func (l Limits) TextError() *LimitError {
	return &LimitError{ErrTextLimit, fmt.Sprintf("the response text exceeded %s (--max-text-size)", FormatSize(int64(l.Text)))}
}

// BacklogError is the error of a request whose chunk the daemon refused.
func (l Limits) BacklogError() *LimitError {
	return &LimitError{ErrBacklogLimit, fmt.Sprintf("the metrics backlog passed %s (--max-backlog): the client is saturated", FormatSize(l.Backlog))}
}

// FormatSize writes a byte count for people, in binary units: 512 B,
// 64 KiB, 1.5 MiB.
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for n/div >= unit && exp < 3 {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if n%div == 0 || len(s) > 4 {
		s = fmt.Sprintf("%.0f", v)
	}
	return s + " " + [...]string{"KiB", "MiB", "GiB", "TiB"}[exp]
}
