package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/llmlocust/llmlocust/"

// layers are DESIGN.md §2's packages from the top down: a package may
// import packages of its own layer or below, never above. A package that
// is not listed fails the test, so that a new one is placed on purpose.
var layers = [][]string{
	{"cmd/llmlocust", "bench", "bench/baseline"},
	{"webui", "engine/cluster"},
	{"script", "lualib"},
	{"engine/run"},
	{"engine/runner", "engine/metrics", "engine/output", "engine/check", "engine/timeline", "engine/stats", "engine/stream",
		"engine/api", "engine/options"},
	{"engine/record", "engine/arrival", "engine/tokenize", "engine/dataset", "engine/mock", "engine/secret", "engine/locusttest"},
}

// forbidden are imports a package may not have whatever its layer.
var forbidden = map[string][]string{
	"engine/mock": {"flag"}, // the simulator's flags are the binary's
}

func layerOf(pkg string) (int, bool) {
	for i, names := range layers {
		for _, n := range names {
			if n == pkg {
				return i, true
			}
		}
	}
	return 0, false
}

// The imports of every package of the module run one way, from the top
// down, as DESIGN.md §2 draws them.
func TestImportsRunDownwards(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	checked := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok {
			continue // the standard library or a dependency
		}
		checked++
		for _, problem := range importProblems(pkg, fields[1:]) {
			t.Error(problem)
		}
	}
	if checked < 10 {
		t.Fatalf("go list named %d packages of the module: %s", checked, out)
	}
}

func importProblems(pkg string, imports []string) []string {
	from, ok := layerOf(pkg)
	if !ok {
		return []string{pkg + " is not in DESIGN.md §2's layers (add it to layers in this test, where it belongs)"}
	}
	var problems []string
	for _, imp := range imports {
		for _, bad := range forbidden[pkg] {
			if imp == bad {
				problems = append(problems, pkg+" imports "+imp)
			}
		}
		dep, ok := strings.CutPrefix(imp, module)
		if !ok {
			continue
		}
		if to, known := layerOf(dep); known && to < from {
			problems = append(problems, pkg+" imports "+dep+", which is above it")
		}
		if strings.HasPrefix(dep, "cmd/") {
			problems = append(problems, pkg+" imports "+dep+": nothing imports the binary")
		}
	}
	return problems
}

func TestImportProblems(t *testing.T) {
	cases := map[string]struct {
		pkg     string
		imports []string
		want    int
	}{
		"down":          {"engine/run", []string{module + "engine/stats", "fmt"}, 0},
		"same layer":    {"script", []string{module + "lualib"}, 0},
		"up":            {"engine/run", []string{module + "script"}, 1},
		"into cmd":      {"webui", []string{module + "cmd/llmlocust/config"}, 1},
		"flags in mock": {"engine/mock", []string{"flag"}, 1},
		"unplaced":      {"engine/misc", nil, 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := importProblems(tc.pkg, tc.imports); len(got) != tc.want {
				t.Errorf("%d problems, want %d: %q", len(got), tc.want, got)
			}
		})
	}
}
