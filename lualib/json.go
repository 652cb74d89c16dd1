package lualib

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// The json module: encode and decode, with json.null for null inside arrays
// and json.array / json.object to say what an empty table should become.
const (
	arrayMeta  = "json.array"
	objectMeta = "json.object"
)

// maxDepth stops encoding of self-referencing tables.
const maxDepth = 64

func loadJSON(L *lua.LState) int {
	mod := L.CreateTable(0, 5)
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"encode": jsonEncode,
		"decode": jsonDecode,
		"array":  func(L *lua.LState) int { return markTable(L, arrayMeta) },
		"object": func(L *lua.LState) int { return markTable(L, objectMeta) },
	})
	mod.RawSetString("null", jsonNull(L))
	L.Push(mod)
	return 1
}

// jsonNull is one userdata per state that stands for JSON null.
func jsonNull(L *lua.LState) lua.LValue {
	reg := L.Get(lua.RegistryIndex).(*lua.LTable)
	if v := reg.RawGetString("json.null"); v != lua.LNil {
		return v
	}
	ud := L.NewUserData()
	ud.Value = "null"
	reg.RawSetString("json.null", ud)
	return ud
}

func markTable(L *lua.LState, kind string) int {
	t := L.OptTable(1, L.CreateTable(0, 0))
	L.SetMetatable(t, L.NewTypeMetatable(kind))
	L.Push(t)
	return 1
}

func jsonEncode(L *lua.LState) int {
	b, err := EncodeJSON(L, L.CheckAny(1))
	if err != nil {
		L.ArgError(1, err.Error())
	}
	L.Push(lua.LString(b))
	return 1
}

func jsonDecode(L *lua.LState) int {
	v, err := DecodeJSON(L, []byte(L.CheckString(1)))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(v)
	return 1
}

// EncodeJSON writes v as JSON. A table with keys 1..n is an array, one
// with string keys an object (keys sorted); an empty table is an object
// unless made with json.array.
func EncodeJSON(L *lua.LState, v lua.LValue) ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeValue(L, &buf, v, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeValue(L *lua.LState, buf *bytes.Buffer, v lua.LValue, depth int) error {
	switch x := v.(type) {
	case *lua.LNilType:
		buf.WriteString("null")
	case lua.LBool:
		buf.WriteString(strconv.FormatBool(bool(x)))
	case lua.LNumber:
		return encodeNumber(buf, float64(x))
	case lua.LString:
		b, _ := json.Marshal(string(x))
		buf.Write(b)
	case *lua.LUserData:
		if x == jsonNull(L) {
			buf.WriteString("null")
			return nil
		}
		return fmt.Errorf("cannot encode userdata to JSON")
	case *lua.LTable:
		if depth >= maxDepth {
			return fmt.Errorf("cannot encode a table nested deeper than %d (does it contain itself?)", maxDepth)
		}
		return encodeTable(L, buf, x, depth+1)
	default:
		return fmt.Errorf("cannot encode %s to JSON", v.Type())
	}
	return nil
}

func encodeNumber(buf *bytes.Buffer, f float64) error {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("cannot encode %v to JSON", f)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		// Whole numbers print without a point or exponent, as JSON
		// encoders in other languages print them.
		buf.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
		return nil
	}
	buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	return nil
}

func encodeTable(L *lua.LState, buf *bytes.Buffer, t *lua.LTable, depth int) error {
	n := t.Len()
	keys := 0
	t.ForEach(func(lua.LValue, lua.LValue) { keys++ })
	isArray := (n > 0 && keys == n) || (keys == 0 && marked(L, t, arrayMeta))
	if isArray {
		buf.WriteByte('[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				buf.WriteByte(',')
			}
			if err := encodeValue(L, buf, t.RawGetInt(i), depth); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	names := make([]string, 0, keys)
	var bad lua.LValue
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			names = append(names, string(s))
		} else if bad == nil {
			bad = k
		}
	})
	if bad != nil {
		return fmt.Errorf("cannot encode a table with key %s of type %s: object keys must be strings, array keys 1..n", bad.String(), bad.Type())
	}
	sort.Strings(names)
	buf.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(name)
		buf.Write(kb)
		buf.WriteByte(':')
		if err := encodeValue(L, buf, t.RawGetString(name), depth); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// marked reports whether t was made with json.array (or decoded from an
// array).
func marked(L *lua.LState, t *lua.LTable, kind string) bool {
	mt, ok := L.GetTypeMetatable(kind).(*lua.LTable)
	return ok && L.GetMetatable(t) == mt
}

// DecodeJSON turns JSON into Lua values: objects and arrays become tables
// (arrays marked so they encode back as arrays), null becomes nil in an
// object and json.null in an array, where nil would end the sequence.
func DecodeJSON(L *lua.LState, data []byte) (lua.LValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return lua.LNil, fmt.Errorf("decoding JSON: %w", err)
	}
	// More would pass a stray ']' or '}' after the value ("1]"); only the
	// end of the input may follow.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return lua.LNil, fmt.Errorf("decoding JSON: data after the first value")
	}
	return ToLua(L, v), nil
}
