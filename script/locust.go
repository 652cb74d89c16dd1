package script

import (
	"fmt"
	"math"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// decl is what one run of the scenario's top level declared in one Lua
// state: the same structure in every state, with that state's functions.
type decl struct {
	file     string
	classes  []*classDecl
	options  []*Option
	byName   map[string]*Option
	starts   []*lua.LFunction // test_start listeners
	stops    []*lua.LFunction // test_stop listeners
	shape    lua.LValue       // function or table with tick, or nil
	shapeAt  int
	values   func(name string) (any, bool) // option values; nil while planning
	floats   map[string]bool               // number defaults written as floats, by option name
	hooks    userHooks                     // the user this state runs; nil in the plan state
	stopTest func()
}

// userHooks are the calls a script makes on its own user.
type userHooks interface {
	stopUser(L *lua.LState)
	interrupt(L *lua.LState)
}

type classDecl struct {
	table      *lua.LTable
	name       string
	line       int
	weight     int
	fixedCount int
	rate       float64 // requests per second of the class's own schedule; 0 for none
	host       string
	wait       waitSpec
	llm        *lua.LTable // settings of self.llm
	tasks      []*taskDecl
}

type taskDecl struct {
	name   string
	line   int
	weight int
	tags   []string
	fn     *lua.LFunction
	steps  []*lua.LFunction // a sequence: run in order, one pass per pick
}

// seqDecl is what locust.sequence{...} returns until a task takes it.
type seqDecl struct {
	name  string
	line  int
	steps []*lua.LFunction
}

const classMeta = "locust.user_class"

// openLocust installs the global locust table (also require("locust")).
func (d *decl) openLocust(L *lua.LState) {
	mod := L.CreateTable(0, 12)
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"user":                d.luaUser,
		"sequence":            d.luaSequence,
		"between":             luaBetween,
		"constant":            luaConstant,
		"constant_pacing":     luaConstantPacing,
		"constant_throughput": luaConstantThroughput,
		"options":             d.luaOptions,
		"option":              d.luaOption,
		"shape":               d.luaShape,
		"stop_test":           d.luaStopTest,
	})
	events := L.CreateTable(0, 2)
	events.RawSetString("test_start", d.eventTable(L, &d.starts))
	events.RawSetString("test_stop", d.eventTable(L, &d.stops))
	mod.RawSetString("events", events)

	mt := L.NewTypeMetatable(classMeta)
	methods := L.CreateTable(0, 3)
	L.SetFuncs(methods, map[string]lua.LGFunction{
		"task":      d.luaTask,
		"stop":      d.luaStopUser,
		"interrupt": d.luaInterrupt,
	})
	mt.RawSetString("__index", methods)

	L.SetGlobal("locust", mod)
}

func (d *decl) eventTable(L *lua.LState, into *[]*lua.LFunction) *lua.LTable {
	ev := L.CreateTable(0, 1)
	ev.RawSetString("add_listener", L.NewFunction(func(L *lua.LState) int {
		fn := L.CheckFunction(L.GetTop())
		*into = append(*into, fn)
		return 0
	}))
	return ev
}

// luaUser declares a user class: locust.user { weight=, fixed_count=, rate=, host=, wait_time=, name= }.
func (d *decl) luaUser(L *lua.LState) int {
	spec := L.OptTable(1, L.CreateTable(0, 0))
	c := &classDecl{table: spec, line: callerLine(L), weight: 1}
	spec.ForEach(func(k, v lua.LValue) {
		switch k.String() {
		case "weight":
			c.weight = d.positiveInt(L, v, "weight")
		case "fixed_count":
			c.fixedCount = d.nonNegativeInt(L, v, "fixed_count")
		case "rate":
			c.rate = d.rate(L, v)
		case "host":
			c.host = d.str(L, v, "host")
		case "name":
			c.name = d.str(L, v, "name")
		case "wait_time":
			c.wait = d.waitSpec(L, v)
		case "llm":
			t, ok := v.(*lua.LTable)
			if !ok {
				raise(L, d.file, "llm must be a table of settings, e.g. { api = \"openai\", model = \"...\" }")
			}
			c.llm = t
		default:
			if _, isFn := v.(*lua.LFunction); !isFn {
				raise(L, d.file, "unknown user class setting %q (known: weight, fixed_count, rate, host, wait_time, llm, name)", k.String())
			}
		}
	})
	for _, k := range []string{"weight", "fixed_count", "rate", "host", "name", "wait_time", "llm"} {
		spec.RawSetString(k, lua.LNil)
	}
	if c.host != "" {
		spec.RawSetString("host", lua.LString(c.host))
	}
	L.SetMetatable(spec, L.GetTypeMetatable(classMeta))
	d.classes = append(d.classes, c)
	L.Push(spec)
	return 1
}

func (d *decl) classOf(L *lua.LState, t *lua.LTable) *classDecl {
	for _, c := range d.classes {
		if c.table == t {
			return c
		}
	}
	raise(L, d.file, "task() must be called on a user class made by locust.user{...}, as MyUser:task(...)")
	return nil
}

// luaTask adds a task: C:task(fn), C:task(weight, fn), C:task{fn, weight=, name=, tags=}.
func (d *decl) luaTask(L *lua.LState) int {
	c := d.classOf(L, L.CheckTable(1))
	t := &taskDecl{line: callerLine(L), weight: 1}
	var body lua.LValue
	switch a := L.Get(2).(type) {
	case lua.LNumber:
		t.weight = d.positiveInt(L, a, "task weight")
		body = L.Get(3)
	case *lua.LTable:
		body = a.RawGetInt(1)
		if w := a.RawGetString("weight"); w != lua.LNil {
			t.weight = d.positiveInt(L, w, "task weight")
		}
		if n := a.RawGetString("name"); n != lua.LNil {
			t.name = d.str(L, n, "task name")
		}
		t.tags = d.strList(L, a.RawGetString("tags"), "tags")
	default:
		body = a
	}
	switch b := body.(type) {
	case *lua.LFunction:
		t.fn = b
	case *lua.LUserData:
		seq, ok := b.Value.(*seqDecl)
		if !ok {
			raise(L, d.file, "a task must be a function or a locust.sequence{...}")
		}
		t.steps = seq.steps
		if t.name == "" {
			t.name = seq.name
		}
	default:
		if _, isNum := L.Get(2).(lua.LNumber); isNum || L.GetTop() < 2 {
			raise(L, d.file, "a task must be a function or a locust.sequence{...}, got %s", body.Type())
		}
		raise(L, d.file, "task weight must be a positive whole number, got %s", L.Get(2).Type())
	}
	c.tasks = append(c.tasks, t)
	return 0
}

// luaSequence makes a task whose steps run in order: locust.sequence{ name=, fn1, fn2, ... }.
func (d *decl) luaSequence(L *lua.LState) int {
	spec := L.CheckTable(1)
	s := &seqDecl{line: callerLine(L)}
	if n := spec.RawGetString("name"); n != lua.LNil {
		s.name = d.str(L, n, "sequence name")
	}
	for i := 1; i <= spec.Len(); i++ {
		fn, ok := spec.RawGetInt(i).(*lua.LFunction)
		if !ok {
			raise(L, d.file, "sequence step %d must be a function, got %s", i, spec.RawGetInt(i).Type())
		}
		s.steps = append(s.steps, fn)
	}
	if len(s.steps) == 0 {
		raise(L, d.file, "a sequence needs at least one step function")
	}
	ud := L.NewUserData()
	ud.Value = s
	L.Push(ud)
	return 1
}

func (d *decl) luaShape(L *lua.LState) int {
	v := L.CheckAny(1)
	switch x := v.(type) {
	case *lua.LFunction:
	case *lua.LTable:
		if _, ok := x.RawGetString("tick").(*lua.LFunction); !ok {
			raise(L, d.file, "a shape table needs a tick function")
		}
	default:
		raise(L, d.file, "locust.shape takes a function(run_time) returning users, spawn_rate (or nil to stop)")
	}
	if d.shape != nil && d.shape != lua.LNil {
		raise(L, d.file, "only one load shape may be declared")
	}
	d.shape, d.shapeAt = v, callerLine(L)
	return 0
}

func (d *decl) luaStopTest(L *lua.LState) int {
	if d.stopTest == nil {
		raise(L, d.file, "locust.stop_test() can only be called while a test runs")
	}
	d.stopTest()
	return 0
}

func (d *decl) luaStopUser(L *lua.LState) int {
	if d.hooks == nil {
		raise(L, d.file, "self:stop() can only be called by a running user")
	}
	d.hooks.stopUser(L)
	return 0
}

func (d *decl) luaInterrupt(L *lua.LState) int {
	if d.hooks == nil {
		raise(L, d.file, "self:interrupt() can only be called by a running user")
	}
	d.hooks.interrupt(L)
	return 0
}

func (d *decl) positiveInt(L *lua.LState, v lua.LValue, what string) int {
	n, ok := v.(lua.LNumber)
	if !ok || n < 1 || float64(n) != math.Trunc(float64(n)) || n > 1e9 {
		raise(L, d.file, "%s must be a positive whole number, got %s", what, describe(v))
	}
	return int(n)
}

func (d *decl) nonNegativeInt(L *lua.LState, v lua.LValue, what string) int {
	n, ok := v.(lua.LNumber)
	if !ok || n < 0 || float64(n) != math.Trunc(float64(n)) || n > 1e9 {
		raise(L, d.file, "%s must be a whole number of 0 or more, got %s", what, describe(v))
	}
	return int(n)
}

// rate reads a class's requests per second: its users then send on a
// schedule of that rate instead of waiting their wait_time.
func (d *decl) rate(L *lua.LState, v lua.LValue) float64 {
	n, ok := v.(lua.LNumber)
	if !ok || !(n >= 0) || math.IsInf(float64(n), 0) {
		raise(L, d.file, "rate must be requests per second, a number of 0 or more, got %s", describe(v))
	}
	return float64(n)
}

func (d *decl) str(L *lua.LState, v lua.LValue, what string) string {
	s, ok := v.(lua.LString)
	if !ok {
		raise(L, d.file, "%s must be a string, got %s", what, describe(v))
	}
	return string(s)
}

func (d *decl) strList(L *lua.LState, v lua.LValue, what string) []string {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LString:
		return []string{string(x)}
	case *lua.LTable:
		var out []string
		for i := 1; i <= x.Len(); i++ {
			out = append(out, d.str(L, x.RawGetInt(i), what+" entries"))
		}
		return out
	}
	raise(L, d.file, "%s must be a list of strings, got %s", what, describe(v))
	return nil
}

func describe(v lua.LValue) string {
	switch v.(type) {
	case lua.LNumber, lua.LBool:
		return v.String()
	case lua.LString:
		return fmt.Sprintf("%q", v.String())
	}
	return v.Type().String()
}

// finish names the classes and tasks once the top level has run: a class
// is named by name= or by the global variable holding it; a task by name=,
// by the class field holding its function, or by its line.
func (d *decl) finish(L *lua.LState) error {
	globals := map[*lua.LTable]string{}
	L.G.Global.ForEach(func(k, v lua.LValue) {
		if t, ok := v.(*lua.LTable); ok {
			if ks, ok := k.(lua.LString); ok {
				if prev, dup := globals[t]; !dup || string(ks) < prev {
					globals[t] = string(ks)
				}
			}
		}
	})
	seen := map[string]int{}
	for _, c := range d.classes {
		if c.name == "" {
			c.name = globals[c.table]
		}
		if c.name == "" {
			return errorf(d.file, c.line, "this user class has no name: assign it to a global (ChatUser = locust.user{...}) or give it name = \"...\"")
		}
		if line, dup := seen[c.name]; dup {
			return errorf(d.file, c.line, "user class name %q is already used at line %d", c.name, line)
		}
		seen[c.name] = c.line
		nameTasks(c)
	}
	return nil
}

func nameTasks(c *classDecl) {
	fields := map[*lua.LFunction]string{}
	c.table.ForEach(func(k, v lua.LValue) {
		if fn, ok := v.(*lua.LFunction); ok {
			fields[fn] = k.String()
		}
	})
	used := map[string]bool{}
	for _, t := range c.tasks {
		if t.name == "" && t.fn != nil {
			t.name = fields[t.fn]
		}
		if t.name == "" {
			kind := "task"
			if t.steps != nil {
				kind = "sequence"
			}
			t.name = fmt.Sprintf("%s@line%d", kind, t.line)
		}
		base, n := t.name, 2
		for used[t.name] {
			t.name = fmt.Sprintf("%s#%d", base, n)
			n++
		}
		used[t.name] = true
	}
}

// sortedNames lists option names for messages.
func sortedNames(m map[string]*Option) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
