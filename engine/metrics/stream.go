package metrics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/llmlocust/llmlocust/engine/api"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// headSize is how much of a body is kept to show in messages.
const headSize = 80

// Stream is one streamed LLM request as the daemon reads it. The user
// fills the exported fields (Start is set when the request is sent), hands
// it to Begin, passes the body's chunks as they arrive and its end, then
// may Wait for the finished Record. The rest belongs to the daemon.
type Stream struct {
	Name, Method string
	Start        time.Time
	// Due is when an open-loop schedule wanted the request sent; zero for
	// a closed-loop one.
	Due       time.Time
	Format    api.Format
	Tokenizer tokenize.Tokenizer // nil: no client-side count
	Prompt    string             // prompt text, for input tokens when the server reports none

	d      *Daemon
	first  firstToken
	result chan Result
	// stop is set once the daemon found the request to cross a bound; the
	// reader then stops at its next read and the Record says why.
	stop atomic.Pointer[LimitError]

	// Reader-side state.
	line api.LineMeter

	// Daemon-side state.
	splitter     *api.Splitter
	decoder      api.Decoder
	text         strings.Builder
	reasoning    strings.Builder
	chunks       []record.Chunk
	weights      []int32 // the text bytes of each chunk, by which its tokens are shared out
	ttfo         time.Duration
	usage        *api.Usage
	eventToks    int
	done         bool
	finishReason string
	err          string
	events       int
	head         []byte // the first bytes of the body, to show what came when no event did
	kept         int    // bytes of text and chunk times kept, for the text bound
	end          *End   // how the stream ended, once it has
	delivered    bool   // the user has been handed its result
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
func (d *Daemon) Begin(r *Stream) {
	r.d = d
	r.result = make(chan Result, 1)
	r.splitter = api.NewSplitter(r.Format.Framing, d.limits.Event)
	r.line = api.NewLineMeter(r.Format.Framing, d.limits.Event)
	r.decoder = r.Format.New()
}

// Started implements stream.Sink: the request's start, just before it is
// written. Chunks come after it, through the queue, so the daemon sees it.
func (r *Stream) Started(at time.Time) { r.Start = at }

// Headers implements stream.Sink; the status is also in End.
func (r *Stream) Headers(status int, at time.Time) {}

// Chunk implements stream.Sink: it copies data into a pooled buffer and
// queues it, never waiting for the daemon. It runs on the reader's
// goroutine and returns an error, for the reader to stop at once, when
// the request has crossed a bound: a line longer than an event may be
// (measured here, so an endless line stops at its limit however far
// behind the daemon is), a bound the daemon found, or a full backlog.
func (r *Stream) Chunk(data []byte, at time.Time) error {
	if err := r.stop.Load(); err != nil {
		return err
	}
	// What was queued before a bound the reader finds is still decoded:
	// the tokens that came before it count.
	if !r.line.Add(data) {
		return r.d.limits.EventError()
	}
	buf := chunkPool.Get().(*[]byte)
	*buf = append((*buf)[:0], data...)
	// Counted before it is queued, so that the first-token timeout never
	// takes a read in the queue for one the daemon has decoded.
	r.first.queued.Add(1)
	if !r.d.pushChunk(item{req: r, buf: buf, at: at}, chunkSize(buf)) {
		r.first.queued.Add(-1)
		chunkPool.Put(buf)
		return r.d.limits.BacklogError()
	}
	return nil
}

// chunkSize is what a queued chunk counts for in the backlog's bytes.
func chunkSize(buf *[]byte) int64 { return int64(cap(*buf)) + chunkOverhead }

// halt records a bound the daemon found r to cross, for the reader to
// stop at its next read; the rest of what is queued of r is dropped.
func (r *Stream) halt(err *LimitError) {
	r.stop.CompareAndSwap(nil, err)
}

// chunkPool recycles the copies of body reads: the splitter keeps no
// reference to what it was fed once Feed returns.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Finish queues the end of the stream.
func (r *Stream) Finish(e End) {
	r.d.push(item{req: r, end: &e, at: e.At})
}

// Wait blocks until the daemon has built the request's Record, or until
// ctx ends: a user being stopped does not wait for a daemon that is behind
// (the Record still reaches the stats when the daemon gets to it), so the
// daemon never holds up the end of a test. Users call it only after the
// stream has closed, so it touches no timing.
func (r *Stream) Wait(ctx context.Context) Result {
	select {
	case res := <-r.result:
		return res
	case <-ctx.Done():
		rec := record.Record{Name: r.Name, Method: r.Method, Start: r.Start, Cancelled: true,
			Error: "the user stopped before its request was counted", LLM: &record.LLM{}}
		rec.SetDue(r.Due)
		return Result{Record: rec}
	}
}

// feed splits and decodes one chunk; events complete in it are dated by
// its arrival. Once the request has crossed a bound, what is still queued
// of it is dropped unread.
func (r *Stream) feed(data []byte, at time.Time, c Consumer) {
	if r.stop.Load() != nil {
		return
	}
	if len(r.head) < headSize {
		r.head = append(r.head, data[:min(len(data), headSize-len(r.head))]...)
	}
	chunks := len(r.chunks)
	if err := r.splitter.Feed(data, func(ev api.Event) { r.event(ev, at) }); err != nil {
		r.splitFailed(err)
	}
	if n := len(r.chunks) - chunks; n > 0 {
		c.Streaming(r.Name, r.Method, at, n)
	}
}

// splitFailed fails the request for an error of the splitter; one over
// the event bound also stops the reader.
func (r *Stream) splitFailed(err error) {
	if errors.Is(err, api.ErrEventTooLarge) {
		r.halt(r.d.limits.EventError())
		return
	}
	r.fail(err.Error())
}

func (r *Stream) event(ev api.Event, at time.Time) {
	if r.stop.Load() != nil {
		return // the rest of a read that crossed the text bound
	}
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
		r.first.tokenAt(offset)
	}
	if delta.Text != "" && r.ttfo == 0 {
		r.ttfo = offset
	}
	r.text.WriteString(delta.Text)
	r.reasoning.WriteString(delta.Reasoning)
	weight := len(delta.Text) + len(delta.Reasoning)
	r.chunks = append(r.chunks, record.Chunk{At: offset})
	r.weights = append(r.weights, int32(max(weight, 1)))
	if r.kept += weight + chunkKept; r.kept > r.d.limits.Text {
		r.halt(r.d.limits.TextError())
	}
}

// chunkKept is what the time and weight of one token chunk cost to keep.
const chunkKept = int(unsafe.Sizeof(record.Chunk{})) + 4

// fail keeps the first reason a request failed for.
func (r *Stream) fail(reason string) {
	if r.err == "" {
		r.err = reason
	}
}

// finish builds the Record once the stream has ended, logs it to the
// stats, then hands the user its result.
func (r *Stream) finish(e *End, c Consumer) {
	if e.Err == "" && !e.Cancelled && r.stop.Load() == nil {
		chunks := len(r.chunks)
		if err := r.splitter.Close(func(ev api.Event) { r.event(ev, e.At) }); err != nil {
			r.splitFailed(err)
		}
		if n := len(r.chunks) - chunks; n > 0 {
			c.Streaming(r.Name, r.Method, e.At, n)
		}
	}
	switch {
	case r.stop.Load() != nil:
		r.err = r.stop.Load().Error() // a bound ended the stream, whatever the transport saw then
	case r.first.failure() != "":
		r.err = r.first.failure() // decided late; the stream may have ended meanwhile
	case e.Err != "":
		r.err = e.Err // the transport's reason explains what came after it
	case r.err == "" && r.events == 0 && len(r.head) > 0:
		r.fail(fmt.Sprintf("the response is not an %s stream: it begins %q", strings.ToUpper(r.Format.Framing.String()), r.head))
	case r.err == "" && !r.done:
		r.fail(fmt.Sprintf("the stream ended before its end marker (%s)", r.Format.EndMarker))
	}
	r.end = e
	if !r.d.countBeside(r) {
		r.complete(r.clientCounts(), c)
	}
}

// complete builds the Record from the stream and the client's counts n,
// logs it to the stats, then hands the user its result.
func (r *Stream) complete(n counts, c Consumer) {
	e := r.end
	rec := record.Record{
		Name: r.Name, Method: r.Method, Start: r.Start, ResponseTime: e.At.Sub(r.Start),
		ContentLength: e.Bytes, Status: e.Status, Error: r.err, Cancelled: e.Cancelled,
		LLM: r.llm(e, n),
	}
	rec.SetDue(r.Due)
	// The stats count the request before its user hears of it, so that
	// whatever the user does next sees it counted; what they counted of it
	// while it streamed is taken back first, for the Record to count it.
	r.takeBack(c)
	c.Log(&rec)
	r.delivered = true
	r.result <- Result{Record: rec, Text: r.text.String(), Reasoning: r.reasoning.String(), Finish: r.finishReason}
}

func (r *Stream) llm(e *End, n counts) *record.LLM {
	l := &record.LLM{Chunks: r.chunks, TTFO: r.ttfo, Reasoning: r.reasoning.Len() > 0}
	if !e.Headers.IsZero() {
		l.TTFB = e.Headers.Sub(r.Start)
	}
	if n := len(r.chunks); n > 0 {
		l.TTFT, l.E2E = r.chunks[0].At, r.chunks[n-1].At
	}
	r.countTokens(l, n)
	shareTokens(l.Chunks, r.weights, l.OutputTokens)
	return l
}

// takeBack undoes the provisional counts c was given of r's chunks while
// it streamed, a second at a time.
func (r *Stream) takeBack(c Consumer) {
	var sec int64
	n := 0
	for _, ch := range r.chunks {
		at := r.Start.Add(ch.At)
		if s := at.Unix(); s != sec && n > 0 {
			c.Streaming(r.Name, r.Method, time.Unix(sec, 0), -n)
			n = 0
		}
		sec = at.Unix()
		n++
	}
	if n > 0 {
		c.Streaming(r.Name, r.Method, time.Unix(sec, 0), -n)
	}
}

// countTokens applies the rule of DESIGN §4 to the client's counts n: the
// server's usage when it reported one, else the tokenizer's count of the
// whole output, else the tokens the events declared, else the number of
// token chunks.
func (r *Stream) countTokens(l *record.LLM, n counts) {
	client := -1
	if n.known {
		client = n.out + n.reasoning
	}
	serverOut, serverIn := r.serverCounts()
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
	case n.known:
		l.InputTokens = n.in
	}
	switch {
	case r.usage != nil && r.usage.ReasoningTokens > 0:
		l.ReasoningTokens = r.usage.ReasoningTokens
	case n.known && n.reasoning > 0:
		l.ReasoningTokens = n.reasoning
	}
}

// serverCounts says whether the server reported the output and the input
// token counts. Some servers report zeros (Ollama's done line, mock
// servers): a count of 0 while text arrived is no count.
func (r *Stream) serverCounts() (out, in bool) {
	out = r.usage != nil && r.usage.HasCompletion && (r.usage.CompletionTokens > 0 || len(r.chunks) == 0)
	in = r.usage != nil && r.usage.HasPrompt && (r.usage.PromptTokens > 0 || r.Prompt == "")
	return out, in
}

// shareTokens spreads total tokens over the chunks in proportion to their
// weights (the text bytes each carried), by largest remainder, so that the
// shares add up to total exactly.
func shareTokens(chunks []record.Chunk, weights []int32, total int) {
	weight := 0
	for _, w := range weights {
		weight += int(w)
	}
	if weight == 0 || len(chunks) == 0 {
		return
	}
	given := 0
	rems := make([]int, len(chunks))
	for i := range chunks {
		exact := total * int(weights[i])
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
