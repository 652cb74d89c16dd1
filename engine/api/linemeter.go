package api

import "bytes"

// LineMeter follows, read by read, how long the line is that a Splitter of
// the same framing and limit would be holding, so that the goroutine
// reading a body can refuse an endless line at once, before the bytes are
// queued for splitting. It costs a byte search or two per read.
//
// It measures the lines at the edges of each read: the one a read
// continues and the one it leaves open. A line that starts and ends inside
// a single read is left to the Splitter, which refuses it the same way.
type LineMeter struct {
	sse  bool // SSE lines may also end in a bare '\r'
	max  int
	open int // bytes of the line not ended yet
}

// NewLineMeter returns a meter for framing f and the event limit maxEvent
// (DefaultMaxEvent when maxEvent ≤ 0), allowing a line the slack a
// Splitter allows.
func NewLineMeter(f Framing, maxEvent int) LineMeter {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEvent
	}
	return LineMeter{sse: f == SSE, max: maxEvent + lineSlack}
}

// Add measures the next read p. It reports false once a line has grown
// past the limit; the meter then stays over it.
func (m *LineMeter) Add(p []byte) bool {
	if m.open > m.max {
		return false
	}
	first, last := m.ends(p)
	if first < 0 {
		m.open += len(p)
		return m.open <= m.max
	}
	if m.open+first > m.max {
		m.open += first
		return false
	}
	m.open = len(p) - 1 - last
	return m.open <= m.max
}

// ends returns the indexes of the first and the last line ending in p, or
// -1 for both when there is none.
func (m *LineMeter) ends(p []byte) (first, last int) {
	first, last = bytes.IndexByte(p, '\n'), bytes.LastIndexByte(p, '\n')
	if !m.sse {
		return first, last
	}
	head := p
	if first >= 0 {
		head = p[:first]
	}
	if cr := bytes.IndexByte(head, '\r'); cr >= 0 {
		first = cr
	}
	if first < 0 {
		return -1, -1
	}
	if cr := bytes.LastIndexByte(p[last+1:], '\r'); cr >= 0 {
		last += 1 + cr
	}
	return first, last
}
