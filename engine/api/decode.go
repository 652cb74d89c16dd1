package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// excerptLen is how much of a malformed event an error quotes: enough to
// recognise it, little enough to keep error groups readable.
const excerptLen = 80

// maxReasonLen caps the part of a malformed-event error that comes from
// the JSON decoder, whose messages may quote long literals.
const maxReasonLen = 160

// malformed reports a malformed event of the named format, quoting the
// start of its data.
func malformed(format string, data []byte, err error) error {
	return &malformedError{format: format, excerpt: excerpt(data), err: err}
}

// malformedError is a malformed event; its message stays short whatever
// the event held, since failures are grouped by their text.
type malformedError struct {
	format  string
	excerpt string
	err     error
}

func (e *malformedError) Error() string {
	reason := e.err.Error()
	if len(reason) > maxReasonLen {
		n := maxReasonLen
		for n > 0 && !utf8.RuneStart(reason[n]) {
			n--
		}
		reason = reason[:n] + "…"
	}
	return "malformed " + e.format + " event " + e.excerpt + ": " + strings.ToValidUTF8(reason, "\uFFFD")
}

func (e *malformedError) Unwrap() error { return e.err }

// errNotObject is the shape error for event data that is JSON but not an
// object.
var errNotObject = errors.New("not a JSON object")

// excerpt quotes at most excerptLen bytes of data, cut on a character
// boundary.
func excerpt(data []byte) string {
	if len(data) <= excerptLen {
		return strconv.Quote(string(data))
	}
	n := excerptLen
	for n > 0 && !utf8.RuneStart(data[n]) {
		n--
	}
	return strconv.Quote(string(data[:n])) + "…"
}

// isDoneMarker reports whether data is the "[DONE]" sentinel of OpenAI-style
// streams.
func isDoneMarker(data []byte) bool {
	return string(bytes.TrimSpace(data)) == "[DONE]"
}

// isBlank reports whether data holds nothing but white space. A browser's
// EventSource drops such events, so they carry nothing here either.
func isBlank(data []byte) bool {
	return len(bytes.TrimSpace(data)) == 0
}

// unmarshalObject decodes data, which must be a JSON object, into v.
func unmarshalObject(data []byte, v any) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if !json.Valid(data) {
			// Let encoding/json word the syntax error.
			return json.Unmarshal(data, v)
		}
		return errNotObject
	}
	return json.Unmarshal(data, v)
}

// count is a token count that remembers whether it was present; JSON null
// counts as absent.
type count struct {
	n  int
	ok bool
}

// UnmarshalJSON accepts a whole number; servers that write 12.0 are
// tolerated.
func (c *count) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*c = count{}
		return nil
	}
	n, err := wholeNumber(b)
	if err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("token count %d is negative", n)
	}
	*c = count{n: n, ok: true}
	return nil
}

// wholeNumber parses a JSON number that must be a whole number that fits
// an int exactly.
func wholeNumber(b []byte) (int, error) {
	if n, ok := smallInt(b); ok {
		return n, nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("token count %s is not a whole number", excerpt(b))
	}
	return int(f), nil
}

// smallInt parses the plain digits that token counts nearly always are,
// without the allocation of converting to a string.
func smallInt(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// apiError is an error object as servers write it: OpenAI and vLLM
// {"message","type","code"}, Anthropic {"type","message"}, or a bare string
// (Ollama, TGI).
type apiError struct {
	Message string
	Type    string
	Code    string
}

// UnmarshalJSON accepts a string or an object.
func (e *apiError) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &e.Message)
	}
	var obj struct {
		Message string          `json:"message"`
		Type    string          `json:"type"`
		Code    json.RawMessage `json:"code"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	e.Message, e.Type, e.Code = obj.Message, obj.Type, rawScalar(obj.Code)
	return nil
}

// rawScalar renders a JSON code value (a number or a string) as text.
func rawScalar(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.ToValidUTF8(string(raw), "\uFFFD")
}

// String words the error for people: "type: message (code N)".
func (e *apiError) String() string {
	var b strings.Builder
	b.WriteString(e.Type)
	if e.Message != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Message)
	}
	if e.Code != "" && e.Code != e.Type {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("(code " + e.Code + ")")
	}
	if b.Len() == 0 {
		return "the server reported an error without a message"
	}
	return b.String()
}
