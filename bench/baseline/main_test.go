package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/mock"
)

const (
	roleChunk  = `data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}` + "\n\n"
	tokenChunk = `data: {"choices":[{"index":0,"delta":{"content":" word"}}]}` + "\n\n"
	usageChunk = `data: {"choices":[],"usage":{"completion_tokens":2}}` + "\n\n"
	doneChunk  = "data: [DONE]\n\n"
)

func TestReaderFindsTokenChunks(t *testing.T) {
	stream := roleChunk + tokenChunk + tokenChunk + usageChunk + doneChunk
	cases := []struct {
		name  string
		reads []int // sizes of successive reads; the rest in the last
	}{
		{"all in one read", nil},
		{"byte by byte", slices.Repeat([]int{1}, len(stream)-1)},
		{"split inside the content key", []int{len(roleChunk) + 30, 7}},
		{"split on the newline", []int{len(roleChunk) + len(tokenChunk) - 1, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r reader
			t0 := time.Now()
			p, at := stream, t0
			for _, n := range c.reads {
				r.feed([]byte(p[:n]), at)
				p, at = p[n:], at.Add(time.Millisecond)
			}
			r.feed([]byte(p), at)
			if r.tokens != 2 {
				t.Fatalf("%d token chunks, want 2 (the role and usage chunks carry none)", r.tokens)
			}
			// A chunk is stamped by the read that ends its data line.
			wantFirst := t0.Add(time.Duration(readsUntil(c.reads, len(roleChunk)+len(tokenChunk)-2)) * time.Millisecond)
			if !r.first.Equal(wantFirst) {
				t.Errorf("first token stamped at +%v, want +%v", r.first.Sub(t0), wantFirst.Sub(t0))
			}
		})
	}
}

// readsUntil is how many whole reads of sizes come before the byte at
// offset, that is the index of the read that delivers it.
func readsUntil(sizes []int, offset int) int {
	n := 0
	for _, s := range sizes {
		if offset < s {
			return n
		}
		offset -= s
		n++
	}
	return n
}

func TestSpread(t *testing.T) {
	cases := []struct {
		name string
		v    []float64
		want Spread
	}{
		{"empty", nil, Spread{}},
		{"one", []float64{3}, Spread{Count: 1, P50: 3, P99: 3}},
		{"hundred by nearest rank", func() []float64 {
			v := make([]float64, 100)
			for i := range v {
				v[i] = float64(100 - i)
			}
			return v
		}(), Spread{Count: 100, P50: 50, P99: 99}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mock.SpreadOf(c.v); got != c.want {
				t.Errorf("spread = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestRunAgainstServer runs two users for a moment against a local server
// that streams three tokens after a delay, and checks what they report.
func TestRunAgainstServer(t *testing.T) {
	const delay, gap = 30 * time.Millisecond, 5 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		fmt.Fprint(w, roleChunk)
		f.Flush()
		time.Sleep(delay)
		for i := range 3 {
			if i > 0 {
				time.Sleep(gap)
			}
			fmt.Fprint(w, tokenChunk)
			f.Flush()
		}
		fmt.Fprint(w, usageChunk+doneChunk)
	}))
	defer srv.Close()
	rep := run(srv.URL, []byte(`{}`), 2, 100, 200*time.Millisecond)
	if rep.Errors != 0 || rep.Requests < 2 || rep.Chunks != int64(rep.Requests)*3 {
		t.Fatalf("report %+v: want no errors and 3 chunks per request", rep)
	}
	if rep.TTFT.P50 < ms(delay) || rep.TPOT.P50 < ms(gap)/2 {
		t.Errorf("TTFT p50 %.2f ms, TPOT p50 %.2f ms: below the server's %v and %v", rep.TTFT.P50, rep.TPOT.P50, delay, gap)
	}
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer failing.Close()
	if rep := run(failing.URL, []byte(`{}`), 1, 100, 50*time.Millisecond); rep.Errors == 0 || !strings.Contains(rep.LastError, "500") {
		t.Errorf("report %+v: want the failures counted", rep)
	}
}
