package script

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/llmlocust/llmlocust/lualib"
)

// Prepare runs the scenario's top level once more, now with the run's
// option values, before any user starts. Load ran it with the defaults,
// so what only the values reveal fails here, as a scenario Error with its
// file and line, instead of in every user: a dataset that an option names
// and that is missing or malformed (datasets load once and all users
// share them, so this costs the users nothing), or user classes that
// change with the options. It also checks the user classes env names and
// the form of its host.
// The state it makes becomes the plan state, so event listeners and the
// load shape see the same top level as the users.
func (p *Plan) Prepare(env *Env) error {
	if err := p.checkClassNames(env.Classes); err != nil {
		return err
	}
	if env.Host != "" {
		if err := checkHostForm(env.Host); err != nil {
			return err
		}
	}
	getenv := env.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	lu := planUser(p.File, getenv)
	lu.Tokenizer = env.Tokenizer
	L, d, err := p.instantiate(lu, env.Values)
	if err != nil {
		return err
	}
	if err := p.sameDeclarations(d); err != nil {
		L.Close()
		return err
	}
	p.mu.Lock()
	old := p.L
	p.L, p.decl, p.lu = L, d, lu
	p.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// ClassNames lists the scenario's user classes in declaration order.
func (p *Plan) ClassNames() []string {
	names := make([]string, len(p.Classes))
	for i, c := range p.Classes {
		names[i] = c.Name
	}
	return names
}

// planUser is what the modules of a plan state act for: nothing it sends
// counts, and its prints are dropped, since every user runs the top level
// too and prints them.
func planUser(file string, getenv func(string) (string, bool)) *lualib.User {
	return &lualib.User{Getenv: getenv, Records: discard{}, Logf: func(string, ...any) {},
		Dir: filepath.Dir(file), Rand: rand.New(rand.NewPCG(rand.Uint64(), 0))}
}

// sameDeclarations checks that a run of the top level declared the user
// classes, tasks and options that Load found, which the command line and
// the runner were built from.
func (p *Plan) sameDeclarations(d *decl) error {
	same := len(d.classes) == len(p.Classes) && len(d.options) == len(p.Options)
	for i := 0; same && i < len(d.classes); i++ {
		same = d.classes[i].name == p.Classes[i].Name && len(d.classes[i].tasks) == len(p.Classes[i].Tasks)
	}
	for i := 0; same && i < len(d.options); i++ {
		same = d.options[i].Name == p.Options[i].Name
	}
	if same {
		return nil
	}
	names := []string{}
	for _, c := range d.classes {
		names = append(names, c.name)
	}
	return errorf(p.File, 0, "with these option values the scenario declares other user classes, tasks or options (classes: %s) than with its defaults; "+
		"its top level must declare the same ones whatever the options (choose what runs with user class names or -T/-E tags)", strings.Join(names, ", "))
}
