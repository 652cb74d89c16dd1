package lualib

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/engine/stream"
	"github.com/llmlocust/llmlocust/engine/wire"
)

// reserved are the fields of an llm call that configure it rather than go
// into the request body.
var reserved = map[string]bool{
	"name": true, "api": true, "path": true, "api_key": true, "headers": true, "include_usage": true,
	"tokenizer": true, "timeouts": true, "extra": true, "messages": true, "prompt": true, "max_tokens": true,
	"system": true, "model": true,
	// self.llm:stream{} only
	"method": true, "json": true, "body": true, "framing": true, "text": true, "reasoning": true,
	"prompt_tokens": true, "completion_tokens": true, "error": true, "done": true,
}

// endpoint is where and how one API family takes chat and completion calls.
type endpoint struct {
	format    string // wire format
	path      string
	auth      func(key string) [2]string
	body      func(L *lua.LState, c *llmCall, b *lua.LTable) error
	promptKey string // "messages" or "prompt"
}

func bearer(key string) [2]string { return [2]string{"Authorization", "Bearer " + key} }

// endpoints maps (api, kind) to how the request is made.
func endpointFor(api, kind string) (endpoint, error) {
	family := api
	if strings.HasPrefix(api, "openai") {
		family = "openai"
	}
	switch family + "/" + kind {
	case "openai/chat":
		return endpoint{"openai-chat", "/v1/chat/completions", bearer, openAIBody, "messages"}, nil
	case "openai/complete":
		return endpoint{"openai-completions", "/v1/completions", bearer, openAIBody, "prompt"}, nil
	case "anthropic/chat", "anthropic/complete":
		return endpoint{"anthropic", "/v1/messages", func(k string) [2]string { return [2]string{"x-api-key", k} }, anthropicBody, "messages"}, nil
	case "tgi/complete":
		return endpoint{"tgi", "/generate_stream", bearer, tgiBody, "prompt"}, nil
	case "tgi/chat":
		return endpoint{}, fmt.Errorf("TGI's generate_stream takes a prompt: use self.llm:complete{ prompt = ... }, or api = \"openai\" for TGI's OpenAI-compatible /v1/chat/completions")
	case "ollama/chat":
		return endpoint{"ollama", "/api/chat", bearer, ollamaBody, "messages"}, nil
	case "ollama/complete":
		return endpoint{"ollama", "/api/generate", bearer, ollamaBody, "prompt"}, nil
	}
	return endpoint{}, fmt.Errorf("unknown api %q: use openai (or openai-chat, openai-completions), anthropic, tgi or ollama; or self.llm:stream{} for anything else", api)
}

// buildAPI makes a chat or completion request in the class's API.
func (u *User) buildAPI(L *lua.LState, c *llmCall, s *llmSpec) error {
	api := c.str("api", "openai")
	ep, err := endpointFor(api, c.kind)
	if err != nil {
		return err
	}
	if s.format, err = wire.Lookup(ep.format); err != nil {
		return err
	}
	switch ep.promptKey {
	case "messages":
		if _, ok := c.get("messages").(*lua.LTable); !ok && c.kind == "chat" {
			return fmt.Errorf("messages must be a list of { role =, content = } tables")
		}
	default:
		if _, ok := c.get("prompt").(lua.LString); !ok {
			return fmt.Errorf("prompt must be a string")
		}
	}
	body := L.CreateTable(0, 8)
	if m := c.get("model"); m != lua.LNil {
		body.RawSetString("model", m)
	}
	if err := ep.body(L, c, body); err != nil {
		return err
	}
	mergeExtras(c, body)
	b, err := EncodeJSON(L, body)
	if err != nil {
		return fmt.Errorf("encoding the request: %w", err)
	}
	s.req = stream.Request{Method: http.MethodPost, URL: joinURL(u.Host, c.str("path", ep.path)), Body: b}
	s.req.Header = append(s.req.Header, [2]string{"Content-Type", "application/json"})
	if key := c.str("api_key", ""); key != "" {
		s.req.Header = append(s.req.Header, ep.auth(key))
	}
	if api == "anthropic" {
		s.req.Header = append(s.req.Header, [2]string{"anthropic-version", "2023-06-01"})
	}
	s.req.Header = append(s.req.Header, headerList(c.get("headers"))...)
	s.prompt = promptText(c)
	s.name = map[string]string{"chat": "chat", "complete": "completion"}[c.kind]
	return nil
}

// mergeExtras puts every field of the call that is not a setting (and the
// extra table of class and call) into the body: ignore_eos, min_tokens,
// temperature, anything a server takes.
func mergeExtras(c *llmCall, body *lua.LTable) {
	for _, src := range []*lua.LTable{c.settings, c.call} {
		if src == nil {
			continue
		}
		if extra, ok := src.RawGetString("extra").(*lua.LTable); ok {
			extra.ForEach(func(k, v lua.LValue) { body.RawSet(k, v) })
		}
	}
	c.call.ForEach(func(k, v lua.LValue) {
		if ks, ok := k.(lua.LString); ok && !reserved[string(ks)] {
			body.RawSet(k, v)
		}
	})
}

func headerList(v lua.LValue) [][2]string {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil
	}
	var out [][2]string
	t.ForEach(func(k, v lua.LValue) { out = append(out, [2]string{k.String(), v.String()}) })
	return out
}

// promptText is the text of the prompt, for counting input tokens when the
// server reports none (the chat template's own tokens are not in it).
func promptText(c *llmCall) string {
	if p, ok := c.get("prompt").(lua.LString); ok {
		return string(p)
	}
	var parts []string
	if s, ok := c.get("system").(lua.LString); ok {
		parts = append(parts, string(s))
	}
	if msgs, ok := c.get("messages").(*lua.LTable); ok {
		msgs.ForEach(func(_, m lua.LValue) {
			if mt, ok := m.(*lua.LTable); ok {
				if content, ok := mt.RawGetString("content").(lua.LString); ok {
					parts = append(parts, string(content))
				}
			}
		})
	}
	return strings.Join(parts, "\n")
}

func openAIBody(L *lua.LState, c *llmCall, b *lua.LTable) error {
	if c.kind == "chat" {
		b.RawSetString("messages", c.get("messages"))
	} else {
		b.RawSetString("prompt", c.get("prompt"))
	}
	if mt := c.get("max_tokens"); mt != lua.LNil {
		b.RawSetString("max_tokens", mt)
	}
	b.RawSetString("stream", lua.LTrue)
	if include := c.get("include_usage"); include != lua.LFalse {
		opts := L.CreateTable(0, 1)
		opts.RawSetString("include_usage", lua.LTrue)
		b.RawSetString("stream_options", opts)
	}
	return nil
}

func anthropicBody(L *lua.LState, c *llmCall, b *lua.LTable) error {
	if c.kind == "chat" {
		msgs := L.CreateTable(0, 0)
		c.get("messages").(*lua.LTable).ForEach(func(_, m lua.LValue) {
			mt, ok := m.(*lua.LTable)
			if ok && mt.RawGetString("role").String() == "system" {
				b.RawSetString("system", mt.RawGetString("content"))
				return
			}
			msgs.Append(m)
		})
		b.RawSetString("messages", msgs)
	} else {
		msg := L.CreateTable(0, 2)
		msg.RawSetString("role", lua.LString("user"))
		msg.RawSetString("content", c.get("prompt"))
		msgs := L.CreateTable(1, 0)
		msgs.Append(msg)
		b.RawSetString("messages", msgs)
	}
	if sys := c.get("system"); sys != lua.LNil {
		b.RawSetString("system", sys)
	}
	maxTokens := c.get("max_tokens")
	if maxTokens == lua.LNil {
		return fmt.Errorf("the anthropic api needs max_tokens")
	}
	b.RawSetString("max_tokens", maxTokens)
	b.RawSetString("stream", lua.LTrue)
	return nil
}

func tgiBody(L *lua.LState, c *llmCall, b *lua.LTable) error {
	b.RawSetString("inputs", c.get("prompt"))
	params := L.CreateTable(0, 2)
	if mt := c.get("max_tokens"); mt != lua.LNil {
		params.RawSetString("max_new_tokens", mt)
	}
	params.RawSetString("details", lua.LTrue)
	b.RawSetString("parameters", params)
	b.RawSetString("model", lua.LNil)
	return nil
}

func ollamaBody(L *lua.LState, c *llmCall, b *lua.LTable) error {
	if c.kind == "chat" {
		b.RawSetString("messages", c.get("messages"))
	} else {
		b.RawSetString("prompt", c.get("prompt"))
	}
	b.RawSetString("stream", lua.LTrue)
	if mt := c.get("max_tokens"); mt != lua.LNil {
		opts := L.CreateTable(0, 1)
		opts.RawSetString("num_predict", mt)
		b.RawSetString("options", opts)
	}
	return nil
}

// buildRaw makes self.llm:stream{}: any HTTP request whose streamed answer
// is read by the generic SSE or NDJSON reader at the JSON paths given.
func (u *User) buildRaw(L *lua.LState, c *llmCall, s *llmSpec) error {
	path := c.str("path", "")
	if path == "" {
		return fmt.Errorf("path is required")
	}
	spec := wire.GenericSpec{
		Framing: wire.SSE, Text: c.str("text", ""), Reasoning: c.str("reasoning", ""),
		PromptTokens: c.str("prompt_tokens", ""), CompletionTokens: c.str("completion_tokens", ""),
		Error: c.str("error", ""), Done: c.str("done", ""),
	}
	switch c.str("framing", "sse") {
	case "sse":
	case "ndjson":
		spec.Framing = wire.NDJSON
	default:
		return fmt.Errorf("framing must be \"sse\" or \"ndjson\"")
	}
	if spec.Text == "" {
		return fmt.Errorf("text must name the JSON path of the output text, e.g. \"choices.0.delta.content\"")
	}
	var err error
	if s.format, err = wire.Generic(spec); err != nil {
		return err
	}
	s.req = stream.Request{Method: strings.ToUpper(c.str("method", http.MethodPost)), URL: joinURL(u.Host, path)}
	switch {
	case c.get("json") != lua.LNil:
		if s.req.Body, err = EncodeJSON(L, c.get("json")); err != nil {
			return fmt.Errorf("json: %w", err)
		}
		s.req.Header = append(s.req.Header, [2]string{"Content-Type", "application/json"})
	case c.get("body") != lua.LNil:
		s.req.Body = []byte(c.str("body", ""))
	}
	if key := c.str("api_key", ""); key != "" {
		s.req.Header = append(s.req.Header, bearer(key))
	}
	s.req.Header = append(s.req.Header, headerList(c.get("headers"))...)
	s.prompt = c.str("prompt", "")
	s.name = "stream"
	return nil
}

// errorMessage finds the server's message in an error body: OpenAI's
// {"error":{"message"}}, {"error":"..."}, {"message"} or {"detail"}.
func errorMessage(body []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  any             `json:"detail"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	msg := v.Message
	var nested struct {
		Message string `json:"message"`
	}
	var plain string
	switch {
	case json.Unmarshal(v.Error, &nested) == nil && nested.Message != "":
		msg = nested.Message
	case json.Unmarshal(v.Error, &plain) == nil && plain != "":
		msg = plain
	case msg == "" && v.Detail != nil:
		msg = fmt.Sprint(v.Detail)
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}
