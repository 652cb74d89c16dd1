package lualib

import (
	"github.com/llmlocust/llmlocust/engine/dataset"
	lua "github.com/yuin/gopher-lua"
)

// ToLua converts a Go value to a new Lua value: nil, bool, the numbers
// (int, int64, float64; Lua has only floats), string, a JSON array ([]any)
// and a JSON object (map[string]any or dataset.Row). Arrays are marked so
// that json.encode keeps them arrays, even empty, and a nil inside one is
// json.null, since nil would end the sequence; a nil field of an object
// is left out. Any other type gives nil. L makes the tables, and may be
// nil for a value that needs none.
func ToLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case bool:
		return lua.LBool(x)
	case int:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []any:
		return arrayToLua(L, x)
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, item := range x {
			setField(L, t, k, item)
		}
		return t
	case dataset.Row:
		return rowToLua(L, x)
	}
	return lua.LNil
}

func arrayToLua(L *lua.LState, items []any) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for _, item := range items {
		lv := ToLua(L, item)
		if lv == lua.LNil {
			lv = jsonNull(L)
		}
		t.Append(lv)
	}
	L.SetMetatable(t, L.NewTypeMetatable(arrayMeta))
	return t
}

// rowToLua builds a fresh table of a shared row, which the script may
// then change freely.
func rowToLua(L *lua.LState, r dataset.Row) *lua.LTable {
	t := L.CreateTable(0, r.Len())
	for k, v := range r.All() {
		setField(L, t, k, v)
	}
	return t
}

func setField(L *lua.LState, t *lua.LTable, k string, v any) {
	if lv := ToLua(L, v); lv != lua.LNil {
		t.RawSetString(k, lv)
	}
}
