package lualib

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// eval runs a Lua expression with the json module loaded and returns the
// result as a string, or the error.
func eval(t *testing.T, expr string) (string, error) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("json", L.NewFunction(loadJSON))
	if err := L.DoString("json = json()\nresult = " + expr); err != nil {
		return "", err
	}
	return L.GetGlobal("result").String(), nil
}

func TestJSONEncode(t *testing.T) {
	cases := []struct {
		name, expr, want string
	}{
		{"array", `json.encode({1, 2, "x", true})`, `[1,2,"x",true]`},
		{"object keys sorted", `json.encode({b = 1, a = {c = "d"}})`, `{"a":{"c":"d"},"b":1}`},
		{"empty table is an object", `json.encode({})`, `{}`},
		{"json.array makes an empty array", `json.encode({stop = json.array()})`, `{"stop":[]}`},
		{"whole numbers have no point", `json.encode({n = 128, f = 0.5, big = 2^53})`, `{"big":9007199254740992,"f":0.5,"n":128}`},
		{"strings are escaped", `json.encode("a\"b\n<")`, `"a\"b\n\u003c"`},
		{"null", `json.encode({json.null, 1})`, `[null,1]`},
		{"nested messages", `json.encode({messages = {{role = "user", content = "hi"}}})`, `{"messages":[{"content":"hi","role":"user"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval(t, tc.expr)
			if err != nil || got != tc.want {
				t.Fatalf("got %s (%v), want %s", got, err, tc.want)
			}
		})
	}
}

func TestJSONEncodeErrors(t *testing.T) {
	cases := []struct {
		name, expr, want string
	}{
		{"mixed keys", `json.encode({1, a = 2})`, "object keys must be strings"},
		{"sparse array", `json.encode({[1] = 1, [3] = 3})`, "object keys must be strings"},
		{"self reference", `(function() local t = {} t.t = t return json.encode(t) end)()`, "nested deeper than"},
		{"function", `json.encode({f = print})`, "cannot encode function"},
		{"not a number", `json.encode(0/0)`, "cannot encode NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eval(t, tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestJSONDecode(t *testing.T) {
	cases := []struct {
		name, expr, want string
	}{
		{"object field", `json.decode('{"choices":[{"text":"hi"}]}').choices[1].text`, "hi"},
		{"null in object is nil", `tostring(json.decode('{"usage":null}').usage)`, "nil"},
		{"null in array keeps the length", `#json.decode('[1,null,3]')`, "3"},
		{"round trip keeps empty arrays", `json.encode(json.decode('{"a":[],"b":{}}'))`, `{"a":[],"b":{}}`},
		{"numbers", `json.decode('{"n":1.5}').n * 2`, "3"},
		{"error is returned", `select(2, json.decode('{"a":'))`, "decoding JSON: unexpected EOF"},
		{"trailing data", `select(2, json.decode('{} {}'))`, "decoding JSON: data after the first value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval(t, tc.expr)
			if err != nil || got != tc.want {
				t.Fatalf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}
