package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// outcome is what a whole stream said, gathered the way a caller gathers
// it: text concatenated, the last usage kept.
type outcome struct {
	Text        string
	Reasoning   string
	Tokens      int
	TokenEvents int // events carrying text or reasoning
	Usage       *Usage
	Errs        []string
	Finish      string
	Done        bool
	Malformed   []string
}

func (o outcome) String() string {
	u := "nil"
	if o.Usage != nil {
		u = fmt.Sprintf("%+v", *o.Usage)
	}
	return fmt.Sprintf("text %q reasoning %q tokens %d token-events %d usage %s errs %q finish %q done %v malformed %q",
		o.Text, o.Reasoning, o.Tokens, o.TokenEvents, u, o.Errs, o.Finish, o.Done, o.Malformed)
}

// decodeStream splits body in reads of the given lengths and decodes every
// event with a fresh decoder of f.
func decodeStream(t testing.TB, f Format, body []byte, cuts []int) outcome {
	t.Helper()
	events, err := splitAll(f.Framing, 0, body, cuts)
	if err != nil {
		t.Fatalf("splitting: %v", err)
	}
	return decodeEvents(f, events)
}

func decodeEvents(f Format, events []Event) outcome {
	var o outcome
	d := f.New()
	for _, e := range events {
		delta, err := d.Decode(e)
		if err != nil {
			o.Malformed = append(o.Malformed, err.Error())
			continue
		}
		o.add(delta)
	}
	return o
}

func (o *outcome) add(d Delta) {
	o.Text += d.Text
	o.Reasoning += d.Reasoning
	o.Tokens += d.Tokens
	if d.Text != "" || d.Reasoning != "" {
		o.TokenEvents++
	}
	if d.Usage != nil {
		u := *d.Usage
		o.Usage = &u
	}
	if d.Err != "" {
		o.Errs = append(o.Errs, d.Err)
	}
	if d.Finish != "" {
		o.Finish = d.Finish
	}
	o.Done = o.Done || d.Done
}

func mustLookup(t testing.TB, api string) Format {
	t.Helper()
	f, err := Lookup(api)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func usage(prompt, completion int) *Usage {
	return &Usage{PromptTokens: prompt, CompletionTokens: completion, HasPrompt: true, HasCompletion: true}
}

func TestRecordedStreams(t *testing.T) {
	tests := []struct {
		name string
		api  string
		body string
		want outcome
	}{
		{"openai chat with usage", "openai-chat", openAIChatUsage, outcome{
			Text: "Hello, wörld 🙂", TokenEvents: 3, Usage: usage(12, 4), Finish: "stop", Done: true}},
		{"vllm chat without usage", "openai-chat", vllmChatNoUsage, outcome{
			Text: "The answer is 42.", TokenEvents: 2, Finish: "length", Done: true}},
		{"vllm chat reasoning", "openai-chat", vllmChatReasoning, outcome{
			Text: "Yes.", Reasoning: "Let me think briefly.", TokenEvents: 3,
			Usage:  &Usage{PromptTokens: 20, CompletionTokens: 10, ReasoningTokens: 7, HasPrompt: true, HasCompletion: true},
			Finish: "stop", Done: true}},
		{"llama.cpp reasoning_content CRLF", "openai-chat", llamaCppChatReasoningCRLF, outcome{
			Text: "Sure", Reasoning: "Hmm.", TokenEvents: 2, Usage: usage(5, 3), Finish: "stop", Done: true}},
		{"vllm error after 200", "openai-chat", vllmChatError, outcome{
			Text: "Par", TokenEvents: 1, Errs: []string{"InternalServerError: The engine died unexpectedly. (code 500)"}, Done: true}},
		{"ollama openai layer zeros then usage", "openai-chat", ollamaOpenAIChat, outcome{
			Text: "Hi there", TokenEvents: 2, Usage: usage(26, 2), Finish: "stop", Done: true}},
		{"tool calls count as text", "openai-chat", openAIChatToolCalls, outcome{
			Text: `{"city":"Oslo"}`, TokenEvents: 2, Finish: "tool_calls", Done: true}},
		{"two choices interleaved", "openai-chat", openAIChatTwoChoices, outcome{
			Text: "ABab", TokenEvents: 4, Finish: "stop", Done: true}},
		{"completions with usage", "openai-completions", openAICompletionsUsage, outcome{
			Text: " Once upon", TokenEvents: 2, Usage: usage(3, 2), Finish: "length", Done: true}},
		{"completions cut before the blank line", "openai-completions", openAICompletionsTruncated, outcome{
			Text: "abcd", TokenEvents: 2, Finish: "length"}},
		{"anthropic thinking then text", "anthropic", anthropicThinking, outcome{
			Text: "Hello there", Reasoning: "Consider it.", TokenEvents: 3, Usage: usage(25, 15), Finish: "end_turn", Done: true}},
		{"anthropic error after 200", "anthropic", anthropicError, outcome{
			Text: "Par", TokenEvents: 1, Usage: &Usage{PromptTokens: 10, HasPrompt: true}, Errs: []string{"overloaded_error: Overloaded"}}},
		{"anthropic sim with tool use and names only", "anthropic", anthropicSimTool, outcome{
			Text: `{"q":1}`, TokenEvents: 2, Usage: usage(7, 6), Finish: "tool_use", Done: true}},
		{"tgi with details", "tgi", tgiStream, outcome{
			Text: " Deep learning is", Tokens: 3, TokenEvents: 3, Usage: usage(6, 4), Finish: "eos_token", Done: true}},
		{"tgi without details", "tgi", tgiNoDetails, outcome{
			Text: "Hi!", Tokens: 2, TokenEvents: 2, Done: true}},
		{"tgi error", "tgi", tgiError, outcome{
			Text: "Hi", Tokens: 1, TokenEvents: 1, Errs: []string{"generation: Request failed during generation: Server error: CUDA out of memory"}}},
		{"ollama generate with thinking, no final newline", "ollama", ollamaGenerate, outcome{
			Text: "The sky", Reasoning: "Hmm", TokenEvents: 3, Usage: usage(25, 3), Finish: "length", Done: true}},
		{"ollama chat CRLF, cached prompt", "ollama", ollamaChat, outcome{
			Text: "Bonjour", TokenEvents: 2, Usage: &Usage{CompletionTokens: 2, HasCompletion: true}, Finish: "stop", Done: true}},
		{"ollama error", "ollama", ollamaError, outcome{
			Text: "a", TokenEvents: 1, Errs: []string{"an error was encountered while running the model: unexpected EOF"}}},
	}
	for _, tc := range tests {
		f := mustLookup(t, tc.api)
		for _, c := range cuttings() {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				got := decodeStream(t, f, []byte(tc.body), c.cuts(len(tc.body)))
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("\n got %v\nwant %v", got, tc.want)
				}
			})
		}
	}
}

func TestMalformedEvents(t *testing.T) {
	long := `{"choices":[{"delta":{"content":"` + strings.Repeat("é", 200) + `"}}]` // no closing brace
	tests := []struct {
		name    string
		api     string
		data    string
		wantSub string
	}{
		{"not JSON", "openai-chat", "hello world", "invalid character"},
		{"truncated JSON", "openai-chat", `{"choices":[{"delta":{"content":"Hel`, "unexpected end of JSON input"},
		{"long event quoted short", "openai-chat", long, "…"},
		{"array, not object", "openai-chat", `[1,2]`, "not a JSON object"},
		{"string, not object", "tgi", `"x"`, "not a JSON object"},
		{"null, not object", "ollama", `null`, "not a JSON object"},
		{"choices of the wrong type", "openai-chat", `{"choices":"x"}`, "cannot unmarshal"},
		{"content of the wrong type", "openai-completions", `{"choices":[{"text":5}]}`, "cannot unmarshal"},
		{"usage of the wrong type", "openai-chat", `{"choices":[],"usage":{"completion_tokens":"many"}}`, "not a whole number"},
		{"negative count", "ollama", `{"done":true,"eval_count":-1}`, "negative"},
		{"fractional count", "tgi", `{"generated_text":"a","details":{"generated_tokens":1.5}}`, "not a whole number"},
		{"anthropic delta of the wrong type", "anthropic", `{"type":"content_block_delta","delta":[]}`, "cannot unmarshal"},
		{"anthropic not JSON", "anthropic", `event data`, "invalid character"},
		{"tgi token of the wrong type", "tgi", `{"token":"x"}`, "cannot unmarshal"},
		{"ollama response of the wrong type", "ollama", `{"response":{}}`, "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustLookup(t, tc.api).New()
			_, err := d.Decode(Event{Data: []byte(tc.data)})
			if err == nil {
				t.Fatalf("no error for %q", tc.data)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantSub) || !strings.Contains(msg, "malformed "+tc.api+" event") {
				t.Errorf("error %q does not name the format or say %q", msg, tc.wantSub)
			}
			if q := quoted(msg); len(q) > excerptLen+2 {
				t.Errorf("error quotes %d bytes of the event: %q", len(q)-2, q)
			}
			if !utf8.ValidString(msg) {
				t.Errorf("error is not valid UTF-8: %q", msg)
			}
		})
	}
}

// quoted returns the unquoted text of the first Go-quoted string in msg.
func quoted(msg string) string {
	i := strings.Index(msg, `"`)
	if i < 0 {
		return ""
	}
	for j := i + 1; j < len(msg); j++ {
		switch msg[j] {
		case '\\':
			j++
		case '"':
			s := msg[i : j+1]
			var out string
			_, _ = fmt.Sscanf(s, "%q", &out)
			return `"` + out + `"`
		}
	}
	return ""
}

func TestTolerantEvents(t *testing.T) {
	tests := []struct {
		name string
		api  string
		ev   Event
		want Delta
	}{
		{"blank data", "openai-chat", Event{Data: []byte("  ")}, Delta{}},
		{"done with spaces", "openai-completions", Event{Data: []byte(" [DONE] ")}, Delta{Done: true}},
		{"unknown fields", "openai-chat", Event{Data: []byte(`{"x":{"y":[1,2]},"choices":[{"delta":{"content":"a","new":1}}]}`)}, Delta{Text: "a"}},
		{"null choices", "openai-chat", Event{Data: []byte(`{"choices":null,"usage":null}`)}, Delta{}},
		{"null content", "openai-chat", Event{Data: []byte(`{"choices":[{"delta":{"content":null,"reasoning":null}}]}`)}, Delta{}},
		{"refusal is text", "openai-chat", Event{Data: []byte(`{"choices":[{"delta":{"refusal":"No."}}]}`)}, Delta{Text: "No."}},
		{"whole float count", "openai-chat", Event{Data: []byte(`{"choices":[],"usage":{"prompt_tokens":3.0}}`)}, Delta{Usage: &Usage{PromptTokens: 3, HasPrompt: true}}},
		{"usage null counts", "openai-chat", Event{Data: []byte(`{"choices":[],"usage":{"prompt_tokens":null,"completion_tokens":4}}`)}, Delta{Usage: &Usage{CompletionTokens: 4, HasCompletion: true}}},
		{"invalid UTF-8 replaced", "openai-chat", Event{Data: []byte("{\"choices\":[{\"delta\":{\"content\":\"a\xffb\"}}]}")}, Delta{Text: "a\uFFFDb"}},
		{"error as a string", "openai-chat", Event{Data: []byte(`{"error":"boom"}`)}, Delta{Err: "boom"}},
		{"error with a string code", "openai-chat", Event{Data: []byte(`{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}`)}, Delta{Err: "requests: slow down (code rate_limit_exceeded)"}},
		{"empty error object", "openai-chat", Event{Data: []byte(`{"error":{}}`)}, Delta{Err: "the server reported an error without a message"}},
		{"old vLLM top-level error", "openai-completions", Event{Data: []byte(`{"object":"error","message":"bad","type":"BadRequestError","code":400}`)}, Delta{Err: "BadRequestError: bad"}},
		{"anthropic ping", "anthropic", Event{Name: "ping", Data: []byte(`{"type":"ping"}`)}, Delta{}},
		{"anthropic unknown type", "anthropic", Event{Name: "future", Data: []byte(`{"type":"future","delta":{"text":"x"}}`)}, Delta{}},
		{"anthropic stop named, empty data", "anthropic", Event{Name: "message_stop", Data: []byte("")}, Delta{Done: true}},
		{"anthropic error by name only", "anthropic", Event{Name: "error", Data: []byte(`{"error":{"type":"api_error","message":"Internal"}}`)}, Delta{Err: "api_error: Internal"}},
		{"anthropic JSON type beats the name", "anthropic", Event{Name: "ping", Data: []byte(`{"type":"message_stop"}`)}, Delta{Done: true}},
		{"tgi special token", "tgi", Event{Data: []byte(`{"token":{"id":0,"text":"<s>","special":true}}`)}, Delta{}},
		{"tgi prompt_tokens", "tgi", Event{Data: []byte(`{"token":{"text":"x","special":false},"generated_text":"x","details":{"finish_reason":"length","generated_tokens":1,"prompt_tokens":9}}`)},
			Delta{Text: "x", Tokens: 1, Done: true, Finish: "length", Usage: usage(9, 1)}},
		{"ollama tool call arguments", "ollama", Event{Data: []byte(`{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]},"done":false}`)}, Delta{Text: `{"a":1}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mustLookup(t, tc.api).New().Decode(tc.ev)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestDecoderReuse checks that decoders which reuse their buffers leave
// nothing of one event in the next.
func TestDecoderReuse(t *testing.T) {
	tests := []struct {
		api          string
		first, later string
	}{
		{"openai-chat", `{"choices":[{"delta":{"content":"a","reasoning":"r","tool_calls":[{"function":{"arguments":"x"}}]},"finish_reason":"stop"},{"delta":{"content":"b"}}],"usage":{"prompt_tokens":1},"error":"e"}`, `{"choices":[{"delta":{}}]}`},
		{"openai-completions", `{"choices":[{"text":"a","finish_reason":"stop"}],"usage":{"prompt_tokens":1}}`, `{"choices":[{}]}`},
		{"anthropic", `{"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}}`, `{"type":"content_block_delta","delta":{"type":"text_delta"}}`},
		{"tgi", `{"token":{"text":"a","special":false},"generated_text":"a","details":{"finish_reason":"stop","generated_tokens":1},"error":"e"}`, `{"token":{"special":true}}`},
		{"ollama", `{"response":"a","thinking":"t","message":{"content":"c"},"done":true,"eval_count":3,"error":"e"}`, `{"done":false}`},
	}
	for _, tc := range tests {
		t.Run(tc.api, func(t *testing.T) {
			d := mustLookup(t, tc.api).New()
			first, err := d.Decode(Event{Data: []byte(tc.first)})
			if err != nil || reflect.DeepEqual(first, Delta{}) {
				t.Fatalf("first event gave %+v, %v", first, err)
			}
			got, err := d.Decode(Event{Data: []byte(tc.later)})
			if err != nil || !reflect.DeepEqual(got, Delta{}) {
				t.Errorf("later event gave %+v, %v; want an empty Delta", got, err)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	for _, name := range []string{"openai-chat", "openai-completions", "anthropic", "tgi", "ollama"} {
		f, err := Lookup(name)
		if err != nil || f.Name != name || f.New == nil || f.New() == nil {
			t.Errorf("Lookup(%q) = %+v, %v", name, f, err)
		}
	}
	if f := mustLookup(t, "ollama"); f.Framing != NDJSON {
		t.Errorf("ollama framing = %v, want ndjson", f.Framing)
	}
	_, err := Lookup("grpc")
	if err == nil {
		t.Fatal("Lookup(grpc) gave no error")
	}
	for _, name := range Names() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %q", err, name)
		}
	}
}

// TestOverHTTP serves each recorded stream from a real local server that
// flushes it in small, irregular pieces, and reads it the way the client
// does. The outcome must match decoding the body whole.
func TestOverHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := recorded[atoiOr(r.URL.Query().Get("i"))].body
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		for i, n := range randomCuts(len(body), uint64(len(body))) {
			_, _ = io.WriteString(w, body[:n])
			body = body[n:]
			if i%2 == 0 {
				fl.Flush()
			}
		}
	}))
	defer srv.Close()
	for i, rec := range recorded {
		t.Run(fmt.Sprintf("%d-%s", i, rec.api), func(t *testing.T) {
			f := mustLookup(t, rec.api)
			want := decodeStream(t, f, []byte(rec.body), []int{len(rec.body)})
			resp, err := http.Get(fmt.Sprintf("%s/?i=%d", srv.URL, i))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := readStream(f, resp.Body, make([]byte, 7))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("over HTTP\n got %v\nwant %v", got, want)
			}
		})
	}
}

// readStream reads r into a small buffer, as a client reads a socket, and
// decodes what the splitter emits during each read.
func readStream(f Format, r io.Reader, buf []byte) (outcome, error) {
	var o outcome
	s := NewSplitter(f.Framing, 0)
	d := f.New()
	emit := func(ev Event) {
		delta, err := d.Decode(ev)
		if err != nil {
			o.Malformed = append(o.Malformed, err.Error())
			return
		}
		o.add(delta)
	}
	for {
		n, err := r.Read(buf)
		if ferr := s.Feed(buf[:n], emit); ferr != nil {
			return o, ferr
		}
		if errors.Is(err, io.EOF) {
			return o, s.Close(emit)
		}
		if err != nil {
			return o, err
		}
	}
}

func atoiOr(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
