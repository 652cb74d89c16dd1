package script

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/record"
)

// Log makes collect the daemon's consumer: it receives every Record.
func (c *collect) Log(r *record.Record) { c.Add(*r) }

// Streaming counts token chunks as the daemon decodes them, and what the
// daemon takes back of them once their Records come.
func (c *collect) Streaming(_, _ string, _ time.Time, n int) {
	c.mu.Lock()
	if n > 0 {
		c.liveChunks += n
	} else {
		c.takenBack -= n
	}
	c.mu.Unlock()
}

func (c *collect) llmRecords() []record.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []record.Record
	for _, r := range c.records {
		if r.LLM != nil && !r.Cancelled {
			out = append(out, r)
		}
	}
	return out
}

// llmEnv is a run's environment with a real metrics daemon feeding c.
func llmEnv(t *testing.T, host string, c *collect) *Env {
	d := metrics.NewDaemon(c)
	t.Cleanup(d.Close)
	env := testEnv(host, c)
	env.Records, env.Daemon, env.Tokenizer = d, d, "o200k_base"
	return env
}

// startMock runs the built-in simulator with cfg on a loopback port.
func startMock(t *testing.T, cfg mock.Config) (*mock.Server, string) {
	srv, err := mock.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, url
}

// runLLM runs one user of src until it has made n LLM requests.
func runLLM(t *testing.T, src, host string, n int) *collect {
	t.Helper()
	c := &collect{}
	classes := bind(t, src, llmEnv(t, host, c))
	runUser(t, classes[0], func() bool { return len(c.llmRecords()) >= n }, 30*time.Second)
	return c
}

const chatTask = `
U = locust.user{ llm = { api = "openai", model = "m" } }
U:task(function(self)
  self.llm:chat{ messages = { { role = "user", content = "hi" } }, max_tokens = %d, include_usage = %s %s }
end)
`

// Token counts stay exact whatever the chunking: multi-token chunks from
// the simulator, counted from usage and, with usage off, by the tokenizer.
func TestTokenCountsExact(t *testing.T) {
	for _, usage := range []string{"true", "false"} {
		t.Run("include_usage="+usage, func(t *testing.T) {
			cfg := mock.DefaultConfig()
			cfg.TTFT, cfg.ITL, cfg.TokensPerChunk = 50*time.Millisecond, 2*time.Millisecond, []int{1, 3, 2}
			m, url := startMock(t, cfg)
			c := runLLM(t, fmt.Sprintf(chatTask, 37, usage, ""), url, 5)
			want := map[record.TokenSource]bool{record.SourceUsage: usage == "true", record.SourceTokenizer: usage == "false"}
			sent := m.Totals().CompletionTokens
			var got int64
			for _, r := range c.llmRecords() {
				if r.Error != "" || r.LLM.OutputTokens != 37 || !want[r.LLM.Source] {
					t.Fatalf("record %+v: tokens %d source %s", r, r.LLM.OutputTokens, r.LLM.Source)
				}
				if r.LLM.TTFT < 50*time.Millisecond {
					t.Fatalf("TTFT %s was stamped before the first token (the role-only chunk comes at once)", r.LLM.TTFT)
				}
				got += int64(r.LLM.OutputTokens)
			}
			if got > sent {
				t.Fatalf("counted %d tokens, the simulator sent %d", got, sent)
			}
			// Every token chunk was also counted live, as it was decoded.
			chunks := 0
			c.mu.Lock()
			for _, r := range c.records {
				if r.LLM != nil {
					chunks += len(r.LLM.Chunks)
				}
			}
			live, back := c.liveChunks, c.takenBack
			c.mu.Unlock()
			if live != chunks {
				t.Fatalf("%d chunks counted live, %d in the records", live, chunks)
			}
			// ... and taken back, for the Records to count them once.
			if back != live {
				t.Fatalf("%d chunks counted live, %d taken back", live, back)
			}
		})
	}
}

// scripted serves one crafted stream per request; write and flush are
// the handler's only tools, and pauses split events across TCP writes.
func scripted(t *testing.T, handler func(w http.ResponseWriter, flush func())) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		handler(w, f.Flush)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestStreamFramingVariants(t *testing.T) {
	content := func(s string) string {
		return `{"choices":[{"index":0,"delta":{"content":"` + s + `"}}]}`
	}
	usage := `{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`
	url := scripted(t, func(w http.ResponseWriter, flush func()) {
		fmt.Fprint(w, ": keep-alive\r\n\r\n")
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\r\n\r\n")
		flush()
		time.Sleep(80 * time.Millisecond)
		ev := "data: " + content(" Hello") + "\r\n\r\n"
		fmt.Fprint(w, ev[:17]) // split inside the event
		flush()
		time.Sleep(20 * time.Millisecond)
		fmt.Fprint(w, ev[17:]+"data:"+content(" big world")+"\n\n: ping\n\n") // two tokens at once, no space after data:
		flush()
		time.Sleep(20 * time.Millisecond)
		fmt.Fprint(w, "data: "+content("é")[:len(content("é"))-6]) // split inside a multi-byte character
		flush()
		time.Sleep(5 * time.Millisecond)
		fmt.Fprint(w, content("é")[len(content("é"))-6:]+"\n\ndata: "+usage+"\n\ndata: [DONE]\n\n")
	})
	c := runLLM(t, fmt.Sprintf(chatTask, 4, "true", ""), url, 3)
	for _, r := range c.llmRecords() {
		l := r.LLM
		if r.Error != "" || l.OutputTokens != 4 || l.InputTokens != 3 || len(l.Chunks) != 3 {
			t.Fatalf("record error %q tokens %d input %d chunks %d", r.Error, l.OutputTokens, l.InputTokens, len(l.Chunks))
		}
		// The first token arrived with the second half of its event, at
		// least 100 ms after the role-only chunk.
		if l.TTFT < 95*time.Millisecond || l.ClientTokens != 4 || l.Mismatch {
			t.Fatalf("TTFT %s, client tokens %d, mismatch %v", l.TTFT, l.ClientTokens, l.Mismatch)
		}
	}
}

// Each fault is one failed Record with a clear reason, and the user goes
// on to its next request.
func TestStreamFaults(t *testing.T) {
	ok := `data: {"choices":[{"index":0,"delta":{"content":" hi"}}]}` + "\n\n"
	refused := func() string {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		return url
	}()
	dropCfg := mock.DefaultConfig()
	dropCfg.TTFT, dropCfg.ITL, dropCfg.DropRate, dropCfg.Seed = 10*time.Millisecond, time.Millisecond, 1, 7
	_, dropURL := startMock(t, dropCfg)
	errCfg := mock.DefaultConfig()
	errCfg.ErrorRate = 1
	_, errURL := startMock(t, errCfg)
	rlCfg := mock.DefaultConfig()
	rlCfg.RateLimitRate = 1
	_, rlURL := startMock(t, rlCfg)

	cases := []struct {
		name    string
		url     string
		opts    string
		want    string
		partial bool // tokens that came before the fault are kept
	}{
		{"HTTP 500 with a JSON error body", errURL, "", "HTTP 500 Internal Server Error: ", false},
		{"HTTP 429", rlURL, "", "HTTP 429 Too Many Requests", false},
		{"connection refused", refused, "", "connection refused", false},
		{"reset mid-stream", dropURL, "", "the connection closed in the middle of the response", true},
		{"error event after 200", scripted(t, func(w http.ResponseWriter, flush func()) {
			fmt.Fprint(w, ok+`data: {"error":{"message":"engine overloaded","type":"server_error"}}`+"\n\ndata: [DONE]\n\n")
		}), "", "engine overloaded", true},
		{"stall past the idle timeout", scripted(t, func(w http.ResponseWriter, flush func()) {
			fmt.Fprint(w, ok)
			flush()
			time.Sleep(3 * time.Second)
		}), ", timeouts = { idle = 0.3 }", "idle timeout", true},
		{"malformed JSON in an event", scripted(t, func(w http.ResponseWriter, flush func()) {
			fmt.Fprint(w, ok+"data: {\"choices\":[{\"delta\":\n\ndata: [DONE]\n\n")
		}), "", "", true},
		{"event larger than 1 MiB", scripted(t, func(w http.ResponseWriter, flush func()) {
			fmt.Fprint(w, ok+`data: {"choices":[{"delta":{"content":"`+strings.Repeat("x", 1<<20+10)+`"}}]}`+"\n\ndata: [DONE]\n\n")
		}), "", "a stream event exceeded 1 MiB (--max-event-size)", true},
		{"invalid UTF-8", scripted(t, func(w http.ResponseWriter, flush func()) {
			fmt.Fprint(w, ok+"data: {\"choices\":[{\"delta\":{\"content\":\"\xc3")
			flush()
			time.Sleep(5 * time.Millisecond)
			fmt.Fprint(w, "\xff\"}}]}\n\ndata: [DONE]\n\n")
		}), "", "invalid UTF-8", true},
		{"closes without [DONE]", scripted(t, func(w http.ResponseWriter, flush func()) {
			fmt.Fprint(w, ok)
		}), "", "ended before its end marker (data: [DONE])", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := runLLM(t, fmt.Sprintf(chatTask, 8, "true", tc.opts), tc.url, 2)
			for _, r := range c.llmRecords()[:2] {
				if r.Error == "" || !strings.Contains(r.Error, tc.want) {
					t.Fatalf("error %q, want one containing %q", r.Error, tc.want)
				}
				if tc.partial && r.LLM.OutputTokens == 0 {
					t.Fatalf("the tokens before the fault were lost: %+v", r.LLM)
				}
			}
			t.Logf("reason: %s", c.llmRecords()[0].Error)
		})
	}
}
