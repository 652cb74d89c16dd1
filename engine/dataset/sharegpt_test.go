package dataset

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestShareGPT(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    []string       // each row as JSON
		skipped map[string]int // by reason
	}{
		{
			name: "roles, prompt and reference output",
			content: `[{"id":"a","conversations":[
				{"from":"system","value":"Be brief."},
				{"from":"human","value":"Hi?"},
				{"from":"gpt","value":"Hello."},
				{"from":"human","value":"Bye?"},
				{"from":"gpt","value":"Bye."}]}]`,
			want: []string{`{"id":"a","prompt":"Hi?","reference_output":"Hello.","turns":[` +
				`{"content":"Be brief.","role":"system"},{"content":"Hi?","role":"user"},{"content":"Hello.","role":"assistant"},` +
				`{"content":"Bye?","role":"user"},{"content":"Bye.","role":"assistant"}]}`},
		},
		{
			name:    "answer before the first human turn is not the reference",
			content: `[{"conversations":[{"from":"gpt","value":"Welcome."},{"from":"human","value":"Q"}]}]`,
			want:    []string{`{"prompt":"Q","turns":[{"content":"Welcome.","role":"assistant"},{"content":"Q","role":"user"}]}`},
		},
		{
			name: "conversations without a human turn are skipped and counted",
			content: `[{"id":1,"conversations":[{"from":"gpt","value":"lonely"}]},
				{"id":2,"conversations":[]},
				{"id":3},
				{"id":4,"conversations":[{"from":"human","value":"Q"},{"from":"chatgpt","value":"A"}]},
				{"id":5,"conversations":[{"from":"human","value":"Q"},{"from":"robot","value":"A"}]}]`,
			want:    []string{`{"id":4,"prompt":"Q","reference_output":"A","turns":[{"content":"Q","role":"user"},{"content":"A","role":"assistant"}]}`},
			skipped: map[string]int{SkipNoHumanTurn: 3, SkipUnknownRole: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, err := ShareGPT(writeFile(t, "sharegpt.json", tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if set.Len() != len(tc.want) {
				t.Fatalf("got %d rows, want %d", set.Len(), len(tc.want))
			}
			for i, want := range tc.want {
				if got := rowJSON(t, set.Row(i)); got != want {
					t.Errorf("row %d:\n got %s\nwant %s", i, got, want)
				}
			}
			rep := set.Report()
			if rep.Rows != len(tc.want) || len(rep.Skipped) != len(tc.skipped) {
				t.Fatalf("report %+v, want %d rows and skips %v", rep, len(tc.want), tc.skipped)
			}
			for reason, n := range tc.skipped {
				if rep.Skipped[reason] != n {
					t.Errorf("skipped %q: got %d, want %d", reason, rep.Skipped[reason], n)
				}
			}
		})
	}
}

func TestShareGPTErrors(t *testing.T) {
	ok := `{"conversations":[{"from":"human","value":"hi"}]}`
	cases := []struct {
		name    string
		content string
		want    string // after the file name
	}{
		{"not an array", `{"conversations":[]}`, `:1: a ShareGPT file must be a JSON array of conversations`},
		{"value not a string", "[\n" + ok + ",\n" + `{"conversations":[{"from":"human","value":5}]}` + "\n]", `:3: conversation 2: turn 1: "from" and "value" must be strings, got a string and a number`},
		{"entry not an object", "[\n" + ok + ",\n\n  \"text\"\n]", `:4: conversation 2: must be an object with a "conversations" array`},
		{"conversations not an array", "[\n" + `{"conversations":"hi"}` + "]", `:2: conversation 1: must be an object`},
		{"turn not an object", "[\n" + `{"conversations":[1]}` + "]", `:2: conversation 1: turn 1: must be an object`},
		{"syntax error", "[\n" + ok + ",\n" + `{"conversations":` + "\n" + `[}]`, `:4: conversation 2: invalid character '}'`},
		{"truncated", "[\n" + ok + ",\n" + ok, `:3: `},
		{"data after the array", "[" + ok + "]\n\n[]", `:3: data after the array of conversations`},
		{"only skipped conversations", `[{"conversations":[{"from":"gpt","value":"a"}]}]`, `: no rows`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bad.json", tc.content)
			_, err := ShareGPT(path)
			if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
				t.Fatalf("got %v, want an error starting %q", err, path+tc.want)
			}
		})
	}
}

func TestSampleShareGPT(t *testing.T) {
	set, err := ShareGPT(filepath.Join("..", "..", "scenarios", "data", "sharegpt_sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	if rep := set.Report(); rep.Rows < 15 || len(rep.Skipped) != 0 {
		t.Fatalf("report %v, want about 20 rows and none skipped", rep)
	}
	multi := 0
	for i := range set.Len() {
		r := set.Row(i)
		turns, _ := r.Get("turns")
		if len(turns.([]any)) > 2 {
			multi++
		}
		if r.String("prompt") == "" || r.String("reference_output") == "" {
			t.Errorf("row %d has no prompt or reference output: %s", i, rowJSON(t, r))
		}
	}
	if multi < set.Len()/2 {
		t.Errorf("%d of %d conversations have more than one exchange, want most", multi, set.Len())
	}
}
