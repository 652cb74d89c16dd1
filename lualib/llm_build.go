package lualib

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/engine/api"
	"github.com/llmlocust/llmlocust/engine/stream"
)

// buildAPI makes a chat or completion request in the class's API.
func (u *User) buildAPI(L *lua.LState, c *llmCall, s *llmSpec) error {
	kind, name := api.Chat, "chat"
	if c.kind == "complete" {
		kind, name = api.Complete, "completion"
	}
	call, err := readCall(L, c)
	if err != nil {
		return err
	}
	r, err := api.NewPayload(c.str("api", "openai"), kind, call)
	if err != nil {
		return err
	}
	s.format = r.Format
	s.req = stream.Request{Method: http.MethodPost, URL: joinURL(u.Host, c.str("path", r.Path)), Body: r.Body}
	s.req.Header = append(r.Header, headerList(c.get("headers"))...)
	s.prompt = call.PromptText()
	s.name = name
	return nil
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

// buildRaw makes self.llm:stream{}: any HTTP request whose streamed answer
// is read by the generic SSE or NDJSON reader at the JSON paths given.
func (u *User) buildRaw(L *lua.LState, c *llmCall, s *llmSpec) error {
	path := c.str("path", "")
	if path == "" {
		return fmt.Errorf("path is required")
	}
	spec := api.GenericSpec{
		Framing: api.SSE, Text: c.str("text", ""), Reasoning: c.str("reasoning", ""),
		PromptTokens: c.str("prompt_tokens", ""), CompletionTokens: c.str("completion_tokens", ""),
		Error: c.str("error", ""), Done: c.str("done", ""),
	}
	switch c.str("framing", "sse") {
	case "sse":
	case "ndjson":
		spec.Framing = api.NDJSON
	default:
		return fmt.Errorf("framing must be \"sse\" or \"ndjson\"")
	}
	if spec.Text == "" {
		return fmt.Errorf("text must name the JSON path of the output text, e.g. \"choices.0.delta.content\"")
	}
	var err error
	if s.format, err = api.Generic(spec); err != nil {
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
		s.req.Header = append(s.req.Header, api.Bearer(key))
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
