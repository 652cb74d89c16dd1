package api

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// A Call made of plain Go values becomes each family's request.
func TestNewRequest(t *testing.T) {
	hi := []Message{{Role: "user", Content: "hi"}}
	tests := []struct {
		name   string
		api    string
		kind   Kind
		call   Call
		format string
		path   string
		header [][2]string
		body   string
	}{
		{"openai chat", "openai", Chat, Call{Model: "m", Messages: hi, MaxTokens: 8, IncludeUsage: true, APIKey: "k"},
			"openai-chat", "/v1/chat/completions",
			[][2]string{{"Content-Type", "application/json"}, {"Authorization", "Bearer k"}},
			`{"max_tokens":8,"messages":[{"content":"hi","role":"user"}],"model":"m","stream":true,"stream_options":{"include_usage":true}}`},
		{"openai completions, extras over the body", "openai-completions", Complete,
			Call{Prompt: "p", Extra: map[string]any{"stream": false, "temperature": 0.5, "a": []int{}}},
			"openai-completions", "/v1/completions", [][2]string{{"Content-Type", "application/json"}},
			`{"a":[],"prompt":"p","stream":false,"temperature":0.5}`},
		{"messages as written are sent as they are", "openai", Chat,
			Call{Messages: json.RawMessage(`[{"role":"user","content":"as written"}]`)},
			"openai-chat", "/v1/chat/completions", [][2]string{{"Content-Type", "application/json"}},
			`{"messages":[{"role":"user","content":"as written"}],"stream":true}`},
		{"anthropic", "anthropic", Chat,
			Call{Messages: []Message{{Role: "system", Content: "s"}, hi[0]}, MaxTokens: 4, APIKey: "k"},
			"anthropic", "/v1/messages",
			[][2]string{{"Content-Type", "application/json"}, {"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}},
			`{"max_tokens":4,"messages":[{"content":"hi","role":"user"}],"stream":true,"system":"s"}`},
		{"anthropic completion", "anthropic", Complete, Call{Prompt: "p", System: "s", MaxTokens: 4},
			"anthropic", "/v1/messages",
			[][2]string{{"Content-Type", "application/json"}, {"anthropic-version", "2023-06-01"}},
			`{"max_tokens":4,"messages":[{"content":"p","role":"user"}],"stream":true,"system":"s"}`},
		{"tgi", "tgi", Complete, Call{Model: "m", Prompt: "p", MaxTokens: 4},
			"tgi", "/generate_stream", [][2]string{{"Content-Type", "application/json"}},
			`{"inputs":"p","parameters":{"details":true,"max_new_tokens":4}}`},
		{"ollama chat", "ollama", Chat, Call{Model: "m", Messages: hi, MaxTokens: 4},
			"ollama", "/api/chat", [][2]string{{"Content-Type", "application/json"}},
			`{"messages":[{"content":"hi","role":"user"}],"model":"m","options":{"num_predict":4},"stream":true}`},
		{"ollama generate", "ollama", Complete, Call{Model: "m", Prompt: "p", Messages: hi},
			"ollama", "/api/generate", [][2]string{{"Content-Type", "application/json"}},
			`{"model":"m","prompt":"p","stream":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewPayload(tc.api, tc.kind, &tc.call)
			if err != nil {
				t.Fatal(err)
			}
			if r.Format.Name != tc.format || r.Path != tc.path || !reflect.DeepEqual(r.Header, tc.header) || string(r.Body) != tc.body {
				t.Fatalf("got %s %s %q\n%s", r.Format.Name, r.Path, r.Header, r.Body)
			}
			if r.Format.EndMarker == "" || r.Format.New == nil {
				t.Fatalf("format %+v has no end marker or decoder", r.Format)
			}
		})
	}
}

// Calls a family cannot take fail with the words scripts see.
func TestNewRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		api  string
		kind Kind
		call Call
		want string
	}{
		{"unknown api", "gemini", Chat, Call{},
			`unknown api "gemini": use openai (or openai-chat, openai-completions), anthropic, tgi or ollama; or self.llm:stream{} for anything else`},
		{"tgi chat", "tgi", Chat, Call{Messages: []Message{}},
			`TGI's generate_stream takes a prompt: use self.llm:complete{ prompt = ... }, or api = "openai" for TGI's OpenAI-compatible /v1/chat/completions`},
		{"no messages", "ollama", Chat, Call{Prompt: "p"}, "messages must be a list of { role =, content = } tables"},
		{"no prompt", "openai", Complete, Call{Prompt: 3}, "prompt must be a string"},
		{"no max_tokens", "anthropic", Complete, Call{Prompt: "p"}, "the anthropic api needs max_tokens"},
		{"a value that cannot be written", "openai", Complete, Call{Prompt: "p", Extra: map[string]any{"f": func() {}}},
			"encoding the request: json: unsupported type: func()"},
		{"a Marshaler's own error", "openai", Chat, Call{Messages: []Message{{JSON: failing{}}}},
			"encoding the request: cannot write this"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPayload(tc.api, tc.kind, &tc.call)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

type failing struct{}

func (failing) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot write this") }

func TestPromptText(t *testing.T) {
	tests := []struct {
		name string
		call Call
		want string
	}{
		{"prompt", Call{Prompt: "p", System: "s"}, "p"},
		{"system and contents", Call{System: "s", Messages: []Message{{Content: "a"}, {Content: []string{"parts"}}, {Content: "b"}}}, "s\na\nb"},
		{"nothing", Call{Prompt: 3}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.call.PromptText(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
