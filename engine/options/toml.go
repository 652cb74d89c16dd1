package options

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// locustTable is the key of the table in pyproject.toml that holds the
// options.
var locustTable = []string{"tool", "locust"}

// parseTOML reads the [tool.locust] table of a pyproject.toml. The whole
// file must be valid TOML, as Locust's tomllib requires, and outside the
// table it may hold anything TOML allows. Inside it, strings, numbers,
// booleans and arrays of them become the text each option is parsed from,
// as in Locust; an inline table, a nested array or a date there is an
// error.
func parseTOML(name, text string) ([]fileEntry, error) {
	data := []byte(text)
	// Decoding checks what the parser alone does not: keys defined twice,
	// tables redefined.
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, tomlError(name, err)
	}
	w := &tomlWalker{name: name}
	w.p.Reset(data)
	return w.entries()
}

// tomlError places a decoding error at its line of the file.
func tomlError(name string, err error) error {
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		// Not placed in the file: say so rather than name a wrong line.
		return &Error{Where: name, Msg: "invalid TOML: " + strings.TrimPrefix(err.Error(), "toml: ")}
	}
	row, _ := de.Position()
	return &Error{Where: fmt.Sprintf("%s:%d", name, row), Msg: "invalid TOML: " + strings.TrimPrefix(de.Error(), "toml: ")}
}

// tomlWalker goes through the top-level expressions of a document in file
// order, keeping the key/value pairs that belong to [tool.locust] with the
// line of each key.
type tomlWalker struct {
	name string
	p    unstable.Parser
	// table is the key of the last table header; inArray is set when
	// that header was an array of tables, whose keys are never ours.
	table   []string
	inArray bool
}

func (w *tomlWalker) entries() ([]fileEntry, error) {
	var out []fileEntry
	for w.p.NextExpression() {
		expr := w.p.Expression()
		switch expr.Kind {
		case unstable.Table, unstable.ArrayTable:
			w.table, w.inArray = keyParts(expr.Key()), expr.Kind == unstable.ArrayTable
		case unstable.KeyValue:
			e, ok, err := w.entry(expr)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, e)
			}
		}
	}
	if err := w.p.Error(); err != nil {
		return nil, w.parserError(err)
	}
	return out, nil
}

// entry turns a key/value pair into an entry when it belongs to the table.
func (w *tomlWalker) entry(kv *unstable.Node) (fileEntry, bool, error) {
	key, ok := w.locustKey(kv)
	if !ok {
		return fileEntry{}, false, nil
	}
	e := fileEntry{key: key, line: w.keyLine(kv)}
	raw, list, err := w.value(kv.Value(), e.line)
	if err != nil {
		return fileEntry{}, false, err
	}
	e.raw, e.list = raw, list
	return e, true, nil
}

// locustKey is the option key of a pair written in [tool.locust] itself,
// or with a dotted key from a table above it ("tool.locust.users = 5" at
// the top). Pairs of the table's own sub-tables are left out; a dotted key
// inside the table keeps its dots ("a.b"), which no option has.
func (w *tomlWalker) locustKey(kv *unstable.Node) (string, bool) {
	if w.inArray || len(w.table) > len(locustTable) || !slices.Equal(w.table, locustTable[:len(w.table)]) {
		return "", false
	}
	full := append(slices.Clone(w.table), keyParts(kv.Key())...)
	if len(full) <= len(locustTable) || !slices.Equal(full[:len(locustTable)], locustTable) {
		return "", false
	}
	return strings.Join(full[len(locustTable):], "."), true
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// keyLine is the line where the pair's key starts.
func (w *tomlWalker) keyLine(kv *unstable.Node) int {
	it := kv.Key()
	it.Next()
	return w.p.Shape(it.Node().Raw).Start.Line
}

// value reads a scalar as text, or an array of scalars as list items.
func (w *tomlWalker) value(v *unstable.Node, line int) ([]string, bool, error) {
	if v.Kind != unstable.Array {
		s, err := w.scalar(v, line)
		return []string{s}, false, err
	}
	items := []string{}
	for it := v.Children(); it.Next(); {
		item := it.Node()
		if item.Kind == unstable.Comment {
			continue
		}
		s, err := w.scalar(item, line)
		if err != nil {
			return nil, false, err
		}
		items = append(items, s)
	}
	return items, true, nil
}

// scalar converts one value to the text an option is parsed from: strings
// as they are, booleans as true or false, numbers in Go's syntax.
func (w *tomlWalker) scalar(n *unstable.Node, line int) (string, error) {
	switch n.Kind {
	case unstable.String, unstable.Bool:
		return string(n.Data), nil
	case unstable.Integer:
		if s, ok := tomlInteger(string(n.Data)); ok {
			return s, nil
		}
	case unstable.Float:
		return tomlFloat(string(n.Data)), nil
	case unstable.Array:
		return "", w.fail(line, "nested arrays are not supported")
	case unstable.InlineTable:
		return "", w.fail(line, "inline tables are not supported")
	}
	if n.Raw.Length > 0 {
		line = w.p.Shape(n.Raw).Start.Line
	}
	return "", w.fail(line, "unsupported value %q (expected a string, number, boolean or array)", n.Data)
}

func (w *tomlWalker) fail(line int, format string, args ...any) error {
	return &Error{Where: fmt.Sprintf("%s:%d", w.name, line), Msg: fmt.Sprintf(format, args...)}
}

// parserError places a syntax error. The decoder has read the document
// already, so this only serves should the two ever disagree.
func (w *tomlWalker) parserError(err error) error {
	line := 1
	var pe *unstable.ParserError
	if errors.As(err, &pe) && len(pe.Highlight) > 0 {
		line = w.p.Shape(w.p.Range(pe.Highlight)).Start.Line
	}
	return w.fail(line, "invalid TOML: %v", err)
}

// tomlInteger writes a TOML integer (1_000, 0x1F, 0o17, 0b11, +5) in
// decimal. The decoder has accepted it, so it fits in an int64.
func tomlInteger(word string) (string, bool) {
	n, err := strconv.ParseInt(strings.ReplaceAll(word, "_", ""), 0, 64)
	return strconv.FormatInt(n, 10), err == nil
}

// tomlFloat writes a TOML float (1_000.5, 1e3, inf, -nan) the way Go
// formats it.
func tomlFloat(word string) string {
	plain := strings.ReplaceAll(word, "_", "")
	if strings.TrimLeft(plain, "+-") == "nan" {
		return strconv.FormatFloat(math.NaN(), 'g', -1, 64)
	}
	f, err := strconv.ParseFloat(plain, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return word
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
