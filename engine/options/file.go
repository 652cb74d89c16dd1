package options

import (
	"bytes"
	"encoding/json"
	"fmt"
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
