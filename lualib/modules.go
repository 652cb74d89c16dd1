package lualib

import (
	"time"

	lua "github.com/yuin/gopher-lua"
)

// monoStart anchors time.monotonic(), so scripts get small numbers.
var monoStart = time.Now()

func loadTime(L *lua.LState) int {
	mod := L.CreateTable(0, 3)
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"now": func(L *lua.LState) int {
			L.Push(lua.LNumber(float64(time.Now().UnixMicro()) / 1e6))
			return 1
		},
		"monotonic": func(L *lua.LState) int {
			L.Push(lua.LNumber(time.Since(monoStart).Seconds()))
			return 1
		},
		"sleep": func(L *lua.LState) int {
			Sleep(L, time.Duration(float64(L.CheckNumber(1))*float64(time.Second)))
			return 0
		},
	})
	L.Push(mod)
	return 1
}

// Sleep waits d, or less if the user is cancelled meanwhile; the VM then
// stops the script at its next instruction.
func Sleep(L *lua.LState, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	if ctx := L.Context(); ctx != nil {
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		return
	}
	<-t.C
}

func (u *User) loadRandom(L *lua.LState) int {
	mod := L.CreateTable(0, 4)
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"random": func(L *lua.LState) int {
			L.Push(lua.LNumber(u.Rand.Float64()))
			return 1
		},
		"uniform": func(L *lua.LState) int {
			a, b := float64(L.CheckNumber(1)), float64(L.CheckNumber(2))
			L.Push(lua.LNumber(a + (b-a)*u.Rand.Float64()))
			return 1
		},
		"int": func(L *lua.LState) int {
			a, b := int64(L.CheckInt(1)), int64(L.CheckInt(2))
			if b < a {
				L.ArgError(2, "upper bound is below lower bound")
			}
			L.Push(lua.LNumber(a + u.Rand.Int64N(b-a+1)))
			return 1
		},
		"choice": func(L *lua.LState) int {
			t := L.CheckTable(1)
			n := t.Len()
			if n == 0 {
				L.ArgError(1, "cannot choose from an empty list")
			}
			L.Push(t.RawGetInt(1 + u.Rand.IntN(n)))
			return 1
		},
	})
	L.Push(mod)
	return 1
}

func (u *User) loadEnv(L *lua.LState) int {
	mod := L.CreateTable(0, 1)
	mod.RawSetString("get", L.NewFunction(func(L *lua.LState) int {
		if v, ok := u.Getenv(L.CheckString(1)); ok {
			L.Push(lua.LString(v))
		} else {
			L.Push(L.Get(2))
		}
		return 1
	}))
	L.Push(mod)
	return 1
}
