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

// Tick calls tick(run_time_seconds); nil (or an error) stops the test.
func (s *shape) Tick(elapsed time.Duration) (users int, spawnRate float64, ok bool) {
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
		return 0, 0, false
	}
	u, r := p.L.Get(-2), p.L.Get(-1)
	p.L.Pop(2)
	if u == lua.LNil {
		return 0, 0, false
	}
	un, uok := u.(lua.LNumber)
	rn, rok := r.(lua.LNumber)
	if !uok || !rok || un < 0 || rn <= 0 {
		s.report("load shape: tick must return users (0 or more) and spawn rate (above 0), or nil to stop; got "+describe(u)+", "+describe(r), "")
		return 0, 0, false
	}
	return int(un), float64(rn), true
}
