package lualib

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/engine/api"
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

// readCall reads a chat or completion call into the words of engine/api.
// Its values stay Lua values until the request is written, and are then
// written as the json module writes them.
func readCall(L *lua.LState, c *llmCall) (*api.Call, error) {
	call := &api.Call{
		Model:        jsonValue(L, c.get("model")),
		Prompt:       jsonValue(L, c.get("prompt")),
		System:       jsonValue(L, c.get("system")),
		MaxTokens:    jsonValue(L, c.get("max_tokens")),
		IncludeUsage: c.get("include_usage") != lua.LFalse,
		APIKey:       c.str("api_key", ""),
	}
	if msgs, ok := c.get("messages").(*lua.LTable); ok {
		call.Messages = readMessages(L, msgs)
		call.MessagesJSON = luaJSON{L, msgs}
	}
	var err error
	call.Extra, err = readExtra(L, c)
	return call, err
}

// readMessages lists the messages of a chat with their roles and
// contents, each message also kept whole.
func readMessages(L *lua.LState, msgs *lua.LTable) []api.Message {
	out := make([]api.Message, 0, msgs.Len())
	msgs.ForEach(func(_, m lua.LValue) {
		msg := api.Message{JSON: jsonValue(L, m)}
		if mt, ok := m.(*lua.LTable); ok {
			if role, ok := mt.RawGetString("role").(lua.LString); ok {
				msg.Role = string(role)
			}
			msg.Content = jsonValue(L, mt.RawGetString("content"))
		}
		out = append(out, msg)
	})
	return out
}

// readExtra gathers what goes into the body beside the family's own
// fields, later sources over earlier ones: the class's extra table, the
// call's, then every field of the call that is not a setting
// (ignore_eos, min_tokens, temperature, anything a server takes).
func readExtra(L *lua.LState, c *llmCall) (map[string]any, error) {
	extra := map[string]any{}
	for _, src := range []*lua.LTable{c.settings, c.call} {
		if src == nil {
			continue
		}
		t, ok := src.RawGetString("extra").(*lua.LTable)
		if !ok {
			continue
		}
		var bad lua.LValue
		t.ForEach(func(k, v lua.LValue) {
			if ks, ok := k.(lua.LString); ok {
				extra[string(ks)] = jsonValue(L, v)
			} else if bad == nil {
				bad = k
			}
		})
		if bad != nil {
			return nil, fmt.Errorf("encoding the request: cannot encode a table with key %s of type %s: object keys must be strings, array keys 1..n", bad.String(), bad.Type())
		}
	}
	c.call.ForEach(func(k, v lua.LValue) {
		if ks, ok := k.(lua.LString); ok && !reserved[string(ks)] {
			extra[string(ks)] = jsonValue(L, v)
		}
	})
	return extra, nil
}

// jsonValue is a Lua value as a JSON value of a call: nil for nil, Go
// strings for strings, the rest written by the json module when the
// request is.
func jsonValue(L *lua.LState, v lua.LValue) any {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LString:
		return string(x)
	}
	return luaJSON{L, v}
}

// luaJSON is a Lua value that encodes as the json module encodes it:
// whole numbers without a point, an empty table as an object unless made
// with json.array, json.null as null.
type luaJSON struct {
	L *lua.LState
	v lua.LValue
}

// MarshalJSON implements json.Marshaler.
func (j luaJSON) MarshalJSON() ([]byte, error) { return EncodeJSON(j.L, j.v) }
