package metrics

import (
	"time"
)

// counts are a request's client-side token counts. known is false when
// there are none: no tokenizer, a cancelled request (it counts nowhere), or
// a count cut short at the end of a run.
type counts struct {
	known              bool
	out, in, reasoning int
}

// inlineCount is the most text the daemon tokenizes on its own goroutine:
// a few milliseconds of work for prose, a tenth of a second for the worst
// case (one long word, which BPE merges in time quadratic in its length).
// A request with more (a prompt of megabytes, say, which can take seconds
// or minutes to count) is counted beside the daemon, so that it holds up no
// other request's Record, and no user but its own.
const inlineCount = 16 << 10

// CountGrace is how long Flush waits for counts under way beside the
// daemon before it cuts them short: nothing on the daemon may hold up the
// end of a run for long.
const CountGrace = 5 * time.Second

// toCount is what the client tokenizes of r: the output, the reasoning,
// and the prompt unless the server reported its size; ok is false when r
// gets no client counts (no tokenizer, or cancelled: it counts nowhere).
func (r *Stream) toCount() (out, reasoning, prompt string, ok bool) {
	if r.Tokenizer == nil || r.end.Cancelled {
		return "", "", "", false
	}
	if _, serverIn := r.serverCounts(); !serverIn {
		prompt = r.Prompt
	}
	return r.text.String(), r.reasoning.String(), prompt, true
}

// countWork is how many bytes the client's counts of r would tokenize.
func (r *Stream) countWork() int {
	out, reasoning, prompt, _ := r.toCount()
	return len(out) + len(reasoning) + len(prompt)
}

// clientCounts tokenizes what toCount names.
func (r *Stream) clientCounts() counts {
	out, reasoning, prompt, ok := r.toCount()
	if !ok {
		return counts{}
	}
	return counts{known: true, out: r.Tokenizer.Count(out), reasoning: r.Tokenizer.Count(reasoning), in: r.Tokenizer.Count(prompt)}
}

// countBeside starts the client's counts of a finished request on a
// goroutine of their own when they are large, and reports whether it did;
// the request is completed when they come back, or when Flush cuts them
// short. It runs on the daemon's goroutine.
func (d *Daemon) countBeside(r *Stream) bool {
	if r.countWork() <= inlineCount {
		return false
	}
	d.mu.Lock()
	d.counting++
	d.mu.Unlock()
	if d.beside == nil {
		d.beside = map[*Stream]time.Time{}
	}
	d.beside[r] = time.Now()
	go func() {
		n := r.clientCounts()
		d.push(item{req: r, counted: &n, at: time.Now()})
	}()
	return true
}

// counted completes a request whose counts came back, unless they were
// cut short meanwhile.
func (d *Daemon) counted(r *Stream, n counts) {
	if _, ok := d.beside[r]; !ok {
		return
	}
	d.done(r)
	r.complete(n, d.consumer)
}

// cut completes, without the client's counts, every request whose counts
// began before since and are still under way: each keeps its server's or
// its chunks' count.
func (d *Daemon) cut(since time.Time) {
	for r, began := range d.beside {
		if began.Before(since) {
			d.done(r)
			d.cutCounts.Add(1)
			r.complete(counts{}, d.consumer)
		}
	}
}

func (d *Daemon) done(r *Stream) {
	delete(d.beside, r)
	d.mu.Lock()
	d.counting--
	d.mu.Unlock()
}

// CountsCut is how many requests had their client-side token counts cut
// short because a Flush could not wait for them.
func (d *Daemon) CountsCut() int64 { return d.cutCounts.Load() }
