package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
)

// Row is one entry of a dataset: a read-only map from field names to JSON
// values. A value is nil, bool, float64 (a JSON number), int (a count made
// by a generator), string, []any (a JSON array) or Row (a JSON object).
// Rows are shared by every user, so nothing reached through one may be
// modified, slices included.
type Row struct {
	// keys are sorted and shared by every row of a set with the same
	// fields, so a large set pays for its field names once.
	keys []string
	vals []any
}

// Len is the number of fields.
func (r Row) Len() int { return len(r.keys) }

// Get returns the value of a field and whether the row has it.
func (r Row) Get(key string) (any, bool) {
	i, ok := slices.BinarySearch(r.keys, key)
	if !ok {
		return nil, false
	}
	return r.vals[i], true
}

// String returns a string field, or "" when the field is missing or not a
// string.
func (r Row) String(key string) string {
	v, _ := r.Get(key)
	s, _ := v.(string)
	return s
}

// Int returns a numeric field as a whole number; ok is false when the field
// is missing, not a number or has a fraction.
func (r Row) Int(key string) (n int, ok bool) {
	v, _ := r.Get(key)
	switch x := v.(type) {
	case int:
		return x, true
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	}
	return 0, false
}

// All yields the fields in name order.
func (r Row) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		for i, k := range r.keys {
			if !yield(k, r.vals[i]) {
				return
			}
		}
	}
}

// MarshalJSON writes the row as a JSON object with its fields in name
// order.
func (r Row) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range r.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(r.vals[i])
		if err != nil {
			return nil, fmt.Errorf("encoding field %q: %w", k, err)
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// builder makes the rows of one set, sharing identical key lists between
// them.
type builder struct {
	shapes map[string][]string
}

func newBuilder() *builder { return &builder{shapes: map[string][]string{}} }

// row makes a Row of the fields in m; nested JSON objects become Rows too.
func (b *builder) row(m map[string]any) Row {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	r := Row{keys: b.intern(keys), vals: make([]any, len(keys))}
	for i, k := range keys {
		r.vals[i] = b.value(m[k])
	}
	return r
}

// fields makes a Row from alternating names and values, as generators
// and the ShareGPT reader build them.
func (b *builder) fields(kv ...any) Row {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return b.row(m)
}

func (b *builder) value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return b.row(x)
	case []any:
		for i, item := range x {
			x[i] = b.value(item)
		}
		return x
	}
	return v
}

// intern returns the shared copy of a sorted key list.
func (b *builder) intern(keys []string) []string {
	id := shapeID(keys)
	if shared, ok := b.shapes[id]; ok {
		return shared
	}
	b.shapes[id] = keys
	return keys
}

// shapeID names a key list unambiguously: each key behind its length, so
// that no key's bytes can pass for a separator (["a\x00b"] and ["a", "b"],
// or [] and [""], must not share keys).
func shapeID(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(strconv.Itoa(len(k)))
		b.WriteByte(':')
		b.WriteString(k)
	}
	return b.String()
}
