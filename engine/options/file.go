package options

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// fileEntry is one key = value line of a config file, before the key is
// matched to an option.
type fileEntry struct {
	key  string
	raw  []string
	list bool // written as a list: [a, b] or a TOML array
	line int
}

// parseConfigFile reads a config file in the syntax its name implies:
// TOML's [tool.locust] table for *.toml, ConfigArgParse's ini-like lines
// for anything else.
func parseConfigFile(name string, data []byte) ([]fileEntry, error) {
	text := string(bytes.TrimPrefix(data, []byte("\ufeff")))
	if strings.HasSuffix(name, ".toml") {
		return parseTOML(name, text)
	}
	return parseINI(name, text)
}

// parseINI follows ConfigArgParse's default syntax: "key = value",
// "key: value", "key value" or a bare "key" (true); # and ; start comments,
// [section] and --- lines are skipped, and [a, b] is a list.
func parseINI(name, text string) ([]fileEntry, error) {
	var entries []fileEntry
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.ContainsAny(line[:1], "#;[") || strings.HasPrefix(line, "---") {
			continue
		}
		key, value, ok := splitINILine(line)
		if !ok {
			return nil, &Error{Where: fmt.Sprintf("%s:%d", name, i+1), Msg: "expected 'key = value'"}
		}
		items, isList := bracketItems(value)
		entries = append(entries, fileEntry{key: key, raw: items, list: isList, line: i + 1})
	}
	return entries, nil
}

// splitINILine cuts a trimmed line into key and value.
func splitINILine(line string) (key, value string, ok bool) {
	end := strings.IndexAny(line, ":= \t;#")
	switch {
	case end == 0:
		return "", "", false
	case end < 0:
		return line, "true", true
	case line[end] == ';' || line[end] == '#':
		return "", "", false
	}
	key = line[:end]
	rest := strings.TrimLeft(line[end:], " \t")
	explicit := rest != "" && (rest[0] == '=' || rest[0] == ':')
	if explicit {
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	value = stripINIComment(rest)
	if value == "" && !explicit {
		// A key alone switches a flag on.
		value = "true"
	}
	return key, value, true
}

// stripINIComment removes a trailing comment (# or ; after white space)
// and one pair of matching quotes around the value.
func stripINIComment(rest string) string {
	if rest == "" || rest[0] == '#' || rest[0] == ';' {
		return ""
	}
	if q := rest[0]; q == '"' || q == '\'' {
		for j := len(rest) - 1; j > 0; j-- {
			if rest[j] == q && isCommentTail(rest[j+1:]) {
				return rest[1:j]
			}
		}
	}
	for k := 1; k < len(rest); k++ {
		if (rest[k] == '#' || rest[k] == ';') && (rest[k-1] == ' ' || rest[k-1] == '\t') {
			return strings.TrimRight(rest[:k], " \t")
		}
	}
	return rest
}

// isCommentTail reports whether s is empty, blank, or blank then a comment.
func isCommentTail(s string) bool {
	t := strings.TrimLeft(s, " \t")
	return t == "" || len(t) < len(s) && (t[0] == '#' || t[0] == ';')
}

// bracketItems reads "[a, b]" (JSON or a bare comma list) as list items;
// anything else is a single raw value.
func bracketItems(value string) ([]string, bool) {
	if len(value) < 2 || value[0] != '[' || value[len(value)-1] != ']' {
		return []string{value}, false
	}
	dec := json.NewDecoder(strings.NewReader(value))
	dec.UseNumber()
	var items []any
	if err := dec.Decode(&items); err == nil && !dec.More() {
		raw := make([]string, 0, len(items))
		for _, item := range items {
			raw = append(raw, fmt.Sprint(item))
		}
		return raw, true
	}
	return strings.Split(value[1:len(value)-1], ","), true
}

// parseTOML reads the [tool.locust] table of a pyproject.toml. Other tables
// are skipped line by line without being parsed, so any TOML they hold is
// fine; inside the table, strings, numbers, booleans and arrays of them are
// understood.
func parseTOML(name, text string) ([]fileEntry, error) {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if header, ok := tomlHeader(line); ok && header == "tool.locust" {
			s := &tomlScanner{name: name, src: strings.Join(lines[i+1:], "\n"), line: i + 2}
			return s.table()
		}
	}
	return nil, nil
}

// tomlHeader recognises a "[table]" line and returns its dotted name.
func tomlHeader(line string) (string, bool) {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "[[") {
		return "", true
	}
	if !strings.HasPrefix(line, "[") {
		return "", false
	}
	s := &tomlScanner{src: line[1:]}
	var parts []string
	for {
		s.skipBlank()
		part, err := s.key()
		if err != nil {
			return "", false
		}
		parts = append(parts, part)
		s.skipBlank()
		if s.peek() != '.' {
			break
		}
		s.pos++
	}
	if s.peek() != ']' {
		return "", false
	}
	s.pos++
	if err := s.endOfLine(); err != nil {
		return "", false
	}
	return strings.Join(parts, "."), true
}

// tomlScanner walks the statements of one TOML table.
type tomlScanner struct {
	name string
	src  string
	pos  int
	line int
}

func (s *tomlScanner) fail(format string, args ...any) error {
	return &Error{Where: fmt.Sprintf("%s:%d", s.name, s.line), Msg: fmt.Sprintf(format, args...)}
}

func (s *tomlScanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

// skipBlank passes spaces and tabs on the current line.
func (s *tomlScanner) skipBlank() {
	for s.peek() == ' ' || s.peek() == '\t' || s.peek() == '\r' {
		s.pos++
	}
}

// skipSpace passes white space, newlines and comments.
func (s *tomlScanner) skipSpace() {
	for s.pos < len(s.src) {
		switch c := s.peek(); {
		case c == '\n':
			s.line++
			s.pos++
		case c == ' ' || c == '\t' || c == '\r':
			s.pos++
		case c == '#':
			for s.pos < len(s.src) && s.peek() != '\n' {
				s.pos++
			}
		default:
			return
		}
	}
}

// endOfLine accepts blanks and a comment up to the newline.
func (s *tomlScanner) endOfLine() error {
	s.skipBlank()
	if s.peek() == '#' {
		for s.pos < len(s.src) && s.peek() != '\n' {
			s.pos++
		}
	}
	if s.pos < len(s.src) && s.peek() != '\n' {
		return s.fail("unexpected text after the value")
	}
	return nil
}

// table reads key = value statements until the next table header.
func (s *tomlScanner) table() ([]fileEntry, error) {
	var entries []fileEntry
	for {
		s.skipSpace()
		if s.pos >= len(s.src) || s.peek() == '[' {
			return entries, nil
		}
		line := s.line
		key, err := s.dottedKey()
		if err != nil {
			return nil, err
		}
		s.skipBlank()
		if s.peek() != '=' {
			return nil, s.fail("expected '=' after key %q", key)
		}
		s.pos++
		s.skipBlank()
		e := fileEntry{key: key, line: line}
		if e.raw, e.list, err = s.value(); err != nil {
			return nil, err
		}
		if err := s.endOfLine(); err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
}

func (s *tomlScanner) dottedKey() (string, error) {
	var parts []string
	for {
		part, err := s.key()
		if err != nil {
			return "", err
		}
		parts = append(parts, part)
		s.skipBlank()
		if s.peek() != '.' {
			return strings.Join(parts, "."), nil
		}
		s.pos++
		s.skipBlank()
	}
}

// key reads a bare or quoted key.
func (s *tomlScanner) key() (string, error) {
	switch s.peek() {
	case '"', '\'':
		return s.str()
	}
	start := s.pos
	for c := s.peek(); c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'; c = s.peek() {
		s.pos++
	}
	if s.pos == start {
		return "", s.fail("expected a key")
	}
	return s.src[start:s.pos], nil
}

// value reads one value: a scalar as text, or an array of scalars.
func (s *tomlScanner) value() ([]string, bool, error) {
	if s.peek() != '[' {
		v, err := s.scalar()
		return []string{v}, false, err
	}
	s.pos++
	items := []string{}
	for {
		s.skipSpace()
		if s.peek() == ']' {
			s.pos++
			return items, true, nil
		}
		if s.peek() == '[' {
			return nil, false, s.fail("nested arrays are not supported")
		}
		v, err := s.scalar()
		if err != nil {
			return nil, false, err
		}
		items = append(items, v)
		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
		default:
			return nil, false, s.fail("expected ',' or ']' in array")
		}
	}
}

// scalar reads a string, boolean or number and returns it as text.
func (s *tomlScanner) scalar() (string, error) {
	switch s.peek() {
	case '"', '\'':
		return s.str()
	case '{':
		return "", s.fail("inline tables are not supported")
	}
	start := s.pos
	for c := s.peek(); s.pos < len(s.src) && !strings.ContainsRune(" \t\r\n,]#", rune(c)); c = s.peek() {
		s.pos++
	}
	word := s.src[start:s.pos]
	switch word {
	case "true", "false":
		return word, nil
	case "":
		return "", s.fail("expected a value")
	}
	return s.number(word)
}

// number normalises a TOML integer or float to the text Go parses.
func (s *tomlScanner) number(word string) (string, error) {
	plain := strings.ReplaceAll(word, "_", "")
	if len(plain) > 2 && plain[0] == '0' && strings.ContainsRune("xob", rune(plain[1])) {
		if n, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return strconv.FormatInt(n, 10), nil
		}
	} else if n, err := strconv.ParseInt(plain, 10, 64); err == nil {
		return strconv.FormatInt(n, 10), nil
	} else if f, err := strconv.ParseFloat(plain, 64); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	}
	return "", s.fail("unsupported value %q (expected a string, number, boolean or array)", word)
}

// str reads a basic ("...") or literal ('...') one-line string.
func (s *tomlScanner) str() (string, error) {
	q := s.peek()
	if strings.HasPrefix(s.src[s.pos:], strings.Repeat(string(q), 3)) {
		return "", s.fail("multi-line strings are not supported")
	}
	s.pos++
	var b strings.Builder
	for {
		if s.pos >= len(s.src) || s.peek() == '\n' {
			return "", s.fail("unterminated string")
		}
		c := s.peek()
		s.pos++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\\' && q == '"':
			if err := s.escape(&b); err != nil {
				return "", err
			}
		default:
			b.WriteByte(c)
		}
	}
}

// escape decodes one backslash escape of a basic string.
func (s *tomlScanner) escape(b *strings.Builder) error {
	simple := map[byte]string{'b': "\b", 't': "\t", 'n': "\n", 'f': "\f", 'r': "\r", '"': "\"", '\\': "\\", 'e': "\x1b"}
	c := s.peek()
	s.pos++
	if r, ok := simple[c]; ok {
		b.WriteString(r)
		return nil
	}
	size := map[byte]int{'u': 4, 'U': 8}[c]
	if size == 0 || s.pos+size > len(s.src) {
		return s.fail("invalid escape in string")
	}
	code, err := strconv.ParseUint(s.src[s.pos:s.pos+size], 16, 32)
	if err != nil {
		return s.fail("invalid escape in string")
	}
	s.pos += size
	b.WriteRune(rune(code))
	return nil
}
