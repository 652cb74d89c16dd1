package options

import (
	"fmt"
	"slices"
	"sync"
	"time"

	// Imported as masking: the package's tests declare a constant secret.
	masking "github.com/llmlocust/llmlocust/engine/secret"
)

// Mask stands in for a secret value wherever values are shown.
const Mask = masking.Mask

// Values holds the outcome of a parse: a typed value for every option of
// the set as it was at parse time, where each came from, and the
// positional words. It is safe for concurrent use, so that the web form
// may Set while the run reads.
type Values struct {
	mu         sync.RWMutex
	opts       []Option
	index      map[string]int
	vals       []any
	srcs       []Source
	origins    []string
	positional []string

	classesWhere string        // where the positional words came from, for messages
	strays       map[int]stray // positional words that followed an on/off flag
}

func newValues(s *Set) *Values {
	n := len(s.opts)
	return &Values{
		opts:    slices.Clone(s.opts),
		index:   cloneIndex(s.byName),
		vals:    make([]any, n),
		srcs:    make([]Source, n),
		origins: make([]string, n),
	}
}

// cloneValue copies lists so that callers never share a backing array.
func cloneValue(v any) any {
	if l, ok := v.([]string); ok {
		return slices.Clone(l)
	}
	return v
}

// Has reports whether the option exists.
func (v *Values) Has(name string) bool {
	_, ok := v.index[name]
	return ok
}

// Lookup returns the option's value in its kind's Go type; ok is false
// when there is no such option. It never panics, whatever the name, so it
// serves options that a scenario declares at run time.
func (v *Values) Lookup(name string) (value any, ok bool) {
	i, ok := v.index[name]
	if !ok {
		return nil, false
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return cloneValue(v.vals[i]), true
}

// Scenario is Lookup by the name a scenario gives the option: max_tokens
// for --max-tokens.
func (v *Values) Scenario(name string) (any, bool) { return v.Lookup(FlagName(name)) }

// SetScenario is Set by the name a scenario gives the option.
func (v *Values) SetScenario(name string, x any) error { return v.Set(FlagName(name), x) }

// Run returns the built-in options as typed fields, as they stand now.
func (v *Values) Run() Run {
	v.mu.RLock()
	defer v.mu.RUnlock()
	var r Run
	for i := range v.opts {
		v.opts[i].assign(&r, v.vals[i])
	}
	return r
}

// ParseRunTime reads a time span as -t/--run-time reads it; it lets a
// caller that only holds the values parse a run time typed elsewhere.
func (v *Values) ParseRunTime(s string) (time.Duration, error) { return ParseRunTime(s) }

// Source says where the option's value came from; Default for an unknown
// name.
func (v *Values) Source(name string) Source {
	i, ok := v.index[name]
	if !ok {
		return Default
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.srcs[i]
}

// Origin locates the value for messages: "command line", "environment
// variable LOCUST_USERS", "locust.conf:3", or "" for a default.
func (v *Values) Origin(name string) string {
	i, ok := v.index[name]
	if !ok {
		return ""
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.origins[i]
}

// Positional returns the words that are not options: the user classes to
// run, as in Locust.
func (v *Values) Positional() []string {
	return slices.Clone(v.positional)
}

// Set changes a value after parsing, e.g. from the web form. x is the
// kind's Go type, text parsed as on the command line, or an int for a
// Float. Choices, Check and NotYet apply as they do when parsing.
func (v *Values) Set(name string, x any) error {
	i, ok := v.index[name]
	if !ok {
		return &Error{Msg: "unknown option --" + name}
	}
	o := &v.opts[i]
	val, err := o.coerce(x)
	if err != nil {
		return &Error{Msg: fmt.Sprintf("argument %s: %v", o.label(), err)}
	}
	if o.NotYet != "" && !sameValue(val, o.Default) {
		return &Error{Msg: fmt.Sprintf("argument %s: %s", o.label(), o.NotYet)}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.vals[i], v.srcs[i], v.origins[i] = val, Assigned, "assigned"
	return nil
}

// Names lists every option, in the order of the set.
func (v *Values) Names() []string {
	names := make([]string, len(v.opts))
	for i, o := range v.opts {
		names[i] = o.Name
	}
	return names
}

// Redacted returns every value by name with secrets replaced by Mask; an
// unset secret stays empty, so that one can see it is missing.
func (v *Values) Redacted() map[string]any {
	v.mu.RLock()
	defer v.mu.RUnlock()
	out := make(map[string]any, len(v.opts))
	for i, o := range v.opts {
		out[o.Name] = v.shown(i)
	}
	return out
}

// shown is a value as it may be displayed; the caller holds the lock.
func (v *Values) shown(i int) any {
	if v.opts[i].Secret && !isZero(v.vals[i]) {
		return Mask
	}
	return cloneValue(v.vals[i])
}

// Format prints the values as "name=value ..." for every verb, including
// %#v, so that printing Values can never reveal a secret.
func (v *Values) Format(f fmt.State, _ rune) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	for i, o := range v.opts {
		if i > 0 {
			fmt.Fprint(f, " ")
		}
		if s, ok := v.shown(i).(string); ok {
			fmt.Fprintf(f, "%s=%q", o.Name, s)
			continue
		}
		fmt.Fprintf(f, "%s=%v", o.Name, v.shown(i))
	}
}
