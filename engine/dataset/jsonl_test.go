package dataset

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes content to a new file in a fresh folder and returns its
// path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rowJSON is a row as JSON, for comparing whole rows.
func rowJSON(t *testing.T, r Row) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestJSONL(t *testing.T) {
	cases := []struct {
		name    string
		content string
		opts    JSONLOptions
		want    []string // each row as JSON
	}{
		{
			name:    "rows keep every field",
			content: `{"prompt":"hi","id":7,"tags":["a","b"],"meta":{"lang":"en","n":null}}` + "\n" + `{"prompt":"yo"}` + "\n",
			want:    []string{`{"id":7,"meta":{"lang":"en","n":null},"prompt":"hi","tags":["a","b"]}`, `{"prompt":"yo"}`},
		},
		{
			name:    "blank lines and a missing final newline",
			content: "\n" + `{"prompt":"a"}` + "\n   \n\n" + `{"prompt":"b"}`,
			want:    []string{`{"prompt":"a"}`, `{"prompt":"b"}`},
		},
		{
			name:    "windows line ends and a byte order mark",
			content: "\xef\xbb\xbf" + `{"prompt":"a"}` + "\r\n" + `{"prompt":"b"}` + "\r\n",
			want:    []string{`{"prompt":"a"}`, `{"prompt":"b"}`},
		},
		{
			name:    "another field required",
			content: `{"question":"why?","prompt":null}` + "\n",
			opts:    JSONLOptions{Field: "question"},
			want:    []string{`{"prompt":null,"question":"why?"}`},
		},
		{
			name:    "optional field",
			content: `{"text":"x"}` + "\n" + `{"prompt":"y"}` + "\n",
			opts:    JSONLOptions{Optional: true},
			want:    []string{`{"text":"x"}`, `{"prompt":"y"}`},
		},
		{
			name:    "a long line",
			content: `{"prompt":"` + strings.Repeat("word ", 40000) + `"}` + "\n",
			want:    []string{`{"prompt":"` + strings.Repeat("word ", 40000) + `"}`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, err := JSONL(writeFile(t, "data.jsonl", tc.content), tc.opts)
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
		})
	}
}

func TestJSONLErrors(t *testing.T) {
	cases := []struct {
		name    string
		content string
		opts    JSONLOptions
		want    string // after the file name
	}{
		{"invalid JSON", `{"prompt":"a"}` + "\n\n" + `{"prompt": "b",}` + "\n", JSONLOptions{}, `:3: invalid JSON: invalid character '}'`},
		{"two values on a line", `{"prompt":"a"} {"prompt":"b"}`, JSONLOptions{}, `:1: invalid JSON: invalid character '{' after top-level value`},
		{"not an object", `{"prompt":"a"}` + "\n" + `["a"]` + "\n", JSONLOptions{}, `:2: each line must be a JSON object, got an array`},
		{"a string line", `"just text"`, JSONLOptions{}, `:1: each line must be a JSON object, got a string`},
		{"missing prompt", `{"prompt":"a"}` + "\n" + `{"prompt":"b"}` + "\n" + `{"text":"c"}` + "\n", JSONLOptions{}, `:3: no "prompt" field`},
		{"null prompt", `{"prompt":null}`, JSONLOptions{}, `:1: no "prompt" field`},
		{"missing named field", `{"prompt":"a"}`, JSONLOptions{Field: "question"}, `:1: no "question" field`},
		{"empty file", "\n\n", JSONLOptions{}, `: no rows`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bad.jsonl", tc.content)
			_, err := JSONL(path, tc.opts)
			if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
				t.Fatalf("got %v, want an error starting %q", err, path+tc.want)
			}
		})
	}
}

func TestJSONLMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.jsonl")
	_, err := JSONL(path, JSONLOptions{})
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want a not-found error naming %s", err, path)
	}
}

func TestSamplePrompts(t *testing.T) {
	set, err := JSONL(filepath.Join("..", "..", "scenarios", "data", "prompts.jsonl"), JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() < 40 {
		t.Fatalf("%d prompts, want about 50", set.Len())
	}
	seen := map[string]bool{}
	for i := range set.Len() {
		p := set.Row(i).String("prompt")
		if strings.TrimSpace(p) == "" || seen[p] {
			t.Errorf("row %d: empty or repeated prompt %q", i, p)
		}
		seen[p] = true
	}
}
