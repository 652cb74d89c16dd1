package mock

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// The tests in this file run the handler under testing/synctest's fake
// clock, where no time passes unless every goroutine waits: chunks must
// then leave exactly at their deadlines, so any drift or wrong formula
// shows as an exact mismatch. The loopback tests cover the real network.

// serveFake runs one request through s.ServeHTTP and returns the
// recorder; it must run inside a synctest bubble.
func serveFake(ctx context.Context, s *Server, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(ctx, "POST", path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func offsets(sent Sent) []time.Duration {
	start := sent.Received.Add(sent.Queued)
	out := make([]time.Duration, len(sent.Chunks))
	for i, c := range sent.Chunks {
		out[i] = c.Sub(start)
	}
	return out
}

func ms(vs ...float64) []time.Duration {
	out := make([]time.Duration, len(vs))
	for i, v := range vs {
		out[i] = time.Duration(v * float64(time.Millisecond))
	}
	return out
}

// TestScheduleFakeClock checks when each chunk leaves, exactly.
func TestScheduleFakeClock(t *testing.T) {
	tests := []struct {
		name   string
		config func(*Config)
		path   string
		body   string
		want   []time.Duration
		tokens []int
	}{
		{"ttft then itl", nil, "/v1/chat/completions",
			`{"messages":[{"role":"user","content":"a"}],"stream":true,"max_tokens":5}`,
			ms(100, 110, 120, 130, 140), []int{1, 1, 1, 1, 1}},
		{"prefill per prompt token", func(c *Config) { c.PrefillPerToken = 2 * time.Millisecond }, "/v1/completions",
			`{"prompt":"one two three four five six seven eight nine ten","stream":true,"max_tokens":3}`,
			ms(120, 130, 140), []int{1, 1, 1}},
		{"a gap per chunk, not per token", func(c *Config) { c.TokensPerChunk = []int{1, 3} }, "/v1/chat/completions",
			`{"messages":[{"role":"user","content":"a"}],"stream":true,"max_tokens":7}`,
			ms(100, 110, 120, 130), []int{1, 3, 1, 2}},
		{"whole body when the last token is due", nil, "/v1/completions",
			`{"prompt":"a","max_tokens":5}`,
			ms(140), []int{5}},
		{"headers with first token", func(c *Config) { c.HeadersWithFirstToken = true }, "/v1/chat/completions",
			`{"messages":[{"role":"user","content":"a"}],"stream":true,"max_tokens":2}`,
			ms(100, 110), []int{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.TTFT, cfg.ITL = 100*time.Millisecond, 10*time.Millisecond
				if tc.config != nil {
					tc.config(&cfg)
				}
				s, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				begin := time.Now()
				rec := serveFake(context.Background(), s, tc.path, tc.body)
				if rec.Code != 200 {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				sent := s.Sent()[0]
				if !sent.Received.Equal(begin) || sent.Queued != 0 {
					t.Errorf("received at +%v, queued %v; want both zero", sent.Received.Sub(begin), sent.Queued)
				}
				if got := offsets(sent); !slices.Equal(got, tc.want) || !slices.Equal(sent.Planned, tc.want) {
					t.Errorf("chunks at %v, planned %v, want %v", got, sent.Planned, tc.want)
				}
				if !slices.Equal(sent.ChunkTokens, tc.tokens) {
					t.Errorf("chunk tokens %v, want %v", sent.ChunkTokens, tc.tokens)
				}
			})
		})
	}
}

// TestQueueFakeClock checks the FIFO queue's waves exactly.
func TestQueueFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.TTFT, cfg.ITL, cfg.MaxConcurrent = 100*time.Millisecond, 10*time.Millisecond, 2
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				serveFake(context.Background(), s, "/v1/completions", `{"prompt":"a","stream":true,"max_tokens":4}`)
			})
		}
		synctest.Wait()
		if tot := s.Totals(); tot.InService != 2 || tot.Waiting != 4 {
			t.Errorf("in service %d, waiting %d; want 2 and 4", tot.InService, tot.Waiting)
		}
		wg.Wait()
		var queued []time.Duration
		for _, sent := range s.Sent() {
			queued = append(queued, sent.Queued)
		}
		if want := ms(0, 0, 130, 130, 260, 260); !slices.Equal(queued, want) {
			t.Errorf("queued %v, want %v", queued, want)
		}
	})
}

// TestQueueLeaveFakeClock checks that a request whose client leaves while
// queued gives up its place, and one leaving in service frees its slot.
func TestQueueLeaveFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.TTFT, cfg.MaxConcurrent = 100*time.Millisecond, 1
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		body := `{"prompt":"a","max_tokens":1}`
		inService, leaveServing := context.WithCancel(context.Background())
		queued, leaveQueue := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { serveFake(inService, s, "/v1/completions", body) })
		synctest.Wait()
		wg.Go(func() { serveFake(queued, s, "/v1/completions", body) })
		synctest.Wait()
		wg.Go(func() { serveFake(context.Background(), s, "/v1/completions", body) })
		synctest.Wait()

		time.Sleep(30 * time.Millisecond)
		leaveQueue()
		synctest.Wait()
		if tot := s.Totals(); tot.Waiting != 1 || tot.ClientGone != 1 {
			t.Errorf("after a queued client left: %+v", tot)
		}
		time.Sleep(20 * time.Millisecond)
		leaveServing()
		wg.Wait()

		sent := s.Sent()
		if len(sent) != 3 {
			t.Fatalf("%d records, want 3", len(sent))
		}
		left, gone, last := sent[0], sent[1], sent[2]
		if !left.ClientGone || left.Status != 0 || len(left.Chunks) != 0 {
			t.Errorf("queued client that left: %+v", left)
		}
		if !gone.ClientGone || gone.Queued != 0 || len(gone.Chunks) != 0 {
			t.Errorf("client that left in service: %+v", gone)
		}
		if last.ClientGone || last.Queued != 50*time.Millisecond || last.Status != 200 {
			t.Errorf("last request: %+v, want served once the slot was freed at 50ms", last)
		}
		if tot := s.Totals(); tot.InService != 0 || tot.Waiting != 0 || tot.ClientGone != 2 || tot.Completed != 1 || tot.PromptTokens != 2 {
			t.Errorf("final totals %+v", tot)
		}
	})
}

// TestLoadStretchesITL checks ITLLoadFactor against its formula.
func TestLoadStretchesITL(t *testing.T) {
	tests := []struct {
		name       string
		limit      int
		concurrent int
		factor     float64
		wantGap    time.Duration
	}{
		{"alone", 4, 1, 1, 10 * time.Millisecond},
		{"four of four", 4, 4, 1, 17500 * time.Microsecond},
		{"two of four, factor two", 4, 2, 2, 15 * time.Millisecond},
		{"no limit counts whole sequences", 0, 3, 0.5, 20 * time.Millisecond},
		{"no factor", 4, 4, 0, 10 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.TTFT, cfg.ITL = 50*time.Millisecond, 10*time.Millisecond
				cfg.MaxConcurrent, cfg.ITLLoadFactor = tc.limit, tc.factor
				s, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				for range tc.concurrent {
					wg.Go(func() {
						serveFake(context.Background(), s, "/v1/completions", `{"prompt":"a","stream":true,"max_tokens":4}`)
					})
				}
				wg.Wait()
				for _, sent := range s.Sent() {
					want := []time.Duration{50 * time.Millisecond}
					for i := 1; i < 4; i++ {
						want = append(want, want[i-1]+tc.wantGap)
					}
					if got := offsets(sent); !slices.Equal(got, want) {
						t.Errorf("chunks at %v, want %v", got, want)
					}
				}
			})
		})
	}
}

// TestWordsFollowSeed checks that output words come from the seed.
func TestWordsFollowSeed(t *testing.T) {
	text := func(seed int64) string {
		var out string
		synctest.Test(t, func(t *testing.T) {
			cfg := fastConfig()
			cfg.Seed = seed
			s, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				rec := serveFake(context.Background(), s, "/v1/completions", fmt.Sprintf(`{"prompt":"a","max_tokens":%d}`, 8+i))
				out += rec.Body.String()
			}
		})
		return out
	}
	a, b, c := text(1), text(1), text(2)
	if a != b {
		t.Errorf("same seed, different answers:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("different seeds gave the same answers")
	}
}
