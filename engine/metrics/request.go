package metrics

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/tokenize"
	"github.com/llmlocust/llmlocust/engine/wire"
)

// headSize is how much of a body is kept to show in messages.
const headSize = 80

// MaxEvent is the largest stream event accepted; a larger one fails the
// request rather than growing memory without bound.
const MaxEvent = 1 << 20

// Request is one streamed LLM request. The user fills the exported fields
// (Start is set when the request is sent), hands it to Begin, passes the body's chunks as they arrive and its end,
// then may Wait for the finished Record. The rest belongs to the daemon.
type Request struct {
	Name, Method string
	Start        time.Time
	Format       wire.Format
	Tokenizer    tokenize.Tokenizer // nil: no client-side count
	Prompt       string             // prompt text, for input tokens when the server reports none

	d          *Daemon
	firstToken atomic.Bool
	result     chan Result

	// Daemon-side state.
	splitter     *wire.Splitter
	decoder      wire.Decoder
	text         strings.Builder
	reasoning    strings.Builder
	chunks       []record.Chunk // Tokens holds text bytes until finish shares out the tokens
	ttfo         time.Duration
	usage        *wire.Usage
	eventToks    int
	done         bool
	finishReason string
	err          string
	events       int
	head         []byte // the first bytes of the body, to show what came when no event did
}

// End is how the transport ended a stream.
type End struct {
	At        time.Time
	Status    int
	Headers   time.Time // zero when no headers arrived
	Err       string    // transport failure, timeout or HTTP error, worded for people
	Cancelled bool
	Bytes     int64
}

// Result is what a user gets back: the Record and the text it carried.
type Result struct {
	Record    record.Record
	Text      string
	Reasoning string
	Finish    string
}

// Begin registers r with the daemon; call it before the request is sent.
func (d *Daemon) Begin(r *Request) {
	r.d = d
	r.result = make(chan Result, 1)
	r.splitter = wire.NewSplitter(r.Format.Framing, MaxEvent)
	r.decoder = r.Format.New()
}

// Started implements stream.Sink: the request's start, just before it is
// written. Chunks come after it, through the queue, so the daemon sees it.
func (r *Request) Started(at time.Time) { r.Start = at }

// Headers implements stream.Sink; the status is also in End.
func (r *Request) Headers(status int, at time.Time) {}

// Chunk implements stream.Sink: it copies data into a pooled buffer and
// queues it, never waiting for the daemon.
func (r *Request) Chunk(data []byte, at time.Time) {
	buf := chunkPool.Get().(*[]byte)
	*buf = append((*buf)[:0], data...)
	r.d.push(item{req: r, buf: buf, at: at})
}

// chunkPool recycles the copies of body reads: the splitter keeps no
// reference to what it was fed once Feed returns.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// FirstToken implements stream.Sink: whether the daemon has decoded a
// token of this stream yet.
func (r *Request) FirstToken() bool { return r.firstToken.Load() }

// Finish queues the end of the stream.
func (r *Request) Finish(e End) {
	r.d.push(item{req: r, end: &e, at: e.At})
}

// Wait blocks until the daemon has built the request's Record. Users call
// it only after the stream has closed, so it touches no timing.
func (r *Request) Wait() Result { return <-r.result }

// feed splits and decodes one chunk; events complete in it are dated by
// its arrival.
func (r *Request) feed(data []byte, at time.Time, c Consumer) {
	if len(r.head) < headSize {
		r.head = append(r.head, data[:min(len(data), headSize-len(r.head))]...)
	}
	chunks := len(r.chunks)
	if err := r.splitter.Feed(data, func(ev wire.Event) { r.event(ev, at) }); err != nil {
		r.fail(err.Error())
	}
	if n := len(r.chunks) - chunks; n > 0 {
		c.LogChunks(r.Name, r.Method, at, n)
	}
}

func (r *Request) event(ev wire.Event, at time.Time) {
	r.events++
	if !utf8.Valid(ev.Data) {
		r.fail("a stream event carried invalid UTF-8")
	}
	delta, err := r.decoder.Decode(ev)
	if err != nil {
		r.fail(err.Error())
		return
	}
	if delta.Usage != nil {
		u := *delta.Usage
		r.usage = &u
	}
	if delta.Err != "" {
		r.fail("stream error: " + delta.Err)
	}
	if delta.Finish != "" {
		r.finishReason = delta.Finish
	}
	r.done = r.done || delta.Done
	r.eventToks += delta.Tokens
	if delta.Text == "" && delta.Reasoning == "" && delta.Tokens == 0 {
		return
	}
	offset := at.Sub(r.Start)
	if len(r.chunks) == 0 {
		r.firstToken.Store(true)
	}
	if delta.Text != "" && r.ttfo == 0 {
		r.ttfo = offset
	}
	r.text.WriteString(delta.Text)
	r.reasoning.WriteString(delta.Reasoning)
	weight := len(delta.Text) + len(delta.Reasoning)
	r.chunks = append(r.chunks, record.Chunk{At: offset, Tokens: max(weight, 1)})
}

// fail keeps the first reason a request failed for.
func (r *Request) fail(reason string) {
	if r.err == "" {
		r.err = reason
	}
}

// finish builds the Record once the stream has ended, logs it to the
// stats, then hands the user its result.
func (r *Request) finish(e *End, c Consumer) {
	if e.Err == "" && !e.Cancelled {
		chunks := len(r.chunks)
		if err := r.splitter.Close(func(ev wire.Event) { r.event(ev, e.At) }); err != nil {
			r.fail(err.Error())
		}
		if n := len(r.chunks) - chunks; n > 0 {
			c.LogChunks(r.Name, r.Method, e.At, n)
		}
	}
	switch {
	case e.Err != "":
		r.err = e.Err // the transport's reason explains what came after it
	case r.err == "" && r.events == 0 && len(r.head) > 0:
		r.fail(fmt.Sprintf("the response is not an %s stream: it begins %q", strings.ToUpper(r.Format.Framing.String()), r.head))
	case r.err == "" && !r.done:
		r.fail(fmt.Sprintf("the stream ended before its end marker (%s)", endMarker(r.Format.Name)))
	}
	rec := record.Record{
		Name: r.Name, Method: r.Method, Start: r.Start, ResponseTime: e.At.Sub(r.Start),
		ContentLength: e.Bytes, Status: e.Status, Error: r.err, Cancelled: e.Cancelled,
		LLM: r.llm(e),
	}
	// The stats count the request before its user hears of it, so that
	// whatever the user does next sees it counted.
	c.Log(&rec)
	r.result <- Result{Record: rec, Text: r.text.String(), Reasoning: r.reasoning.String(), Finish: r.finishReason}
}

func (r *Request) llm(e *End) *record.LLM {
	l := &record.LLM{Done: e.At.Sub(r.Start), Chunks: r.chunks, TTFO: r.ttfo, Reasoning: r.reasoning.Len() > 0, LiveCounted: true}
	if !e.Headers.IsZero() {
		l.TTFB = e.Headers.Sub(r.Start)
	}
	if n := len(r.chunks); n > 0 {
		l.TTFT, l.E2E = r.chunks[0].At, r.chunks[n-1].At
	}
	r.countTokens(l)
	shareTokens(l.Chunks, l.OutputTokens)
	return l
}

// countTokens applies the rule of DESIGN §4: the server's usage when it
// reported one, else the tokenizer's count of the whole output, else the
// tokens the events declared, else the number of token chunks.
func (r *Request) countTokens(l *record.LLM) {
	text, reasoning := r.text.String(), r.reasoning.String()
	client := -1
	if r.Tokenizer != nil {
		client = r.Tokenizer.Count(text) + r.Tokenizer.Count(reasoning)
	}
	// Some servers report zeros (Ollama's done line, mock servers): a
	// count of 0 while text arrived is no count.
	serverOut := r.usage != nil && r.usage.HasCompletion && (r.usage.CompletionTokens > 0 || len(r.chunks) == 0)
	serverIn := r.usage != nil && r.usage.HasPrompt && (r.usage.PromptTokens > 0 || r.Prompt == "")
	switch {
	case serverOut:
		l.OutputTokens, l.Source = r.usage.CompletionTokens, record.SourceUsage
		if client >= 0 {
			l.ServerTokens, l.ClientTokens = r.usage.CompletionTokens, client
			l.Mismatch = client != r.usage.CompletionTokens
		}
	case client >= 0 && !r.Tokenizer.Approximate():
		l.OutputTokens, l.Source = client, record.SourceTokenizer
	case r.eventToks > 0:
		l.OutputTokens, l.Source = r.eventToks, record.SourceChunks
	case client >= 0:
		l.OutputTokens, l.Source = client, record.SourceTokenizer
	default:
		l.OutputTokens, l.Source = len(r.chunks), record.SourceChunks
	}
	switch {
	case serverIn:
		l.InputTokens = r.usage.PromptTokens
	case r.Tokenizer != nil:
		l.InputTokens = r.Tokenizer.Count(r.Prompt)
	}
	switch {
	case r.usage != nil && r.usage.ReasoningTokens > 0:
		l.ReasoningTokens = r.usage.ReasoningTokens
	case r.Tokenizer != nil && reasoning != "":
		l.ReasoningTokens = r.Tokenizer.Count(reasoning)
	}
}

// shareTokens spreads total tokens over the chunks in proportion to the
// text bytes each carried (held in Tokens until now), by largest
// remainder, so that the shares add up to total exactly.
func shareTokens(chunks []record.Chunk, total int) {
	weight := 0
	for _, c := range chunks {
		weight += c.Tokens
	}
	if weight == 0 || len(chunks) == 0 {
		return
	}
	given := 0
	rems := make([]int, len(chunks))
	for i := range chunks {
		exact := total * chunks[i].Tokens
		chunks[i].Tokens, rems[i] = exact/weight, exact%weight
		given += chunks[i].Tokens
	}
	for given < total {
		best := 0
		for i := range rems {
			if rems[i] > rems[best] {
				best = i
			}
		}
		chunks[best].Tokens++
		rems[best] = -1
		given++
	}
}

// endMarker names what ends a stream of a format, for messages.
func endMarker(format string) string {
	switch format {
	case "anthropic":
		return "message_stop"
	case "tgi":
		return "the final event with generated_text"
	case "ollama":
		return `"done": true`
	}
	return "data: [DONE]"
}
