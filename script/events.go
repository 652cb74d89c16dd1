package script

import (
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/runner"
)

// FireTestStart calls the test_start listeners, in the plan state. Errors
// are reported as exceptions through report.
func (p *Plan) FireTestStart(report func(msg, traceback string)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fire(p.decl.starts, report)
}

// FireTestStop calls the test_stop listeners with Locust's environment,
// which holds the test's summary (environment.summary, the JSON summary's
// keys), and returns the exit code they set in
// environment.process_exit_code, nil when they set none.
func (p *Plan) FireTestStop(report func(msg, traceback string), summary *output.Summary) *int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.decl.stops) == 0 {
		return nil
	}
	env, err := p.environment(summary)
	if err != nil {
		report("test_stop: "+err.Error(), "")
		return nil
	}
	p.fire(p.decl.stops, report, env)
	return exitCodeOf(env, report)
}

// fire calls listeners of the plan state with args; the caller holds
// p.mu, since Prepare replaces that state.
func (p *Plan) fire(listeners []*lua.LFunction, report func(msg, traceback string), args ...lua.LValue) {
	for _, fn := range listeners {
		if err := p.L.CallByParam(lua.P{Fn: fn, NRet: 0, Protect: true}, args...); err != nil {
			report(luaMessage(err), traceback(err))
		}
		p.lu.FlushPending()
	}
}

// Shape returns the scenario's load shape, or nil when it declares none.
func (p *Plan) Shape(report func(msg, traceback string)) runner.Shape {
	if !p.HasShape() {
		return nil
	}
	return &shape{plan: p, report: report}
}

// shape asks the scenario's tick function for users and spawn rate.
type shape struct {
	plan   *Plan
	report func(msg, traceback string)
}

// Tick calls tick(run_time_seconds). It returns users and spawn rate, as
// Locust's does, or a table { users =, spawn_rate =, rate = } whose rate
// is the run's requests per second; nil (or an error) stops the test.
func (s *shape) Tick(elapsed time.Duration) (runner.Target, bool) {
	p := s.plan
	p.mu.Lock()
	defer p.mu.Unlock()
	fn, self := p.decl.shape, lua.LValue(lua.LNil)
	if t, isTable := fn.(*lua.LTable); isTable {
		fn, self = t.RawGetString("tick"), t
	}
	args := []lua.LValue{lua.LNumber(elapsed.Seconds())}
	if self != lua.LNil {
		args = append([]lua.LValue{self}, args...)
	}
	if err := p.L.CallByParam(lua.P{Fn: fn, NRet: 2, Protect: true}, args...); err != nil {
		s.report("load shape: "+luaMessage(err), traceback(err))
		return runner.Target{}, false
	}
	u, r := p.L.Get(-2), p.L.Get(-1)
	p.L.Pop(2)
	if t, isTable := u.(*lua.LTable); isTable {
		return s.target(t)
	}
	if u == lua.LNil {
		return runner.Target{}, false
	}
	un, uok := u.(lua.LNumber)
	rn, rok := r.(lua.LNumber)
	if !uok || !rok || un < 0 || rn <= 0 {
		s.report("load shape: tick must return users (0 or more) and spawn rate (above 0), a table { users =, spawn_rate =, rate = }, or nil to stop; got "+describe(u)+", "+describe(r), "")
		return runner.Target{}, false
	}
	return runner.Target{Users: int(un), SpawnRate: float64(rn)}, true
}

// target reads tick's table: users and spawn_rate as Locust's two
// numbers, rate (optional) as requests per second.
func (s *shape) target(t *lua.LTable) (runner.Target, bool) {
	u, uok := t.RawGetString("users").(lua.LNumber)
	sr, sok := t.RawGetString("spawn_rate").(lua.LNumber)
	tg := runner.Target{Users: int(u), SpawnRate: float64(sr)}
	if !uok || !sok || u < 0 || sr <= 0 {
		s.report("load shape: tick's table needs users (0 or more) and spawn_rate (above 0); got users = "+
			describe(t.RawGetString("users"))+", spawn_rate = "+describe(t.RawGetString("spawn_rate")), "")
		return tg, false
	}
	if v := t.RawGetString("rate"); v != lua.LNil {
		r, ok := v.(lua.LNumber)
		if !ok || !(r >= 0) {
			s.report("load shape: tick's rate must be requests per second, 0 or more; got "+describe(v), "")
			return tg, false
		}
		tg.Rate, tg.HasRate = float64(r), true
	}
	return tg, true
}
