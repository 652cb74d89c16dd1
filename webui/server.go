// Package webui serves Locust's web API over a session, so that Locust's
// own web UI (and ours, built on it) starts, edits and stops tests and
// shows their stats, plus the LLM additions: the LLM stats table, a live
// feed of LLM chart points over a websocket or polling, CSV downloads and
// the single-file HTML report.
package webui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/script"
)

// Options are the run's option values as the server reads and changes
// them. Names are the scenario's own (max_tokens): the form shows each
// scenario option as it stands and sets those it sends.
type Options interface {
	// Scenario returns an option's current value; ok is false when there
	// is no such option.
	Scenario(name string) (value any, ok bool)
	// SetScenario changes an option, from text read as the command line
	// reads it or from a value Scenario returned. Its error names the
	// option and what is wrong with the value.
	SetScenario(name string, value any) error
	// ParseRunTime reads a run time as -t/--run-time does.
	ParseRunTime(text string) (time.Duration, error)
}

// Config is what a Server serves.
type Config struct {
	Session *run.Session
	// Plan is the session's scenario, for the form's classes and tasks.
	Plan *script.Plan
	// Options holds the option values of the run.
	Options Options
	// Users, SpawnRate and RunTime are the command line's test, which the
	// form offers until a test has been started.
	Users     int
	SpawnRate float64
	RunTime   time.Duration
	// Scenario is the scenario file, shown as Locust shows its locustfile.
	Scenario string
	// BasePath is the path every route is served under ("/locust"); ""
	// serves at the root.
	BasePath string
	// Auth, when set, is required of every request.
	Auth    *BasicAuth
	Version string
	// Logs returns the last log lines, for the Logs tab.
	Logs func() []string
	// Logf reports the server's own troubles (a CSV file it cannot write);
	// nil drops them.
	Logf func(level, name, format string, args ...any)
	// Index is the built index.html (Frontend()), or nil when the binary
	// was built without the frontend.
	Index []byte
	// Assets are the files served under /assets/; nil serves those of the
	// embedded build.
	Assets fs.FS
	// CSVPrefix and FullHistory are --csv and --csv-full-history: with
	// both, the full stats history file can be downloaded.
	CSVPrefix   string
	FullHistory bool
	// Sweep and StepTime are --sweep and --step-time: the form's first
	// sweep, and the step time of a sweep whose form gives none.
	Sweep    string
	StepTime time.Duration
	// Workers, when set, lists a master's workers: the UI is then
	// distributed (its Workers tab, the worker count); nil for one process.
	Workers func() []WorkerRow
}

// WorkerRow is one row of the Workers tab, as Locust's /stats/requests
// lists its workers.
type WorkerRow struct {
	ID     string  `json:"id"`
	State  string  `json:"state"`
	Users  int     `json:"user_count"`
	CPU    float64 `json:"cpu_usage"`
	Memory int64   `json:"memory_usage"`
}

// workers is the master's workers, none for one process.
func (s *Server) workers() []WorkerRow {
	if s.cfg.Workers == nil {
		return nil
	}
	rows := s.cfg.Workers()
	if rows == nil {
		rows = []WorkerRow{}
	}
	return rows
}

// Server is the web UI's backend over one session.
type Server struct {
	cfg  Config
	plan *script.Plan
	base string
	app  *fiber.App
	feed *feed

	// loopbackOnly is set while listening on a loopback address only; Host
	// headers must then name this machine.
	loopbackOnly atomic.Bool

	mu     sync.Mutex
	ln     net.Listener
	closed bool
}

// New builds the server over the session, whose timeline its live feed
// follows; Shutdown closes the feed and stops serving.
func New(cfg Config) (*Server, error) {
	if cfg.Session == nil || cfg.Options == nil {
		return nil, errors.New("web ui: a session and option values are required")
	}
	if cfg.Logs == nil {
		cfg.Logs = func() []string { return nil }
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, string, string, ...any) {}
	}
	if cfg.Assets == nil {
		cfg.Assets = frontendAssets()
	}
	s := &Server{cfg: cfg, plan: cfg.Plan, base: cleanBase(cfg.BasePath)}
	s.feed = newFeed(cfg.Session.Timeline())
	s.app = fiber.New(fiber.Config{
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
	})
	s.routes()
	return s, nil
}

// cleanBase turns --web-base-path into "" or "/a/b".
func cleanBase(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// App is the Fiber app, for tests that send it requests.
func (s *Server) App() *fiber.App { return s.app }

// Listen serves on addr until Shutdown.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web ui: %w", err)
	}
	return s.Serve(ln)
}

// Serve serves on ln until Shutdown; it closes ln.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.Join(errors.New("web ui: serving after shutdown"), ln.Close())
	}
	s.ln = ln
	s.mu.Unlock()
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	s.loopbackOnly.Store(isLoopback(host))
	return s.app.Listener(ln)
}

// Addr is the address the server listens on, "" before Listen or Serve.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Shutdown stops collecting history, closes the live feeds and stops the
// server, letting requests in progress finish.
func (s *Server) Shutdown() error {
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if closed {
		return nil
	}
	s.feed.close()
	if err := s.app.ShutdownWithContext(context.Background()); err != nil {
		return fmt.Errorf("web ui: %w", err)
	}
	return nil
}

// routes registers Locust's routes and ours under the base path.
func (s *Server) routes() {
	s.app.Use(s.recoverPanic, s.checkHost, s.authorize, s.scrubResponse)
	r := s.app.Group(s.base)
	r.Get("/", s.index)
	r.Get("/assets/*", s.asset)
	r.Post("/swarm", sameOrigin, s.swarm)
	r.Get("/stop", sameOrigin, s.stop)
	r.Get("/stats/reset", sameOrigin, s.reset)
	r.Get("/stats/requests", s.requestStats)
	r.Get("/stats/requests/csv", s.requestsCSV)
	r.Get("/stats/failures/csv", s.failuresCSV)
	r.Get("/exceptions/csv", s.exceptionsCSV)
	r.Get("/stats/llm/csv", s.llmCSV)
	r.Get("/stats/llm/history/csv", s.llmHistoryCSV)
	r.Get("/stats/requests_full_history/csv", s.fullHistoryCSV)
	r.Get("/stats/report", s.report)
	r.Get("/tasks", s.tasks)
	r.Get("/exceptions", s.exceptions)
	r.Get("/logs", s.logs)
	r.Get("/worker-count", s.workerCount)
	r.Get("/llm/points", s.points)
	r.Get("/llm/sweep", s.sweep)
	r.Get("/ws/llm", sameOrigin, s.websocket())
}

// handleError answers a handler's error as Locust does, with its text and
// status, scrubbed like every other response.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code = fe.Code
	}
	msg, _ := s.scrub([]byte(err.Error()))
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.Status(code).Send(msg)
}

// locustfile is the scenario's file name as Locust shows its locustfile.
func (s *Server) locustfile() string { return filepath.Base(s.cfg.Scenario) }
