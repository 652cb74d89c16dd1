package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/script"
)

// Every shipped scenario runs with every option it declares set on the
// command line to a valid value other than its default, so that no
// declared option refuses a value of its own kind (a float default
// written 1.0 taken for an int refused --think-time 0.2).
func TestEveryScenarioTakesEveryOption(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatal("no scenarios found")
	}
	sample, err := os.ReadFile("../../scenarios/data/sharegpt_sample.json")
	if err != nil {
		t.Fatal(err)
	}
	conversations := filepath.Join(t.TempDir(), "conversations.json")
	if err := os.WriteFile(conversations, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	prompts, err := filepath.Abs("../../scenarios/data/prompts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	// What a rule cannot pick: files that exist, a load shape that ends
	// within the test, and values a user would give that the rule would
	// not (the rule picks by the kind under test).
	special := map[string]map[string]string{
		"openai_chat.lua":     {"dataset": prompts},
		"multi_turn_chat.lua": {"dataset": conversations, "think_time": "0.2"},
		"shape_steps.lua":     {"duration": "2", "step_seconds": "1", "step_users": "1", "max_users": "2"},
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plan, err := script.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			var set []string
			for _, o := range plan.Options {
				set = append(set, optionArg(o, special[name][o.Name]))
			}
			plan.Close()
			js := filepath.Join(t.TempDir(), "s.json")
			args := append([]string{"-f", f, "--headless", "-u", "1", "-r", "1", "-t", "1s", "-H", "mock",
				"--only-summary", "--json-file", js}, set...)
			if name == "trace.lua" { // it replays a trace, and asks for one
				args = append(args, "--trace", "../../scenarios/data/trace_sample.jsonl", "--trace-speed", "60", "-u", "20", "-s", "10")
			}
			r := runCLI(t, context.Background(), nil, args...)
			if r.code != 0 {
				t.Fatalf("exit %d with %s\n%s", r.code, strings.Join(set, " "), r.stderr)
			}
			if s := readSummary(t, js); s.Totals.Failures != 0 || len(s.Exceptions) != 0 {
				t.Fatalf("summary %+v with %s\n%s", s, strings.Join(set, " "), r.stderr)
			}
		})
	}
}

// optionArg sets an option to value, or to a value of its kind other than
// its default.
func optionArg(o *script.Option, value string) string {
	flag := "--" + options.FlagName(o.Name)
	if value != "" {
		return flag + "=" + value
	}
	switch def := o.Default.(type) {
	case bool:
		if def {
			return "--no-" + options.FlagName(o.Name)
		}
		return flag
	case int:
		return flag + "=" + strconv.Itoa(def+1)
	case float64:
		// A fraction, whatever the default, as an int option would refuse.
		return flag + "=" + strconv.FormatFloat(def/2+0.05, 'f', -1, 64)
	}
	def := fmt.Sprint(o.Default)
	for _, c := range o.Choices {
		if c != def {
			return flag + "=" + c
		}
	}
	if o.Secret || slices.Contains([]string{"", "none"}, def) {
		return flag + "=test-value"
	}
	return flag + "=" + def + "-2"
}
