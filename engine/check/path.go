package check

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/llmlocust/llmlocust/engine/output"
)

// mode is how a lookup treats what it finds: against a schema (an empty
// summary, whose nulls are read by their Go type) or in a run's summary
// (where null means not measured).
type mode struct {
	schema      bool
	latencyKeys []string // the keys of a Latency, in a schema
}

func lookupSchema(ps output.Percentiles) mode {
	return mode{schema: true, latencyKeys: append([]string{"mean", "min", "max"}, ps.Keys()...)}
}

var lookupRun = mode{}

var (
	summaryType = reflect.TypeFor[output.Summary]()
	statsType   = reflect.TypeFor[output.Stats]()
	latencyType = reflect.TypeFor[output.Latency]()
)

// lookup is the figure the check reads in doc, nil when it is null.
func (c Check) lookup(doc map[string]any, m mode) (*float64, error) {
	segs := strings.Split(c.Path, ".")
	if c.Endpoint != "" {
		ep, err := endpoint(doc, c.Endpoint, m)
		if err != nil {
			return nil, err
		}
		return m.walk(ep, statsType, segs, "endpoints["+c.Endpoint+"]")
	}
	totals, _ := doc["totals"].(map[string]any)
	if _, _, ok := match(totals, segs); ok {
		return m.walk(totals, statsType, segs, "totals")
	}
	if _, _, ok := match(doc, segs); ok {
		return m.walk(doc, summaryType, segs, "")
	}
	known := append(keysOf(totals), keysOf(doc)...)
	return nil, fmt.Errorf("no key %q in the summary's totals or at its top level%s", segs[0], closeKeys(segs[0], known))
}

// endpoint is the stats the check reads for an endpoint: in a schema any
// endpoint's layout (the totals'), in a run the endpoint of that name, or
// of that method and name ("POST chat") when several share the name.
func endpoint(doc map[string]any, name string, m mode) (map[string]any, error) {
	if m.schema {
		totals, _ := doc["totals"].(map[string]any)
		return totals, nil
	}
	list, _ := doc["endpoints"].([]any)
	var found []map[string]any
	var methods []string
	for _, item := range list {
		ep, _ := item.(map[string]any)
		n, _ := ep["name"].(string)
		method, _ := ep["method"].(string)
		if n == name || method+" "+n == name {
			found = append(found, ep)
			methods = append(methods, method)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no endpoint named %q in this run", name)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("several endpoints are named %q (%s): write endpoints[METHOD %s]", name, strings.Join(methods, ", "), name)
}

// walk follows segs from v, whose Go type is t (nil when unknown), at
// where in the summary.
func (m mode) walk(v any, t reflect.Type, segs []string, where string) (*float64, error) {
	for len(segs) > 0 {
		switch x := v.(type) {
		case map[string]any:
			key, rest, ok := match(x, segs)
			if !ok {
				return nil, fmt.Errorf("no key %q in %s%s", segs[0], name(where), closeKeys(segs[0], keysOf(x)))
			}
			v, t, segs, where = x[key], fieldType(t, key), rest, join(where, key)
		case nil:
			if !m.schema {
				return nil, nil
			}
			return nil, m.nullPath(t, segs, where)
		default:
			return nil, fmt.Errorf("%s is %s, which has no key %q", name(where), describe(v), segs[0])
		}
	}
	return m.number(v, t, where)
}

// number is the figure at the end of a path; true and false read as 1
// and 0.
func (m mode) number(v any, t reflect.Type, where string) (*float64, error) {
	switch x := v.(type) {
	case float64:
		return &x, nil
	case bool:
		f := 0.0
		if x {
			f = 1
		}
		return &f, nil
	case nil:
		if !m.schema || isNumber(t) {
			return nil, nil
		}
		if deref(t) == latencyType {
			return nil, fmt.Errorf("%s is a timing: name one of its figures (%s)", name(where), strings.Join(m.latencyKeys, ", "))
		}
		return nil, fmt.Errorf("%s is null in a run with these options%s", name(where), nullHint(where))
	case map[string]any:
		return nil, fmt.Errorf("%s is an object: name one of its keys (%s)", name(where), strings.Join(keysOf(x), ", "))
	}
	return nil, fmt.Errorf("%s is %s, not a number", name(where), describe(v))
}

// nullPath says whether segs can follow a null of type t in a schema: the
// figures of a timing that was not measured yet, or nothing.
func (m mode) nullPath(t reflect.Type, segs []string, where string) error {
	if deref(t) != latencyType {
		return fmt.Errorf("%s is null in a run with these options%s", name(where), nullHint(where))
	}
	key := strings.Join(segs, ".")
	if !slices.Contains(m.latencyKeys, key) {
		return fmt.Errorf("no key %q in %s%s", key, name(where), closeKeys(key, m.latencyKeys))
	}
	return nil
}

// nullHint says which option fills a figure that is null in a schema.
func nullHint(where string) string {
	if where == "goodput" || strings.HasSuffix(where, ".goodput") {
		return ": goodput needs --slo"
	}
	return ""
}

// match finds the key that the first segments name: the longest join of
// them that is a key, so that "p99.9" is one key and not "p99" then "9".
func match(m map[string]any, segs []string) (key string, rest []string, ok bool) {
	for k := len(segs); k > 0; k-- {
		key = strings.Join(segs[:k], ".")
		if _, ok := m[key]; ok {
			return key, segs[k:], true
		}
	}
	return underscored(m, segs)
}

// underscored reads an underscore as the dot after a key when no key has
// the whole name, so that goodput_fraction is goodput.fraction as
// fail_ratio is fail_ratio; the longest key wins.
func underscored(m map[string]any, segs []string) (key string, rest []string, ok bool) {
	first := segs[0]
	for i := len(first) - 1; i > 0; i-- {
		if first[i] != '_' || i == len(first)-1 {
			continue
		}
		if _, found := m[first[:i]]; found {
			return first[:i], append([]string{first[i+1:]}, segs[1:]...), true
		}
	}
	return "", nil, false
}

// fieldType is the Go type of the field that JSON key names in t, nil
// when t is unknown or has no such field.
func fieldType(t reflect.Type, key string) reflect.Type {
	t = deref(t)
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == "-" || !f.IsExported():
		case tag == "" && f.Anonymous:
			if ft := fieldType(f.Type, key); ft != nil {
				return ft
			}
		case tag == key || (tag == "" && f.Name == key):
			return f.Type
		}
	}
	return nil
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func isNumber(t reflect.Type) bool {
	t = deref(t)
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Bool:
		return true
	}
	return false
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// name is where a path points, for messages.
func name(where string) string {
	if where == "" {
		return "the summary"
	}
	return where
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "text"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("a %T", v)
}
