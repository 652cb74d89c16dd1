package mock

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSpreadOf(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(100 - i) // unsorted on purpose
	}
	cases := []struct {
		name string
		v    []float64
		want Spread
	}{
		{"empty", nil, Spread{}},
		{"one value is every percentile", []float64{7.5}, Spread{Count: 1, P50: 7.5, P99: 7.5}},
		{"two values: the median is the lower", []float64{4, 2}, Spread{Count: 2, P50: 2, P99: 4}},
		{"1 to 100 by nearest rank", hundred, Spread{Count: 100, P50: 50, P99: 99}},
		{"p99 of 101 values is the 100th smallest", append(slices.Clone(hundred), 1000), Spread{Count: 101, P50: 51, P99: 100}},
		{"p99 of 50 values is the largest", hundred[50:], Spread{Count: 50, P50: 25, P99: 50}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := SpreadOf(slices.Clone(c.v)); got != c.want {
				t.Errorf("spreadOf = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestTimingsRoute serves streamed, whole and abandoned requests over
// loopback, then checks that /mock/timings agrees with the send record
// and leaves out what a client would not count.
func TestTimingsRoute(t *testing.T) {
	const ttft = 30 * time.Millisecond
	cfg := DefaultConfig()
	cfg.TTFT, cfg.ITL = ttft, 5*time.Millisecond
	s, url := startServer(t, cfg)

	for i := range 4 {
		resp := post(context.Background(), t, url+"/v1/chat/completions",
			fmt.Sprintf(`{"messages":[{"role":"user","content":"hi"}],"stream":true,"max_tokens":%d}`, 3+i))
		if _, err := readSSE(resp.Body); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// A whole (non-streamed) answer has a TTFT but no TPOT.
	resp := post(context.Background(), t, url+"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_tokens":4}`)
	if _, err := readAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A client that leaves after the first token is not counted at all.
	ctx, leave := context.WithCancel(context.Background())
	gone := post(ctx, t, url+"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"stream":true,"max_tokens":1000}`)
	firstToken(t, gone.Body)
	leave()
	gone.Body.Close()
	waitFor(t, "the abandoned request's record", func() bool { return s.Totals().ClientGone == 1 })

	got := getTimings(t, url)
	wantTTFT, wantTPOT := fromRecord(s.Sent())
	if len(wantTTFT) != 5 || len(wantTPOT) != 4 {
		t.Fatalf("the record holds %d TTFTs and %d TPOTs, want 5 and 4", len(wantTTFT), len(wantTPOT))
	}
	want := Timings{Records: 6, Complete: true, TTFT: SpreadOf(wantTTFT), TPOT: SpreadOf(wantTPOT)}
	if got != want {
		t.Fatalf("/mock/timings = %+v, want %+v", got, want)
	}
	// The first token never leaves early. Later ones aim at deadlines
	// counted from the start of service, so a late first token shortens
	// the gaps after it: TPOT may dip just under the ITL, never to zero.
	if got.TTFT.P50 < ms1(ttft) || got.TPOT.P50 <= 0 {
		t.Errorf("TTFT p50 %.3f ms, TPOT p50 %.3f ms: want at least %v and above 0", got.TTFT.P50, got.TPOT.P50, ttft)
	}
}

// TestTimingsIncomplete checks that a record which dropped older requests
// says so.
func TestTimingsIncomplete(t *testing.T) {
	cfg := fastConfig()
	cfg.RecordCapacity = 2
	s, url := startServer(t, cfg)
	for range 3 {
		resp := post(context.Background(), t, url+"/v1/completions", `{"prompt":"w","stream":true,"max_tokens":2}`)
		if _, err := readSSE(resp.Body); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := s.Timings(); got.Complete || got.Records != 2 || got.TTFT.Count != 2 {
		t.Errorf("timings %+v, want 2 records and Complete false", got)
	}
}

// fromRecord works the timings out from Sent, apart from Timings' code.
func fromRecord(sent []Sent) (ttft, tpot []float64) {
	for _, r := range sent {
		if r.ClientGone {
			continue
		}
		ttft = append(ttft, ms1(r.Chunks[0].Sub(r.Received)))
		if r.Stream {
			last := r.Chunks[len(r.Chunks)-1]
			tpot = append(tpot, ms1(last.Sub(r.Chunks[0]))/float64(r.CompletionTokens-1))
		}
	}
	return ttft, tpot
}

// firstToken reads a chat stream up to its first content chunk.
func firstToken(t *testing.T, body io.Reader) {
	t.Helper()
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, `"content":"`) && !strings.Contains(line, `"content":""`) {
			return
		}
	}
	t.Fatalf("the stream ended before its first token: %v", sc.Err())
}

func getTimings(t *testing.T, url string) Timings {
	t.Helper()
	resp, err := http.Get(url + "/mock/timings")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /mock/timings: %s", resp.Status)
	}
	var got Timings
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	// JSON carries the floats exactly, but guard against a NaN slipping in.
	if math.IsNaN(got.TTFT.P50) || math.IsNaN(got.TPOT.P50) {
		t.Fatalf("NaN in %+v", got)
	}
	return got
}

func ms1(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
