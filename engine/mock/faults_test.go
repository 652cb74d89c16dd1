package mock

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRejections checks the 500 and 429 faults on every kind of request.
func TestRejections(t *testing.T) {
	requests := []struct{ path, body string }{
		{"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"stream":true}`},
		{"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}]}`},
		{"/v1/completions", `{"prompt":"x","stream":true}`},
		{"/v1/completions", `{"prompt":"x"}`},
	}
	tests := []struct {
		name           string
		config         func(*Config)
		status         int
		errType        string
		retryAfter     string
		retryAfterMs   string
		wantRetryAfter bool
	}{
		{"server errors", func(c *Config) { c.ErrorRate = 1 }, 500, "server_error", "", "", false},
		{"rate limited", func(c *Config) { c.RateLimitRate = 1 }, 429, "requests", "1", "1000", true},
		{"rate limited, wait rounded up", func(c *Config) { c.RateLimitRate = 1; c.RetryAfter = 1500 * time.Millisecond }, 429, "requests", "2", "1500", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fastConfig()
			tc.config(&cfg)
			s, url := startServer(t, cfg)
			for _, r := range requests {
				resp := post(context.Background(), t, url+r.path, r.body)
				body, _ := readAll(resp.Body)
				resp.Body.Close()
				var got struct {
					Error struct{ Message, Type, Code string } `json:"error"`
				}
				if err := decodeStrict(string(body), &got); err != nil {
					t.Fatalf("%s: body %q: %v", r.path, body, err)
				}
				if resp.StatusCode != tc.status || got.Error.Type != tc.errType || got.Error.Message == "" || got.Error.Code == "" {
					t.Errorf("%s %s: %d %s", r.path, r.body, resp.StatusCode, body)
				}
				ra, raMs := resp.Header.Get("Retry-After"), resp.Header.Get("Retry-After-Ms")
				if ra != tc.retryAfter || raMs != tc.retryAfterMs {
					t.Errorf("Retry-After %q, Retry-After-Ms %q; want %q, %q", ra, raMs, tc.retryAfter, tc.retryAfterMs)
				}
			}
			tot := s.Totals()
			if n := int64(len(requests)); tot.ByStatus[tc.status] != n || tot.Requests != n || tot.Completed != 0 || tot.CompletionTokens != 0 {
				t.Errorf("totals %+v, want %d answers %d", tot, n, tc.status)
			}
		})
	}
}

// TestDrops checks that a dropped request leaves the client with a broken
// body after some tokens, never a clean end.
func TestDrops(t *testing.T) {
	const drops = 20
	tests := []struct {
		name      string
		path      string
		body      string
		stream    bool
		minTokens int // a one-token output can only be cut before its token
		maxTokens int
	}{
		{"chat stream", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"stream":true,"max_tokens":10}`, true, 1, 9},
		{"completions stream", "/v1/completions", `{"prompt":"x","stream":true,"max_tokens":10}`, true, 1, 9},
		{"two token stream", "/v1/completions", `{"prompt":"x","stream":true,"max_tokens":2}`, true, 1, 1},
		{"one token stream", "/v1/completions", `{"prompt":"x","stream":true,"max_tokens":1}`, true, 0, 0},
		{"whole body", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"max_tokens":10}`, false, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fastConfig()
			cfg.ITL, cfg.DropRate = time.Millisecond, 1
			s, url := startServer(t, cfg)
			var seen []int
			for range drops {
				tokens, err := sendAndCount(url+tc.path, tc.body, tc.stream)
				seen = append(seen, tokens)
				if err == nil {
					t.Fatalf("the client read the answer to a clean end")
				}
				if strings.Contains(err.Error(), "[DONE]") {
					t.Fatalf("the stream was cut only after it was complete: %v", err)
				}
				if tokens < tc.minTokens || tokens > tc.maxTokens {
					t.Errorf("client saw %d tokens before the cut, want %d to %d", tokens, tc.minTokens, tc.maxTokens)
				}
			}
			var cuts []int
			for _, sent := range s.Sent() {
				if !sent.Dropped || sent.ClientGone {
					t.Errorf("record %+v is not marked dropped", sent)
				}
				cuts = append(cuts, sent.CompletionTokens)
			}
			if tot := s.Totals(); tot.Dropped != drops || tot.Completed != 0 {
				t.Errorf("totals %+v, want %d dropped", tot, drops)
			}
			if tc.stream && !slices.Equal(cuts, seen) {
				t.Errorf("server wrote %v tokens before the cuts, the client saw %v", cuts, seen)
			}
		})
	}
}

// sendAndCount sends a request and counts the output tokens the client
// received; the error is what ended the answer, nil for a complete one.
func sendAndCount(url, body string, stream bool) (int, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if !stream {
		_, err := io.ReadAll(resp.Body)
		return 0, err
	}
	events, err := readSSE(resp.Body)
	tokens := 0
	for _, ev := range events {
		var c chunk
		if decodeStrict(ev.data, &c) == nil {
			tokens += len(strings.Fields(c.tokenText()))
		}
	}
	if err != nil && len(events) > 0 && events[len(events)-1].data == "[DONE]" {
		err = fmt.Errorf("read error after [DONE]: %w", err)
	}
	return tokens, err
}

// TestFaultShareAndSeed sends 200 requests with a 30% error rate to two
// servers of one seed and one of another: the share must be near 30% and
// the same seed must fail the same requests.
func TestFaultShareAndSeed(t *testing.T) {
	statuses := func(seed int64) []int {
		cfg := fastConfig()
		cfg.Seed, cfg.ErrorRate = seed, 0.3
		_, url := startServer(t, cfg)
		out := make([]int, 200)
		for i := range out {
			resp := post(context.Background(), t, url+"/v1/completions", `{"prompt":"x","max_tokens":1}`)
			_, _ = readAll(resp.Body)
			resp.Body.Close()
			out[i] = resp.StatusCode
		}
		return out
	}
	a, b, other := statuses(7), statuses(7), statuses(8)
	if !slices.Equal(a, b) {
		t.Errorf("the same seed failed different requests")
	}
	if slices.Equal(a, other) {
		t.Errorf("different seeds failed the same requests")
	}
	for _, run := range [][]int{a, other} {
		failed := 0
		for _, st := range run {
			if st == http.StatusInternalServerError {
				failed++
			}
		}
		if share := float64(failed) / float64(len(run)); share < 0.2 || share > 0.4 {
			t.Errorf("share of errors %.2f, want about 0.3", share)
		}
	}
}

// TestClientDisconnect checks over real connections that a client leaving
// the queue gives up its place and one leaving in service frees its slot.
func TestClientDisconnect(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TTFT, cfg.PrefillPerToken, cfg.MaxConcurrent = 20*time.Millisecond, 100*time.Millisecond, 1
	s, url := startServer(t, cfg)
	// A 100-word prompt takes 10 s to prefill: the request can only finish
	// early if its client leaves.
	long := fmt.Sprintf(`{"prompt":%q,"stream":true,"max_tokens":2}`, strings.Repeat("w ", 100))
	short := `{"prompt":"w","stream":true,"max_tokens":2}`

	servingCtx, leaveServing := context.WithCancel(context.Background())
	serving := post(servingCtx, t, url+"/v1/completions", long)
	defer serving.Body.Close()
	waitFor(t, "the first request in service", func() bool { return s.Totals().InService == 1 })
	queuedCtx, leaveQueue := context.WithCancel(context.Background())
	queued := post(queuedCtx, t, url+"/v1/completions", long)
	defer queued.Body.Close()
	waitFor(t, "the second request queued", func() bool { return s.Totals().Waiting == 1 })

	done := make(chan error, 1)
	go func() {
		resp, err := http.Post(url+"/v1/completions", "application/json", strings.NewReader(short))
		if err == nil {
			_, err = readSSE(resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the third request queued", func() bool { return s.Totals().Waiting == 2 })
	leaveQueue()
	waitFor(t, "the queued client to leave", func() bool { return s.Totals().Waiting == 1 })

	left := time.Now()
	leaveServing()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("third request: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the third request was not served after the first client left")
	}
	if d := time.Since(left); d > 2*time.Second {
		t.Errorf("third request took %v after the slot was freed", d)
	}
	tot := s.Totals()
	if tot.ClientGone != 2 || tot.Completed != 1 || tot.InService != 0 || tot.Waiting != 0 {
		t.Errorf("totals %+v, want 2 clients gone and 1 completed", tot)
	}
}

// TestCloseEndsStreams checks that Close cuts the requests being served,
// queued or not, and returns once their records are in.
func TestCloseEndsStreams(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TTFT, cfg.MaxConcurrent = time.Minute, 1
	s, url := startServer(t, cfg)
	if _, err := s.Listen("127.0.0.1:0"); err == nil {
		t.Errorf("a second Listen succeeded")
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := sendAndCount(url+"/v1/completions", `{"prompt":"x","stream":true,"max_tokens":3}`, true)
			errs <- err
		}()
	}
	waitFor(t, "one request served and one queued", func() bool {
		tot := s.Totals()
		return tot.InService == 1 && tot.Waiting == 1
	})
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	for range 2 {
		if err := <-errs; err == nil {
			t.Errorf("a client read a clean end from a closed server")
		}
	}
	sent := s.Sent()
	if len(sent) != 2 {
		t.Fatalf("%d records after Close, want 2", len(sent))
	}
	for _, r := range sent {
		if r.ClientGone || r.Dropped || len(r.Chunks) != 0 || r.Status != http.StatusOK {
			t.Errorf("record of a request cut by Close: %+v", r)
		}
	}
	if _, err := http.Get(url + "/health"); err == nil {
		t.Errorf("the server still answers after Close")
	}
}
