package metrics

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/api"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/tokenize"
)

type nopConsumer struct{}

func (nopConsumer) Log(*record.Record)                       {}
func (nopConsumer) Streaming(string, string, time.Time, int) {}

// BenchmarkStreamThroughDaemon hands the daemon a 64-token OpenAI chat
// stream as the reader would, one event per read, and waits for the
// Record: the daemon's cost per streamed chunk, decoding and tokenizing
// included.
func BenchmarkStreamThroughDaemon(b *testing.B) {
	format, err := api.Lookup("openai-chat")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := tokenize.Load("o200k_base")
	if err != nil {
		b.Fatal(err)
	}
	words := []string{" the", " of", " and", " time", " people", " world", " work", " life"}
	var events [][]byte
	events = append(events, []byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`+"\n\n"))
	for i := range 64 {
		events = append(events, fmt.Appendf(nil, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":%q},"logprobs":null,"finish_reason":null}]}`+"\n\n", words[i%len(words)]))
	}
	events = append(events,
		[]byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]}`+"\n\n"),
		[]byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":64,"total_tokens":67}}`+"\n\n"),
		[]byte("data: [DONE]\n\n"))
	d := NewDaemon(nopConsumer{})
	defer d.Close()
	b.ReportAllocs()
	for b.Loop() {
		r := &Stream{Name: "chat", Method: "POST", Format: format, Tokenizer: tok, Prompt: "hello there"}
		d.Begin(r)
		r.Started(time.Now())
		for _, ev := range events {
			r.Chunk(ev, time.Now())
		}
		r.Finish(End{At: time.Now(), Status: 200})
		if res := r.Wait(context.Background()); res.Record.LLM.OutputTokens != 64 {
			b.Fatalf("tokens %d", res.Record.LLM.OutputTokens)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/chunk")
}
