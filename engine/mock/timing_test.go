package mock

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
)

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestTimingAccuracyOverLoopback checks, over a real connection, that
// chunks leave on schedule and that a client sees them when the server
// says it sent them: the accuracy that measurements of our own client rest
// on. It asserts a few milliseconds of the wall clock, so it runs only
// where it owns the CPU: without the race detector, one package at a time
// (make test's accuracy pass).
func TestTimingAccuracyOverLoopback(t *testing.T) {
	if raceEnabled {
		t.Skip("timing accuracy is checked without the race detector (make test runs it so)")
	}
	const (
		ttft      = 100 * time.Millisecond
		itl       = 10 * time.Millisecond
		maxTokens = 20
	)
	cfg := DefaultConfig()
	cfg.TTFT, cfg.ITL = ttft, itl
	s, url := startServer(t, cfg)

	var lateness, firstHalf, secondHalf, gaps, seenAfterSent, firstSeen, clientTTFT, serverTTFT []time.Duration
	for range 5 {
		start := time.Now()
		resp := post(context.Background(), t, url+"/v1/chat/completions",
			fmt.Sprintf(`{"messages":[{"role":"user","content":"time me"}],"stream":true,"max_tokens":%d}`, maxTokens))
		events, err := readSSE(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("reading stream: %v", err)
		}
		var arrivals []time.Time
		for _, ev := range events[:len(events)-1] {
			var c chunk
			if err := decodeStrict(ev.data, &c); err != nil {
				t.Fatal(err)
			}
			if c.tokenText() != "" {
				arrivals = append(arrivals, ev.at)
			}
		}
		sent := findSent(t, s, resp.Header.Get("X-Request-Id"))
		if len(arrivals) != maxTokens || len(sent.Chunks) != maxTokens {
			t.Fatalf("client saw %d chunks, server sent %d, want %d", len(arrivals), len(sent.Chunks), maxTokens)
		}
		serviceStart := sent.Received.Add(sent.Queued)
		for i, at := range sent.Chunks {
			late := at.Sub(serviceStart) - sent.Planned[i]
			if late < 0 {
				t.Errorf("chunk %d left %v before its deadline", i, -late)
			}
			if want := ttft + time.Duration(i)*itl; sent.Planned[i] != want {
				t.Errorf("chunk %d planned at %v, want %v", i, sent.Planned[i], want)
			}
			lateness = append(lateness, late)
			if i < maxTokens/2 {
				firstHalf = append(firstHalf, late)
			} else {
				secondHalf = append(secondHalf, late)
			}
			seenAfterSent = append(seenAfterSent, arrivals[i].Sub(at))
			if i > 0 {
				gaps = append(gaps, at.Sub(sent.Chunks[i-1]))
			}
		}
		// The first token is what TTFT measures. It must never leave early;
		// how late it may be is judged on medians below, since a loaded
		// machine can delay any single one.
		if d := sent.Chunks[0].Sub(sent.Received); d < ttft {
			t.Errorf("server sent the first token %v after receiving the request, before TTFT %v", d, ttft)
		}
		if d := arrivals[0].Sub(start); d < ttft {
			t.Errorf("client saw the first token %v after sending, before TTFT %v", d, ttft)
		}
		firstSeen = append(firstSeen, arrivals[0].Sub(sent.Chunks[0]))
		clientTTFT = append(clientTTFT, arrivals[0].Sub(start))
		serverTTFT = append(serverTTFT, sent.Chunks[0].Sub(sent.Received))
	}
	if m := median(firstSeen); m < -2*time.Millisecond || m > 5*time.Millisecond {
		t.Errorf("client saw the first token a median %v after the server sent it", m)
	}
	if m := median(serverTTFT); m > ttft+5*time.Millisecond {
		t.Errorf("server sent the first token a median %v after receiving the request, want %v", m, ttft)
	}
	if m := median(clientTTFT); m > ttft+15*time.Millisecond {
		t.Errorf("client TTFT median %v, want %v plus a few ms", m, ttft)
	}
	if m := median(gaps); m < itl-2*time.Millisecond || m > itl+2*time.Millisecond {
		t.Errorf("median gap %v, want %v ± 2ms", m, itl)
	}
	if m := median(lateness); m > 5*time.Millisecond {
		t.Errorf("median lateness %v behind schedule", m)
	}
	// Deadlines are absolute, so lateness must not build up along a stream.
	if a, b := median(firstHalf), median(secondHalf); b-a > 2*time.Millisecond {
		t.Errorf("lateness grows from a median %v in the first half of the streams to %v in the second", a, b)
	}
	if m := median(seenAfterSent); m < -time.Millisecond || m > 3*time.Millisecond {
		t.Errorf("client saw chunks a median %v after the server sent them", m)
	}
	t.Logf("median gap %v, median server lateness %v, median send-to-seen %v", median(gaps), median(lateness), median(seenAfterSent))
}

// TestHeaderTiming checks when the headers and the role chunk leave: at
// once by default, with the first token when so configured.
func TestHeaderTiming(t *testing.T) {
	const ttft = 100 * time.Millisecond
	tests := []struct {
		name           string
		withFirstToken bool
		headersEarly   bool
	}{
		{"headers at once", false, true},
		{"headers with first token", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TTFT, cfg.HeadersWithFirstToken = ttft, tc.withFirstToken
			_, url := startServer(t, cfg)
			start := time.Now()
			resp := post(context.Background(), t, url+"/v1/chat/completions",
				`{"messages":[{"role":"user","content":"x"}],"stream":true,"max_tokens":2}`)
			headers := time.Since(start)
			events, err := readSSE(resp.Body)
			resp.Body.Close()
			if err != nil || len(events) < 2 {
				t.Fatalf("reading stream: %d events, %v", len(events), err)
			}
			role := events[0].at.Sub(start)
			if early := headers < ttft/2 && role < ttft/2; early != tc.headersEarly {
				t.Errorf("headers after %v, role chunk after %v; want them early: %v", headers, role, tc.headersEarly)
			}
			if !tc.headersEarly && (headers < ttft || role < ttft) {
				t.Errorf("headers after %v, role chunk after %v; want both with the first token at %v", headers, role, ttft)
			}
		})
	}
}

// TestQueueWaves sends six requests at once to a server that serves two at
// a time: they must be served in three waves, the later with larger TTFT.
func TestQueueWaves(t *testing.T) {
	const ttft, itl, tokens = 80 * time.Millisecond, 10 * time.Millisecond, 4
	service := ttft + (tokens-1)*itl
	cfg := DefaultConfig()
	cfg.TTFT, cfg.ITL, cfg.MaxConcurrent = ttft, itl, 2
	s, url := startServer(t, cfg)

	type result struct {
		ttft time.Duration
		id   string
	}
	results := make([]result, 6)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			start := time.Now()
			resp := post(context.Background(), t, url+"/v1/completions",
				fmt.Sprintf(`{"prompt":"wave","stream":true,"max_tokens":%d}`, tokens))
			defer resp.Body.Close()
			events, err := readSSE(resp.Body)
			if err != nil || len(events) == 0 {
				t.Errorf("reading stream: %v", err)
				return
			}
			results[i] = result{events[0].at.Sub(start), resp.Header.Get("X-Request-Id")}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	sort.Slice(results, func(a, b int) bool { return results[a].ttft < results[b].ttft })
	records := make([]Sent, len(results))
	for i, r := range results {
		records[i] = findSent(t, s, r.id)
	}
	for w := range 3 {
		// Arrivals spread over a few ms, so a wave may wait a little less
		// than a service time per wave ahead; a loaded machine adds lateness
		// to every wave ahead, hence the growing upper slack.
		base := time.Duration(w) * service
		slack := 30*time.Millisecond + time.Duration(w)*30*time.Millisecond
		for i := 2 * w; i < 2*w+2; i++ {
			if q := records[i].Queued; q < base-20*time.Millisecond || q > base+slack {
				t.Errorf("wave %d request queued %v, want about %v", w, q, base)
			}
			if got := results[i].ttft; got < base+ttft-20*time.Millisecond || got > base+ttft+slack+20*time.Millisecond {
				t.Errorf("wave %d client TTFT %v, want about %v", w, got, base+ttft)
			}
		}
	}
	// Whatever the timing, never more than two in service at once.
	for _, r := range records {
		start, overlapping := r.Received.Add(r.Queued), 0
		for _, o := range records {
			if oStart := o.Received.Add(o.Queued); !oStart.After(start) && o.Chunks[len(o.Chunks)-1].After(start) {
				overlapping++
			}
		}
		if overlapping > 2 {
			t.Errorf("%d requests in service at once", overlapping)
		}
	}
	if tot := s.Totals(); tot.InService != 0 || tot.Waiting != 0 || tot.Completed != 6 {
		t.Errorf("totals after the waves %+v", tot)
	}
}

// TestJitterReproducible checks that the same seed draws the same jittered
// schedule, another seed another one, and that the spread is the one
// configured.
func TestJitterReproducible(t *testing.T) {
	const itl, tokens = time.Millisecond, 60
	run := func(seed int64) [][]time.Duration {
		cfg := DefaultConfig()
		cfg.TTFT, cfg.ITL, cfg.Jitter, cfg.Seed = 5*time.Millisecond, itl, 0.2, seed
		s, url := startServer(t, cfg)
		for range 3 {
			resp := post(context.Background(), t, url+"/v1/completions",
				fmt.Sprintf(`{"prompt":"j","stream":true,"max_tokens":%d}`, tokens))
			if _, err := readSSE(resp.Body); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		var plans [][]time.Duration
		for _, sent := range s.Sent() {
			plans = append(plans, sent.Planned)
		}
		return plans
	}
	a, b, other := run(42), run(42), run(43)
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Errorf("same seed, different schedules:\n%v\n%v", a, b)
	}
	if slices.EqualFunc(a, other, slices.Equal) {
		t.Errorf("different seeds drew the same schedule %v", a)
	}
	var sum, sumSq float64
	n := 0
	for _, plan := range a {
		for i := 1; i < len(plan); i++ {
			r := float64(plan[i]-plan[i-1])/float64(itl) - 1
			sum, sumSq, n = sum+r, sumSq+r*r, n+1
		}
	}
	mean := sum / float64(n)
	if sd := sumSq/float64(n) - mean*mean; sd < 0.15*0.15 || sd > 0.25*0.25 || mean < -0.05 || mean > 0.05 {
		t.Errorf("relative gap deviation: mean %.3f, variance %.4f; want about 0 and 0.2²", mean, sd)
	}
}
