package lualib

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/record"
)

// records is a daemon's consumer that keeps what it is given.
type records struct {
	mu   sync.Mutex
	list []record.Record
}

func (c *records) Log(r *record.Record) {
	c.mu.Lock()
	c.list = append(c.list, *r)
	c.mu.Unlock()
}

func (c *records) Streaming(string, string, time.Time, int) {}

// userState is one user's Lua state with the llm and http modules, aimed
// at host, its requests measured by a daemon bounded by l and its context
// ctx.
func userState(t *testing.T, ctx context.Context, host string, l metrics.Limits) *lua.LState {
	t.Helper()
	d := metrics.NewDaemonWithLimits(&records{}, l)
	t.Cleanup(d.Close)
	u := &User{Host: host, Records: d, Daemon: d, Tokenizer: "none", Logf: t.Logf}
	t.Cleanup(u.Close)
	L := lua.NewState()
	t.Cleanup(L.Close)
	L.PreloadModule("llm", u.loadLLM)
	L.PreloadModule("http", u.loadHTTP)
	L.SetContext(ctx)
	if err := L.DoString(`llm = require("llm") http = require("http")`); err != nil {
		t.Fatal(err)
	}
	return L
}

// chat makes one llm chat request to path and returns its result table.
func chat(t *testing.T, L *lua.LState, path string) *lua.LTable {
	t.Helper()
	r, err := tryChat(L, path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryChat is chat for a request whose user may be stopped meanwhile.
func tryChat(L *lua.LState, path string) (*lua.LTable, error) {
	code := fmt.Sprintf(`r = llm.chat{ path = %q, model = "m", messages = { { role = "user", content = "hi" } }, timeouts = { total = 60 } }`, path)
	if err := L.DoString(code); err != nil {
		return nil, err
	}
	return L.GetGlobal("r").(*lua.LTable), nil
}

func field(t *lua.LTable, key string) string { return lua.LVAsString(t.RawGetString(key)) }

const okStream = `data: {"choices":[{"index":0,"delta":{"content":"fine"}}]}` + "\n\n" + "data: [DONE]\n\n"

// hostile serves /endless, an SSE stream of 64 KiB content events that
// never ends while the client reads (up to a cap that keeps a client
// without bounds from taking the machine's memory), /line, one line that
// never ends, and /ok, a short good stream. Each endless handler reports
// on gone how much it sent once the client has left.
func hostile(t *testing.T) (url string, gone <-chan int64) {
	done := make(chan int64, 64)
	event := []byte(`data: {"choices":[{"index":0,"delta":{"content":"` + strings.Repeat("w", 64<<10) + `"}}]}` + "\n\n")
	line := []byte(strings.Repeat("z", 16<<10))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		piece, sendCap := event, int64(2<<30)
		switch r.URL.Path {
		case "/ok":
			fmt.Fprint(w, okStream)
			return
		case "/line":
			fmt.Fprint(w, "data: ")
			piece, sendCap = line, 1<<62
		}
		var sent int64
		for sent < sendCap && r.Context().Err() == nil {
			if _, err := w.Write(piece); err != nil {
				break
			}
			w.(http.Flusher).Flush()
			sent += int64(len(piece))
		}
		done <- sent
	}))
	t.Cleanup(srv.Close)
	return srv.URL, done
}

// heapPeak samples the heap in use until stopped, and calls over when it
// grows by more than limit bytes over what it was at the start.
func heapPeak(limit uint64, over func()) (stop func() uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			grown := m.HeapInuse - min(m.HeapInuse, base)
			if grown > peak.Load() {
				peak.Store(grown)
			}
			if grown > limit {
				over()
			}
		}
	}()
	var once sync.Once
	return func() uint64 {
		once.Do(func() { close(quit); <-done })
		return peak.Load()
	}
}

// A server that streams 64 KiB events without end: each request fails at
// the text bound with its reason and its connection is closed, the heap
// stays within tens of MB while the server sends far more, and the user
// goes on to its next request.
func TestEndlessStreamIsBounded(t *testing.T) {
	const (
		text    = 4 << 20
		heapCap = 80 << 20
	)
	requests := 16
	if raceEnabled {
		requests = 4 // enough to find a race, in a tenth of the time
	}
	url, gone := hostile(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := heapPeak(heapCap, cancel)
	defer stop()
	L := userState(t, ctx, url, metrics.Limits{Text: text, Backlog: 8 << 20})
	want := "the response text exceeded 4 MiB (--max-text-size)"
	var sent int64
	for i := range requests {
		r, err := tryChat(L, "/endless")
		if ctx.Err() != nil {
			t.Fatalf("request %d: the heap grew past %d MiB (%v)", i, heapCap>>20, err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := field(r, "error"); got != want {
			t.Fatalf("request %d: error %q, want %q", i, got, want)
		}
		if n := len(field(r, "text")); n < text/2 || n > text+(64<<10) {
			t.Fatalf("request %d kept %d bytes of text under a bound of %d", i, n, text)
		}
		select {
		case n := <-gone:
			sent += n
		case <-time.After(10 * time.Second):
			t.Fatalf("request %d: the server still streams after the request failed", i)
		}
	}
	peak := stop()
	t.Logf("the server sent %d MiB in all; the heap grew by at most %d MiB", sent>>20, peak>>20)
	if peak > heapCap {
		t.Fatalf("the heap grew by %d MiB", peak>>20)
	}
	if r := chat(t, L, "/ok"); !lua.LVAsBool(r.RawGetString("ok")) || field(r, "text") != "fine" {
		t.Fatalf("the request after the bounded ones failed: %q", field(r, "error"))
	}
}

// One line that never ends: the request ends at the event bound, soon,
// with that reason rather than a timeout, and its connection is closed.
func TestEndlessLineEndsAtTheEventBound(t *testing.T) {
	url, gone := hostile(t)
	L := userState(t, context.Background(), url, metrics.Limits{})
	start := time.Now()
	r := chat(t, L, "/line")
	took := time.Since(start)
	if got, want := field(r, "error"), "a stream event exceeded 1 MiB (--max-event-size)"; got != want {
		t.Fatalf("error %q after %s, want %q", got, took, want)
	}
	select {
	case n := <-gone:
		t.Logf("ended after %s; the server sent %d KiB", took.Round(time.Millisecond), n>>10)
		// Past the 1 MiB bound, only what the sockets held can have gone.
		if n > 64<<20 {
			t.Fatalf("the server sent %d MiB of one line", n>>20)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server still streams after the request failed")
	}
	if !raceEnabled && took > 5*time.Second {
		t.Fatalf("the request took %s to end", took)
	}
}

// headerServer answers every request with a header block of about size
// bytes, and a short good stream as its body.
func headerServer(t *testing.T, size int) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < size/(4<<10); i++ {
			w.Header().Set(fmt.Sprintf("X-Big-%d", i), strings.Repeat("h", 4<<10-20))
		}
		w.Header().Set("X-Last", "end")
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, okStream)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Response headers up to 64 KiB reach self.llm and self.client; larger
// ones fail the request with a clear reason that quotes none of them.
func TestLargeHeadersInScripts(t *testing.T) {
	const tooLarge = "the response headers exceed 64 KiB"
	cases := []struct {
		name string
		size int
		want string // the error; empty when the request succeeds
	}{
		{"10 KiB", 10 << 10, ""},
		{"60 KiB", 60 << 10, ""},
		{"100 KiB", 100 << 10, tooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			L := userState(t, context.Background(), headerServer(t, tc.size), metrics.Limits{})
			r := chat(t, L, "/v1/chat/completions")
			if got := field(r, "error"); got != tc.want || (tc.want == "" && field(r, "text") != "fine") {
				t.Fatalf("llm: error %q, text %q; want error %q", got, field(r, "text"), tc.want)
			}
			if err := L.DoString(`p = http.get("/plain")`); err != nil {
				t.Fatal(err)
			}
			p := L.GetGlobal("p").(*lua.LTable)
			if got := field(p, "error"); got != tc.want {
				t.Fatalf("client: error %q, want %q", got, tc.want)
			}
			if h, _ := p.RawGetString("headers").(*lua.LTable); tc.want == "" && (h == nil || field(h, "x-last") != "end") {
				t.Fatal("client: the headers did not all reach the script")
			}
		})
	}
}
