package script

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// The parser says only where it gave up ("syntax error near 'print'", or
// nothing but "at EOF"). Most syntax errors in a scenario are something
// left open, found many lines later, so on an error the source is scanned
// again and a small matcher of brackets and block keywords names the
// construct left open, in Lua 5.1's own words:
//
//	scen.lua:4: '}' expected (to close '{' at line 3) near 'print'

// syntaxError rewords an error of parse.Parse or lua.Compile as file:line:
// message.
func syntaxError(file string, src []byte, err error) *Error {
	var ce *lua.CompileError
	if errors.As(err, &ce) {
		return errorf(file, ce.Line, "%s", ce.Message)
	}
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return errorf(file, 0, "%s", strings.TrimSpace(err.Error()))
	}
	m := &matcher{file: file, src: src, stack: []opener{{}}}
	return m.explain(pe)
}

// opener is a construct waiting for its closer; the bottom of the stack is
// the chunk itself, with an empty word.
type opener struct {
	word   string // "{", "(", "[", "function", "if", "while", "for", "do", "repeat"
	line   int
	loopDo bool   // a while or for whose own "do" is still to come
	await  string // "then" or "do" once only that may follow the condition
	last   bool   // a return or break was seen, so the block must end
}

var closers = map[string]string{
	"{": "}", "(": ")", "[": "]", "repeat": "until",
	"function": "end", "if": "end", "while": "end", "for": "end", "do": "end",
}

type matcher struct {
	file  string
	src   []byte
	stack []opener
	prev  scanned
}

// scanned is a token as the matcher keeps it.
type scanned struct {
	typ        int
	str        string
	line, col  int // where it starts
	eline, ecl int // where it ends: the position the parser reports
}

// explain scans up to the token the parser stopped at and words the error.
func (m *matcher) explain(pe *parse.Error) *Error {
	sc := parse.NewScanner(bytes.NewReader(m.src), m.file)
	lx := &parse.Lexer{}
	for {
		tok, err := sc.Scan(lx)
		t := scanned{typ: tok.Type, str: tok.Str, line: tok.Pos.Line, col: tok.Pos.Column, eline: sc.Pos.Line, ecl: sc.Pos.Column}
		if err != nil {
			return m.lexError(t, err)
		}
		atEOF := pe.Pos.Line == parse.EOF
		if t.typ == parse.EOF && !atEOF {
			// The scan missed where the parser stopped; say what it said.
			return errorf(m.file, pe.Pos.Line, "%s near '%s'", strings.TrimSpace(pe.Message), pe.Token)
		}
		if t.typ == parse.EOF || t.eline == pe.Pos.Line && t.ecl == pe.Pos.Column {
			return m.blame(t, pe)
		}
		m.step(t)
		lx.PrevTokenType = t.typ
		m.prev = t
	}
}

// step keeps the stack of open constructs up to date with one token.
func (m *matcher) step(t scanned) {
	top := &m.stack[len(m.stack)-1]
	switch w := m.word(t); w {
	case "{", "(", "[", "function", "repeat":
		m.push(opener{word: w, line: t.line})
	case "if":
		m.push(opener{word: w, line: t.line, await: "then"})
	case "while":
		m.push(opener{word: w, line: t.line, loopDo: true, await: "do"})
	case "for":
		m.push(opener{word: w, line: t.line, loopDo: true})
	case "=", "in":
		if top.word == "for" && top.loopDo {
			top.await = "do"
		}
	case "then":
		top.await = ""
	case "do":
		if top.loopDo {
			top.loopDo, top.await = false, ""
		} else {
			m.push(opener{word: w, line: t.line})
		}
	case "}", ")", "]", "end", "until":
		if closers[top.word] == w && len(m.stack) > 1 {
			m.stack = m.stack[:len(m.stack)-1]
		}
	case "else":
		top.last = false
	case "elseif":
		top.last, top.await = false, "then"
	case "return", "break":
		top.last = true
	}
}

func (m *matcher) push(o opener) { m.stack = append(m.stack, o) }

// word is the text that matters to the matcher: a keyword, a bracket.
func (m *matcher) word(t scanned) string {
	switch t.typ {
	case parse.TString, parse.TNumber, parse.TIdent:
		return ""
	}
	return t.str
}

// blame words the error at token t, where the parser gave up.
func (m *matcher) blame(t scanned, pe *parse.Error) *Error {
	top := m.stack[len(m.stack)-1]
	line, near := t.line, "'"+m.text(t)+"'"
	if t.typ == parse.EOF {
		line, near = m.lastLine(), "'<eof>'"
	}
	w := m.word(t)
	switch {
	case top.word == "" && w == "end":
		return errorf(m.file, line, "'<eof>' expected near %s", near)
	case top.await != "" && t.typ != parse.EOF && m.prevEnds():
		// "if x print(x)": the condition is complete, its keyword missing.
		return errorf(m.file, line, "'%s' expected near %s", top.await, near)
	case !m.leftOpen(top, t, w):
		msg := strings.TrimSpace(pe.Message) + " near " + near
		if t.typ != parse.EOF {
			msg += fmt.Sprintf(" (column %d)", t.col)
		}
		return errorf(m.file, line, "%s", msg)
	case top.line == t.line:
		return errorf(m.file, line, "'%s' expected near %s", closers[top.word], near)
	}
	return errorf(m.file, line, "'%s' expected (to close '%s' at line %d) near %s", closers[top.word], top.word, top.line, near)
}

// leftOpen reports whether the parser stopped at t because top was never
// closed, rather than for a mistake of its own.
func (m *matcher) leftOpen(top opener, t scanned, w string) bool {
	switch {
	case top.word == "" || closers[top.word] == w:
		// Nothing is open, or its closer came: the mistake is elsewhere.
		return false
	case t.typ == parse.EOF || isCloser(w):
		return true
	case w == "else" || w == "elseif":
		return top.word != "if"
	case !m.prevEnds():
		// An expression was left unfinished, e.g. "x = + 1".
		return false
	}
	// After a complete expression only a separator or the closer may come
	// inside brackets; after return or break, only the end of the block.
	return isBracket(top.word) || top.last
}

func isCloser(w string) bool {
	switch w {
	case "}", ")", "]", "end", "until":
		return true
	}
	return false
}

func isBracket(w string) bool { return w == "{" || w == "(" || w == "[" }

// prevEnds reports whether the token before the error can end an
// expression or a statement, so that what had to come next was a
// separator or the closer.
func (m *matcher) prevEnds() bool {
	switch p := m.prev; p.typ {
	case parse.TIdent, parse.TNumber, parse.TString, parse.TNil, parse.TTrue, parse.TFalse,
		parse.T3Comma, parse.TEnd, parse.TBreak, parse.TReturn:
		return true
	default:
		return p.str == ")" || p.str == "]" || p.str == "}"
	}
}

// lexError words a token the scanner could not read, at the line it
// starts on.
func (m *matcher) lexError(t scanned, err error) *Error {
	var pe *parse.Error
	msg := err.Error()
	if errors.As(err, &pe) {
		msg = pe.Message
	}
	switch msg {
	case "unterminated string":
		return errorf(m.file, t.line, "unfinished string near '%s'", m.restOfLine(t))
	case "unterminated multiline string":
		return errorf(m.file, m.lastLine(), "unfinished long string (starting at line %d) near '<eof>'", t.line)
	case "invalid multiline comment":
		return errorf(m.file, m.lastLine(), "unfinished long comment (starting at line %d) near '<eof>'", t.line)
	case "Invalid token":
		r, _ := utf8.DecodeRuneInString(m.restOfLine(t))
		return errorf(m.file, t.line, "unexpected symbol near '%c'", r)
	}
	return errorf(m.file, t.line, "%s near '%s'", strings.ToLower(msg[:1])+msg[1:], m.restOfLine(t))
}

// text is a token as written, shortened when long.
func (m *matcher) text(t scanned) string {
	s := t.str
	if from, to := m.offset(t.line, t.col), m.offset(t.eline, t.ecl); from >= 0 && to >= from && to < len(m.src) {
		s = string(m.src[from : to+1])
	}
	return shorten(s)
}

// restOfLine is the source from t's start to the end of its line.
func (m *matcher) restOfLine(t scanned) string {
	from := m.offset(t.line, t.col)
	if from < 0 {
		return t.str
	}
	rest := m.src[from:]
	if i := bytes.IndexAny(rest, "\r\n"); i >= 0 {
		rest = rest[:i]
	}
	return shorten(string(rest))
}

func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "..."
	}
	return s
}

// offset turns a line and column (counted in bytes from 1) into an index
// into the source, or -1.
func (m *matcher) offset(line, col int) int {
	at := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexAny(m.src[at:], "\r\n")
		if i < 0 {
			return -1
		}
		at += i + newlineWidth(m.src[at+i:])
	}
	if line < 1 || col < 1 || at+col-1 >= len(m.src) {
		return -1
	}
	return at + col - 1
}

// newlineWidth counts "\r\n" and "\n\r" as one line break, as the scanner
// does.
func newlineWidth(b []byte) int {
	if len(b) > 1 && (b[0] == '\r' && b[1] == '\n' || b[0] == '\n' && b[1] == '\r') {
		return 2
	}
	return 1
}

// lastLine is the number of the file's last line; a final line break does
// not start another.
func (m *matcher) lastLine() int {
	n, at := 1, 0
	for {
		i := bytes.IndexAny(m.src[at:], "\r\n")
		if i < 0 {
			return n
		}
		at += i + newlineWidth(m.src[at+i:])
		if at >= len(m.src) {
			return n
		}
		n++
	}
}
