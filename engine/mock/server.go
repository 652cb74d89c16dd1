// Package mock is the built-in simulated LLM server: an OpenAI-compatible
// endpoint with configurable timing, capacity and faults, which keeps its
// own record of when it sent each chunk so that clients' measurements can
// be checked against it.
package mock

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// Sent is the server's account of one finished generation request.
type Sent struct {
	// ID is also the chunks' "id" and the X-Request-Id response header;
	// empty for a request rejected before one was given.
	ID   string
	Path string
	// Received is when the request body had been read in full.
	Received time.Time
	// Queued is the wait for a free sequence slot; service starts at
	// Received + Queued.
	Queued time.Duration
	// Chunks holds when each content (token-carrying) chunk was written and
	// flushed. A non-streamed answer counts as one chunk carrying every
	// token, taken when its body was flushed.
	Chunks []time.Time
	// ChunkTokens holds the tokens in each of those chunks.
	ChunkTokens []int
	// Planned holds the offset from the start of service at which each
	// chunk was due, jitter and load included: what Chunks aimed at.
	Planned []time.Duration
	// PromptTokens is the prompt's count; CompletionTokens the output
	// tokens actually written.
	PromptTokens, CompletionTokens int
	// Status is the HTTP status sent, 0 if the client left before any.
	Status int
	Stream bool
	// Dropped marks a connection the server cut on purpose; ClientGone a
	// client that went away before the answer was complete.
	Dropped, ClientGone bool
}

// Totals are the server's counters since it was created.
type Totals struct {
	// Requests counts generation requests whose body was read, counted on
	// arrival; the other counters are taken when a request finishes.
	Requests int64 `json:"requests"`
	// ByStatus counts finished requests by the HTTP status sent.
	ByStatus map[int]int64 `json:"by_status"`
	// Completed counts answers delivered in full.
	Completed  int64 `json:"completed"`
	Dropped    int64 `json:"dropped"`
	ClientGone int64 `json:"client_gone"`
	// PromptTokens sums the prompts of requests that entered service;
	// CompletionTokens the output tokens written.
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	// InService and Waiting are the sequences being served and queued now.
	InService int `json:"in_service"`
	Waiting   int `json:"waiting"`
}

// Server is the simulated LLM server. It is an http.Handler, and Listen
// serves it on its own listener.
type Server struct {
	cfg   Config
	slots *slots

	randMu sync.Mutex
	rand   *rand.Rand // decides faults and seeds each request's own source
	seq    uint64     // under randMu; makes request IDs unique

	recMu  sync.Mutex
	ring   []Sent
	next   int // ring index the next record goes to
	filled bool
	totals Totals

	// Handlers watch stop so that Close ends them however they are served;
	// inflight lets Close wait for them, and closing keeps new ones out
	// while it waits.
	stop     context.Context
	cancel   context.CancelFunc
	life     sync.Mutex
	closing  bool
	inflight sync.WaitGroup
	http     *http.Server
	served   chan error
}

// New checks cfg and returns a server built from it.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("invalid mock configuration: %w", err)
	}
	stop, cancel := context.WithCancel(context.Background())
	seed := uint64(cfg.Seed)
	return &Server{
		cfg:    cfg,
		slots:  newSlots(cfg.MaxConcurrent),
		rand:   rand.New(rand.NewPCG(seed, seed^0x6d6f636b)),
		ring:   make([]Sent, cfg.RecordCapacity),
		totals: Totals{ByStatus: map[int]int64{}},
		stop:   stop,
		cancel: cancel,
	}, nil
}

// ServeHTTP routes a request to the simulated API. A dropped request is
// cut by panicking with http.ErrAbortHandler, which net/http's server
// turns into a closed connection.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		(&apiError{status: http.StatusServiceUnavailable, kind: "server_error", code: "shutting_down",
			message: "the server is shutting down"}).write(w)
		return
	}
	defer s.inflight.Done()

	switch r.URL.Path {
	case "/v1/chat/completions":
		s.onlyMethod(w, r, http.MethodPost, func() { s.serveGeneration(w, r, chatEndpoint) })
	case "/v1/completions":
		s.onlyMethod(w, r, http.MethodPost, func() { s.serveGeneration(w, r, textEndpoint) })
	case "/v1/models":
		s.onlyMethod(w, r, http.MethodGet, func() { s.serveModels(w) })
	case "/mock/stats":
		s.onlyMethod(w, r, http.MethodGet, func() { writeJSON(w, http.StatusOK, s.Totals()) })
	case "/mock/timings":
		s.onlyMethod(w, r, http.MethodGet, func() { writeJSON(w, http.StatusOK, s.Timings()) })
	case "/health":
		s.onlyMethod(w, r, http.MethodGet, func() {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("ok"))
		})
	default:
		(&apiError{status: http.StatusNotFound, kind: "invalid_request_error", code: "unknown_url",
			message: fmt.Sprintf("unknown path %s", r.URL.Path)}).write(w)
	}
}

func (s *Server) enter() bool {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}

func (s *Server) onlyMethod(w http.ResponseWriter, r *http.Request, method string, serve func()) {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		serve()
		return
	}
	w.Header().Set("Allow", method)
	(&apiError{status: http.StatusMethodNotAllowed, kind: "invalid_request_error", code: "method_not_allowed",
		message: fmt.Sprintf("%s %s is not supported, use %s", r.Method, r.URL.Path, method)}).write(w)
}

func (s *Server) serveModels(w http.ResponseWriter) {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	writeJSON(w, http.StatusOK, struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{"list", []model{{ID: s.cfg.Model, Object: "model", Created: time.Now().Unix(), OwnedBy: "llmlocust"}}})
}

// Listen serves the server on addr (such as "127.0.0.1:0") in the
// background and returns its base URL, such as "http://127.0.0.1:43127".
func (s *Server) Listen(addr string) (url string, err error) {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closing {
		return "", errors.New("listening: server is closed")
	}
	if s.http != nil {
		return "", errors.New("listening: server is already listening")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listening on %s: %w", addr, err)
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	s.served = make(chan error, 1)
	go func() { s.served <- s.http.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the listener, ends every request being served, and returns
// once their handlers have finished, so Sent and Totals are final.
func (s *Server) Close() error {
	s.life.Lock()
	if s.closing {
		s.life.Unlock()
		return nil
	}
	s.closing = true
	srv := s.http
	s.life.Unlock()

	s.cancel()
	var err error
	if srv != nil {
		err = srv.Close()
		if serveErr := <-s.served; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, fmt.Errorf("serving: %w", serveErr))
		}
	}
	s.inflight.Wait()
	return err
}

// Sent returns a copy of the records of the last finished requests, up
// to RecordCapacity of them, oldest first.
func (s *Server) Sent() []Sent {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	if !s.filled {
		return append([]Sent(nil), s.ring[:s.next]...)
	}
	out := make([]Sent, 0, len(s.ring))
	out = append(out, s.ring[s.next:]...)
	return append(out, s.ring[:s.next]...)
}

// Totals returns the server's counters.
func (s *Server) Totals() Totals {
	s.recMu.Lock()
	t := s.totals
	t.ByStatus = make(map[int]int64, len(s.totals.ByStatus))
	for k, v := range s.totals.ByStatus {
		t.ByStatus[k] = v
	}
	s.recMu.Unlock()
	t.InService, t.Waiting = s.slots.load()
	return t
}

func (s *Server) countArrival() {
	s.recMu.Lock()
	s.totals.Requests++
	s.recMu.Unlock()
}

// record files a finished request; served says whether it entered service.
func (s *Server) record(sent Sent, served, completed bool) {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.ring[s.next] = sent
	s.next++
	if s.next == len(s.ring) {
		s.next, s.filled = 0, true
	}
	t := &s.totals
	if sent.Status != 0 {
		t.ByStatus[sent.Status]++
	}
	if completed {
		t.Completed++
	}
	if sent.Dropped {
		t.Dropped++
	}
	if sent.ClientGone {
		t.ClientGone++
	}
	if served {
		t.PromptTokens += int64(sent.PromptTokens)
	}
	t.CompletionTokens += int64(sent.CompletionTokens)
}
