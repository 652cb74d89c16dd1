package api

import (
	"encoding/json"
	"unicode/utf8"
)

// This file finds the values at a few paths inside a JSON event in one
// walk with the scanner of scan.go, which checks the event's syntax on
// the way: the generic format looks up several paths in every event, and
// neither decoding whole events into maps nor a walk per path is needed.

// maxNesting is how deeply encoding/json lets values nest; the walk
// refuses deeper events as it does.
const maxNesting = 10000

// pathTree holds the paths to look up, sharing their common beginnings.
// A path is a list of parts: a part indexes an array when it is all
// digits and the value there is an array; otherwise it names an object
// key. As with encoding/json, the last of duplicate keys wins.
type pathTree struct {
	root  pathNode
	paths int
}

type pathNode struct {
	key   string
	index int   // key as an array index, or -1
	ends  []int // the paths that end here
	below []int // the paths that end here or under here
	next  []*pathNode
}

// add puts a path into the tree and returns its number, which indexes
// what find returns.
func (t *pathTree) add(path []string) int {
	id := t.paths
	t.paths++
	n := &t.root
	for _, part := range path {
		n = n.child(part)
		n.below = append(n.below, id)
	}
	n.ends = append(n.ends, id)
	return id
}

func (n *pathNode) child(part string) *pathNode {
	for _, c := range n.next {
		if c.key == part {
			return c
		}
	}
	c := &pathNode{key: part, index: -1}
	if i, ok := arrayIndex(part); ok {
		c.index = i
	}
	n.next = append(n.next, c)
	return c
}

// find walks the JSON value data, which must fill it but for white space
// around it, and sets found[id] to the raw value at each path, nil where a
// path leads nowhere. It reports false when data is not valid JSON.
func (t *pathTree) find(data []byte, found [][]byte) bool {
	clear(found)
	w := pathWalk{b: data, found: found}
	i := skipWS(data, 0)
	end, ok := w.value(i, &t.root, maxNesting)
	return ok && skipWS(data, end) == len(data)
}

type pathWalk struct {
	b     []byte
	found [][]byte
}

// value walks the value at b[i], looking for n's paths under it; room is
// how many containers may still nest.
func (w *pathWalk) value(i int, n *pathNode, room int) (int, bool) {
	if len(n.next) == 0 || i >= len(w.b) || room == 0 {
		return skipValue(w.b, i, room)
	}
	switch w.b[i] {
	case '{':
		return eachMember(w.b, i, func(key []byte, escaped bool, at int) (int, bool) {
			return w.member(at, n.keyed(key, escaped), room-1)
		})
	case '[':
		k := 0
		return eachElem(w.b, i, func(at int) (int, bool) {
			k++
			return w.member(at, n.indexed(k-1), room-1)
		})
	}
	return skipValue(w.b, i, room)
}

// member walks the value at b[at] of an object key or array element that
// is c in the tree (nil: none of the paths goes there).
func (w *pathWalk) member(at int, c *pathNode, room int) (int, bool) {
	if c == nil {
		return skipValue(w.b, at, room)
	}
	for _, id := range c.below {
		w.found[id] = nil // a later duplicate key replaces what an earlier one held
	}
	end, ok := w.value(at, c, room)
	if ok {
		for _, id := range c.ends {
			w.found[id] = w.b[at:end]
		}
	}
	return end, ok
}

func (n *pathNode) keyed(raw []byte, escaped bool) *pathNode {
	if len(n.next) == 0 {
		return nil
	}
	if escaped || !utf8.Valid(raw) {
		key := decodeKey(raw)
		for _, c := range n.next {
			if c.key == key {
				return c
			}
		}
		return nil
	}
	for _, c := range n.next {
		if c.key == string(raw) {
			return c
		}
	}
	return nil
}

func (n *pathNode) indexed(k int) *pathNode {
	for _, c := range n.next {
		if c.index == k {
			return c
		}
	}
	return nil
}

// decodeKey decodes a key that holds escapes or invalid UTF-8 as
// encoding/json does, which replaces what is invalid with U+FFFD.
func decodeKey(raw []byte) string {
	if s, ok := unescape(raw); ok && utf8.ValidString(s) {
		return s
	}
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	var s string
	_ = json.Unmarshal(quoted, &s) // raw was scanned as a valid string
	return s
}

// arrayIndex reads a path part made only of digits as an index.
func arrayIndex(seg string) (int, bool) {
	if len(seg) == 0 || len(seg) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
