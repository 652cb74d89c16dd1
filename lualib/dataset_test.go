package lualib

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmlocust/llmlocust/engine/dataset"
	"github.com/llmlocust/llmlocust/engine/tokenize"
	lua "github.com/yuin/gopher-lua"
)

// datasetState is a user's state with the dataset and json modules, its
// scenario folder at dir and its random source seeded with seed.
func datasetState(t *testing.T, dir string, seed uint64) *lua.LState {
	t.Helper()
	u := &User{Dir: dir, Rand: rand.New(rand.NewPCG(seed, 0))}
	L := lua.NewState()
	t.Cleanup(L.Close)
	L.PreloadModule("dataset", u.loadDataset)
	L.PreloadModule("json", loadJSON)
	if err := L.DoString(`dataset = require("dataset") json = require("json")`); err != nil {
		t.Fatal(err)
	}
	return L
}

// run runs Lua code in L and returns the global result as a string.
func run(t *testing.T, L *lua.LState, code string) string {
	t.Helper()
	if err := L.DoString(code); err != nil {
		t.Fatal(err)
	}
	return L.GetGlobal("result").String()
}

// scenarioDir is a folder holding data/prompts.jsonl with n numbered
// prompts and data/chat.json with a ShareGPT conversation.
func scenarioDir(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"prompt":"p%d","n":%d,"tags":["a","b"],"meta":{"lang":"en"}}`+"\n", i+1, i+1)
	}
	chat := `[{"id":"c1","conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello"},{"from":"human","value":"Bye"}]},
	          {"id":"c2","conversations":[{"from":"gpt","value":"alone"}]}]`
	for name, content := range map[string]string{"prompts.jsonl": b.String(), "chat.json": chat} {
		if err := os.WriteFile(filepath.Join(dir, "data", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDatasetNextAcrossUsers(t *testing.T) {
	dir := scenarioDir(t, 5)
	a, b := datasetState(t, dir, 1), datasetState(t, dir, 2)
	for _, L := range []*lua.LState{a, b} {
		run(t, L, `set = dataset.jsonl("data/prompts.jsonl")`)
	}
	if a.GetGlobal("set").(*lua.LUserData).Value != b.GetGlobal("set").(*lua.LUserData).Value {
		t.Fatal("two users hold different copies of one file")
	}
	var got []string
	for i := range 7 {
		L := []*lua.LState{a, b}[i%2]
		got = append(got, run(t, L, `result = set:next().prompt`))
	}
	if want := "p1 p2 p3 p4 p5 p1 p2"; strings.Join(got, " ") != want {
		t.Fatalf("users took %v, want %s", got, want)
	}
}

func TestDatasetRows(t *testing.T) {
	dir := scenarioDir(t, 3)
	L := datasetState(t, dir, 1)
	cases := []struct {
		name, code, want string
	}{
		{"len", `result = set:len() .. " " .. #set`, "3 3"},
		{"get is 1-based", `result = set:get(1).prompt .. " " .. set:get(3).n`, "p1 3"},
		{"nested values", `local r = set:get(2) result = r.tags[2] .. r.meta.lang`, "ben"},
		{"arrays stay arrays", `result = json.encode(set:get(1).tags)`, `["a","b"]`},
		{"rows are fresh tables", `set:get(1).prompt = "changed" result = set:get(1).prompt`, "p1"},
		{"sharegpt turns", `local r = chat:get(1) result = r.turns[2].role .. ":" .. r.turns[2].content .. " " .. #r.turns .. " " .. r.reference_output`, "assistant:Hello 3 Hello"},
		{"sharegpt report", `local r = chat:report() result = r.rows .. " " .. r.skipped["no human turn"]`, "1 1"},
		{"tostring", `result = tostring(chat):match("1 rows, 1 skipped %(no human turn%)") ~= nil`, "true"},
	}
	run(t, L, `set = dataset.jsonl("data/prompts.jsonl") chat = dataset.sharegpt("data/chat.json")`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, L, tc.code); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDatasetRandomUsesTheUsersSource(t *testing.T) {
	dir := scenarioDir(t, 50)
	draw := func(seed uint64) string {
		L := datasetState(t, dir, seed)
		return run(t, L, `local set = dataset.jsonl("data/prompts.jsonl")
			local seen = {}
			for i = 1, 20 do seen[#seen + 1] = set:random().n end
			result = table.concat(seen, ",")`)
	}
	a, b, c := draw(7), draw(7), draw(8)
	if a != b || a == c {
		t.Fatalf("seed 7: %s and %s; seed 8: %s", a, b, c)
	}
}

func TestDatasetPaths(t *testing.T) {
	dir := scenarioDir(t, 2)
	cwd := t.TempDir()
	if err := os.WriteFile(filepath.Join(cwd, "here.jsonl"), []byte(`{"prompt":"from cwd"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(cwd)
	L := datasetState(t, dir, 1)
	cases := []struct {
		name, code, want string
	}{
		{"beside the scenario", `result = dataset.jsonl("data/prompts.jsonl"):get(1).prompt`, "p1"},
		{"working directory", `result = dataset.jsonl("here.jsonl"):get(1).prompt`, "from cwd"},
		{"absolute", fmt.Sprintf(`result = dataset.jsonl(%q):get(2).prompt`, filepath.Join(dir, "data", "prompts.jsonl")), "p2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, L, tc.code); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDatasetGenerators(t *testing.T) {
	L := datasetState(t, t.TempDir(), 1)
	cases := []struct {
		name, code, tokenizer string
		in, out, rows         int
	}{
		{"synthetic fixed lengths", `set = dataset.synthetic{ count = 4, input_tokens = 17, output_tokens = 9, seed = 3 }`, tokenize.O200kBase, 17, 9, 4},
		{"synthetic distributions", `set = dataset.synthetic{ count = 5, seed = 4, tokenizer = "cl100k_base",
			input_tokens = { kind = "normal", mean = 40, stddev = 0 }, output_tokens = { min = 12, max = 12 } }`, tokenize.Cl100kBase, 40, 12, 5},
		{"shared prefix", `set = dataset.shared_prefix{ groups = 2, rows_per_group = 3, prefix_tokens = 30,
			suffix_tokens = 5, output_tokens = 8, seed = 1 }`, tokenize.O200kBase, 35, 8, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run(t, L, tc.code)
			tok, err := tokenize.Load(tc.tokenizer)
			if err != nil {
				t.Fatal(err)
			}
			set := L.GetGlobal("set").(*lua.LUserData).Value.(*dataset.Set)
			if set.Len() != tc.rows {
				t.Fatalf("%d rows, want %d", set.Len(), tc.rows)
			}
			for i := 1; i <= tc.rows; i++ {
				got := run(t, L, fmt.Sprintf(`local r = set:get(%d) result = r.input_tokens .. " " .. r.max_tokens .. " " .. r.prompt`, i))
				var in, out int
				var prompt string
				fmt.Sscanf(got, "%d %d", &in, &out)
				prompt = strings.SplitN(got, " ", 3)[2]
				if in != tc.in || out != tc.out || tok.Count(prompt) != tc.in {
					t.Errorf("row %d: input_tokens %d, max_tokens %d, %d tokens counted; want %d, %d, %d", i, in, out, tok.Count(prompt), tc.in, tc.out, tc.in)
				}
			}
		})
	}
}

func TestDatasetErrors(t *testing.T) {
	dir := scenarioDir(t, 2)
	bad := filepath.Join(dir, "data", "bad.jsonl")
	if err := os.WriteFile(bad, []byte(`{"prompt":"a"}`+"\n"+`{"text":"b"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	L := datasetState(t, dir, 1)
	run(t, L, `set = dataset.jsonl("data/prompts.jsonl")`)
	cases := []struct {
		name, code, want string
	}{
		{"data file line", `dataset.jsonl("data/bad.jsonl")`, bad + `:2: no "prompt" field`},
		{"missing file", `dataset.jsonl("data/none.jsonl")`, "data file data/none.jsonl not found: looked for " + filepath.Join(dir, "data", "none.jsonl")},
		{"unknown jsonl option", `dataset.jsonl("data/prompts.jsonl", { feild = "x" })`, "dataset.jsonl: unknown field feild (known: field, optional)"},
		{"get out of range", `set:get(3)`, "row 3 is out of range 1..2"},
		{"method called with a dot", `set.next()`, "call dataset methods with a colon, as in set:next()"},
		{"count missing", `dataset.synthetic{ input_tokens = 5, output_tokens = 5 }`, "dataset.synthetic: count: is required"},
		{"count not whole", `dataset.synthetic{ count = 1.5, input_tokens = 5, output_tokens = 5 }`, "dataset.synthetic: count: must be a whole number of 0 or more, got 1.5"},
		{"no rows", `dataset.synthetic{ count = 0, input_tokens = 5, output_tokens = 5 }`, "synthetic dataset: count must be at least 1"},
		{"zero tokens", `dataset.synthetic{ count = 1, input_tokens = 0, output_tokens = 5 }`, "dataset.synthetic: input_tokens: must be a whole number of at least 1, got 0"},
		{"unknown distribution field", `dataset.synthetic{ count = 1, input_tokens = { mean = 5, stdev = 1 }, output_tokens = 5 }`, "dataset.synthetic: input_tokens: unknown field stdev"},
		{"distribution without a kind", `dataset.synthetic{ count = 1, input_tokens = { max = 5 }, output_tokens = 5 }`, `dataset.synthetic: input_tokens: say which distribution: kind = "fixed", "uniform" or "normal"`},
		{"bad distribution", `dataset.synthetic{ count = 1, input_tokens = { kind = "uniform", min = 9, max = 3 }, output_tokens = 5 }`, "dataset.synthetic: input_tokens: max (3) is below min (9)"},
		{"missing output", `dataset.synthetic{ count = 1, input_tokens = 5 }`, "dataset.synthetic: output_tokens: is required"},
		{"typo in a field", `dataset.synthetic{ count = 1, input_tokens = 5, output_tokens = 5, sed = 1 }`, "dataset.synthetic: unknown field sed"},
		{"unknown tokenizer", `dataset.synthetic{ count = 1, input_tokens = 5, output_tokens = 5, tokenizer = "nope" }`, `dataset.synthetic: unknown tokenizer "nope"`},
		{"shared prefix without groups", `dataset.shared_prefix{ rows_per_group = 1, prefix_tokens = 4, suffix_tokens = 1, output_tokens = 5 }`, "dataset.shared_prefix: groups: is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := L.DoString(tc.code)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
