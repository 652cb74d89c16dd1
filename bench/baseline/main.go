// Command baseline is the yardstick of the benchmark: the least a Go
// client must do to measure streamed chat answers. Each of its users
// loops on one request over its own fasthttp client, reads the stream,
// splits it into lines, and stamps the first and last token chunks;
// nothing else (no decoding, no tokenizing, no stats). It prints its TTFT
// and TPOT percentiles and the chunks it saw as one JSON object.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/mock"

	"github.com/valyala/fasthttp"
)

// Report is what baseline prints.
type Report struct {
	Users    int    `json:"users"`
	Requests int    `json:"requests"`
	Errors   int    `json:"errors"`
	Chunks   int64  `json:"chunks"`
	TTFT     Spread `json:"ttft_ms"`
	TPOT     Spread `json:"tpot_ms"`
	// LastError is the last failure's message, for a run that had some.
	LastError string `json:"last_error,omitempty"`
}

// Spread is the median and 99th percentile of a timing in milliseconds,
// ranked as the simulator ranks its own.
type Spread = mock.Spread

func main() {
	url := flag.String("url", "", "chat completions URL, e.g. http://127.0.0.1:8000/v1/chat/completions")
	users := flag.Int("users", 100, "concurrent users")
	rate := flag.Float64("rate", 100, "users started per second")
	duration := flag.Duration("duration", 20*time.Second, "how long users start new requests; requests in flight then finish")
	maxTokens := flag.Int("max-tokens", 64, "output tokens to ask for")
	model := flag.String("model", "mock-model", "model name sent")
	flag.Parse()
	if *url == "" || *users < 1 || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "baseline: -url is required, -users and -rate must be positive")
		os.Exit(2)
	}
	body, err := json.Marshal(map[string]any{
		"model":          *model,
		"messages":       []map[string]string{{"role": "user", "content": "Tell me a story."}},
		"max_tokens":     *maxTokens,
		"stream":         true,
		"stream_options": map[string]bool{"include_usage": true},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	rep := run(*url, body, *users, *rate, *duration)
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fmt.Fprintln(os.Stderr, "baseline: writing the report:", err)
		os.Exit(1)
	}
}

// tally is one user's measurements; users merge theirs at the end only.
type tally struct {
	ttft, tpot []float64
	chunks     int64
	errors     int
	lastErr    error
}

func run(url string, body []byte, users int, rate float64, duration time.Duration) Report {
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	tallies := make([]tally, users)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range users {
		// Users start at the spawn rate, as the load tester's runner starts them.
		time.Sleep(time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))))
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop(ctx, url, body, &tallies[i])
		}()
	}
	wg.Wait()
	return merge(users, tallies)
}

// loop makes requests until ctx ends; the request in flight then finishes.
func loop(ctx context.Context, url string, body []byte, t *tally) {
	c := &fasthttp.Client{MaxConnsPerHost: 4, MaxIdleConnDuration: 90 * time.Second}
	buf := make([]byte, 16<<10)
	var line []byte
	for ctx.Err() == nil {
		if err := one(c, url, body, buf, &line, t); err != nil {
			t.errors++
			t.lastErr = err
			time.Sleep(10 * time.Millisecond) // a server that is down is not hammered
		}
	}
}

// one makes one streamed request, stamping each read as it returns.
func one(c *fasthttp.Client, url string, body, buf []byte, line *[]byte, t *tally) error {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.SetRequestURI(url)
	req.SetBodyRaw(body)
	resp.StreamBody = true

	start := time.Now()
	if err := c.Do(req, resp); err != nil {
		return err
	}
	if resp.StatusCode() != fasthttp.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode())
	}
	s := reader{line: (*line)[:0]}
	r := resp.BodyStream()
	for {
		n, err := r.Read(buf)
		at := time.Now()
		s.feed(buf[:n], at)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	*line = s.line
	if s.tokens == 0 {
		return errors.New("no token arrived")
	}
	t.chunks += int64(s.tokens)
	t.ttft = append(t.ttft, ms(s.first.Sub(start)))
	if s.tokens > 1 {
		t.tpot = append(t.tpot, ms(s.last.Sub(s.first))/float64(s.tokens-1))
	}
	return nil
}

// reader splits a stream into lines and notes the token chunks: data
// lines whose delta carries non-empty content.
type reader struct {
	line        []byte // a line not yet ended
	tokens      int
	first, last time.Time
}

var contentKey = []byte(`"content":"`)

func (r *reader) feed(p []byte, at time.Time) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			r.line = append(r.line, p...)
			return
		}
		l := p[:i]
		if len(r.line) > 0 {
			r.line = append(r.line, l...)
			l = r.line
		}
		r.onLine(l, at)
		r.line = r.line[:0]
		p = p[i+1:]
	}
}

func (r *reader) onLine(l []byte, at time.Time) {
	if !bytes.HasPrefix(l, []byte("data:")) {
		return
	}
	k := bytes.Index(l, contentKey)
	if k < 0 || k+len(contentKey) >= len(l) || l[k+len(contentKey)] == '"' {
		return
	}
	if r.tokens == 0 {
		r.first = at
	}
	r.last = at
	r.tokens++
}

func merge(users int, tallies []tally) Report {
	rep := Report{Users: users}
	var ttft, tpot []float64
	for _, t := range tallies {
		ttft = append(ttft, t.ttft...)
		tpot = append(tpot, t.tpot...)
		rep.Chunks += t.chunks
		rep.Errors += t.errors
		if t.lastErr != nil {
			rep.LastError = t.lastErr.Error()
		}
	}
	rep.Requests = len(ttft) + rep.Errors
	rep.TTFT, rep.TPOT = mock.SpreadOf(ttft), mock.SpreadOf(tpot)
	return rep
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
