package mock

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// fault is what the seeded draw decided to do to a request.
type fault int

const (
	noFault fault = iota
	faultError
	faultRateLimit
	faultDrop
)

// outcome is how the service of a request ended.
type outcome int

const (
	completed  outcome = iota
	dropped            // cut on purpose
	clientGone         // the client went away
	stopped            // the server is closing
)

// job is one generation request being answered.
type job struct {
	s    *Server
	w    http.ResponseWriter
	rc   *http.ResponseController
	ctx  context.Context
	kind endpoint
	req  *genRequest

	id        string
	fault     fault
	dropAfter int // tokens written before a drop cuts the connection
	rng       *rand.Rand
	created   int64
	model     string

	sent       Sent
	served     bool // entered service, left the queue
	start      time.Time
	buf        []byte // events not yet written
	headersOut bool
	timer      *time.Timer
}

func (s *Server) serveGeneration(w http.ResponseWriter, r *http.Request, kind endpoint) {
	req, apiErr := readRequest(w, r, kind, s.cfg.DefaultMaxTokens)
	sent := Sent{Path: r.URL.Path, Received: time.Now()}
	s.countArrival()
	if apiErr != nil {
		apiErr.write(w)
		sent.Status = apiErr.status
		s.record(sent, false, false)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.stop, cancel)()

	sent.Stream = req.Stream
	sent.PromptTokens = req.promptTokens
	if sent.PromptTokens == 0 {
		n, ok := countPrompt(ctx, s.cfg.PromptTokens, req.promptText)
		if !ok { // the client left, or the server is closing
			sent.ClientGone = true
			s.record(sent, false, false)
			return
		}
		sent.PromptTokens = n
	}
	j := &job{s: s, w: w, rc: http.NewResponseController(w), ctx: ctx, kind: kind, req: req,
		sent: sent, created: sent.Received.Unix(), model: cmp.Or(req.Model, s.cfg.Model)}
	s.decide(j)
	j.sent.ID = j.id
	j.run()
}

// promptCountInline is the largest prompt counted on the handler's own
// goroutine; a larger one is counted beside it, so that the client leaving
// or the server closing need not wait for the count.
const promptCountInline = 64 << 10

// countPrompt counts a prompt's tokens, giving up (ok false) when ctx ends
// first: a huge prompt can take a tokenizer many seconds, and must not
// hold up Close. The count goes on in the background until it finishes.
func countPrompt(ctx context.Context, count func(string) int, text string) (n int, ok bool) {
	if len(text) <= promptCountInline {
		return count(text), true
	}
	done := make(chan int, 1)
	go func() { done <- count(text) }()
	select {
	case n := <-done:
		return n, true
	case <-ctx.Done():
		return 0, false
	}
}

// decide draws everything random about a request from the shared source,
// always the same number of draws, so that with one seed the n-th request
// gets the same ID, fault draw and private source whatever the rates.
func (s *Server) decide(j *job) {
	s.randMu.Lock()
	s.seq++
	seq, idBits := s.seq, s.rand.Uint64()
	u, dropAt := s.rand.Float64(), s.rand.Float64()
	seed1, seed2 := s.rand.Uint64(), s.rand.Uint64()
	s.randMu.Unlock()

	prefix := "chatcmpl-"
	if j.kind == textEndpoint {
		prefix = "cmpl-"
	}
	j.id = fmt.Sprintf("%s%06x%016x", prefix, seq, idBits)
	j.rng = rand.New(rand.NewPCG(seed1, seed2))
	switch c := s.cfg; {
	case u < c.ErrorRate:
		j.fault = faultError
	case u < c.ErrorRate+c.RateLimitRate:
		j.fault = faultRateLimit
	case u < c.ErrorRate+c.RateLimitRate+c.DropRate:
		j.fault = faultDrop
	}
	// A cut falls after at least one token and before the last; a single
	// token output can only be cut before it.
	if total := j.req.outputTokens; total > 1 {
		j.dropAfter = 1 + int(dropAt*float64(total-1))
	}
}

func (j *job) run() {
	j.w.Header().Set("X-Request-Id", j.id)
	switch j.fault {
	case faultError:
		j.reject(&apiError{status: http.StatusInternalServerError, kind: "server_error", code: "simulated_error",
			message: "simulated server error"})
		return
	case faultRateLimit:
		j.w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(j.s.cfg.RetryAfter.Seconds())), 10))
		j.w.Header().Set("Retry-After-Ms", strconv.FormatInt(j.s.cfg.RetryAfter.Milliseconds(), 10))
		j.reject(&apiError{status: http.StatusTooManyRequests, kind: "requests", code: "rate_limit_exceeded",
			message: "simulated rate limit reached, retry later"})
		return
	}
	result := j.serve()
	j.sent.Dropped = result == dropped
	j.sent.ClientGone = result == clientGone
	j.s.record(j.sent, j.served, result == completed)
	if result == dropped || result == stopped {
		// Aborting, not returning, leaves the body truncated, so the client
		// sees a broken stream rather than a short, well-formed one.
		panic(http.ErrAbortHandler)
	}
}

func (j *job) reject(e *apiError) {
	e.write(j.w)
	j.sent.Status = e.status
	j.s.record(j.sent, false, false)
}

// serve queues the request, then generates its answer on schedule.
func (j *job) serve() outcome {
	if j.req.Stream && !j.s.cfg.HeadersWithFirstToken && !j.flush() {
		return j.interrupted()
	}
	if err := j.s.slots.acquire(j.ctx); err != nil {
		return j.interrupted()
	}
	defer j.s.slots.release()
	defer func() {
		if j.timer != nil {
			j.timer.Stop()
		}
	}()
	j.served = true
	j.start = time.Now()
	j.sent.Queued = j.start.Sub(j.sent.Received)

	if j.req.Stream && j.kind == chatEndpoint {
		// Like vLLM, announce the role on the first engine step, before
		// any token exists.
		empty := ""
		j.buf = appendEvent(j.buf, j.envelope([]chatChunkChoice{{Delta: delta{Role: "assistant", Content: &empty}}}))
		if j.headersOut && !j.flush() {
			return j.interrupted()
		}
	}
	if j.req.Stream {
		return j.stream()
	}
	return j.whole()
}

// stream sends the tokens chunk by chunk, each at its deadline.
func (j *job) stream() outcome {
	result, _ := j.produce(func(text string, n int, at time.Duration) bool {
		j.buf = appendEvent(j.buf, j.content(text))
		if !j.flush() {
			return false
		}
		j.sent.Chunks = append(j.sent.Chunks, time.Now())
		j.sent.ChunkTokens = append(j.sent.ChunkTokens, n)
		j.sent.Planned = append(j.sent.Planned, at)
		j.sent.CompletionTokens += n
		return true
	})
	if result != completed {
		return result
	}
	j.buf = appendEvent(j.buf, j.finish())
	if j.req.includeUsage() {
		j.buf = appendEvent(j.buf, envelope{ID: j.id, Object: j.object(), Created: j.created, Model: j.model,
			Choices: []struct{}{}, Usage: newUsage(j.sent.PromptTokens, j.req.outputTokens)})
	}
	j.buf = append(j.buf, doneEvent...)
	if !j.flush() {
		return j.interrupted()
	}
	return completed
}

// whole generates on the same schedule as a stream, then sends one body
// when the last token would have gone out.
func (j *job) whole() outcome {
	var text strings.Builder
	result, at := j.produce(func(words string, _ int, _ time.Duration) bool {
		text.WriteString(words)
		return true
	})
	if result != completed {
		return result
	}
	body, _ := json.Marshal(j.body(text.String())) // only strings and ints
	j.w.Header().Set("Content-Type", "application/json")
	j.w.WriteHeader(http.StatusOK)
	j.sent.Status = http.StatusOK
	if _, err := j.w.Write(body); err != nil || j.rc.Flush() != nil {
		return j.interrupted()
	}
	total := j.req.outputTokens
	j.sent.Chunks = []time.Time{time.Now()}
	j.sent.ChunkTokens = []int{total}
	j.sent.Planned = []time.Duration{at}
	j.sent.CompletionTokens = total
	return completed
}

// produce runs the schedule: for each chunk in turn it waits for the
// chunk's deadline, measured from the start of service, and hands emit
// the chunk's words. It returns how the run ended and the last deadline.
func (j *job) produce(emit func(words string, n int, at time.Duration) bool) (outcome, time.Duration) {
	var at time.Duration
	sizes := j.s.cfg.TokensPerChunk
	total := j.req.outputTokens
	for i, done := 0, 0; done < total; i++ {
		if j.fault == faultDrop && done >= j.dropAfter {
			return dropped, at
		}
		n := min(sizes[i%len(sizes)], total-done)
		at += j.gap(i)
		if !j.sleepUntil(j.start.Add(at)) {
			return j.interrupted(), at
		}
		if !emit(nextWords(j.rng, n), n, at) {
			return j.interrupted(), at
		}
		done += n
	}
	return completed, at
}

// gap is the wait before chunk i: the time to first token for the first,
// the load-stretched inter-token gap for the others, each jittered.
func (j *job) gap(i int) time.Duration {
	c := &j.s.cfg
	if i == 0 {
		return j.jitter(c.TTFT + c.PrefillPerToken*time.Duration(j.sent.PromptTokens))
	}
	itl := c.ITL
	if c.ITLLoadFactor > 0 {
		active, _ := j.s.slots.load()
		stretch := 1 + c.ITLLoadFactor*float64(active-1)/float64(max(c.MaxConcurrent, 1))
		itl = time.Duration(float64(itl) * stretch)
	}
	return j.jitter(itl)
}

func (j *job) jitter(d time.Duration) time.Duration {
	if j.s.cfg.Jitter == 0 {
		return d
	}
	return time.Duration(max(0, float64(d)*(1+j.s.cfg.Jitter*j.rng.NormFloat64())))
}

// sleepUntil waits for the absolute deadline t, so that lateness in one
// step never pushes back the next. It reports false if the request ended.
func (j *job) sleepUntil(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return j.ctx.Err() == nil
	}
	if j.timer == nil {
		j.timer = time.NewTimer(d)
	} else {
		j.timer.Reset(d)
	}
	select {
	case <-j.timer.C:
		return true
	case <-j.ctx.Done():
		return false
	}
}

// flush writes the pending events, and the stream's headers first if
// they have not gone yet, and pushes them to the client.
func (j *job) flush() bool {
	if !j.headersOut {
		h := j.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		j.w.WriteHeader(http.StatusOK)
		j.sent.Status = http.StatusOK
		j.headersOut = true
	}
	if len(j.buf) > 0 {
		if _, err := j.w.Write(j.buf); err != nil {
			return false
		}
		j.buf = j.buf[:0]
	}
	return j.rc.Flush() == nil
}

// interrupted tells a closing server from a client that went away.
func (j *job) interrupted() outcome {
	if j.s.stop.Err() != nil {
		return stopped
	}
	return clientGone
}

func (j *job) object() string {
	if j.kind == chatEndpoint {
		return objectChatChunk
	}
	return objectText
}

func (j *job) envelope(choices any) envelope {
	return envelope{ID: j.id, Object: j.object(), Created: j.created, Model: j.model, Choices: choices}
}

func (j *job) content(text string) envelope {
	if j.kind == chatEndpoint {
		return j.envelope([]chatChunkChoice{{Delta: delta{Content: &text}}})
	}
	return j.envelope([]textChoice{{Text: text}})
}

func (j *job) finish() envelope {
	if j.kind == chatEndpoint {
		return j.envelope([]chatChunkChoice{{FinishReason: &finishLength}})
	}
	return j.envelope([]textChoice{{FinishReason: &finishLength}})
}

func (j *job) body(text string) envelope {
	e := envelope{ID: j.id, Object: objectText, Created: j.created, Model: j.model,
		Usage: newUsage(j.sent.PromptTokens, j.req.outputTokens)}
	if j.kind == chatEndpoint {
		e.Object = objectChat
		e.Choices = []chatChoice{{Message: message{Role: "assistant", Content: text}, FinishReason: finishLength}}
	} else {
		e.Choices = []textChoice{{Text: text, FinishReason: &finishLength}}
	}
	return e
}
