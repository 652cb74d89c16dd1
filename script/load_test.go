package script

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/runner"
)

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
		want string
	}{
		{"syntax error", "local x = = 1\n", 1, "syntax error near '='"},
		{"unterminated function", "U = locust.user{}\nfunction f()\n  return 1\n", 3, "'end' expected (to close 'function' at line 2) near '<eof>'"},
		{"runtime error at top level", "local t = nil\nlocal x = t.y\n", 2, "attempt to index"},
		{"negative task weight", "U = locust.user{}\nU:task(-1, function(self) end)\n", 2, "task weight must be a positive whole number, got -1"},
		{"fractional task weight", "U = locust.user{}\nU:task(1.5, function(self) end)\n", 2, "got 1.5"},
		{"string task weight", "U = locust.user{}\nU:task{function(self) end, weight = \"x\"}\n", 2, "task weight must be a positive whole number, got \"x\""},
		{"task without function", "U = locust.user{}\nU:task(2)\n", 2, "a task must be a function"},
		{"class weight zero", "U = locust.user{ weight = 0 }\nU:task(function(self) end)\n", 1, "weight must be a positive whole number, got 0"},
		{"class without tasks", "\nU = locust.user{}\n", 2, "user class U has no tasks"},
		{"no classes", "local x = 1\n", 0, "no user classes"},
		{"unknown class setting", "U = locust.user{ wieght = 2 }\n", 1, `unknown user class setting "wieght"`},
		{"unnamed class", "local U = locust.user{}\nU:task(function(self) end)\n", 1, "has no name"},
		{"bad wait_time", "U = locust.user{ wait_time = \"1s\" }\n", 1, "wait_time must be"},
		{"unknown option read", "locust.options{ model = {default = \"m\"} }\nlocal m = locust.option(\"modle\")\n", 2, `unknown option "modle"; declared options: model`},
		{"bad option name", "locust.options{ ['Max-Tokens'] = 1 }\n", 1, "must be lowercase"},
		{"option default of wrong type", "locust.options{ n = { default = \"x\", type = \"int\" } }\n", 1, "does not fit type int"},
		{"duplicate class name", "A = locust.user{ name = \"X\" }\nA:task(function() end)\nB = locust.user{ name = \"X\" }\nB:task(function() end)\n", 3, `"X" is already used at line 1`},
		{"empty sequence", "U = locust.user{}\nU:task(locust.sequence{})\n", 2, "at least one step"},
		{"negative class rate", "U = locust.user{ rate = -1 }\n", 1, "rate must be requests per second, a number of 0 or more, got -1"},
		{"string class rate", "U = locust.user{ rate = \"5/s\" }\n", 1, "rate must be requests per second"},
		{"between reversed", "U = locust.user{ wait_time = locust.between(2, 1) }\n", 1, "max_wait must not be below min_wait"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadSource("scen.lua", []byte(tc.src))
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

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.lua"))
	if err == nil || !strings.Contains(err.Error(), "nope.lua: cannot read the scenario") {
		t.Fatalf("got %v", err)
	}
}

func TestLoadPlan(t *testing.T) {
	src := `
locust.options {
  model = { default = "mock-model", help = "model name" },
  max_tokens = 64,
  temperature = { default = 0.7 },
  stream = true,
  api_key = { env = "OPENAI_API_KEY", secret = true },
}
Chat = locust.user { weight = 3, host = "mock", wait_time = locust.between(0.1, 0.2) }
function Chat:ask(self) end
Chat:task(3, Chat.ask)
Chat:task{ function(self) end, name = "models", tags = {"meta"} }
Chat:task(locust.sequence{ name = "convo", function(self) end, function(self) end })
Admin = locust.user { fixed_count = 1, wait_time = locust.constant(1) }
Admin:task(function(self) end)
locust.shape(function(t) return 1, 1 end)
`
	p, err := LoadSource("plan.lua", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got := len(p.Classes); got != 2 {
		t.Fatalf("classes = %d", got)
	}
	c := p.Classes[0]
	if c.Name != "Chat" || c.Weight != 3 || c.Host != "mock" || len(c.Tasks) != 3 {
		t.Fatalf("class = %+v", c)
	}
	names := []string{c.Tasks[0].Name, c.Tasks[1].Name, c.Tasks[2].Name}
	if strings.Join(names, ",") != "ask,models,convo" || c.Tasks[2].Steps != 2 || c.Tasks[1].Tags[0] != "meta" {
		t.Fatalf("tasks = %v", names)
	}
	if p.Classes[1].FixedCount != 1 || p.Classes[1].Tasks[0].Name != "task@line15" {
		t.Fatalf("admin = %+v %s", p.Classes[1], p.Classes[1].Tasks[0].Name)
	}
	kinds := map[string]OptionKind{}
	for _, o := range p.Options {
		kinds[o.Name] = o.Kind
	}
	want := map[string]OptionKind{"model": KindString, "max_tokens": KindInt, "temperature": KindFloat, "stream": KindBool, "api_key": KindString}
	for n, k := range want {
		if kinds[n] != k {
			t.Errorf("option %s kind = %q, want %q", n, kinds[n], k)
		}
	}
	if !p.HasShape() || !slices.Contains(p.Hosts(), MockHost) {
		t.Fatal("shape or mock detection wrong")
	}
}

func TestShippedScenariosLoad(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/*.lua")
	if len(files) == 0 {
		t.Skip("no scenarios yet")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, err := os.Stat(f); err != nil {
				t.Fatal(err)
			}
			p, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			p.Close()
		})
	}
}

func TestRatesFromClassesAndShapes(t *testing.T) {
	src := `
Paced = locust.user { rate = 2.5 }
Paced:task(function(self) end)
locust.shape(function(t)
  if t < 10 then return { users = 8, spawn_rate = 8, rate = 20 } end
  if t < 20 then return 4, 2 end
  if t < 30 then return { users = 8, spawn_rate = 8, rate = -1 } end
  return nil
end)
`
	p, err := LoadSource("rates.lua", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if r := p.Classes[0].Rate; r != 2.5 {
		t.Errorf("class rate %v, want 2.5", r)
	}
	var reports []string
	sh := p.Shape(func(msg, _ string) { reports = append(reports, msg) })
	cases := []struct {
		name string
		at   time.Duration
		want runner.Target
		ok   bool
	}{
		{"a table with a rate", 0, runner.Target{Users: 8, SpawnRate: 8, Rate: 20, HasRate: true}, true},
		{"Locust's two numbers", 10 * time.Second, runner.Target{Users: 4, SpawnRate: 2}, true},
		{"a negative rate stops", 20 * time.Second, runner.Target{Users: 8, SpawnRate: 8}, false},
		{"nil stops", 30 * time.Second, runner.Target{}, false},
	}
	for _, c := range cases {
		got, ok := sh.Tick(c.at)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: Tick = %+v, %v; want %+v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
	if len(reports) != 1 || !strings.Contains(reports[0], "rate must be requests per second") {
		t.Errorf("reports %q, want one about the negative rate", reports)
	}
}
