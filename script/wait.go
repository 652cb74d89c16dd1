package script

import (
	"math/rand/v2"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// waitKind is one of Locust's wait_time functions.
type waitKind int

const (
	waitConstant waitKind = iota // also the default, constant(0)
	waitBetween
	waitPacing // constant_pacing, and constant_throughput as 1/n
	waitFunc   // a Lua function(self) returning seconds
)

type waitSpec struct {
	kind waitKind
	a, b float64 // seconds
	fn   *lua.LFunction
}

const waitMeta = "locust.wait_time"

func newWait(L *lua.LState, w waitSpec) int {
	ud := L.NewUserData()
	ud.Value = w
	L.SetMetatable(ud, L.NewTypeMetatable(waitMeta))
	L.Push(ud)
	return 1
}

func seconds(L *lua.LState, n int, what string) float64 {
	v := float64(L.CheckNumber(n))
	if v < 0 {
		L.ArgError(n, what+" must not be negative")
	}
	return v
}

func luaBetween(L *lua.LState) int {
	a, b := seconds(L, 1, "min_wait"), seconds(L, 2, "max_wait")
	if b < a {
		L.ArgError(2, "max_wait must not be below min_wait")
	}
	return newWait(L, waitSpec{kind: waitBetween, a: a, b: b})
}

func luaConstant(L *lua.LState) int {
	return newWait(L, waitSpec{kind: waitConstant, a: seconds(L, 1, "wait time")})
}

func luaConstantPacing(L *lua.LState) int {
	return newWait(L, waitSpec{kind: waitPacing, a: seconds(L, 1, "pacing")})
}

func luaConstantThroughput(L *lua.LState) int {
	n := float64(L.CheckNumber(1))
	if n <= 0 {
		L.ArgError(1, "task runs per second must be above 0")
	}
	return newWait(L, waitSpec{kind: waitPacing, a: 1 / n})
}

func (d *decl) waitSpec(L *lua.LState, v lua.LValue) waitSpec {
	switch x := v.(type) {
	case *lua.LUserData:
		if w, ok := x.Value.(waitSpec); ok {
			return w
		}
	case *lua.LFunction:
		return waitSpec{kind: waitFunc, fn: x}
	case lua.LNumber:
		if x >= 0 {
			return waitSpec{kind: waitConstant, a: float64(x)}
		}
	}
	raise(L, d.file, "wait_time must be locust.between(a, b), locust.constant(s), locust.constant_pacing(s), locust.constant_throughput(n) or a function(self) returning seconds; got %s", describe(v))
	return waitSpec{}
}

// next is how long to wait after a task, as Locust computes it; taskStart
// is when the task (or the previous wait's end) began, for pacing.
func (w waitSpec) next(rng *rand.Rand, taskStart, now time.Time) time.Duration {
	switch w.kind {
	case waitBetween:
		return secs(w.a + (w.b-w.a)*rng.Float64())
	case waitPacing:
		left := secs(w.a) - now.Sub(taskStart)
		return max(left, 0)
	}
	return secs(w.a)
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
