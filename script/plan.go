// Package script loads a Lua scenario shaped like a locustfile, compiles it
// once, and runs each simulated user on its own lean Lua state for the
// user's whole life.
package script

import (
	"bytes"
	"fmt"
	"os"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/lualib"
)

// Plan is a loaded scenario: its user classes, options and shape, checked
// before any load is sent.
type Plan struct {
	File    string
	Classes []*Class
	Options []*Option

	proto *lua.FunctionProto
	// floats says, by option name, whether a number default is written
	// as a float in the source (see numberSpellings).
	floats map[string]bool

	// The plan state ran the top level once to learn the plan; it lives on
	// to run event listeners and the load shape, one call at a time.
	mu   sync.Mutex
	L    *lua.LState
	decl *decl
	lu   *lualib.User

	modMu   sync.Mutex
	modules map[string]*lua.FunctionProto // Lua files scripts require
}

// Class is a declared user class.
type Class struct {
	Name       string
	Line       int
	Weight     int
	FixedCount int
	Rate       float64 // its own requests per second; 0 for none
	Host       string
	Tasks      []*Task
}

// Task is a declared task; a sequence has Steps.
type Task struct {
	Name   string
	Line   int
	Weight int
	Tags   []string
	Steps  int // number of steps of a sequence, 0 for a plain task
}

// HasShape reports whether the scenario declares a load shape.
func (p *Plan) HasShape() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.decl.shape != nil && p.decl.shape != lua.LNil
}

// Load reads, compiles and plans the scenario at path. Every mistake it
// can find is an *Error naming the file and line.
func Load(path string) (*Plan, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read the scenario: %v", unwrapPath(err))}
	}
	return LoadSource(path, src)
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// LoadSource plans a scenario from its source; path names it in messages.
func LoadSource(path string, src []byte) (*Plan, error) {
	chunk, err := parse.Parse(bytes.NewReader(src), path)
	if err != nil {
		return nil, syntaxError(path, src, err)
	}
	proto, err := lua.Compile(chunk, path)
	if err != nil {
		return nil, syntaxError(path, src, err)
	}
	p := &Plan{File: path, proto: proto, floats: numberSpellings(chunk)}
	lu := planUser(path, os.LookupEnv)
	L, d, err := p.instantiate(lu, nil)
	if err != nil {
		return nil, err
	}
	p.L, p.decl, p.lu = L, d, lu
	if err := p.learn(); err != nil {
		L.Close()
		return nil, err
	}
	return p, nil
}

// discard drops the Records of requests the plan state makes at load time.
type discard struct{}

func (discard) Add(record.Record) {}

// Close releases the plan state.
func (p *Plan) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.L != nil {
		p.L.Close()
		p.L = nil
	}
}

// learn copies what the top level declared into the Plan and checks it.
func (p *Plan) learn() error {
	d := p.decl
	if len(d.classes) == 0 {
		return errorf(p.File, 0, "no user classes: declare one with MyUser = locust.user{ ... } and give it a task with MyUser:task(function(self) ... end)")
	}
	for _, c := range d.classes {
		if len(c.tasks) == 0 {
			return errorf(p.File, c.line, "user class %s has no tasks: add one with %s:task(function(self) ... end)", c.name, c.name)
		}
		cl := &Class{Name: c.name, Line: c.line, Weight: c.weight, FixedCount: c.fixedCount, Rate: c.rate, Host: c.host}
		for _, t := range c.tasks {
			cl.Tasks = append(cl.Tasks, &Task{Name: t.name, Line: t.line, Weight: t.weight, Tags: t.tags, Steps: len(t.steps)})
		}
		p.Classes = append(p.Classes, cl)
	}
	p.Options = d.options
	return nil
}

// Lean state settings: a small registry and call stack that grow when a
// script needs them, so thousands of idle users stay cheap.
var stateOptions = lua.Options{
	SkipOpenLibs:        true,
	RegistrySize:        256,
	RegistryMaxSize:     256 * 1024,
	RegistryGrowStep:    128,
	CallStackSize:       200,
	MinimizeStackMemory: true,
}

// instantiate makes a lean state and runs the compiled top level in it.
func (p *Plan) instantiate(lu *lualib.User, values func(string) (any, bool)) (*lua.LState, *decl, error) {
	L := lua.NewState(stateOptions)
	p.openLibs(L, lu.Modules())
	d := &decl{file: p.File, byName: map[string]*Option{}, values: values, floats: p.floats}
	d.openLocust(L)
	lualib.Open(L, lu)
	L.Push(L.NewFunctionFromProto(p.proto))
	if err := L.PCall(0, 0, nil); err != nil {
		L.Close()
		return nil, nil, runtimeError(p.File, err)
	}
	if err := d.finish(L); err != nil {
		L.Close()
		return nil, nil, err
	}
	return L, d, nil
}
