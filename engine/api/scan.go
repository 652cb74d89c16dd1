package api

import (
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON scanner for the hot path: it walks an event in place,
// without building a value tree, and reports !ok for anything it is not
// sure of, so that callers fall back to encoding/json for that event and
// get its exact answer (or its error message).

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString reads the string at b[i] (a quote); raw is its content and
// escaped says whether it holds backslashes.
func scanString(b []byte, i int) (raw []byte, escaped bool, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, false, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], escaped, j + 1, true
		case c == '\\':
			// Escapes are checked here too, for strings that are only
			// skipped: a bad one makes the whole event malformed.
			escaped = true
			j++
			if j >= len(b) {
				return nil, false, j, false
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, ok := hex4(b, j+1); !ok {
					return nil, false, j, false
				}
				j += 4
			default:
				return nil, false, j, false
			}
		case c < 0x20:
			return nil, false, j, false
		}
	}
	return nil, false, len(b), false
}

// stringValue reads a string or null at b[i].
func stringValue(b []byte, i int) (s string, next int, ok bool) {
	if lit, n, isNull := null(b, i); isNull {
		return "", n, lit
	}
	raw, escaped, next, ok := scanString(b, i)
	if !ok {
		return "", next, false
	}
	if !escaped {
		return string(raw), next, true
	}
	s, ok = unescape(raw)
	return s, next, ok
}

// null reports whether b[i] starts the literal null.
func null(b []byte, i int) (ok bool, next int, isNull bool) {
	if len(b)-i >= 4 && string(b[i:i+4]) == "null" {
		return true, i + 4, true
	}
	return false, i, false
}

// unescape decodes the escapes of a JSON string; lone surrogates, which
// encoding/json replaces, are left to it (!ok).
func unescape(raw []byte) (string, bool) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(raw) {
			return "", false
		}
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, ok := unicodeEscape(raw, i)
			if !ok {
				return "", false
			}
			out = utf8.AppendRune(out, r)
			i = n
		default:
			return "", false
		}
	}
	return string(out), true
}

// unicodeEscape reads \uXXXX (and a following low surrogate) with raw[i]
// the 'u'; it returns the rune and the index of its last byte.
func unicodeEscape(raw []byte, i int) (rune, int, bool) {
	r, ok := hex4(raw, i+1)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, i + 4, true
	}
	if i+10 < len(raw) && raw[i+5] == '\\' && raw[i+6] == 'u' {
		if r2, ok := hex4(raw, i+7); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, i + 10, true
			}
		}
	}
	return 0, 0, false
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// scanNumber reads a number with JSON's grammar at b[i].
func scanNumber(b []byte, i int) (num []byte, next int, ok bool) {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	default:
		return nil, j, false
	}
	if j < len(b) && b[j] == '.' {
		j++
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			return nil, j, false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			return nil, j, false
		}
	}
	return b[i:j], j, true
}

// fastRoom is how deep the fast path follows nested values before it
// leaves an event to encoding/json.
const fastRoom = 64

// skipValue steps over any JSON value at b[i], with room for that many
// containers nested in each other (the value itself counting as one).
func skipValue(b []byte, i int, room int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		_, _, next, ok := scanString(b, i)
		return next, ok
	case c == '{' && room > 0:
		return eachMember(b, i, func(_ []byte, _ bool, at int) (int, bool) { return skipValue(b, at, room-1) })
	case c == '[' && room > 0:
		return eachElem(b, i, func(at int) (int, bool) { return skipValue(b, at, room-1) })
	case c == '{' || c == '[':
		return i, false
	case c == 't' && len(b)-i >= 4 && string(b[i:i+4]) == "true":
		return i + 4, true
	case c == 'f' && len(b)-i >= 5 && string(b[i:i+5]) == "false":
		return i + 5, true
	case c == 'n' && len(b)-i >= 4 && string(b[i:i+4]) == "null":
		return i + 4, true
	}
	_, next, ok := scanNumber(b, i)
	return next, ok
}

// eachKey walks the object at b[i], calling fn with each key (unescaped
// keys are refused: !ok) and where its value starts; fn returns where the
// value ends. It is eachMember for the fast path, which compares keys as
// they are written; it keeps a loop of its own so that its calls stay
// direct.
func eachKey(b []byte, i int, fn func(key []byte, at int) (int, bool)) (int, bool) {
	if i >= len(b) || b[i] != '{' {
		return i, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		key, escaped, next, ok := scanString(b, i)
		if !ok || escaped {
			return next, false
		}
		i = skipWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return i, false
		}
		if i, ok = fn(key, skipWS(b, i+1)); !ok {
			return i, false
		}
		var done bool
		if i, done, ok = afterItem(b, i, '}'); done || !ok {
			return i, ok
		}
	}
}

// eachMember walks the object at b[i], calling fn with each key as
// written (escaped says whether it holds escapes) and where its value
// starts; fn returns where the value ends.
func eachMember(b []byte, i int, fn func(key []byte, escaped bool, at int) (int, bool)) (int, bool) {
	if i >= len(b) || b[i] != '{' {
		return i, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		key, escaped, next, ok := scanString(b, i)
		if !ok {
			return next, false
		}
		i = skipWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return i, false
		}
		if i, ok = fn(key, escaped, skipWS(b, i+1)); !ok {
			return i, false
		}
		var done bool
		if i, done, ok = afterItem(b, i, '}'); done || !ok {
			return i, ok
		}
	}
}

// eachElem walks the array at b[i], calling fn where each element starts.
func eachElem(b []byte, i int, fn func(at int) (int, bool)) (int, bool) {
	if i >= len(b) || b[i] != '[' {
		return i, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = fn(i); !ok {
			return i, false
		}
		var done bool
		if i, done, ok = afterItem(b, i, ']'); done || !ok {
			return i, ok
		}
	}
}

// afterItem steps over what follows an object member or array element:
// a comma (then the next item starts) or the closing bracket (done).
func afterItem(b []byte, i int, closer byte) (next int, done, ok bool) {
	i = skipWS(b, i)
	switch {
	case i < len(b) && b[i] == ',':
		return skipWS(b, i+1), false, true
	case i < len(b) && b[i] == closer:
		return i + 1, true, true
	}
	return i, false, false
}
