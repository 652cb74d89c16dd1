package lualib

import (
	"encoding/json"
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

// readCall reads a chat or completion call into the words of engine/api,
// its values turned into the Go values the json module would write.
func readCall(L *lua.LState, c *llmCall) (*api.Call, error) {
	var r valueReader
	call := &api.Call{
		Model:        r.read(L, c.get("model")),
		Prompt:       r.read(L, c.get("prompt")),
		System:       r.read(L, c.get("system")),
		MaxTokens:    r.read(L, c.get("max_tokens")),
		IncludeUsage: c.get("include_usage") != lua.LFalse,
		APIKey:       c.str("api_key", ""),
	}
	if msgs, ok := c.get("messages").(*lua.LTable); ok {
		call.Messages = r.read(L, msgs)
	}
	call.Extra = readExtra(L, c, &r)
	if r.err != nil {
		return nil, fmt.Errorf("encoding the request: %w", r.err)
	}
	return call, nil
}

// readExtra gathers what goes into the body beside the family's own
// fields, later sources over earlier ones: the class's extra table, the
// call's, then every field of the call that is not a setting
// (ignore_eos, min_tokens, temperature, anything a server takes).
func readExtra(L *lua.LState, c *llmCall, r *valueReader) map[string]any {
	extra := map[string]any{}
	for _, src := range []*lua.LTable{c.settings, c.call} {
		if src == nil {
			continue
		}
		t, ok := src.RawGetString("extra").(*lua.LTable)
		if !ok {
			continue
		}
		t.ForEach(func(k, v lua.LValue) {
			if ks, ok := k.(lua.LString); ok {
				extra[string(ks)] = r.read(L, v)
			} else {
				r.fail(fmt.Errorf("cannot encode a table with key %s of type %s: object keys must be strings, array keys 1..n", k.String(), k.Type()))
			}
		})
	}
	c.call.ForEach(func(k, v lua.LValue) {
		if ks, ok := k.(lua.LString); ok && !reserved[string(ks)] {
			extra[string(ks)] = r.read(L, v)
		}
	})
	return extra
}

// valueReader turns Lua values into the Go values that encoding/json
// writes as the json module writes the Lua values: a table with keys
// 1..n is a list, one with string keys a map, an empty table a map unless
// made with json.array; whole numbers have no point; json.null is nil.
// It keeps the first value's error, worded by the json module.
type valueReader struct {
	err error
}

func (r *valueReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *valueReader) read(L *lua.LState, v lua.LValue) any {
	x, err := toGo(L, v, 0)
	if err != nil {
		r.fail(err)
	}
	return x
}

// readDepth is how deeply toGo follows tables before it hands them to the
// json module whole, which then writes them or says that they nest too
// deeply.
const readDepth = 64

// toGo converts one Lua value. What it does not take plainly (functions,
// userdata, NaN, tables with keys of other types or nested too deeply) the
// json module writes or refuses itself, in its own words.
func toGo(L *lua.LState, v lua.LValue, depth int) (any, error) {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(x), nil
	case lua.LString:
		return string(x), nil
	case *lua.LTable:
		if depth < readDepth {
			if out, ok, err := tableToGo(L, x, depth); ok {
				return out, err
			}
		}
	}
	b, err := EncodeJSON(L, v) // numbers, json.null, and the rest
	if err != nil {
		return nil, err
	}
	if _, ok := v.(lua.LNumber); ok {
		return json.Number(b), nil // written as it is, unlike a RawMessage
	}
	return json.RawMessage(b), nil // json.null stays null, where nil would not be sent
}

// tableToGo converts a table as a list or a map; !ok leaves it to the
// json module (an empty table, which only it knows to be json.array or
// not, and keys that are neither 1..n nor strings).
func tableToGo(L *lua.LState, t *lua.LTable, depth int) (any, bool, error) {
	n, keys, named := t.Len(), 0, 0
	t.ForEach(func(k, _ lua.LValue) {
		keys++
		if _, ok := k.(lua.LString); ok {
			named++
		}
	})
	switch {
	case n > 0 && keys == n:
		list := make([]any, n)
		for i := range list {
			item, err := toGo(L, t.RawGetInt(i+1), depth+1)
			if err != nil {
				return nil, true, err
			}
			list[i] = item
		}
		return list, true, nil
	case keys > 0 && named == keys:
		obj := make(map[string]any, keys)
		var err error
		t.ForEach(func(k, v lua.LValue) {
			if err == nil {
				obj[string(k.(lua.LString))], err = toGo(L, v, depth+1)
			}
		})
		return obj, true, err
	}
	return nil, false, nil
}
