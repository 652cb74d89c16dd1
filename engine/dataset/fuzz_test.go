package dataset

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// The fuzzers write fuzzed bytes to a file and load it, as users do. Any
// file must give rows or an error that names the file and, where a line is
// at fault, a line the file has.

// FuzzJSONL compares the JSONL loader with a plain reading of the same
// bytes: as many rows as valid lines, each with the fields of its line, or
// an error at the first line that is not a valid row.
func FuzzJSONL(f *testing.F) {
	for _, text := range []string{
		`{"prompt":"hi","id":7,"tags":["a","b"],"meta":{"lang":"en","n":null}}` + "\n" + `{"prompt":"yo"}` + "\n",
		"\n" + `{"prompt":"a"}` + "\n   \n\n" + `{"prompt":"b"}`,
		"\xef\xbb\xbf" + `{"prompt":"a"}` + "\r\n" + `{"prompt":"b"}` + "\r\n",
		`{"prompt":null}` + "\n", `{"text":"x"}` + "\n", "[1]\n", `{"prompt":"a"} {}` + "\n",
		`{"prompt":1e400}`, `{"prompt":"\ud800"}`, "\v\u00a0\n", `{"prompt":"a","prompt":null}`,
	} {
		f.Add([]byte(text), false)
		f.Add([]byte(text), true)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, optional bool) {
		opts := JSONLOptions{Optional: optional}
		path := fuzzFile(t, dir, "data.jsonl", data)
		set, err := JSONL(path, opts)
		want, wantErrLine := referenceJSONL(data, opts)
		if err != nil {
			line := checkFileError(t, path, data, err)
			if wantErrLine != line {
				t.Fatalf("error %q at line %d; the first bad line is %d", err, line, wantErrLine)
			}
			return
		}
		if wantErrLine != 0 {
			t.Fatalf("loaded %d rows, but line %d is not a valid row", set.Len(), wantErrLine)
		}
		if set.Len() != len(want) {
			t.Fatalf("%d rows from %d valid lines", set.Len(), len(want))
		}
		for i, w := range want {
			if got := rowJSON(t, set.Row(i)); got != w {
				t.Fatalf("row %d:\n got %s\nwant %s", i, got, w)
			}
		}
	})
}

// referenceJSONL reads a JSONL file the plain way: split into lines, skip
// the blank ones, decode each other line on its own. It returns the rows as
// JSON, or the first line that is not a valid row (0 when all are), or -1
// when the file has no rows at all.
func referenceJSONL(data []byte, opts JSONLOptions) ([]string, int) {
	var rows []string
	for i, line := range bytes.Split(data, []byte("\n")) {
		if i == 0 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil || m == nil {
			return nil, i + 1
		}
		if v, ok := m[DefaultField]; !opts.Optional && (!ok || v == nil) {
			return nil, i + 1
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, i + 1
		}
		rows = append(rows, string(b))
	}
	if len(rows) == 0 {
		return nil, -1
	}
	return rows, 0
}

// FuzzShareGPT checks that the streaming ShareGPT loader accepts only JSON
// arrays, accounts for every conversation as a row or a counted skip, and
// builds each row from the conversation's own turns.
func FuzzShareGPT(f *testing.F) {
	for _, text := range []string{
		`[{"id":"a","conversations":[{"from":"system","value":"Be brief."},{"from":"human","value":"Hi?"},` +
			`{"from":"gpt","value":"Hello."},{"from":"human","value":"Bye?"},{"from":"gpt","value":"Bye."}]}]`,
		`[{"conversations":[{"from":"gpt","value":"Welcome."},{"from":"human","value":"Q"}]}]`,
		"[{\"id\":1,\"conversations\":[{\"from\":\"gpt\",\"value\":\"lonely\"}]},\n{\"id\":2,\"conversations\":[]},\n{\"id\":3},\n" +
			"{\"id\":4,\"conversations\":[{\"from\":\"human\",\"value\":\"Q\"},{\"from\":\"chatgpt\",\"value\":\"A\"}]},\n" +
			"{\"id\":5,\"conversations\":[{\"from\":\"human\",\"value\":\"Q\"},{\"from\":\"robot\",\"value\":\"A\"}]}]",
		"[\n  {\"conversations\": [\n    {\"from\": \"human\", \"value\": 3}\n  ]}\n]",
		"[\n{\"conversations\":[{\"from\":\"human\",\"value\":\"Q\"}]},\n{\"conversations\": [ }\n]",
		"{}", "[] []", "[1]", "[", "", `[{"Conversations":[{"From":"human","Value":"x"}],"id":null}]`,
	} {
		f.Add([]byte(text))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := fuzzFile(t, dir, "sharegpt.json", data)
		set, err := ShareGPT(path)
		if err != nil {
			checkFileError(t, path, data, err)
			return
		}
		if !json.Valid(data) {
			t.Fatalf("loaded %d rows from a file that is not JSON", set.Len())
		}
		var entries []json.RawMessage
		if err := json.Unmarshal(data, &entries); err != nil {
			t.Fatalf("loaded a file that is not a JSON array: %v", err)
		}
		rep := set.Report()
		skipped := 0
		for _, n := range rep.Skipped {
			skipped += n
		}
		if set.Len() == 0 || set.Len()+skipped != len(entries) || rep.Rows != set.Len() {
			t.Fatalf("%d rows and %d skipped (report %+v) from %d conversations", set.Len(), skipped, rep, len(entries))
		}
		for i := range set.Len() {
			checkShareGPTRow(t, set.Row(i))
		}
	})
}

// checkShareGPTRow checks that a row's prompt is the content of its first
// user turn, every turn has a chat role, and the reference output, when
// there is one, is an assistant turn after the prompt.
func checkShareGPTRow(t *testing.T, r Row) {
	t.Helper()
	turns, _ := r.Get("turns")
	list, ok := turns.([]any)
	if !ok || len(list) == 0 {
		t.Fatalf("row %s has no turns", rowJSON(t, r))
	}
	prompt, answer := -1, -1
	for i, item := range list {
		turn, ok := item.(Row)
		role := turn.String("role")
		if !ok || role != "user" && role != "assistant" && role != "system" {
			t.Fatalf("row %s: turn %d is not a chat message", rowJSON(t, r), i)
		}
		if role == "user" && prompt < 0 {
			prompt = i
		}
		if role == "assistant" && prompt >= 0 && answer < 0 {
			answer = i
		}
	}
	if prompt < 0 || r.String("prompt") != list[prompt].(Row).String("content") {
		t.Fatalf("row %s: the prompt is not the first user turn", rowJSON(t, r))
	}
	ref, has := r.Get("reference_output")
	if has != (answer >= 0) || has && ref != list[answer].(Row).String("content") {
		t.Fatalf("row %s: the reference output is not the first answer after the prompt", rowJSON(t, r))
	}
}

// fuzzFile writes data to a new file in dir and removes it, and makes the
// loaders' process-wide cache forget it, once the run is over, so that a
// long fuzzing run keeps neither files nor sets. Every file has a new
// name: the cache knows a file by path, size and modification time, and a
// rewrite within the file system's clock tick could pass for the old file.
func fuzzFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, strconv.FormatUint(fuzzFiles.Add(1), 10)+"-"+name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Remove(path)
		forget(path)
	})
	return path
}

// fuzzFiles numbers the files fuzzFile writes.
var fuzzFiles atomic.Uint64

// forget drops the cached sets of the file at path.
func forget(path string) {
	loaded.Forget(func(key cacheKey) bool {
		fk, ok := key.from.(fileKey)
		return ok && fk.path == path
	})
}

var lineAtStart = regexp.MustCompile(`^(\d+): `)

// checkFileError checks that err names the file, and the line when it has
// one, which must be a line of the file; it returns the line, or -1 for an
// error about the file as a whole.
func checkFileError(t *testing.T, path string, data []byte, err error) int {
	t.Helper()
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, path+":")
	if !ok {
		t.Fatalf("error %q does not start with the file name", msg)
	}
	m := lineAtStart.FindStringSubmatch(rest)
	if m == nil {
		if !strings.HasPrefix(rest, " no rows: ") {
			t.Fatalf("error %q has no line and is not about missing rows", msg)
		}
		return -1
	}
	line, _ := strconv.Atoi(m[1])
	if lines := bytes.Count(data, []byte("\n")) + 1; line < 1 || line > lines {
		t.Fatalf("error %q is at line %d of a %d-line file", msg, line, lines)
	}
	return line
}
