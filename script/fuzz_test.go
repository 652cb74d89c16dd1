package script

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/lualib"
)

// fuzzFile names the scenarios the fuzzers load; errors must name it.
const fuzzFile = "fuzz.lua"

// FuzzLoadOptions loads scenarios whose locust.options{...} declaration
// is fuzzed Lua text. Any such scenario must load, with well-formed
// options, or fail with a *Error placed in the file; never panic.
//
// The top level of a scenario runs at load time without a deadline, and
// LoadSource makes its own Lua state, so no context can stop a fuzzed
// `while true do end`. Instead the fuzzer keeps to declarations that end
// by construction (see runsBounded): no loops, no function definitions
// (so no recursion), and none of the globals that reach outside the
// process or can grow without bound (os, io, require, load, string.rep,
// ...). Everything else in Lua's expression syntax stays open: tables,
// strings, numbers, arithmetic, calls of the locust API, syntax errors.
func FuzzLoadOptions(f *testing.F) {
	for _, seed := range []struct {
		decl, probe string
		blank       uint8
	}{
		{`model = { default = "mock-model", help = "model name" }, max_tokens = 64`, "model", 0},
		{`temperature = { default = 0.7 }, stream = true, api_key = { env = "OPENAI_API_KEY", secret = true }`, "stream", 1},
		{`n = { default = "x", type = "int" }`, "n", 0},
		{`['Max-Tokens'] = 1`, "x", 2},
		{`level = { default = "info", choices = { "debug", "info" }, required = true }`, "level", 0},
		{`a = { defualt = 1 }`, "a", 0},
		{`b = { type = "float" }, c = { default = 2^53 }, d = -0.5, e = 1e300, f = math.huge`, "e", 0},
		{`g = { default = {} }, h = { help = 7 }, i = { choices = { 1 } }`, "g", 0},
		{`x = = 1`, "x", 3},
		{`y = locust.options{ z = 1 }, w = locust.option"z"`, "w", 0},
		{`u = "a" .. 1 .. "b", v = #"abc" * 2 % 3, q = nil`, "q", 0},
		{"s = [[long\nstring]], t = 'x\\ny'", "s", 0},
		{`think = 1.0, turns = { default = 4 }, ratio = { default = -2.0e0 }, mask = 0x10`, "think", 0},
		{"x = {\n  y = 1,\n", "x", 1},
	} {
		f.Add(seed.decl, seed.probe, seed.blank)
	}
	f.Fuzz(func(t *testing.T, decl, probe string, blank uint8) {
		if !runsBounded(decl) {
			t.Skip("the declaration could loop or reach outside the process")
		}
		src := strings.Repeat("\n", int(blank%4)) +
			"locust.options {\n  " + decl + "\n}\n" +
			"U = locust.user{}\n" +
			"U:task(function(self) end)\n" +
			"local probe = locust.option(" + luaQuote(probe) + ")\n"
		p, err := LoadSource(fuzzFile, []byte(src))
		lines := luaLines(src)
		if err != nil {
			checkScenarioError(t, err, lines, src)
			return
		}
		defer p.Close()
		for _, o := range p.Options {
			checkOption(t, o, lines)
		}
	})
}

// Words a fuzzed declaration may not use: loops and functions, which could
// run forever, and globals that reach outside the process, build
// unbounded data, or forge a "file:line:" error position (error with
// level 0).
var forbiddenWords = map[string]bool{
	"while": true, "repeat": true, "until": true, "for": true, "goto": true, "function": true,
	"os": true, "io": true, "require": true, "load": true, "loadstring": true, "dofile": true,
	"loadfile": true, "module": true, "string": true, "table": true, "coroutine": true,
	"debug": true, "collectgarbage": true, "setmetatable": true, "getmetatable": true,
	"rawset": true, "rawget": true, "setfenv": true, "getfenv": true, "_G": true,
	"print": true, "unpack": true, "select": true, "newproxy": true, "rep": true, "error": true,
}

var luaWord = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// indexing finds "[" used to index a value (after a name, a closing
// bracket or a string), which could reach a string method by a computed
// name such as "\114ep"; "[" that opens a table key or a long string is
// fine.
var indexing = regexp.MustCompile(`[A-Za-z0-9_)\]}"'][ \t\r\n]*\[`)

// runsBounded reports whether decl is kept to code that ends by
// construction; see FuzzLoadOptions. Comments are refused too: one could
// stand between a value and the "[" that indexes it, out of sight of
// indexing.
func runsBounded(decl string) bool {
	if strings.Contains(decl, "--") {
		return false
	}
	for _, w := range luaWord.FindAllString(decl, -1) {
		if forbiddenWords[w] {
			return false
		}
	}
	return !indexing.MatchString(decl)
}

// luaQuote writes s as a Lua string literal with every byte that is not
// printable ASCII escaped in decimal, so that any bytes survive.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := range len(s) {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= ' ' && c <= '~':
			b.WriteByte(c)
		default:
			// Three digits always, so that a digit after it cannot join it.
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// luaLines counts lines as Lua's lexer does: "\n", "\r", "\r\n" and
// "\n\r" each end one line.
func luaLines(src string) int {
	lines := 1
	for i := 0; i < len(src); i++ {
		if c := src[i]; c == '\n' || c == '\r' {
			lines++
			if i+1 < len(src) && src[i+1] != c && (src[i+1] == '\n' || src[i+1] == '\r') {
				i++
			}
		}
	}
	return lines
}

func checkScenarioError(t *testing.T, err error, lines int, src string) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a scenario *Error\n%s", err, err, src)
	}
	if se.File != fuzzFile || se.Line < 0 || se.Line > lines || se.Msg == "" {
		t.Fatalf("error %q is placed at %s line %d of %s, a %d-line file\n%s", se.Msg, se.File, se.Line, fuzzFile, lines, src)
	}
}

// checkOption holds a declared option to what the rest of the program
// relies on: a flag-safe name, a known kind, a default of the kind's Go
// type that converts back to itself, and its declaration's line.
func checkOption(t *testing.T, o *Option, lines int) {
	t.Helper()
	if !optionName.MatchString(o.Name) {
		t.Fatalf("option %q has a name that is not a flag", o.Name)
	}
	if !defaultFits(o.Kind, o.Default) {
		t.Fatalf("option %s of kind %q has default %#v (%T)", o.Name, o.Kind, o.Default, o.Default)
	}
	back, err := convertDefault(o.Kind, lualib.ToLua(nil, o.Default))
	if err != nil || back != o.Default && !bothNaN(back, o.Default) {
		t.Fatalf("option %s: default %#v converts back to %#v (%v)", o.Name, o.Default, back, err)
	}
	if o.Line < 1 || o.Line > lines {
		t.Fatalf("option %s declared at line %d of a %d-line file", o.Name, o.Line, lines)
	}
}

// defaultFits reports whether v has the Go type of kind.
func defaultFits(kind OptionKind, v any) bool {
	switch v.(type) {
	case string:
		return kind == KindString
	case int:
		return kind == KindInt
	case float64:
		return kind == KindFloat
	case bool:
		return kind == KindBool
	}
	return false
}

func bothNaN(a, b any) bool {
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	return okA && okB && math.IsNaN(fa) && math.IsNaN(fb)
}

// FuzzOptionDefault converts option defaults of every Lua type to every
// kind. A conversion either fails with a message naming the kind, or
// gives a value of the kind's Go type that turns back into the same Lua
// value; and the kind a declaration infers from its default always
// accepts that default.
func FuzzOptionDefault(f *testing.F) {
	f.Add(uint8(0), uint8(1), 64.0, "", false)
	f.Add(uint8(1), uint8(1), 0.7, "", false)
	f.Add(uint8(2), uint8(2), 0.0, "mock-model", false)
	f.Add(uint8(3), uint8(3), 0.0, "", true)
	f.Add(uint8(0), uint8(0), 0.0, "", false)
	f.Add(uint8(0), uint8(1), 1e300, "", false)
	f.Add(uint8(0), uint8(1), math.Inf(1), "", false)
	f.Add(uint8(1), uint8(1), math.NaN(), "", false)
	f.Add(uint8(0), uint8(1), -9007199254740993.0, "", false)
	f.Add(uint8(3), uint8(2), 0.0, "x", false)
	kinds := []OptionKind{KindInt, KindFloat, KindString, KindBool}
	f.Fuzz(func(t *testing.T, kind, typ uint8, n float64, s string, b bool) {
		def := []lua.LValue{lua.LNil, lua.LNumber(n), lua.LString(s), lua.LBool(b)}[typ%4]
		k := kinds[int(kind)%len(kinds)]
		v, err := convertDefault(k, def)
		if err != nil {
			if !strings.Contains(err.Error(), string(k)) {
				t.Fatalf("error %q does not name the kind %s", err, k)
			}
		} else {
			checkConverted(t, k, def, v)
		}
		inferred, ok := inferKind(def)
		if !ok {
			return
		}
		if v, err := convertDefault(inferred, def); err != nil {
			t.Fatalf("default %s infers kind %s, which refuses it: %v", describe(def), inferred, err)
		} else {
			checkConverted(t, inferred, def, v)
		}
	})
}

// inferKind is the kind a declaration without type= gets from its
// default, as documented on Option: false when the default is not a
// string, number or boolean.
func inferKind(def lua.LValue) (OptionKind, bool) {
	d := &decl{file: fuzzFile}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	var kind OptionKind
	err := L.CallByParam(lua.P{Fn: L.NewFunction(func(L *lua.LState) int {
		kind, _ = d.optionType(L, "fuzzed", lua.LNil, def)
		return 0
	}), Protect: true})
	return kind, err == nil
}

func checkConverted(t *testing.T, k OptionKind, def lua.LValue, v any) {
	t.Helper()
	if !defaultFits(k, v) {
		t.Fatalf("%s converted to kind %s gives %#v (%T)", describe(def), k, v, v)
	}
	back := lualib.ToLua(nil, v)
	if def == lua.LNil {
		if back.String() != lualib.ToLua(nil, k.zero()).String() {
			t.Fatalf("no default for kind %s gives %#v, not the zero value", k, v)
		}
		return
	}
	if !sameScalar(back, def) {
		t.Fatalf("%s converted to kind %s gives %#v, which is %s in Lua", describe(def), k, v, describe(back))
	}
}

// sameScalar compares two Lua scalars by value, NaN equal to NaN.
func sameScalar(a, b lua.LValue) bool {
	na, okA := a.(lua.LNumber)
	nb, okB := b.(lua.LNumber)
	if okA && okB {
		return na == nb || math.IsNaN(float64(na)) && math.IsNaN(float64(nb))
	}
	return a.Type() == b.Type() && a.String() == b.String()
}
