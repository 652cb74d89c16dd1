package api

import (
	"bytes"
	"testing"
)

// BenchmarkSplitterSSE measures splitting per event, first with one event
// per read (a server flushing each token), then with 4 KiB reads of a
// long body.
func BenchmarkSplitterSSE(b *testing.B) {
	event := []byte(`data: {"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n")
	b.Run("event-per-read", func(b *testing.B) {
		s := NewSplitter(SSE, 0)
		n := 0
		emit := func(Event) { n++ }
		b.SetBytes(int64(len(event)))
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Feed(event, emit); err != nil {
				b.Fatal(err)
			}
		}
		if n != b.N {
			b.Fatalf("%d events for %d reads", n, b.N)
		}
	})
	b.Run("4KiB-reads", func(b *testing.B) {
		benchReads(b, SSE, bytes.Repeat(event, 1000), 1000)
	})
	b.Run("4KiB-reads-CRLF-multiline", func(b *testing.B) {
		ev := []byte("event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\r\ndata: \"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\r\n\r\n")
		benchReads(b, SSE, bytes.Repeat(ev, 1000), 1000)
	})
}

func BenchmarkSplitterNDJSON(b *testing.B) {
	line := []byte(`{"model":"tiny","created_at":"2025-01-01T00:00:00Z","response":" sky","done":false}` + "\n")
	benchReads(b, NDJSON, bytes.Repeat(line, 1000), 1000)
}

// benchReads feeds body in 4 KiB reads and reports the time per event.
func benchReads(b *testing.B, f Framing, body []byte, events int) {
	s := NewSplitter(f, 0)
	n := 0
	emit := func(Event) { n++ }
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		for p := body; len(p) > 0; {
			k := min(len(p), 4096)
			if err := s.Feed(p[:k], emit); err != nil {
				b.Fatal(err)
			}
			p = p[k:]
		}
	}
	if n != events*b.N {
		b.Fatalf("%d events, want %d", n, events*b.N)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}

func BenchmarkDecodeOpenAIChat(b *testing.B) {
	benchDecode(b, mustLookup(b, "openai-chat"), openAIChatUsage)
}

func BenchmarkDecodeOpenAICompletions(b *testing.B) {
	benchDecode(b, mustLookup(b, "openai-completions"), openAICompletionsUsage)
}

func BenchmarkDecodeAnthropic(b *testing.B) {
	benchDecode(b, mustLookup(b, "anthropic"), anthropicThinking)
}

func BenchmarkDecodeTGI(b *testing.B) {
	benchDecode(b, mustLookup(b, "tgi"), tgiStream)
}

func BenchmarkDecodeOllama(b *testing.B) {
	benchDecode(b, mustLookup(b, "ollama"), ollamaGenerate)
}

func BenchmarkDecodeGeneric(b *testing.B) {
	benchDecode(b, mustGeneric(b, openAIChatSpec), openAIChatUsage)
}

// benchDecode decodes the events of a recorded stream in turn, one event
// per operation, with one decoder as a stream would.
func benchDecode(b *testing.B, f Format, body string) {
	events, err := splitAll(f.Framing, 0, []byte(body), []int{len(body)})
	if err != nil || len(events) == 0 {
		b.Fatalf("splitting the recorded stream: %d events, %v", len(events), err)
	}
	d := f.New()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := d.Decode(events[i]); err != nil {
			b.Fatal(err)
		}
		i = (i + 1) % len(events)
	}
}
