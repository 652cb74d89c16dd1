package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/secret"
)

// Level is a log level, named as Locust's -L names them.
type Level int

// Levels, from most to least verbose.
const (
	LevelDebug Level = iota
	LevelInfo
	LevelWarning
	LevelError
	LevelCritical
)

var levelNames = map[string]Level{"DEBUG": LevelDebug, "INFO": LevelInfo, "WARNING": LevelWarning, "ERROR": LevelError, "CRITICAL": LevelCritical}

func (l Level) String() string {
	for name, v := range levelNames {
		if v == l {
			return name
		}
	}
	return "INFO"
}

// logger writes lines in Locust's format,
// "[2026-01-02 15:04:05,123] host/INFO/llmlocust.runner: message",
// to stderr and, with --logfile, to a file, every secret masked.
type logger struct {
	mu      sync.Mutex
	out     []io.Writer
	level   Level
	host    string
	file    *os.File
	secrets *secret.Scrubber
	lines   []string // the last keptLines lines, for the web UI's log tab
}

// keptLines is how many log lines the web UI can show, as Locust keeps.
const keptLines = 500

func newLogger(stderr io.Writer, levelName, logfile string, secrets *secret.Scrubber) (*logger, error) {
	host, _ := os.Hostname()
	l := &logger{out: []io.Writer{stderr}, level: LevelInfo, host: host, secrets: secrets}
	if lv, ok := levelNames[strings.ToUpper(levelName)]; ok {
		l.level = lv
	}
	if logfile != "" {
		f, err := os.OpenFile(logfile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("opening the log file: %w", err)
		}
		l.file = f
		l.out = append(l.out, f)
	}
	return l, nil
}

func (l *logger) close() {
	if l.file != nil {
		_ = l.file.Close()
	}
}

func (l *logger) log(level Level, name, format string, args ...any) {
	if l == nil || level < l.level {
		return
	}
	now := time.Now()
	// A script's print, an error or a server's answer may hold a key.
	msg := l.secrets.String(fmt.Sprintf(format, args...))
	line := fmt.Sprintf("[%s,%03d] %s/%s/%s: %s\n", now.Format("2006-01-02 15:04:05"), now.Nanosecond()/1e6, l.host, level, name, msg)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range l.out {
		_, _ = io.WriteString(w, line)
	}
	if len(l.lines) == keptLines {
		l.lines = append(l.lines[:0], l.lines[1:]...)
	}
	l.lines = append(l.lines, strings.TrimSuffix(line, "\n"))
}

// openConsole makes a run's scrubber, its stdout and stderr masked by it,
// and its logger. The logger masks each line itself (for --logfile and the
// web UI's log tab too), so it writes to the unmasked stderr. done closes
// the log file and passes on what the masks hold back.
func openConsole(stdout, stderr io.Writer, opts *options.Run) (secrets *secret.Scrubber, out, errOut io.Writer, log *logger, done func(), err error) {
	secrets = secret.New()
	o, e := secrets.Writer(stdout), secrets.Writer(stderr)
	flush := func() { _, _ = o.Flush(), e.Flush() }
	log, err = newLogger(stderr, opts.Loglevel, opts.Logfile, secrets)
	if err != nil {
		return nil, o, e, nil, flush, err
	}
	return secrets, o, e, log, func() { log.close(); flush() }, nil
}

// recent returns the last lines logged, oldest first.
func (l *logger) recent() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// levelf logs at a level named as Locust names it; it serves code that
// does not know this package's Level type.
func (l *logger) levelf(level, name, format string, args ...any) {
	lv, ok := levelNames[level]
	if !ok {
		lv = LevelInfo
	}
	l.log(lv, name, format, args...)
}
