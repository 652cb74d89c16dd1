package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestGenericValidation(t *testing.T) {
	tests := []struct {
		name    string
		spec    GenericSpec
		wantErr string // "" for a valid spec
	}{
		{"minimal", GenericSpec{Text: "content"}, ""},
		{"full NDJSON", GenericSpec{Framing: NDJSON, Text: "message.content", Reasoning: "message.thinking",
			PromptTokens: "prompt_eval_count", CompletionTokens: "eval_count", Error: "error", Done: "done"}, ""},
		{"no text path", GenericSpec{Reasoning: "r"}, "text path is required"},
		{"empty part", GenericSpec{Text: "choices..text"}, `text path "choices..text": empty part`},
		{"leading dot", GenericSpec{Text: "a", Done: ".done"}, `done path ".done"`},
		{"trailing dot", GenericSpec{Text: "a", CompletionTokens: "usage."}, `completion tokens path "usage."`},
		{"unknown framing", GenericSpec{Framing: Framing(3), Text: "a"}, "unknown framing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Generic(tc.spec)
			if tc.wantErr == "" {
				if err != nil || f.New == nil || f.Framing != tc.spec.Framing {
					t.Fatalf("Generic = %+v, %v", f, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one saying %q", err, tc.wantErr)
			}
		})
	}
}

func mustGeneric(t testing.TB, spec GenericSpec) Format {
	t.Helper()
	f, err := Generic(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// openAIChatSpec reads OpenAI chat streams by path.
var openAIChatSpec = GenericSpec{
	Text: "choices.0.delta.content", Reasoning: "choices.0.delta.reasoning",
	PromptTokens: "usage.prompt_tokens", CompletionTokens: "usage.completion_tokens", Error: "error",
}

// ollamaChatSpec reads Ollama's /api/chat by path.
var ollamaChatSpec = GenericSpec{
	Framing: NDJSON, Text: "message.content", Reasoning: "message.thinking",
	PromptTokens: "prompt_eval_count", CompletionTokens: "eval_count", Error: "error", Done: "done",
}

// ollamaGenerateSpec reads Ollama's /api/generate by path.
var ollamaGenerateSpec = GenericSpec{
	Framing: NDJSON, Text: "response", Reasoning: "thinking",
	PromptTokens: "prompt_eval_count", CompletionTokens: "eval_count", Error: "error", Done: "done",
}

// llamaCppSpec reads llama.cpp's native /completion stream by path.
var llamaCppSpec = GenericSpec{
	Text: "content", PromptTokens: "timings.prompt_n", CompletionTokens: "timings.predicted_n", Done: "stop",
}

// TestGenericMatchesBuiltIn reads recorded streams through a generic spec
// and through the built-in decoder: what both can see must agree.
func TestGenericMatchesBuiltIn(t *testing.T) {
	tests := []struct {
		name string
		spec GenericSpec
		api  string
		body string
	}{
		{"openai chat", openAIChatSpec, "openai-chat", openAIChatUsage},
		{"vllm reasoning", openAIChatSpec, "openai-chat", vllmChatReasoning},
		{"vllm error", openAIChatSpec, "openai-chat", vllmChatError},
		{"ollama zeros", openAIChatSpec, "openai-chat", ollamaOpenAIChat},
		{"ollama chat", ollamaChatSpec, "ollama", ollamaChat},
		{"ollama generate", ollamaGenerateSpec, "ollama", ollamaGenerate},
		{"ollama error", ollamaGenerateSpec, "ollama", ollamaError},
	}
	for _, tc := range tests {
		for _, c := range cuttings() {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				body := []byte(tc.body)
				got := decodeStream(t, mustGeneric(t, tc.spec), body, c.cuts(len(body)))
				want := decodeStream(t, mustLookup(t, tc.api), body, []int{len(body)})
				// The generic reader has no finish reason and no reasoning
				// token count.
				want.Finish = ""
				if want.Usage != nil {
					want.Usage.ReasoningTokens = 0
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("\ngeneric  %v\nbuilt-in %v", got, want)
				}
			})
		}
	}
}

func TestGenericLlamaCpp(t *testing.T) {
	f := mustGeneric(t, llamaCppSpec)
	for _, c := range cuttings() {
		t.Run(c.name, func(t *testing.T) {
			got := decodeStream(t, f, []byte(llamaCppNative), c.cuts(len(llamaCppNative)))
			want := outcome{Text: "Hello", TokenEvents: 2, Usage: usage(4, 2), Done: true}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestGenericValues(t *testing.T) {
	spec := GenericSpec{Text: "t", Reasoning: "r", PromptTokens: "p", CompletionTokens: "c", Error: "e", Done: "d"}
	tests := []struct {
		name    string
		data    string
		want    Delta
		wantErr string
	}{
		{"all absent", `{"x":1}`, Delta{}, ""},
		{"all null", `{"t":null,"r":null,"p":null,"c":null,"e":null,"d":null}`, Delta{}, ""},
		{"text and counts", `{"t":"a\u00e9\n","r":"why","p":3,"c":2.0}`, Delta{Text: "a\u00e9\n", Reasoning: "why", Usage: usage(3, 2)}, ""},
		{"escaped key", `{"\u0074":"x"}`, Delta{Text: "x"}, ""},
		{"last duplicate wins", `{"t":"a","t":"b"}`, Delta{Text: "b"}, ""},
		{"invalid UTF-8 replaced", "{\"t\":\"a\xffb\"}", Delta{Text: "a\uFFFDb"}, ""},
		{"done true", `{"d":true}`, Delta{Done: true}, ""},
		{"done false", `{"d":false}`, Delta{}, ""},
		{"done string", `{"d":"stop"}`, Delta{Done: true}, ""},
		{"done empty string", `{"d":""}`, Delta{}, ""},
		{"done number", `{"d":1}`, Delta{Done: true}, ""},
		{"done zero", `{"d":0.0}`, Delta{}, ""},
		{"done object", `{"d":{"finish_reason":"length"}}`, Delta{Done: true}, ""},
		{"done empty object", `{"d":{ }}`, Delta{}, ""},
		{"done empty array", `{"d":[]}`, Delta{}, ""},
		{"error string", `{"e":"boom"}`, Delta{Err: "boom"}, ""},
		{"error object", `{"e":{"message":"slow","type":"rate","code":429}}`, Delta{Err: "rate: slow (code 429)"}, ""},
		{"error object without message", `{"e":{"detail":"x"}}`, Delta{Err: `the server reported an error: "{\"detail\":\"x\"}"`}, ""},
		{"error true", `{"e":true}`, Delta{Err: "the server reported an error without a message"}, ""},
		{"error empty", `{"e":""}`, Delta{}, ""},
		{"text not a string", `{"t":5}`, Delta{}, `text at "t" is a number, not a string`},
		{"count not a number", `{"c":"5"}`, Delta{}, `completion tokens at "c" is a string, not a number`},
		{"count negative", `{"p":-1}`, Delta{}, "negative"},
		{"not JSON", `{"t":`, Delta{}, "unexpected end of JSON input"},
		{"not an object", `["t"]`, Delta{}, "not a JSON object"},
		{"[DONE]", `[DONE]`, Delta{Done: true}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mustGeneric(t, spec).New().Decode(Event{Data: []byte(tc.data)})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "malformed generic event") {
					t.Errorf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// lookup finds one path with the walk the generic decoder makes.
func lookup(data []byte, path []string) []byte {
	var tree pathTree
	id := tree.add(path)
	found := make([][]byte, tree.paths)
	if !tree.find(data, found) {
		return nil
	}
	return found[id]
}

func TestLookupPath(t *testing.T) {
	doc := ` { "a" : { "b" : [ 10 , {"c":"x,]}\"y"} , [1,[2]] ] , "0":"zero" } , "s":"v", "n": -1.5e3 , "arr":[{"0":"key"}], "e":{}} `
	tests := []struct {
		path string
		want string // "" for not found
	}{
		{"a.b.0", "10"},
		{"a.b.1.c", `"x,]}\"y"`},
		{"a.b.2", "[1,[2]]"},
		{"a.b.2.1.0", "2"},
		{"a.0", `"zero"`},
		{"s", `"v"`},
		{"n", "-1.5e3"},
		{"arr.0.0", `"key"`},
		{"e", "{}"},
		{"a.b.3", ""},
		{"a.b.x", ""},
		{"a.b.01", `{"c":"x,]}\"y"}`},
		{"s.x", ""},
		{"missing", ""},
		{"e.x", ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got := lookup([]byte(doc), strings.Split(tc.path, "."))
			if string(got) != tc.want {
				t.Errorf("lookup(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

// One walk finds every path: paths that share a beginning, a path inside
// another's value, and a later duplicate key that replaces all that an
// earlier one held.
func TestGenericPathsInOneWalk(t *testing.T) {
	spec := GenericSpec{Text: "a.t", Reasoning: "a.r", Error: "e", CompletionTokens: "e.n", Done: "a"}
	tests := []struct {
		name, data string
		want       Delta
	}{
		{"shared beginning", `{"a":{"t":"x","r":"y"}}`, Delta{Text: "x", Reasoning: "y", Done: true}},
		{"duplicate replaces what it held", `{"a":{"t":"x","r":"y"},"a":{"t":"z"}}`, Delta{Text: "z", Done: true}},
		{"duplicate that is no object", `{"a":{"t":"x"},"a":0}`, Delta{}},
		{"path inside another", `{"e":{"message":"m","n":3}}`, Delta{Err: "m", Usage: &Usage{CompletionTokens: 3, HasCompletion: true}}},
		{"escaped keys", `{"\u0061":{"\u0074":"x"}}`, Delta{Text: "x", Done: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mustGeneric(t, spec).New().Decode(Event{Data: []byte(tc.data)})
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("\n got %+v (%v)\nwant %+v", got, err, tc.want)
			}
		})
	}
}

// The walk takes values nested as deeply as encoding/json takes them, and
// refuses deeper ones with its words.
func TestGenericNesting(t *testing.T) {
	f := mustGeneric(t, GenericSpec{Text: "t"})
	for _, depth := range []int{maxNesting - 1, maxNesting, maxNesting + 1} {
		t.Run(fmt.Sprint(depth), func(t *testing.T) {
			// The top-level object is one level; depth-1 arrays nest in it.
			data := []byte(`{"t":"x","a":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`)
			if json.Valid(data) != (depth <= maxNesting) {
				t.Fatalf("encoding/json's limit is not %d levels", maxNesting)
			}
			got, err := f.New().Decode(Event{Data: data})
			if depth <= maxNesting {
				if err != nil || got.Text != "x" {
					t.Fatalf("valid event: %+v, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "exceeded max depth") {
				t.Fatalf("too deep an event: %+v, %v", got, err)
			}
		})
	}
}
