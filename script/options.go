package script

import (
	"fmt"
	"math"
	"regexp"
	"sort"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/lualib"
)

// OptionKind is the type of a scenario option, taken from its default
// unless the declaration names one. A number default is a float when the
// source writes it as one (1.0, 0.5, 1e3) and an int when it is written
// as a whole number (128); a computed default is an int when whole.
type OptionKind string

// Option kinds.
const (
	KindString OptionKind = "string"
	KindInt    OptionKind = "int"
	KindFloat  OptionKind = "float"
	KindBool   OptionKind = "bool"
)

// Option is one option a scenario declares with locust.options{...}. It
// becomes a --flag (max_tokens: --max-tokens) and a web form field.
type Option struct {
	Name     string
	Kind     OptionKind
	Default  any // string, int, float64 or bool
	Help     string
	Env      string // environment variable that sets it
	Secret   bool   // never shown or logged
	Required bool
	Choices  []string
	Line     int
}

var optionName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// luaOptions declares options: locust.options{ name = { default=, help=, env=, secret=, type=, choices=, required= } }.
func (d *decl) luaOptions(L *lua.LState) int {
	spec := L.CheckTable(1)
	line := callerLine(L)
	var names []string
	spec.ForEach(func(k, _ lua.LValue) { names = append(names, k.String()) })
	sort.Strings(names)
	for _, name := range names {
		o := d.option(L, name, spec.RawGetString(name), line)
		if prev, dup := d.byName[name]; dup {
			raise(L, d.file, "option %q is already declared at line %d", name, prev.Line)
		}
		d.options = append(d.options, o)
		d.byName[name] = o
	}
	return 0
}

func (d *decl) option(L *lua.LState, name string, v lua.LValue, line int) *Option {
	if !optionName.MatchString(name) {
		raise(L, d.file, "option name %q must be lowercase letters, digits and underscores, starting with a letter", name)
	}
	o := &Option{Name: name, Line: line}
	t, ok := v.(*lua.LTable)
	if !ok {
		// A bare default: locust.options{ max_tokens = 128 }.
		t = L.CreateTable(0, 1)
		t.RawSetString("default", v)
	}
	t.ForEach(func(k, val lua.LValue) {
		switch k.String() {
		case "default", "type":
		case "help":
			o.Help = d.str(L, val, name+".help")
		case "env":
			o.Env = d.str(L, val, name+".env")
		case "secret":
			o.Secret = lua.LVAsBool(val)
		case "required":
			o.Required = lua.LVAsBool(val)
		case "choices":
			o.Choices = d.strList(L, val, name+".choices")
		default:
			raise(L, d.file, "option %s: unknown setting %q (known: default, help, env, secret, required, choices, type)", name, k.String())
		}
	})
	o.Kind, o.Default = d.optionType(L, name, t.RawGetString("type"), t.RawGetString("default"))
	return o
}

func (d *decl) optionType(L *lua.LState, name string, typ, def lua.LValue) (OptionKind, any) {
	kind := KindString
	switch x := def.(type) {
	case lua.LBool:
		kind = KindBool
	case lua.LNumber:
		kind = KindFloat
		if isWhole(x) && !d.floats[name] {
			kind = KindInt
		}
	case lua.LString, *lua.LNilType:
	default:
		raise(L, d.file, "option %s: default must be a string, number or boolean, got %s", name, def.Type())
	}
	if typ != lua.LNil {
		kind = OptionKind(d.str(L, typ, name+".type"))
		switch kind {
		case KindString, KindInt, KindFloat, KindBool:
		default:
			raise(L, d.file, "option %s: type must be string, int, float or bool, got %q", name, string(kind))
		}
	}
	val, err := convertDefault(kind, def)
	if err != nil {
		raise(L, d.file, "option %s: %s", name, err.Error())
	}
	return kind, val
}

func convertDefault(kind OptionKind, def lua.LValue) (any, error) {
	if def == lua.LNil {
		switch kind {
		case KindInt:
			return 0, nil
		case KindFloat:
			return 0.0, nil
		case KindBool:
			return false, nil
		}
		return "", nil
	}
	switch kind {
	case KindString:
		if s, ok := def.(lua.LString); ok {
			return string(s), nil
		}
	case KindBool:
		if b, ok := def.(lua.LBool); ok {
			return bool(b), nil
		}
	case KindInt:
		if n, ok := def.(lua.LNumber); ok && isWhole(n) {
			return int(n), nil
		}
	case KindFloat:
		if n, ok := def.(lua.LNumber); ok {
			return float64(n), nil
		}
	}
	return nil, fmt.Errorf("default %s does not fit type %s", describe(def), kind)
}

// isWhole reports whether n is a whole number that an int holds: Lua
// numbers are floats, and converting one beyond the int range (1e300,
// math.huge) would give a meaningless int.
func isWhole(n lua.LNumber) bool {
	f := float64(n)
	return f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64
}

// luaOption reads an option's value: locust.option("max_tokens").
func (d *decl) luaOption(L *lua.LState) int {
	name := L.CheckString(1)
	o, ok := d.byName[name]
	if !ok {
		raise(L, d.file, "unknown option %q; declared options: %s", name, sortedNames(d.byName))
	}
	v := o.Default
	if d.values != nil {
		if got, ok := d.values(name); ok {
			v = got
		}
	}
	L.Push(lualib.ToLua(L, v))
	return 1
}

// zero is the value a kind's option reads as when it may not be read.
func (k OptionKind) zero() any {
	switch k {
	case KindInt:
		return 0
	case KindFloat:
		return 0.0
	case KindBool:
		return false
	}
	return ""
}
