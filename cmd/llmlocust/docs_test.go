package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var luaBlock = regexp.MustCompile("(?s)```lua\n(.*?)```")

// Every complete scenario in the scripting guide runs against the
// simulator without failures or errors, so the examples stay true.
func TestScriptingGuideExamplesRun(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scripting.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := luaBlock.FindAllStringSubmatch(string(doc), -1)
	ran := 0
	for i, m := range blocks {
		src := m[1]
		if !strings.Contains(src, "locust.user") {
			continue
		}
		ran++
		name := strings.SplitN(strings.TrimSpace(src), "\n", 2)[0]
		t.Run(strings.TrimPrefix(name, "-- "), func(t *testing.T) {
			t.Parallel()
			// Examples live beside the shipped sample data, as scenarios do.
			dir := t.TempDir()
			data, _ := filepath.Abs("../../scenarios/data")
			if err := os.Symlink(data, filepath.Join(dir, "data")); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "example.lua")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			js := filepath.Join(t.TempDir(), "s.json")
			r := runCLI(t, context.Background(), nil, "-f", path, "--headless", "-u", "3", "-r", "3",
				"-t", "2s", "-H", "mock", "--only-summary", "--json-file", js)
			s := readSummary(t, js)
			if r.code != 0 || s.Totals.Requests == 0 {
				t.Fatalf("example %d: exit %d, summary %+v\n%s\n%s", i, r.code, s, r.stdout, r.stderr)
			}
		})
	}
	if ran < 8 {
		t.Fatalf("only %d runnable examples found", ran)
	}
}

// The README says what its commands do: make run starts the web UI (it
// opens no browser), and make test is the whole suite, wherever it is
// described.
func TestReadmeDescribesTheCommands(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "make run") && strings.Contains(line, "opens"):
			t.Errorf("README: %q: make run starts the web UI, it opens nothing", line)
		case strings.HasPrefix(line, "make test") && !strings.Contains(line, "browser"):
			t.Errorf("README: %q: make test runs the whole suite, the browser test included", line)
		}
	}
}
