package script

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const datasetScenario = `local dataset = require("dataset")
locust.options { dataset = { default = "" }, admin = false }
local prompts
if locust.option("dataset") ~= "" then
  prompts = dataset.jsonl(locust.option("dataset"))
end
U = locust.user{}
U:task(function(self) end)
if locust.option("admin") then
  A = locust.user{}
  A:task(function(self) end)
end
`

// values serves option values by Lua name, as the command line would.
func values(m map[string]any) func(string) (any, bool) {
	return func(name string) (any, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// Datasets named by option values open when the plan is prepared with
// those values, before any user starts, and their errors are scenario
// errors with the file and line of both the script and the data.
func TestPrepareOpensDatasetsWithTheValues(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"good.jsonl":     "{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n",
		"bad.jsonl":      "{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n{\"prompt\": nope}\n",
		"noprompt.jsonl": "{\"prompt\":\"a\"}\n{\"text\":\"b\"}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "scen.lua")
	if err := os.WriteFile(path, []byte(datasetScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		vals map[string]any
		line int
		want string // "" for no error
	}{
		{"default values", nil, 0, ""},
		{"good file", map[string]any{"dataset": "good.jsonl"}, 0, ""},
		{"malformed line", map[string]any{"dataset": "bad.jsonl"}, 5, "bad.jsonl:3: invalid JSON"},
		{"missing file", map[string]any{"dataset": "missing.jsonl"}, 5, "data file missing.jsonl not found"},
		{"row without prompt", map[string]any{"dataset": "noprompt.jsonl"}, 5, `noprompt.jsonl:2: no "prompt" field`},
		{"classes that depend on the values", map[string]any{"admin": true}, 0, "declares other user classes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			err = p.Prepare(&Env{Values: values(tc.vals)})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Prepare: %v", err)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) || se.File != path || se.Line != tc.line || !strings.Contains(se.Msg, tc.want) {
				t.Fatalf("Prepare error = %v, want %s:%d containing %q", err, path, tc.line, tc.want)
			}
			// Binding for a run checks the same, before making any user.
			_, err = p.UserClasses(&Env{Host: "http://127.0.0.1:9", Values: values(tc.vals)})
			if !errors.As(err, &se) || !strings.Contains(se.Msg, tc.want) {
				t.Fatalf("UserClasses error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestPrepareChecksClassNames(t *testing.T) {
	p, err := LoadSource("scen.lua", []byte("U = locust.user{}\nU:task(function(self) end)\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	err = p.Prepare(&Env{Classes: []string{"V"}})
	if err == nil || !strings.Contains(err.Error(), `unknown user class "V"; the scenario has U`) {
		t.Fatalf("Prepare error = %v", err)
	}
	if err := p.Prepare(&Env{Classes: []string{"U"}}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
}
