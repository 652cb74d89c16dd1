package wire

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// This file finds values inside JSON that is already known to be valid,
// without decoding the parts it passes over: the generic format looks up
// a few paths in every event, and decoding whole events into maps would
// cost far more than the lookups.

// lookup returns the raw JSON value at path inside the valid JSON value v,
// or nil when the path leads nowhere. A path part indexes an array when it
// is all digits and the value there is an array; otherwise it names an
// object key. As with encoding/json, the last of duplicate keys wins.
func lookup(v []byte, path []string) []byte {
	if len(path) == 0 {
		return nil
	}
	v = bytes.TrimSpace(v)
	for _, seg := range path {
		switch v[0] {
		case '{':
			v = objectField(v, seg)
		case '[':
			v = arrayElement(v, seg)
		default:
			return nil
		}
		if v == nil {
			return nil
		}
	}
	return v
}

func objectField(obj []byte, key string) []byte {
	var found []byte
	i := skipSpace(obj, 1)
	for obj[i] != '}' {
		keyEnd := stringEnd(obj, i)
		rawKey := obj[i:keyEnd]
		i = skipSpace(obj, keyEnd) + 1 // past ':'
		i = skipSpace(obj, i)
		end := valueEnd(obj, i)
		if keyIs(rawKey, key) {
			found = obj[i:end]
		}
		i = skipSpace(obj, end)
		if obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return found
}

func arrayElement(arr []byte, seg string) []byte {
	want, ok := arrayIndex(seg)
	if !ok {
		return nil
	}
	i := skipSpace(arr, 1)
	for n := 0; arr[i] != ']'; n++ {
		end := valueEnd(arr, i)
		if n == want {
			return arr[i:end]
		}
		i = skipSpace(arr, end)
		if arr[i] == ',' {
			i = skipSpace(arr, i+1)
		}
	}
	return nil
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

// keyIs compares a raw JSON key, quotes included, with key as
// encoding/json would decode it.
func keyIs(raw []byte, key string) bool {
	inner := raw[1 : len(raw)-1]
	plain := true // ASCII without escapes reads as it is written
	for _, c := range inner {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(inner) == key
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && s == key
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; ; {
		q := j + bytes.IndexByte(b[j:], '"')
		// The quote ends the string unless an odd run of backslashes
		// escapes it.
		n := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

// valueEnd returns the index just past the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; ; j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
		j++
	}
	return j
}
