package lualib

import (
	"fmt"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// built is what a call turns into, as a server would see it.
type built struct {
	format, method, url, headers, body, prompt, name string
}

// buildFrom builds the request of one llm call: settings is the class's
// llm table (Lua, or "nil") and call the call's own table.
func buildFrom(t *testing.T, kind, settings, call string) (built, error) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule("json", loadJSON)
	code := fmt.Sprintf("json = require(\"json\")\nsettings = %s\ncall = %s", settings, call)
	if err := L.DoString(code); err != nil {
		t.Fatal(err)
	}
	cfg, _ := L.GetGlobal("settings").(*lua.LTable)
	u := &User{Host: "http://h:1/", Tokenizer: "none"}
	s, err := u.buildLLM(L, &llmCall{kind: kind, settings: cfg, call: L.GetGlobal("call").(*lua.LTable)})
	if err != nil {
		return built{}, err
	}
	var h []string
	for _, kv := range s.req.Header {
		h = append(h, kv[0]+": "+kv[1])
	}
	return built{
		format: s.format.Name, method: s.req.Method, url: s.req.URL, headers: strings.Join(h, "; "),
		body: string(s.req.Body), prompt: s.prompt, name: s.name,
	}, nil
}

const userHi = `{ { role = "user", content = "hi" } }`

// Every API family's request, byte for byte: path, headers and body, the
// defaults each family fills in and what the call's extras add.
func TestLLMRequests(t *testing.T) {
	cases := []struct {
		name, kind, settings, call string
		want                       built
	}{
		{"openai chat", "chat", `{ api = "openai", model = "m" }`, `{ messages = ` + userHi + `, max_tokens = 8 }`, built{
			"openai-chat", "POST", "http://h:1/v1/chat/completions", "Content-Type: application/json",
			`{"max_tokens":8,"messages":[{"content":"hi","role":"user"}],"model":"m","stream":true,"stream_options":{"include_usage":true}}`,
			"hi", "chat"}},
		{"openai chat by default, no model", "chat", `nil`, `{ messages = ` + userHi + ` }`, built{
			"openai-chat", "POST", "http://h:1/v1/chat/completions", "Content-Type: application/json",
			`{"messages":[{"content":"hi","role":"user"}],"stream":true,"stream_options":{"include_usage":true}}`,
			"hi", "chat"}},
		{"openai chat without usage, extras of class and call", "chat",
			`{ api = "openai-chat", model = "m", include_usage = false, temperature = 9, extra = { top_p = 0.5, seed = 1, stop = json.array() } }`,
			`{ messages = ` + userHi + `, ignore_eos = true, min_tokens = 2^53, extra = { seed = 2, logit_bias = {}, n = json.null, stream = false } }`, built{
				"openai-chat", "POST", "http://h:1/v1/chat/completions", "Content-Type: application/json",
				`{"ignore_eos":true,"logit_bias":{},"messages":[{"content":"hi","role":"user"}],"min_tokens":9007199254740992,"model":"m","n":null,"seed":2,"stop":[],"stream":false,"top_p":0.5}`,
				"hi", "chat"}},
		{"openai chat, usage off in the class", "chat", `{ include_usage = false, max_tokens = 3 }`, `{ messages = ` + userHi + ` }`, built{
			"openai-chat", "POST", "http://h:1/v1/chat/completions", "Content-Type: application/json",
			`{"max_tokens":3,"messages":[{"content":"hi","role":"user"}],"stream":true}`,
			"hi", "chat"}},
		{"openai chat, messages of every shape", "chat", `{ model = 7 }`,
			`{ messages = { { role = "system", content = "be brief" }, { role = "user", content = { { type = "text", text = "a" } }, name = "n" }, { role = "assistant", content = "b\n<c>" } }, temperature = 0.25 }`, built{
				"openai-chat", "POST", "http://h:1/v1/chat/completions", "Content-Type: application/json",
				`{"messages":[{"content":"be brief","role":"system"},{"content":[{"text":"a","type":"text"}],"name":"n","role":"user"},{"content":"b\n\u003cc\u003e","role":"assistant"}],"model":7,"stream":true,"stream_options":{"include_usage":true},"temperature":0.25}`,
				"be brief\nb\n<c>", "chat"}},
		{"openai chat, empty messages table", "chat", `nil`, `{ messages = {} }`, built{
			"openai-chat", "POST", "http://h:1/v1/chat/completions", "Content-Type: application/json",
			`{"messages":{},"stream":true,"stream_options":{"include_usage":true}}`,
			"", "chat"}},
		{"openai chat, json.null and a messages object", "chat", `{ model = json.null }`,
			`{ messages = { first = { role = "user", content = "hi" } }, max_tokens = json.null, stop = { json.null, "x" } }`, built{
				"openai-chat", "POST", "http://h:1/v1/chat/completions", "Content-Type: application/json",
				`{"max_tokens":null,"messages":{"first":{"content":"hi","role":"user"}},"model":null,"stop":[null,"x"],"stream":true,"stream_options":{"include_usage":true}}`,
				"hi", "chat"}},
		{"openai completions", "complete", `{ api = "openai", model = "m", api_key = "k" }`, `{ prompt = "once", max_tokens = 4, name = "story" }`, built{
			"openai-completions", "POST", "http://h:1/v1/completions", "Content-Type: application/json; Authorization: Bearer k",
			`{"max_tokens":4,"model":"m","prompt":"once","stream":true,"stream_options":{"include_usage":true}}`,
			"once", "story"}},
		{"openai-chat api asked to complete", "complete", `{ api = "openai-chat" }`, `{ prompt = "p" }`, built{
			"openai-completions", "POST", "http://h:1/v1/completions", "Content-Type: application/json",
			`{"prompt":"p","stream":true,"stream_options":{"include_usage":true}}`,
			"p", "completion"}},
		{"path, headers and key", "chat", `{ api = "openai", api_key = "k", headers = { ["X-A"] = "1" } }`,
			`{ messages = ` + userHi + `, path = "/proxy/chat", include_usage = 0 }`, built{
				"openai-chat", "POST", "http://h:1/proxy/chat", "Content-Type: application/json; Authorization: Bearer k; X-A: 1",
				`{"messages":[{"content":"hi","role":"user"}],"stream":true,"stream_options":{"include_usage":true}}`,
				"hi", "chat"}},
		{"anthropic chat, system from the messages", "chat", `{ api = "anthropic", model = "claude", api_key = "k" }`,
			`{ messages = { { role = "system", content = "be brief" }, { role = "user", content = "hi" } }, max_tokens = 16 }`, built{
				"anthropic", "POST", "http://h:1/v1/messages", "Content-Type: application/json; x-api-key: k; anthropic-version: 2023-06-01",
				`{"max_tokens":16,"messages":[{"content":"hi","role":"user"}],"model":"claude","stream":true,"system":"be brief"}`,
				"be brief\nhi", "chat"}},
		{"anthropic chat, the system field wins", "chat", `{ api = "anthropic", max_tokens = 5 }`,
			`{ system = { { type = "text", text = "s" } }, messages = { { role = "system", content = "old" }, { role = "user", content = "hi" } }, top_k = 3 }`, built{
				"anthropic", "POST", "http://h:1/v1/messages", "Content-Type: application/json; anthropic-version: 2023-06-01",
				`{"max_tokens":5,"messages":[{"content":"hi","role":"user"}],"stream":true,"system":[{"text":"s","type":"text"}],"top_k":3}`,
				"old\nhi", "chat"}},
		{"anthropic chat, only a system message", "chat", `{ api = "anthropic" }`,
			`{ messages = { { role = "system", content = "s" } }, max_tokens = 1 }`, built{
				"anthropic", "POST", "http://h:1/v1/messages", "Content-Type: application/json; anthropic-version: 2023-06-01",
				`{"max_tokens":1,"messages":{},"stream":true,"system":"s"}`,
				"s", "chat"}},
		{"anthropic completion", "complete", `{ api = "anthropic", model = "claude" }`, `{ prompt = "once", system = "sys", max_tokens = 2 }`, built{
			"anthropic", "POST", "http://h:1/v1/messages", "Content-Type: application/json; anthropic-version: 2023-06-01",
			`{"max_tokens":2,"messages":[{"content":"once","role":"user"}],"model":"claude","stream":true,"system":"sys"}`,
			"once", "completion"}},
		{"anthropic completion without a prompt", "complete", `{ api = "anthropic" }`, `{ max_tokens = 2 }`, built{
			"anthropic", "POST", "http://h:1/v1/messages", "Content-Type: application/json; anthropic-version: 2023-06-01",
			`{"max_tokens":2,"messages":[{"role":"user"}],"stream":true}`,
			"", "completion"}},
		{"tgi", "complete", `{ api = "tgi", model = "m", api_key = "k" }`, `{ prompt = "once", max_tokens = 8, extra = { parameters = { seed = 1 } } }`, built{
			"tgi", "POST", "http://h:1/generate_stream", "Content-Type: application/json; Authorization: Bearer k",
			`{"inputs":"once","parameters":{"seed":1}}`,
			"once", "completion"}},
		{"tgi, its defaults", "complete", `{ api = "tgi", model = "m" }`, `{ prompt = "once", max_tokens = 8 }`, built{
			"tgi", "POST", "http://h:1/generate_stream", "Content-Type: application/json",
			`{"inputs":"once","parameters":{"details":true,"max_new_tokens":8}}`,
			"once", "completion"}},
		{"tgi, model only from extra", "complete", `{ api = "tgi", extra = { model = "x" } }`, `{ prompt = "once" }`, built{
			"tgi", "POST", "http://h:1/generate_stream", "Content-Type: application/json",
			`{"inputs":"once","model":"x","parameters":{"details":true}}`,
			"once", "completion"}},
		{"ollama chat", "chat", `{ api = "ollama", model = "llama3" }`, `{ messages = ` + userHi + `, max_tokens = 8, keep_alive = "5m" }`, built{
			"ollama", "POST", "http://h:1/api/chat", "Content-Type: application/json",
			`{"keep_alive":"5m","messages":[{"content":"hi","role":"user"}],"model":"llama3","options":{"num_predict":8},"stream":true}`,
			"hi", "chat"}},
		{"ollama generate", "complete", `{ api = "ollama", model = "llama3" }`, `{ prompt = "once" }`, built{
			"ollama", "POST", "http://h:1/api/generate", "Content-Type: application/json",
			`{"model":"llama3","prompt":"once","stream":true}`,
			"once", "completion"}},
		{"stream with a JSON body", "stream", `{ api_key = "k" }`,
			`{ path = "/gen", json = { q = "x", n = 3, list = json.array() }, text = "a.b", framing = "ndjson", prompt = "x", name = "raw" }`, built{
				"generic", "POST", "http://h:1/gen", "Content-Type: application/json; Authorization: Bearer k",
				`{"list":[],"n":3,"q":"x"}`,
				"x", "raw"}},
		{"stream with a plain body", "stream", `nil`, `{ path = "http://other/x", method = "put", body = "raw text", text = "t" }`, built{
			"generic", "PUT", "http://other/x", "",
			`raw text`,
			"", "stream"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildFrom(t, tc.kind, tc.settings, tc.call)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

// A call that cannot be made says why, in the words scripts see.
func TestLLMRequestErrors(t *testing.T) {
	cases := []struct {
		name, kind, settings, call, want string
	}{
		{"unknown api", "chat", `{ api = "gemini" }`, `{ messages = {} }`,
			`unknown api "gemini": use openai (or openai-chat, openai-completions), anthropic, tgi or ollama; or self.llm:stream{} for anything else`},
		{"tgi chat", "chat", `{ api = "tgi" }`, `{ messages = {} }`,
			`TGI's generate_stream takes a prompt: use self.llm:complete{ prompt = ... }, or api = "openai" for TGI's OpenAI-compatible /v1/chat/completions`},
		{"chat without messages", "chat", `nil`, `{ prompt = "p" }`, "messages must be a list of { role =, content = } tables"},
		{"ollama chat without messages", "chat", `{ api = "ollama" }`, `{ messages = "hi" }`, "messages must be a list of { role =, content = } tables"},
		{"completion without a prompt", "complete", `nil`, `{ messages = {} }`, "prompt must be a string"},
		{"tgi prompt not a string", "complete", `{ api = "tgi" }`, `{ prompt = 3 }`, "prompt must be a string"},
		{"anthropic without max_tokens", "chat", `{ api = "anthropic" }`, `{ messages = {} }`, "the anthropic api needs max_tokens"},
		{"an extra that is not JSON", "chat", `nil`, `{ messages = {}, f = print }`, "encoding the request: cannot encode function to JSON"},
		{"an extra with a number key", "chat", `{ extra = { 5 } }`, `{ messages = {} }`,
			"encoding the request: cannot encode a table with key 1 of type number: object keys must be strings, array keys 1..n"},
		{"a message that is not JSON", "chat", `nil`, `{ messages = { { role = "user", content = 0/0 } } }`, "encoding the request: cannot encode NaN to JSON"},
		{"stream without a path", "stream", `nil`, `{ text = "t" }`, "path is required"},
		{"stream without a text path", "stream", `nil`, `{ path = "/x" }`, `text must name the JSON path of the output text, e.g. "choices.0.delta.content"`},
		{"stream framing", "stream", `nil`, `{ path = "/x", text = "t", framing = "ws" }`, `framing must be "sse" or "ndjson"`},
		{"stream path", "stream", `nil`, `{ path = "/x", text = "a..b" }`, `generic format: text path "a..b": empty part between dots`},
		{"stream json", "stream", `nil`, `{ path = "/x", text = "t", json = { f = print } }`, "json: cannot encode function to JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildFrom(t, tc.kind, tc.settings, tc.call)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkLLMBuild measures turning a usual chat call into its request.
func BenchmarkLLMBuild(b *testing.B) {
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule("json", loadJSON)
	code := `settings = { api = "openai", model = "m", extra = { temperature = 0.7 } }
call = { messages = { { role = "system", content = "be brief" }, { role = "user", content = string.rep("word ", 400) } }, max_tokens = 128, ignore_eos = true }`
	if err := L.DoString(code); err != nil {
		b.Fatal(err)
	}
	c := &llmCall{kind: "chat", settings: L.GetGlobal("settings").(*lua.LTable), call: L.GetGlobal("call").(*lua.LTable)}
	u := &User{Host: "http://h:1", Tokenizer: "none"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.buildLLM(L, c); err != nil {
			b.Fatal(err)
		}
	}
}
