package script

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Thousands of users each hold a state, so each state opens only base and
// table eagerly. string, math and os are tables that make a function the
// first time a script looks it up, and require is ours (Go modules, then
// Lua files beside the scenario) instead of the package library's tables.

// stdlib holds the functions and constants of the lazily opened libraries,
// read once from a template state.
var stdlib = sync.OnceValue(func() map[string]map[string]lua.LValue {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	libs := map[string]map[string]lua.LValue{}
	for name, open := range map[string]lua.LGFunction{
		lua.StringLibName: lua.OpenString, lua.MathLibName: lua.OpenMath, lua.OsLibName: lua.OpenOs,
	} {
		L.Push(L.NewFunction(open))
		L.Push(lua.LString(name))
		L.Call(1, 0)
		fields := map[string]lua.LValue{}
		L.GetGlobal(name).(*lua.LTable).ForEach(func(k, v lua.LValue) {
			if k.String() != "__index" {
				fields[k.String()] = v
			}
		})
		libs[name] = fields
	}
	return libs
})

// openLibs opens what every state gets.
func (p *Plan) openLibs(L *lua.LState, modules map[string]lua.LGFunction) {
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, v := range []string{"dofile", "loadfile", "module"} {
		L.SetGlobal(v, lua.LNil)
	}
	for name, fields := range stdlib() {
		t := L.CreateTable(0, 4)
		lazyTable(L, t, func(key string) lua.LValue { return materialize(L, fields[key]) })
		L.SetGlobal(name, t)
		if name == lua.StringLibName {
			mt := L.CreateTable(0, 1)
			mt.RawSetString("__index", t)
			L.SetMetatable(lua.LString(""), mt)
		}
	}
	L.SetGlobal("require", L.NewFunction(p.require(modules)))
}

// lazyTable makes t fetch a missing field from resolve on first use and
// keep it, so that a state pays only for what its script touches.
func lazyTable(L *lua.LState, t *lua.LTable, resolve func(key string) lua.LValue) {
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		key, ok := L.Get(2).(lua.LString)
		if !ok {
			L.Push(lua.LNil)
			return 1
		}
		v := resolve(string(key))
		if v != lua.LNil {
			t.RawSetString(string(key), v)
		}
		L.Push(v)
		return 1
	}))
	L.SetMetatable(t, mt)
}

// materialize makes this state's copy of a library value: constants as
// they are, Go functions anew (with fresh upvalue functions, as gmatch has).
func materialize(L *lua.LState, v lua.LValue) lua.LValue {
	fn, ok := v.(*lua.LFunction)
	if !ok {
		if v == nil {
			return lua.LNil
		}
		return v
	}
	ups := make([]lua.LValue, len(fn.Upvalues))
	for i, up := range fn.Upvalues {
		ups[i] = materialize(L, up.Value())
	}
	return L.NewClosure(fn.GFunction, ups...)
}

// require loads a Go module by name, or a Lua file beside the scenario
// (require("lib.prompts") reads lib/prompts.lua or lib/prompts/init.lua),
// once per state.
func (p *Plan) require(modules map[string]lua.LGFunction) lua.LGFunction {
	var loaded *lua.LTable
	return func(L *lua.LState) int {
		name := L.CheckString(1)
		if loaded == nil {
			loaded = L.CreateTable(0, 4)
		}
		if v := loaded.RawGetString(name); v != lua.LNil {
			L.Push(v)
			return 1
		}
		var fn *lua.LFunction
		if gofn, ok := modules[name]; ok {
			fn = L.NewFunction(gofn)
		} else {
			proto, err := p.luaModule(name)
			if err != nil {
				L.RaiseError("%s", err.Error())
			}
			fn = L.NewFunctionFromProto(proto)
		}
		L.Push(fn)
		L.Push(lua.LString(name))
		L.Call(1, 1)
		v := L.Get(-1)
		L.Pop(1)
		if v == lua.LNil {
			v = lua.LTrue
		}
		loaded.RawSetString(name, v)
		L.Push(v)
		return 1
	}
}

// luaModule compiles a Lua module file once for all states.
func (p *Plan) luaModule(name string) (*lua.FunctionProto, error) {
	p.modMu.Lock()
	defer p.modMu.Unlock()
	if proto, ok := p.modules[name]; ok {
		return proto, nil
	}
	dir := filepath.Dir(p.File)
	rel := filepath.FromSlash(strings.ReplaceAll(name, ".", "/"))
	var tried []string
	for _, path := range []string{filepath.Join(dir, rel+".lua"), filepath.Join(dir, rel, "init.lua")} {
		src, err := os.ReadFile(path)
		if err != nil {
			tried = append(tried, path)
			continue
		}
		chunk, err := parse.Parse(strings.NewReader(string(src)), path)
		if err != nil {
			return nil, syntaxError(path, src, err)
		}
		proto, err := lua.Compile(chunk, path)
		if err != nil {
			return nil, syntaxError(path, src, err)
		}
		if p.modules == nil {
			p.modules = map[string]*lua.FunctionProto{}
		}
		p.modules[name] = proto
		return proto, nil
	}
	return nil, fmt.Errorf("module %q not found: no Go module of that name (json, http, llm, dataset, time, random, env) and no file %s", name, strings.Join(tried, " or "))
}
