package output

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Locust writes its files with Python's csv module and formats numbers with
// Python's str(); tools that parse Locust's CSVs should not be able to tell
// ours apart, so this file reproduces those two behaviours.

// pyFloat formats f as Python's repr(float): the shortest digits that read
// back as f, always with a decimal point or an exponent, and an exponent
// only below 1e-4 or from 1e16 up.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64)
	exp, err := strconv.Atoi(sci[strings.IndexByte(sci, 'e')+1:])
	if err != nil || exp < -4 || exp >= 16 {
		return sci // Go's and Python's exponent forms agree ("1e+16", "1.5e-05")
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// pyNumber formats a value that Locust holds as the int 0 until a float
// replaces it (a minimum, a maximum, an average size), so zero prints "0".
func pyNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	return pyFloat(f)
}

// percentileLabel is Locust's column title for a percentile: "50%",
// "99.9%", "100%".
func percentileLabel(p float64) string {
	pct := math.Round(p*100*1e6) / 1e6
	return strconv.FormatFloat(pct, 'f', -1, 64) + "%"
}

// writeCSVRow writes fields as one row of Python's csv.writer with its
// default dialect: comma separated, quoted only when a field holds a comma,
// a quote or a line break, quotes doubled, rows ended by "\r\n". Go's
// encoding/csv differs (it also quotes fields that start with a space and
// rewrites line breaks inside fields), so it cannot be used here.
func writeCSVRow(w io.Writer, fields ...string) error {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		if strings.ContainsAny(f, ",\"\r\n") {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(f, `"`, `""`))
			b.WriteByte('"')
		} else {
			b.WriteString(f)
		}
	}
	b.WriteString("\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// pyRepr is Python's repr() of a str. Locust keys its error table by a hash
// of it, and that key decides the row order of the failures file.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case r == utf8.RuneError:
			// Go reads an invalid byte as U+FFFD; Python would have refused
			// to decode it, so any spelling is as good as another.
			b.WriteRune(r)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}
