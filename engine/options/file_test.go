package options

import (
	"errors"
	"testing"
	"time"
)

func TestINISyntax(t *testing.T) {
	tests := []struct {
		name string
		text string
		want map[string]any
	}{
		{"equals", "users = 5", map[string]any{"users": 5}},
		{"no spaces", "users=5", map[string]any{"users": 5}},
		{"colon", "users: 5", map[string]any{"users": 5}},
		{"space", "users 5", map[string]any{"users": 5}},
		{"dashed key", "--users = 5", map[string]any{"users": 5}},
		{"bare key is true", "headless", map[string]any{"headless": true}},
		{"true", "headless = true", map[string]any{"headless": true}},
		{"True", "headless = True", map[string]any{"headless": true}},
		{"false", "headless = false", map[string]any{"headless": false}},
		{"on", "headless = on", map[string]any{"headless": true}},
		{"bare key with comment", "headless # no UI", map[string]any{"headless": true}},
		{"double quotes", `host = "http://a b"`, map[string]any{"host": "http://a b"}},
		{"single quotes", `host = 'http://a'`, map[string]any{"host": "http://a"}},
		{"quotes keep a hash", `host = "http://a # b"  ; note`, map[string]any{"host": "http://a # b"}},
		{"unbalanced quote stays", `host = "http://a`, map[string]any{"host": `"http://a`}},
		{"inline comment", "host = http://a # main", map[string]any{"host": "http://a"}},
		{"inline semicolon comment", "host = http://a ; main", map[string]any{"host": "http://a"}},
		{"hash without space is data", "host = http://a/#frag", map[string]any{"host": "http://a/#frag"}},
		{"empty value", "host =", map[string]any{"host": ""}},
		{"comments and sections", "# top\n; ini\n[locust]\n---\nusers = 5\n", map[string]any{"users": 5}},
		{"several keys", "users = 5\nspawn-rate = 2.5\nrun-time = 1h20m\n", map[string]any{"users": 5, "spawn-rate": 2.5, "run-time": 80 * time.Minute}},
		{"later line wins", "users = 5\nusers = 6", map[string]any{"users": 6}},
		{"windows line ends", "users = 5\r\nheadless = true\r\n", map[string]any{"users": 5, "headless": true}},
		{"byte order mark", "\ufeffusers = 5", map[string]any{"users": 5}},
		{"list", "tags = [a, b]", map[string]any{"tags": []string{"a", "b"}}},
		{"JSON list", `tags = ["a", "b"]`, map[string]any{"tags": []string{"a", "b"}}},
		{"empty list", "tags = []", map[string]any{"tags": []string(nil)}},
		{"choice", "loglevel = warning", map[string]any{"loglevel": "WARNING"}},
		{"stop timeout seconds", "stop-timeout = 1.5", map[string]any{"stop-timeout": 1500 * time.Millisecond}},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(nil, files{testDir + "/locust.conf": tc.text}))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkValues(t, v, tc.want)
			for name := range tc.want {
				if v.Source(name) != ConfigFile {
					t.Errorf("%s source = %v, want config file", name, v.Source(name))
				}
			}
		})
	}
}

func TestPyprojectTOML(t *testing.T) {
	tests := []struct {
		name string
		text string
		want map[string]any
	}{
		{
			name: "table among others",
			text: `[project]
name = "bench"
description = """
[tool.fake]
"""
deps = [
  "a",
  ["b"],
]
meta = { x = 1 }

[tool.locust]
users = 5          # peak
headless = true
host = "http://h"
spawn-rate = 2.5
run-time = "1m"
"exclude-tags" = ['slow', "flaky"]
tags = [
  "a",   # first
  "b",
]

[tool.other]
users = 99
`,
			want: map[string]any{"users": 5, "headless": true, "host": "http://h", "spawn-rate": 2.5,
				"run-time": time.Minute, "exclude-tags": []string{"slow", "flaky"}, "tags": []string{"a", "b"}},
		},
		{"no locust table", "[project]\nname = \"x\"\n", map[string]any{"users": 1, "headless": false}},
		{"underscored int", "[tool.locust]\nusers = 1_000\n", map[string]any{"users": 1000}},
		{"hex int", "[tool.locust]\nweb-port = 0x1F90\n", map[string]any{"web-port": 8080}},
		{"int as float", "[tool.locust]\nspawn-rate = 3\n", map[string]any{"spawn-rate": 3.0}},
		{"escapes", "[tool.locust]\nhost = \"http://h/\\u00e9\\t\"\n", map[string]any{"host": "http://h/é\t"}},
		{"literal string", "[tool.locust]\nhost = 'C:\\path'\n", map[string]any{"host": `C:\path`}},
		{"header with spaces", "[ tool . locust ]  # ours\nusers = 4\n", map[string]any{"users": 4}},
		{"multi-line strings", "[tool.locust]\nhost = \"\"\"\nhttp://h\"\"\"\nlocustfile = '''a\\b.lua'''\n", map[string]any{"host": "http://h", "locustfile": `a\b.lua`}},
		{"dotted key from the tool table", "[tool]\nlocust.users = 7\n", map[string]any{"users": 7}},
		{"sub-table left out", "[tool.locust]\nusers = 3\n[tool.locust.extra]\nusers = 99\n", map[string]any{"users": 3}},
		{"array of tables is not the table", "[[tool.locust]]\nusers = 99\n", map[string]any{"users": 1}},
		{
			// A line scanner takes the string's lines for the table.
			name: "table after a multi-line string that looks like it",
			text: `[project]
readme = """
[tool.locust]
users = 99
host = "http://fake"
"""
notes = '''
[tool.locust]
users = 98
'''

[tool.locust]
headless = true
`,
			want: map[string]any{"users": 1, "host": "", "headless": true},
		},
		{
			name: "inline tables, arrays of tables and dates elsewhere",
			text: `released = 1979-05-27
[project]
authors = [{ name = "A", email = "a@example.com" }]
urls = { home = "https://example.com" }
built = 1979-05-27T07:32:00Z
at = 07:32:00

[[tool.bench.run]]
users = 99
[[tool.bench.run]]
users = 98

[tool.locust]
users = 4
`,
			want: map[string]any{"users": 4},
		},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(nil, files{testDir + "/pyproject.toml": tc.text}))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkValues(t, v, tc.want)
		})
	}
}

func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		text    string
		wantErr string
	}{
		{"unknown key with hint", "/locust.conf", "users = 2\nspawn_rate = 3", "locust.conf:2: unknown option 'spawn_rate' (did you mean spawn-rate?)"},
		{"unknown key without hint", "/locust.conf", "colour = blue", "locust.conf:1: unknown option 'colour'"},
		{"bad int", "/locust.conf", "users = many", "locust.conf:1: argument -u/--users: invalid int value: 'many'"},
		{"bad bool", "/locust.conf", "# c\nheadless = perhaps", "locust.conf:2: argument --headless: invalid bool value: 'perhaps' (expecting true, false, yes, no, on, off, 1 or 0)"},
		{"list for a scalar", "/locust.conf", "users = [1, 2]", "locust.conf:1: argument -u/--users: takes one value, not a list"},
		{"no key", "/locust.conf", "users = 1\n= 5", "locust.conf:2: expected 'key = value'"},
		{"comment inside key", "/locust.conf", "use#rs = 5", "locust.conf:1: expected 'key = value'"},
		{"command-line only key", "/locust.conf", "config = other.conf", "locust.conf:1: --config can only be given on the command line"},
		{"bad run time", "/locust.conf", "run-time = soon", `locust.conf:1: argument -t/--run-time: invalid time span "soon": valid run time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.`},
		{"home file", "home", "users = x", "~/.locust.conf:1: argument -u/--users: invalid int value: 'x'"},
		{"toml unknown key after an array", "/pyproject.toml", "[tool.locust]\ntags = [\n  \"a\",\n]\nspawnrate = 1\n", "pyproject.toml:5: unknown option 'spawnrate' (did you mean spawn-rate?)"},
		{"toml bad int", "/pyproject.toml", "[tool.locust]\n\nusers = \"x\"\n", "pyproject.toml:3: argument -u/--users: invalid int value: 'x'"},
		{"toml inline table", "/pyproject.toml", "[tool.locust]\nusers = {a = 1}\n", "pyproject.toml:2: inline tables are not supported"},
		{"toml date", "/pyproject.toml", "[tool.locust]\nhost = 1979-05-27\n", `pyproject.toml:2: unsupported value "1979-05-27" (expected a string, number, boolean or array)`},
		{"toml unterminated string", "/pyproject.toml", "[tool.locust]\nhost = \"http://h\n", "pyproject.toml:2: invalid TOML: basic strings cannot have new lines"},
		{"toml missing equals", "/pyproject.toml", "[tool.locust]\nusers 5\n", "pyproject.toml:2: invalid TOML: expected '=' after key"},
		{"toml trailing text", "/pyproject.toml", "[tool.locust]\nusers = 5 6\n", "pyproject.toml:2: invalid TOML: expected newline but got U+0036 '6'"},
		{"toml bad array", "/pyproject.toml", "[tool.locust]\ntags = [\"a\" \"b\"]\n", "pyproject.toml:2: invalid TOML: expected ',' or ']' after array value"},
		{"toml nested array", "/pyproject.toml", "[tool.locust]\ntags = [\n  \"a\",\n  [\"b\"],\n]\n", "pyproject.toml:2: nested arrays are not supported"},
		{"toml error in another table", "/pyproject.toml", "[project]\nname = \"x\"\nversion = \n[tool.locust]\nusers = 5\n", "pyproject.toml:3: invalid TOML: unexpected character U+000A at start of value"},
		{"toml key defined twice", "/pyproject.toml", "[tool.locust]\nusers = 5\nheadless = true\nusers = 6\n", "pyproject.toml:4: invalid TOML: key users is already defined"},
		{"toml table defined twice", "/pyproject.toml", "[tool.locust]\nusers = 5\n\n[project]\n[tool.locust]\n", "pyproject.toml:5: invalid TOML: table locust already exists"},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := testDir + tc.path
			if tc.path == "home" {
				path = testHome + "/.locust.conf"
			}
			_, err := s.Parse(input(nil, files{path: tc.text}))
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse error = %v, want *Error", err)
			}
			if err.Error() != tc.wantErr {
				t.Errorf("error = %q\nwant      %q", err, tc.wantErr)
			}
		})
	}
}
