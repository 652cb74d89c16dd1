package lualib

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// FuzzJSON holds the json module to encoding/json: decode accepts exactly
// the texts that encoding/json decodes (JSON whose numbers fit a float64);
// encode writes the same JSON value back, with
// nulls inside objects left out since they decode to nil; encoding again
// what that decodes to gives the same text; and encode fails only on
// tables nested deeper than maxDepth.
func FuzzJSON(f *testing.F) {
	for _, text := range []string{
		`{"choices":[{"text":"hi","index":0}],"usage":null}`, `[1,null,3]`, `{"a":[],"b":{}}`,
		`{"n":1.5,"big":9007199254740993,"tiny":1e-320,"neg":-0,"e":1E+21}`, `"a\"b\n\u003c\ud800"`,
		`{} {}`, `1]`, `[1,]`, `{"a":1,"a":2}`, `{"1":"x","2":"y"}`, "\"\xff\"", `null`, `true`, ` 7 `,
		strings.Repeat("[", 64) + strings.Repeat("]", 64), strings.Repeat("[", 65) + strings.Repeat("]", 65),
		`[[[{"a":[{"b":null}]}]]]`, `{"":{"":[null]}}`,
	} {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		L := lua.NewState(lua.Options{SkipOpenLibs: true})
		defer L.Close()
		v, err := DecodeJSON(L, data)
		var ref any
		if refErr := json.Unmarshal(data, &ref); (err == nil) != (refErr == nil) {
			t.Fatalf("DecodeJSON error %v, but encoding/json says %v", err, refErr)
		}
		if err != nil {
			return
		}
		ref = withoutObjectNulls(ref)
		enc, err := EncodeJSON(L, v)
		if tooDeep := depth(ref) > maxDepth; (err != nil) != tooDeep {
			t.Fatalf("EncodeJSON error %v for a value %d deep (limit %d)", err, depth(ref), maxDepth)
		}
		if err != nil {
			return
		}
		var got any
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Fatalf("EncodeJSON wrote %q, which is not JSON: %v", enc, err)
		}
		if !reflect.DeepEqual(got, ref) {
			t.Fatalf("decode then encode changed the value:\n got %s\nwant %#v", enc, ref)
		}
		again, err := DecodeJSON(L, enc)
		if err != nil {
			t.Fatalf("DecodeJSON refused its own encoding %q: %v", enc, err)
		}
		enc2, err := EncodeJSON(L, again)
		if err != nil || string(enc2) != string(enc) {
			t.Fatalf("second round trip differs: %q (%v), then %q", enc, err, enc2)
		}
	})
}

// withoutObjectNulls drops null members of objects, which the json module
// decodes to nil and so cannot keep; nulls in arrays stay.
func withoutObjectNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, item := range x {
			if item == nil {
				delete(x, k)
				continue
			}
			x[k] = withoutObjectNulls(item)
		}
	case []any:
		for i, item := range x {
			x[i] = withoutObjectNulls(item)
		}
	}
	return v
}

// depth counts nested arrays and objects; a scalar has depth 0.
func depth(v any) int {
	inner := 0
	switch x := v.(type) {
	case map[string]any:
		for _, item := range x {
			inner = max(inner, depth(item))
		}
	case []any:
		for _, item := range x {
			inner = max(inner, depth(item))
		}
	default:
		return 0
	}
	return inner + 1
}
