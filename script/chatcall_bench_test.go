package script

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/record"
)

// chatCallScenario makes locust.option("calls") chat calls in one task
// and then stops its user, so that one user's Lua state makes exactly as
// many calls as the benchmark asks for.
const chatCallScenario = `
locust.options { calls = 1 }
U = locust.user{ llm = { api = "openai", model = "m", include_usage = true } }
U:task(function(self)
  for _ = 1, locust.option("calls") do
    self.llm:chat{ messages = { { role = "user", content = "hi" } }, max_tokens = 4 }
  end
  self:stop()
end)
`

// BenchmarkLLMChatCall measures one call of self.llm:chat from a user's
// Lua state, everything included: building the request from the Lua
// table, streaming a short answer over loopback, the metrics daemon's
// decoding and tokenizing, and the result table handed back to Lua. The
// server answers at once from a process of its own, so that the CPU time
// and the allocations reported are the client's alone; ns/op also holds
// the server's share of the round trip, cpu-ns/op does not.
func BenchmarkLLMChatCall(b *testing.B) {
	url := childServer(b, "TestBenchInstantLLM", "LLMLOCUST_BENCH_INSTANT_LLM")
	counter := &callCounter{}
	d := metrics.NewDaemon(counter)
	defer d.Close()
	env := &Env{
		Host: url, Records: d, Daemon: d, Tokenizer: "o200k_base",
		Values: func(name string) (any, bool) {
			if name == "calls" {
				return b.N, true
			}
			return nil, false
		},
		Exception: func(msg, _ string) { b.Errorf("exception: %s", msg) },
		Logf:      func(string, ...any) {},
		StopTest:  func() {},
		Getenv:    func(string) (string, bool) { return "", false },
	}
	p, err := LoadSource("chatcall.lua", []byte(chatCallScenario))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	classes, err := p.UserClasses(env)
	if err != nil {
		b.Fatal(err)
	}
	u, err := classes[0].NewUser(1, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	if err := u.Run(context.Background(), make(chan struct{})); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	d.Flush()
	if n, failed := counter.n.Load(), counter.failed.Load(); n != int64(b.N) || failed > 0 {
		b.Fatalf("%d records for %d calls, %d failed (last error %v)", n, b.N, failed, counter.lastErr.Load())
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// callCounter is the daemon's consumer in BenchmarkLLMChatCall: it keeps
// no Records, so that it adds nothing to the allocations measured.
type callCounter struct {
	n, failed atomic.Int64
	lastErr   atomic.Value
}

func (c *callCounter) Log(r *record.Record) {
	c.n.Add(1)
	if r.Error != "" || r.LLM == nil || r.LLM.OutputTokens != 4 {
		c.failed.Add(1)
		c.lastErr.Store(fmt.Sprintf("%q, LLM %+v", r.Error, r.LLM))
	}
}

func (c *callCounter) Streaming(string, string, time.Time, int) {}

// instantAnswer is a four-token chat stream with usage, as OpenAI sends
// it, written in one piece.
const instantAnswer = `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" my"},"logprobs":null,"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" friend"},"logprobs":null,"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":4,"total_tokens":5}}

data: [DONE]

`

// TestBenchInstantLLM is the server of BenchmarkLLMChatCall, run as its
// child process; run alone it does nothing.
func TestBenchInstantLLM(t *testing.T) {
	if os.Getenv("LLMLOCUST_BENCH_INSTANT_LLM") != "1" {
		t.Skip("the child process of BenchmarkLLMChatCall")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("http://" + ln.Addr().String())
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(instantAnswer))
	}))
}
