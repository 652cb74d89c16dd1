package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// GenericSpec describes a stream that no built-in format covers: its
// framing and the JSON paths of what its events carry. A path is a list of
// object keys and array indexes joined by dots, such as
// "choices.0.delta.content", "usage.completion_tokens" or "message.content".
// Only Text is required.
type GenericSpec struct {
	Framing          Framing
	Text             string // output text (a string)
	Reasoning        string // reasoning text (a string)
	PromptTokens     string // prompt token count (a number)
	CompletionTokens string // output token count (a number)
	Error            string // an error the stream reports: a string, or an object with "message"
	Done             string // ends the stream when true, or a non-empty string, number, object or array
}

// The paths of a GenericSpec, numbered in the order of its fields.
const (
	textPath = iota
	reasoningPath
	promptPath
	completionPath
	errorPath
	donePath
	genericPaths
)

// genericTree is the compiled paths of a GenericSpec: one tree that an
// event is walked against once, and each path as written, for messages.
type genericTree struct {
	tree  pathTree
	ids   [genericPaths]int // tree ids, -1 for a path not given
	names [genericPaths]string
}

// Generic returns the format a GenericSpec describes, after checking its
// framing and paths. Its events may also end the stream with OpenAI's
// "[DONE]" data.
func Generic(spec GenericSpec) (Format, error) {
	if !spec.Framing.valid() {
		return Format{}, fmt.Errorf("generic format: unknown framing %d", int(spec.Framing))
	}
	if spec.Text == "" {
		return Format{}, fmt.Errorf("generic format: the text path is required")
	}
	p := &genericTree{}
	for i, f := range [genericPaths]struct{ name, path string }{
		{"text", spec.Text},
		{"reasoning", spec.Reasoning},
		{"prompt tokens", spec.PromptTokens},
		{"completion tokens", spec.CompletionTokens},
		{"error", spec.Error},
		{"done", spec.Done},
	} {
		segs, err := parsePath(f.path)
		if err != nil {
			return Format{}, fmt.Errorf("generic format: %s path %q: %w", f.name, f.path, err)
		}
		p.ids[i], p.names[i] = -1, f.path
		if segs != nil {
			p.ids[i] = p.tree.add(segs)
		}
	}
	return Format{
		Name:    "generic",
		Framing: spec.Framing,
		New: func() Decoder {
			return &genericDecoder{p: p, found: make([][]byte, p.tree.paths)}
		},
		EndMarker: "data: [DONE]",
	}, nil
}

// parsePath splits a dotted path; the empty path gives nil.
func parsePath(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	segs := strings.Split(path, ".")
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("empty part between dots")
		}
	}
	return segs, nil
}

// genericDecoder decodes events by the paths of a GenericSpec. It keeps no
// state between events; found is reused to spare allocations.
type genericDecoder struct {
	p     *genericTree
	found [][]byte
}

// Decode implements Decoder.
func (d *genericDecoder) Decode(ev Event) (Delta, error) {
	if isDoneMarker(ev.Data) {
		return Delta{Done: true}, nil
	}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		return Delta{}, nil
	}
	if !d.p.tree.find(data, d.found) {
		return Delta{}, malformed("generic", ev.Data, syntaxError(data))
	}
	if data[0] != '{' {
		return Delta{}, malformed("generic", ev.Data, errNotObject)
	}
	out, err := d.decode()
	if err != nil {
		return Delta{}, malformed("generic", ev.Data, err)
	}
	return out, nil
}

// syntaxError words why data is not JSON, as encoding/json words it.
func syntaxError(data []byte) error {
	if err := json.Unmarshal(data, &struct{}{}); err != nil {
		return err
	}
	return errors.New("not valid JSON") // the scanner and encoding/json agree (FuzzGeneric)
}

// at is the raw value found at one of the paths, nil if none.
func (d *genericDecoder) at(path int) []byte {
	if id := d.p.ids[path]; id >= 0 {
		return d.found[id]
	}
	return nil
}

func (d *genericDecoder) decode() (Delta, error) {
	var out Delta
	var err error
	if out.Text, err = stringAt(d.at(textPath), d.p.names[textPath], "text"); err != nil {
		return Delta{}, err
	}
	if out.Reasoning, err = stringAt(d.at(reasoningPath), d.p.names[reasoningPath], "reasoning"); err != nil {
		return Delta{}, err
	}
	prompt, err := countAt(d.at(promptPath), d.p.names[promptPath], "prompt tokens")
	if err != nil {
		return Delta{}, err
	}
	completion, err := countAt(d.at(completionPath), d.p.names[completionPath], "completion tokens")
	if err != nil {
		return Delta{}, err
	}
	if prompt.ok || completion.ok {
		out.Usage = &Usage{
			PromptTokens: prompt.n, HasPrompt: prompt.ok,
			CompletionTokens: completion.n, HasCompletion: completion.ok,
		}
	}
	out.Err = errorText(d.at(errorPath))
	out.Done = truthy(d.at(donePath))
	return out, nil
}

// stringAt returns the string raw found at path, "" when absent or null.
func stringAt(raw []byte, path, what string) (string, error) {
	if raw == nil || raw[0] == 'n' {
		return "", nil
	}
	if raw[0] != '"' {
		return "", fmt.Errorf("%s at %q is %s, not a string", what, path, kind(raw))
	}
	return jsonString(raw), nil
}

// countAt returns the token count raw found at path, absent when absent
// or null.
func countAt(raw []byte, path, what string) (count, error) {
	var c count
	if raw == nil {
		return c, nil
	}
	if raw[0] != 'n' && !isNumber(raw) {
		return c, fmt.Errorf("%s at %q is %s, not a number", what, path, kind(raw))
	}
	err := c.UnmarshalJSON(raw)
	return c, err
}

// jsonString decodes a valid JSON string. encoding/json replaces invalid
// UTF-8 with U+FFFD; the fast path keeps that true by only taking strings
// that are valid and unescaped as they are.
func jsonString(raw []byte) string {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	_ = json.Unmarshal(raw, &s) // raw is valid JSON, checked by the caller
	return s
}

// errorText words the value at an error path: a string, an object with
// "message" (and "type", "code"), or any other value that is set.
func errorText(raw []byte) string {
	if !truthy(raw) {
		return ""
	}
	switch raw[0] {
	case '"':
		return jsonString(raw)
	case 't':
		return "the server reported an error without a message"
	case '{':
		var e apiError
		if json.Unmarshal(raw, &e) == nil && (e.Message != "" || e.Type != "" || e.Code != "") {
			return e.String()
		}
	}
	return "the server reported an error: " + strings.ToValidUTF8(excerpt(raw), "\uFFFD")
}

// truthy reports whether a value is set: true, a non-empty string, a
// non-zero number, or a non-empty object or array.
func truthy(raw []byte) bool {
	if raw == nil {
		return false
	}
	switch raw[0] {
	case 't':
		return true
	case 'f', 'n':
		return false
	case '"':
		return len(raw) > 2
	case '{', '[':
		return len(bytes.TrimSpace(raw[1:len(raw)-1])) > 0
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return err != nil || f != 0 // a number too large for float64 is not zero
}

func isNumber(raw []byte) bool {
	c := raw[0]
	return c == '-' || (c >= '0' && c <= '9')
}

// kind names the JSON type of a raw value for error messages.
func kind(raw []byte) string {
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
