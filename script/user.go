package script

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/engine/arrival"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/lualib"
)

// user is one simulated user: one goroutine, one Lua state, for its whole
// life. It implements runner.User.
type user struct {
	class    *boundClass
	id       int
	rng      *rand.Rand
	arrivals *arrival.Schedule // nil for a closed-loop user

	L    *lua.LState
	decl *decl
	self *lua.LTable
	lu   *lualib.User

	stopping    bool // self:stop() was called
	interrupted bool // self:interrupt() was called in a sequence

	// inLua guards the rule that one state is used by one goroutine at a
	// time; a second entrant counts as a violation and is refused.
	inLua atomic.Int32
}

var _ runner.User = (*user)(nil)

// Violations counts attempts to enter a user's Lua state while another
// goroutine is in it. It stays zero unless the one-goroutine rule breaks.
var Violations atomic.Int64

// signal values raised through the VM by self:stop() and self:interrupt().
type signal int

const (
	sigStopUser signal = iota + 1
	sigInterrupt
)

func (u *user) stopUser(L *lua.LState) {
	u.stopping = true
	u.raiseSignal(L, sigStopUser)
}

func (u *user) interrupt(L *lua.LState) {
	u.interrupted = true
	u.raiseSignal(L, sigInterrupt)
}

func (u *user) raiseSignal(L *lua.LState, s signal) {
	ud := L.NewUserData()
	ud.Value = s
	L.Error(ud, 0)
}

// Run lives the user's life: on_start, tasks until stopped, on_stop.
func (u *user) Run(ctx context.Context, stop <-chan struct{}) error {
	env := u.class.env
	u.lu = &lualib.User{Host: u.class.host, Records: env.Records, Rand: u.rng, Getenv: env.Getenv, Logf: env.Logf,
		Daemon: env.Daemon, Tokenizer: env.Tokenizer, Dir: filepath.Dir(u.class.plan.File), Secrets: env.Secrets}
	defer u.lu.Close()
	if err := u.start(); err != nil {
		return err
	}
	defer u.L.Close()
	u.L.SetContext(ctx)

	if err := u.hook("on_start"); err != nil {
		if ctx.Err() == nil {
			u.report(err)
		}
		return nil // as in Locust, a failed on_start ends the user without on_stop
	}
	u.loop(ctx, stop)
	u.finish(ctx)
	return nil
}

func (u *user) start() error {
	if !u.enter() {
		return errors.New("user state entered by two goroutines")
	}
	defer u.exit()
	p := u.class.plan
	L, d, err := p.instantiate(u.lu, u.class.env.Values)
	if err != nil {
		return fmt.Errorf("starting user %s: %w", u.class.class.Name, err)
	}
	if len(d.classes) != len(p.Classes) || len(d.classes[u.class.index].tasks) != len(p.Classes[u.class.index].Tasks) {
		L.Close()
		return fmt.Errorf("starting user %s: the scenario declared different classes or tasks this time; its top level must declare the same on every run", u.class.class.Name)
	}
	d.hooks, d.stopTest = u, u.class.env.StopTest
	u.L, u.decl = L, d
	u.self = u.newSelf(d.classes[u.class.index])
	return nil
}

// newSelf is the user's instance table: fields of its own, methods and
// class fields through the class table.
func (u *user) newSelf(c *classDecl) *lua.LTable {
	L := u.L
	self := L.CreateTable(0, 4)
	self.RawSetString("client", u.lu.ClientTable(L))
	self.RawSetString("llm", u.lu.LLMTable(L, c.llm))
	self.RawSetString("host", lua.LString(u.class.host))
	self.RawSetString("id", lua.LNumber(u.id))
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", c.table)
	L.SetMetatable(self, mt)
	return self
}

func (u *user) loop(ctx context.Context, stop <-chan struct{}) {
	if u.arrivals != nil {
		u.openLoop(ctx, stop)
		return
	}
	c := u.decl.classes[u.class.index]
	taskStart := time.Now()
	for !u.stopping && !closed(stop) && ctx.Err() == nil {
		t := c.tasks[u.class.pickTask(u.rng).index]
		if t.steps != nil {
			u.runSequence(ctx, stop, c, t)
		} else {
			u.runTask(t.fn)
		}
		if u.stopping || ctx.Err() != nil {
			return
		}
		if !u.wait(ctx, stop, c, &taskStart) {
			return
		}
	}
}

// openLoop sends one task per arrival of the schedule, instead of waiting
// wait_time between tasks: the first request of each task is the
// arrival's, and its Record says how late it went out. The arrival, with
// a trace's row, is self.arrival while the task runs.
func (u *user) openLoop(ctx context.Context, stop <-chan struct{}) {
	leave := u.arrivals.Join()
	defer leave()
	c := u.decl.classes[u.class.index]
	for !u.stopping && ctx.Err() == nil {
		a, ok := u.arrivals.Next(ctx, stop)
		if !ok {
			return
		}
		u.lu.Due = a.Due
		u.self.RawSetString("arrival", u.arrivalTable(a))
		t := c.tasks[u.class.pickTask(u.rng).index]
		if t.steps != nil {
			u.runSequence(ctx, stop, c, t)
		} else {
			u.runTask(t.fn)
		}
		u.lu.Due = time.Time{}
	}
}

// arrivalTable is self.arrival: index (from 1), due (seconds from the
// test's start) and a trace row's fields.
func (u *user) arrivalTable(a arrival.Arrival) *lua.LTable {
	t, ok := lualib.ToLua(u.L, a.Payload).(*lua.LTable)
	if !ok {
		t = u.L.CreateTable(0, 2)
	}
	t.RawSetString("index", lua.LNumber(a.Index+1))
	t.RawSetString("due", lua.LNumber(a.Due.Sub(u.arrivals.Start()).Seconds()))
	return t
}

func (u *user) runSequence(ctx context.Context, stop <-chan struct{}, c *classDecl, t *taskDecl) {
	u.interrupted = false
	taskStart := time.Now()
	for i, step := range t.steps {
		if i > 0 && !u.wait(ctx, stop, c, &taskStart) {
			return
		}
		u.runTask(step)
		if u.interrupted || u.stopping || ctx.Err() != nil {
			return
		}
	}
}

// runTask calls one task function; a Lua error is recorded as an
// exception and the user goes on, as in Locust.
func (u *user) runTask(fn *lua.LFunction) {
	err := u.call(fn, u.self)
	u.lu.FlushPending()
	if err != nil && u.L.Context().Err() == nil {
		u.report(err)
	}
}

// wait sleeps the class's wait_time; false when the user must stop.
func (u *user) wait(ctx context.Context, stop <-chan struct{}, c *classDecl, taskStart *time.Time) bool {
	d := c.wait.next(u.rng, *taskStart, time.Now())
	if c.wait.kind == waitFunc {
		d = u.waitFromLua(c.wait.fn)
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-stop:
			return false
		case <-ctx.Done():
			return false
		}
	} else if closed(stop) || ctx.Err() != nil {
		return false
	}
	*taskStart = time.Now()
	return true
}

func (u *user) waitFromLua(fn *lua.LFunction) time.Duration {
	if !u.enter() {
		return 0
	}
	defer u.exit()
	if err := u.L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, u.self); err != nil {
		u.report(fmt.Errorf("wait_time: %w", err))
		return time.Second
	}
	v := u.L.Get(-1)
	u.L.Pop(1)
	n, ok := v.(lua.LNumber)
	if !ok || n < 0 {
		u.report(fmt.Errorf("wait_time function returned %s; it must return seconds (a number of 0 or more)", describe(v)))
		return time.Second
	}
	return secs(float64(n))
}

// finish runs on_stop. Once the user's context is cancelled, on_stop gets
// a fresh, bounded one so that it can still say goodbye to the server.
func (u *user) finish(ctx context.Context) {
	if ctx.Err() != nil {
		timeout := u.class.env.OnStopTimeout
		if timeout <= 0 {
			timeout = 5 * time.Second
		}
		fresh, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		u.L.SetContext(fresh)
	}
	if err := u.hook("on_stop"); err != nil && u.L.Context().Err() == nil {
		u.report(err)
	}
}

// hook calls self:on_start() or self:on_stop() when the class has one.
func (u *user) hook(name string) error {
	fn, ok := u.L.GetField(u.self, name).(*lua.LFunction)
	if !ok {
		return nil
	}
	err := u.call(fn, u.self)
	u.lu.FlushPending()
	return err
}

// call runs fn(args...) in the user's state, turning the stop and
// interrupt signals into state rather than errors.
func (u *user) call(fn *lua.LFunction, args ...lua.LValue) error {
	if !u.enter() {
		return errors.New("user state entered by two goroutines")
	}
	defer u.exit()
	err := u.L.CallByParam(lua.P{Fn: fn, NRet: 0, Protect: true}, args...)
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if ud, ok := ae.Object.(*lua.LUserData); ok {
			if _, isSignal := ud.Value.(signal); isSignal {
				return nil
			}
		}
	}
	return err
}

func (u *user) report(err error) {
	msg := luaMessage(err)
	logf := u.class.env.Errorf
	if logf == nil {
		logf = u.class.env.Logf
	}
	logf("%s: %s", u.class.class.Name, msg)
	u.class.env.Exception(msg, traceback(err))
}

func (u *user) enter() bool {
	if u.inLua.CompareAndSwap(0, 1) {
		return true
	}
	Violations.Add(1)
	return false
}

func (u *user) exit() { u.inLua.Store(0) }

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
