package secret

import (
	"bytes"
	"io"
	"sync"
)

// Writer masks secrets in what it passes on to another writer. A secret
// may be split across writes (a buffered writer flushes where its buffer
// fills), so bytes at the end of a write that could begin one are held
// back until the next write shows what follows, or until Flush. Text that
// ends in a newline is never held. Writers are safe for concurrent use.
type Writer struct {
	s    *Scrubber
	w    io.Writer
	mu   sync.Mutex
	held []byte
}

// Writer returns a Writer that masks s's secrets, those added later
// included, on their way to w.
func (s *Scrubber) Writer(w io.Writer) *Writer { return &Writer{s: s, w: w} }

// Write masks p and passes it on; it reports all of p written once the
// part it does not hold back is written.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cur := w.s.load()
	if len(w.held) == 0 && (cur == nil || len(cur.patterns) == 0) {
		return w.w.Write(p)
	}
	buf := p
	if len(w.held) > 0 {
		buf = append(w.held, p...)
		w.held = nil
	}
	out, _ := cur.scrub(buf)
	if n := cur.pending(out); n > 0 {
		w.held = bytes.Clone(out[len(out)-n:])
		out = out[:len(out)-n]
	}
	if len(out) > 0 {
		if _, err := w.w.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush passes on the bytes held back: the stream ended without the rest
// of a secret.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.held) == 0 {
		return nil
	}
	held := w.held
	w.held = nil
	_, err := w.w.Write(held)
	return err
}

// reader masks secrets in what it reads from src, through a Writer.
type reader struct {
	src io.Reader
	w   *Writer
	out bytes.Buffer
	buf []byte
	err error
}

// Reader returns a reader of r's bytes with s's secrets masked.
func (s *Scrubber) Reader(r io.Reader) io.Reader {
	rd := &reader{src: r}
	rd.w = s.Writer(&rd.out)
	return rd
}

func (r *reader) Read(p []byte) (int, error) {
	for r.out.Len() == 0 && r.err == nil {
		if r.buf == nil {
			r.buf = make([]byte, 32<<10)
		}
		n, err := r.src.Read(r.buf)
		_, _ = r.w.Write(r.buf[:n]) // a bytes.Buffer takes everything
		if err != nil {
			_ = r.w.Flush()
			r.err = err
		}
	}
	if r.out.Len() > 0 {
		return r.out.Read(p)
	}
	return 0, r.err
}
