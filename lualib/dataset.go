package lualib

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/llmlocust/llmlocust/engine/dataset"
	"github.com/llmlocust/llmlocust/engine/tokenize"
	lua "github.com/yuin/gopher-lua"
)

// The dataset module: prompts from files or generators. Every user runs
// the scenario's top level, so every user asks for the same sets; the
// engine loads each once and all users share it. A user's state holds only
// a handle, and each row it takes is built as a fresh Lua table, which the
// script may change freely.

const setMeta = "dataset.set"

// defaultDatasetTokenizer sizes generated prompts when the script names
// no tokenizer.
const defaultDatasetTokenizer = tokenize.O200kBase

func (u *User) loadDataset(L *lua.LState) int {
	mod := L.CreateTable(0, 4)
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"jsonl":         u.datasetJSONL,
		"sharegpt":      u.datasetShareGPT,
		"synthetic":     u.datasetSynthetic,
		"shared_prefix": u.datasetSharedPrefix,
	})
	u.setMetatable(L)
	L.Push(mod)
	return 1
}

func (u *User) datasetJSONL(L *lua.LState) int {
	path := u.dataPath(L, L.CheckString(1))
	args := tableArgs{L: L, t: L.OptTable(2, L.CreateTable(0, 0)), fn: "dataset.jsonl"}
	args.only("field", "optional")
	opts := dataset.JSONLOptions{Field: args.str("field", ""), Optional: args.boolean("optional")}
	set, err := dataset.JSONL(path, opts)
	return pushSet(L, set, err)
}

func (u *User) datasetShareGPT(L *lua.LState) int {
	set, err := dataset.ShareGPT(u.dataPath(L, L.CheckString(1)))
	return pushSet(L, set, err)
}

func (u *User) datasetSynthetic(L *lua.LState) int {
	args := tableArgs{L: L, t: L.CheckTable(1), fn: "dataset.synthetic"}
	args.only("count", "input_tokens", "output_tokens", "seed", "tokenizer")
	spec := dataset.SyntheticSpec{
		Count:  args.whole("count", -1),
		Input:  args.dist("input_tokens"),
		Output: args.dist("output_tokens"),
		Seed:   uint64(args.whole("seed", 0)),
	}
	set, err := dataset.Synthetic(spec, u.datasetTokenizer(args))
	return pushSet(L, set, err)
}

func (u *User) datasetSharedPrefix(L *lua.LState) int {
	args := tableArgs{L: L, t: L.CheckTable(1), fn: "dataset.shared_prefix"}
	args.only("groups", "prefix_tokens", "suffix_tokens", "rows_per_group", "output_tokens", "seed", "tokenizer")
	spec := dataset.SharedPrefixSpec{
		Groups:       args.whole("groups", -1),
		RowsPerGroup: args.whole("rows_per_group", -1),
		PrefixTokens: args.whole("prefix_tokens", -1),
		SuffixTokens: args.whole("suffix_tokens", -1),
		Output:       args.dist("output_tokens"),
		Seed:         uint64(args.whole("seed", 0)),
	}
	set, err := dataset.SharedPrefix(spec, u.datasetTokenizer(args))
	return pushSet(L, set, err)
}

// datasetTokenizer loads the tokenizer a generator names; a tokenizer.json
// path is looked up like a data file.
func (u *User) datasetTokenizer(args tableArgs) tokenize.Tokenizer {
	def := defaultDatasetTokenizer
	if u.Tokenizer != "" && u.Tokenizer != "none" {
		def = u.Tokenizer // the run's --tokenizer
	}
	spec := args.str("tokenizer", def)
	if strings.ContainsRune(spec, '/') || strings.ContainsRune(spec, filepath.Separator) || strings.HasSuffix(spec, ".json") {
		if p, _, ok := u.findData(spec); ok {
			spec = p
		}
	}
	tok, err := tokenize.Load(spec)
	if err != nil {
		args.L.RaiseError("%s: %s", args.fn, err.Error())
	}
	return tok
}

// dataPath finds a data file, or raises an error that says where it
// looked.
func (u *User) dataPath(L *lua.LState, path string) string {
	p, tried, ok := u.findData(path)
	switch {
	case !ok && filepath.IsAbs(path):
		L.RaiseError("data file %s not found", path)
	case !ok:
		L.RaiseError("data file %s not found: looked for %s", path, strings.Join(tried, " and "))
	}
	return p
}

// findData looks for a data file: an absolute path as it is, a relative
// one beside the scenario first, then in the working directory.
func (u *User) findData(path string) (found string, tried []string, ok bool) {
	if filepath.IsAbs(path) {
		_, err := os.Stat(path)
		return path, []string{path}, err == nil
	}
	if u.Dir != "" {
		p := filepath.Join(u.Dir, path)
		if _, err := os.Stat(p); err == nil {
			return p, nil, true
		}
		tried = append(tried, p)
	}
	if _, err := os.Stat(path); err == nil {
		return path, nil, true
	}
	wd, _ := os.Getwd()
	return "", append(tried, filepath.Join(wd, path)), false
}

// pushSet pushes a handle on set, or raises err.
func pushSet(L *lua.LState, set *dataset.Set, err error) int {
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	ud := L.NewUserData()
	ud.Value = set
	L.SetMetatable(ud, L.GetTypeMetatable(setMeta))
	L.Push(ud)
	return 1
}

// setMetatable registers the methods of set handles in L.
func (u *User) setMetatable(L *lua.LState) {
	mt := L.NewTypeMetatable(setMeta)
	methods := L.CreateTable(0, 5)
	L.SetFuncs(methods, map[string]lua.LGFunction{
		"next": func(L *lua.LState) int {
			L.Push(rowToLua(L, checkSet(L).Next()))
			return 1
		},
		"random": func(L *lua.LState) int {
			L.Push(rowToLua(L, checkSet(L).Random(u.Rand)))
			return 1
		},
		"get": func(L *lua.LState) int {
			s, i := checkSet(L), L.CheckInt(2)
			if i < 1 || i > s.Len() {
				L.ArgError(2, fmt.Sprintf("row %d is out of range 1..%d", i, s.Len()))
			}
			L.Push(rowToLua(L, s.Row(i-1)))
			return 1
		},
		"len":    func(L *lua.LState) int { L.Push(lua.LNumber(checkSet(L).Len())); return 1 },
		"report": setReport,
	})
	mt.RawSetString("__index", methods)
	mt.RawSetString("__len", methods.RawGetString("len"))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("dataset " + checkSet(L).Report().String()))
		return 1
	}))
}

func checkSet(L *lua.LState) *dataset.Set {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if s, ok := ud.Value.(*dataset.Set); ok {
			return s
		}
	}
	L.RaiseError("call dataset methods with a colon, as in set:next()")
	return nil
}

// setReport returns {source=, rows=, skipped={[reason]=count}}.
func setReport(L *lua.LState) int {
	r := checkSet(L).Report()
	t := L.CreateTable(0, 3)
	t.RawSetString("source", lua.LString(r.Source))
	t.RawSetString("rows", lua.LNumber(r.Rows))
	skipped := L.CreateTable(0, len(r.Skipped))
	for reason, n := range r.Skipped {
		skipped.RawSetString(reason, lua.LNumber(n))
	}
	t.RawSetString("skipped", skipped)
	L.Push(t)
	return 1
}

// tableArgs reads the named arguments of a module function, raising
// errors that name the function and the field.
type tableArgs struct {
	L  *lua.LState
	t  *lua.LTable
	fn string
}

// only rejects fields other than known, which are usually typos.
func (a tableArgs) only(known ...string) {
	a.t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); !ok || !slices.Contains(known, string(s)) {
			a.L.RaiseError("%s: unknown field %s (known: %s)", a.fn, k.String(), strings.Join(known, ", "))
		}
	})
}

func (a tableArgs) fail(name, format string, args ...any) {
	a.L.RaiseError("%s: %s: %s", a.fn, name, fmt.Sprintf(format, args...))
}

func (a tableArgs) str(name, def string) string {
	switch v := a.t.RawGetString(name).(type) {
	case *lua.LNilType:
		return def
	case lua.LString:
		return string(v)
	default:
		a.fail(name, "must be a string, got %s", v.Type())
	}
	return ""
}

func (a tableArgs) boolean(name string) bool {
	switch v := a.t.RawGetString(name).(type) {
	case *lua.LNilType:
		return false
	case lua.LBool:
		return bool(v)
	default:
		a.fail(name, "must be true or false, got %s", v.Type())
	}
	return false
}

// whole reads a whole number of 0 or more; def < 0 makes the field
// required.
func (a tableArgs) whole(name string, def int) int {
	v := a.t.RawGetString(name)
	if v == lua.LNil {
		if def < 0 {
			a.fail(name, "is required")
		}
		return def
	}
	n, ok := v.(lua.LNumber)
	if !ok || float64(n) != math.Trunc(float64(n)) || n < 0 || n > math.MaxInt32 {
		a.fail(name, "must be a whole number of 0 or more, got %s", v.String())
	}
	return int(n)
}

// dist reads a length distribution: a number for a fixed length, or a
// table {kind=, value=, min=, max=, mean=, stddev=} whose kind may be
// left out when its fields say it (value: fixed, mean: normal, min and
// max: uniform).
func (a tableArgs) dist(name string) dataset.Dist {
	var d dataset.Dist
	switch v := a.t.RawGetString(name).(type) {
	case *lua.LNilType:
		a.fail(name, "is required: a number of tokens, or {kind = \"normal\", mean = 512, stddev = 128, min = 1, max = 2048}")
	case lua.LNumber:
		d = dataset.Dist{Kind: dataset.Fixed, Value: float64(v)}
		if d.Validate() != nil {
			a.fail(name, "must be a whole number of at least 1, got %s", v.String())
		}
	case *lua.LTable:
		d = a.distTable(name, v)
	default:
		a.fail(name, "must be a number or a table, got %s", v.Type())
	}
	if err := d.Validate(); err != nil {
		a.fail(name, "%s", err.Error())
	}
	return d
}

func (a tableArgs) distTable(name string, t *lua.LTable) dataset.Dist {
	sub := tableArgs{L: a.L, t: t, fn: a.fn + ": " + name}
	sub.only("kind", "value", "min", "max", "mean", "stddev")
	num := func(field string) float64 {
		v := t.RawGetString(field)
		if v == lua.LNil {
			return 0
		}
		n, ok := v.(lua.LNumber)
		if !ok {
			sub.fail(field, "must be a number, got %s", v.Type())
		}
		return float64(n)
	}
	d := dataset.Dist{Kind: sub.str("kind", ""), Value: num("value"), Min: num("min"), Max: num("max"), Mean: num("mean"), StdDev: num("stddev")}
	if d.Kind == "" {
		if d.Kind = inferKind(t); d.Kind == "" {
			a.fail(name, "say which distribution: kind = %q, %q or %q", dataset.Fixed, dataset.Uniform, dataset.Normal)
		}
	}
	return d
}

// inferKind names the distribution whose fields t has.
func inferKind(t *lua.LTable) string {
	has := func(f string) bool { return t.RawGetString(f) != lua.LNil }
	switch {
	case has("mean"):
		return dataset.Normal
	case has("value"):
		return dataset.Fixed
	case has("min") && has("max"):
		return dataset.Uniform
	}
	return ""
}
