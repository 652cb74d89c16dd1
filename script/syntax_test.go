package script

import (
	"errors"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/parse"
)

// Syntax errors name the line where parsing stopped, as Lua 5.1 does, and
// the line of the construct left open.
func TestSyntaxErrorsNameTheOpenConstruct(t *testing.T) {
	const task = "U = locust.user{}\nU:task(function(self) end)\n"
	cases := []struct {
		name string
		src  string
		line int
		want string // "" for a file that loads
	}{
		{"valid file", task + "local t = { a = 1, [\"b\"] = { 2 } }\nif t.a then print(t.a) end\n", 0, ""},
		{"unclosed table at end of file", task + "local t = {\n  a = 1,\n", 4,
			"'}' expected (to close '{' at line 3) near '<eof>'"},
		{"unclosed table in the middle", "U = locust.user{}\nU:task(function(self)\n  local t = { a = 1\n  print(t)\nend)\n", 4,
			"'}' expected (to close '{' at line 3) near 'print'"},
		{"unclosed function in the middle", "U = locust.user{}\nU:task(function(self)\n  self.client:get(\"/\")\n)\nlocal x = 1\n", 4,
			"'end' expected (to close 'function' at line 2) near ')'"},
		{"unclosed function at end of file", task + "local function helper(x)\n  print(x)\n\n", 5,
			"'end' expected (to close 'function' at line 3) near '<eof>'"},
		{"statement after return", "local function f(x)\n  return x\nU = locust.user{}\nU:task(function(self) end)\n", 3,
			"'end' expected (to close 'function' at line 1) near 'U'"},
		{"missing end for if", task + "if os.getenv(\"X\") then\n  print(\"x\")\n", 4,
			"'end' expected (to close 'if' at line 3) near '<eof>'"},
		{"missing end for while", task + "local i = 0\nwhile i < 3 do\n  i = i + 1\n", 5,
			"'end' expected (to close 'while' at line 4) near '<eof>'"},
		{"repeat closed by end", task + "repeat\n  local x = 1\nend\n", 5,
			"'until' expected (to close 'repeat' at line 3) near 'end'"},
		{"unclosed call", task + "print(\"a\",\n  \"b\"\nlocal x = 1\n", 5,
			"')' expected (to close '(' at line 3) near 'local'"},
		{"unclosed index", task + "local t = {}\nlocal x = t[1\n", 4,
			"']' expected (to close '[' at line 4) near '<eof>'"},
		{"closer on the same line", task + "print(1 2)\n", 3, "')' expected near '2'"},
		{"unclosed string", "U = locust.user{}\nU:task(function(self)\n  local s = \"abc\n  return s\nend)\n", 3,
			"unfinished string near '\"abc'"},
		{"unclosed string at end of file", task + "local s = 'abc", 3, "unfinished string near ''abc'"},
		{"unclosed long string", task + "local s = [[\nabc\n", 4, "unfinished long string (starting at line 3) near '<eof>'"},
		{"unclosed long comment", task + "--[==[ notes\nmore\n", 4, "unfinished long comment (starting at line 3) near '<eof>'"},
		{"brackets inside strings and comments do not count", task + "local s = \"{(\" -- ) }\nlocal t = { s,\n", 4,
			"'}' expected (to close '{' at line 4) near '<eof>'"},
		{"missing then", task + "if x\n  print(x)\nend\n", 4, "'then' expected near 'print'"},
		{"missing then after elseif", task + "if x then\nelseif y\n  print(y)\nend\n", 5, "'then' expected near 'print'"},
		{"missing do", task + "for i = 1, 3\n  print(i)\nend\n", 4, "'do' expected near 'print'"},
		{"missing do after while", task + "while x\n  print(x)\nend\n", 4, "'do' expected near 'print'"},
		{"other mistakes keep the parser's words", "local x = = 1\n", 1, "syntax error near '='"},
		{"a mistake inside a block is not blamed on the block", "function f()\n  local x = = 1\nend\n", 2, "syntax error near '='"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := LoadSource("scen.lua", []byte(tc.src))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("a valid file failed: %v", err)
				}
				p.Close()
				return
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("got %v (%T), want a scenario *Error", err, err)
			}
			if se.File != "scen.lua" || se.Line != tc.line || !strings.Contains(se.Msg, tc.want) {
				t.Fatalf("got %q (line %d), want line %d containing %q", se.Error(), se.Line, tc.line, tc.want)
			}
		})
	}
}

// FuzzSyntaxError words the parser's error on any source without running
// it: the message is never empty and names a line of the file, or none.
func FuzzSyntaxError(f *testing.F) {
	for _, seed := range []string{
		"local t = {\n  a = 1,\n", "f(function()\n)\n", "if x then\n", "repeat\nend\n", "x = \"abc\n",
		"--[[ open\n", "s = [==[\n]=]\n", "t[1\n", "a = @\n", "return 1 2\n", "\r\nx = {\n\r", "end\n",
		"while x do\nelse\n", "local x = = 1\n", "f(a,)\n", "x = 0x\n", "x = ~1\n", "::a:: goto a\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, err := parse.Parse(strings.NewReader(src), fuzzFile)
		if err != nil {
			se := syntaxError(fuzzFile, []byte(src), err)
			if se.File != fuzzFile || se.Msg == "" || se.Line < 0 || se.Line > luaLines(src) {
				t.Fatalf("error %q at line %d of a %d-line file\n%q", se.Msg, se.Line, luaLines(src), src)
			}
		}
	})
}
