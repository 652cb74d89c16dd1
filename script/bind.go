package script

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/llmlocust/llmlocust/engine/arrival"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/engine/runner"
)

// MockHost is the host that names the built-in simulated LLM server.
const MockHost = run.SimulatorHost

// Env is what a test gives the scenario's users (see run.Binding).
type Env = run.Binding

var _ run.Plan = (*Plan)(nil)

// Hosts are the hosts the user classes name, "" for a class without one.
func (p *Plan) Hosts() []string {
	out := make([]string, len(p.Classes))
	for i, c := range p.Classes {
		out[i] = c.Host
	}
	return out
}

// SecretOptions are the secret options the scenario declares, each with
// the zero value of its kind.
func (p *Plan) SecretOptions() map[string]any {
	out := map[string]any{}
	for _, o := range p.Options {
		if o.Secret {
			out[o.Name] = o.Kind.zero()
		}
	}
	return out
}

// UserClasses binds the plan to a run: hosts resolved, tasks filtered by
// tags. A class left with no task is dropped, as Locust drops it.
func (p *Plan) UserClasses(env *Env) ([]runner.UserClass, error) {
	// The option values may have changed since the last test (the web
	// form), so the top level runs with them again before any user does.
	if err := p.Prepare(env); err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.decl.values, p.decl.stopTest = env.Values, env.StopTest
	p.lu.Records, p.lu.Logf = env.Records, env.Logf
	p.lu.Daemon, p.lu.Tokenizer = env.Daemon, env.Tokenizer
	p.lu.Secrets = env.Secrets
	p.mu.Unlock()
	var out []runner.UserClass
	for i, c := range p.Classes {
		if len(env.Classes) > 0 && !slices.Contains(env.Classes, c.Name) {
			continue
		}
		host, err := p.resolveHost(env, c)
		if err != nil {
			return nil, err
		}
		bc := &boundClass{plan: p, env: env, class: c, index: i, host: host}
		for ti, t := range c.Tasks {
			if !tagsAllow(t.Tags, env.Tags, env.ExcludeTags) {
				continue
			}
			w := t.Weight
			if env.EqualWeights {
				w = 1
			}
			bc.tasks = append(bc.tasks, pick{index: ti, weight: w})
			bc.total += w
		}
		if len(bc.tasks) > 0 {
			out = append(out, bc)
		}
	}
	if len(out) > 0 {
		// Event listeners aim where the first class aims.
		p.mu.Lock()
		p.lu.Host = out[0].(*boundClass).host
		p.mu.Unlock()
	}
	if len(out) == 0 {
		return nil, errorf(p.File, 0, "no task is left to run after filtering by tags (-T %s, -E %s)",
			strings.Join(env.Tags, ","), strings.Join(env.ExcludeTags, ","))
	}
	return out, nil
}

func (p *Plan) checkClassNames(names []string) error {
	for _, n := range names {
		if !slices.ContainsFunc(p.Classes, func(c *Class) bool { return c.Name == n }) {
			var have []string
			for _, c := range p.Classes {
				have = append(have, c.Name)
			}
			return errorf(p.File, 0, "unknown user class %q; the scenario has %s", n, strings.Join(have, ", "))
		}
	}
	return nil
}

func (p *Plan) resolveHost(env *Env, c *Class) (string, error) {
	host := env.Host
	if host == "" {
		host = c.Host
	}
	switch {
	case host == "":
		return "", errorf(p.File, c.Line, "no host for user class %s: give -H URL (or -H mock for the built-in simulated LLM server), or set host = \"...\" in the class", c.Name)
	case host == MockHost && env.MockURL == "":
		return "", fmt.Errorf("user class %s aims at the simulated server, but it was not started", c.Name)
	case host == MockHost:
		return env.MockURL, nil
	}
	if err := checkHostForm(host); err != nil {
		return "", err
	}
	return strings.TrimRight(host, "/"), nil
}

// checkHostForm accepts "mock" and http(s) URLs.
func checkHostForm(host string) error {
	if host != MockHost && !strings.HasPrefix(host, "http://") && !strings.HasPrefix(host, "https://") {
		return fmt.Errorf("invalid host %q: it must start with http:// or https:// (or be \"mock\" for the built-in simulated LLM server)", host)
	}
	return nil
}

// tagsAllow applies -T and -E as Locust does: with -T only tagged tasks
// that carry one of the tags run; -E removes tasks carrying any of its tags.
func tagsAllow(tags, include, exclude []string) bool {
	for _, t := range tags {
		if slices.Contains(exclude, t) {
			return false
		}
	}
	if len(include) == 0 {
		return true
	}
	for _, t := range tags {
		if slices.Contains(include, t) {
			return true
		}
	}
	return false
}

type pick struct {
	index  int // into the class's tasks
	weight int
}

// boundClass is a user class ready to spawn users; it implements
// runner.UserClass.
type boundClass struct {
	plan  *Plan
	env   *Env
	class *Class
	index int
	host  string
	tasks []pick
	total int
}

var _ runner.RatedClass = (*boundClass)(nil)

func (b *boundClass) Name() string    { return b.class.Name }
func (b *boundClass) Weight() int     { return b.class.Weight }
func (b *boundClass) FixedCount() int { return b.class.FixedCount }
func (b *boundClass) Rate() float64   { return b.class.Rate }

// NewUser prepares a user; its Lua state is made by Run, on the goroutine
// that will own it for the user's whole life.
func (b *boundClass) NewUser(id int, arrivals *arrival.Schedule) (runner.User, error) {
	return &user{class: b, id: id, arrivals: arrivals, rng: rand.New(rand.NewPCG(rand.Uint64(), uint64(id)))}, nil
}

// pickTask draws a task by weight.
func (b *boundClass) pickTask(rng *rand.Rand) pick {
	n := rng.IntN(b.total)
	for _, t := range b.tasks {
		if n < t.weight {
			return t
		}
		n -= t.weight
	}
	return b.tasks[len(b.tasks)-1]
}
