package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// readTraceText writes content to a file and reads it as a trace.
func readTraceText(t *testing.T, content string, tok tokenize.Tokenizer, opts TraceOptions) *Trace {
	t.Helper()
	tr, err := ReadTrace(writeFile(t, "trace.jsonl", content), tok, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// entryPrompts lists a trace's prompts in time order.
func entryPrompts(tr *Trace) []string {
	out := make([]string, len(tr.Entries))
	for i, e := range tr.Entries {
		out[i] = e.Row.String("prompt")
	}
	return out
}

// checkTraceLengths fails unless every prompt is as long as its
// input_tokens says and does not start with a space.
func checkTraceLengths(t *testing.T, tr *Trace, tok tokenize.Tokenizer) {
	t.Helper()
	for i, e := range tr.Entries {
		p := e.Row.String("prompt")
		want, ok := e.Row.Int("input_tokens")
		if got := tok.Count(p); !ok || got != want {
			t.Fatalf("entry %d: prompt has %d tokens under %s, input_tokens says %d", i, got, tok.Name(), want)
		}
		if strings.HasPrefix(p, " ") {
			t.Errorf("entry %d: prompt starts with a space", i)
		}
	}
}

func TestTraceTimes(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    []string // each entry as "id@At"
	}{
		{
			name: "relative to the first request",
			content: `{"id":"a","timestamp":27482,"prompt":"x"}` + "\n" +
				`{"id":"b","timestamp":27500,"prompt":"x"}` + "\n" + `{"id":"c","timestamp":29482,"prompt":"x"}`,
			want: []string{"a@0s", "b@18ms", "c@2s"},
		},
		{
			name: "unsorted lines are sorted",
			content: `{"id":"c","timestamp":300,"prompt":"x"}` + "\n" + `{"id":"a","timestamp":100,"prompt":"x"}` + "\n" +
				`{"id":"b","timestamp":200,"prompt":"x"}`,
			want: []string{"a@0s", "b@100ms", "c@200ms"},
		},
		{
			name: "equal times keep the file's order",
			content: `{"id":"b","timestamp":5,"prompt":"x"}` + "\n" + `{"id":"c","timestamp":5,"prompt":"x"}` + "\n" +
				`{"id":"a","timestamp":1,"prompt":"x"}` + "\n" + `{"id":"d","timestamp":5,"prompt":"x"}`,
			want: []string{"a@0s", "b@4ms", "c@4ms", "d@4ms"},
		},
		{
			name:    "fractions of a millisecond",
			content: `{"id":"a","timestamp":0.25,"prompt":"x"}` + "\n" + `{"id":"b","timestamp":1.5,"prompt":"x"}`,
			want:    []string{"a@0s", "b@1.25ms"},
		},
		{
			name:    "one request",
			content: `{"id":"a","timestamp":12345,"input_length":3,"output_length":1}`,
			want:    []string{"a@0s"},
		},
	}
	tok := loadTok(t, tokenize.ApproxName)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := readTraceText(t, tc.content, tok, TraceOptions{})
			var got []string
			for _, e := range tr.Entries {
				got = append(got, fmt.Sprintf("%s@%v", e.Row.String("id"), e.At))
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// traceLine is a made-prompt line of a trace.
func traceLine(ms, n int, ids ...int) string {
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = fmt.Sprint(id)
	}
	return fmt.Sprintf(`{"timestamp":%d,"input_length":%d,"output_length":8,"hash_ids":[%s]}`, ms, n, strings.Join(list, ","))
}

func TestTraceExactLengths(t *testing.T) {
	cases := []struct {
		name  string
		block int
		lines []string
	}{
		{"within the first block", 0, []string{traceLine(0, 1, 7), traceLine(1, 2, 7), traceLine(2, 300, 7, 8)}},
		{"last block cut short", 0, []string{traceLine(0, 1300, 1, 2, 3), traceLine(1, 1025, 1, 2, 3)}},
		{"whole blocks", 0, []string{traceLine(0, 1024, 1, 2), traceLine(1, 1536, 1, 2, 3)}},
		{"fewer blocks than the length needs", 0, []string{traceLine(0, 1500, 1), traceLine(1, 700, 1)}},
		{"more ids than the length needs", 0, []string{traceLine(0, 600, 1, 2, 3, 4)}},
		{"no hash ids", 0, []string{traceLine(0, 1), traceLine(1, 777), traceLine(2, 2000)}},
		{"small blocks", 16, []string{traceLine(0, 40, 1, 2, 3), traceLine(1, 16, 1, 2), traceLine(2, 100, 1, 2, 4)}},
		{"an id in two places", 16, []string{traceLine(0, 40, 5, 6, 5), traceLine(1, 40, 6, 5, 6)}},
	}
	for _, name := range append(realTokenizers, tokenize.ApproxName) {
		tok := loadTok(t, name)
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				tr := readTraceText(t, strings.Join(tc.lines, "\n"), tok, TraceOptions{BlockTokens: tc.block, Seed: 3})
				checkTraceLengths(t, tr, tok)
			})
		}
	}
}

func TestTraceSharedPrefixes(t *testing.T) {
	const block = 512
	cases := []struct {
		name   string
		a, b   string
		shared int // leading tokens the two prompts have in common
	}{
		{"the same ids", traceLine(0, 1200, 1, 2, 3), traceLine(1, 1200, 1, 2, 3), 1200},
		{"two blocks in common", traceLine(0, 1400, 1, 2, 3), traceLine(1, 1400, 1, 2, 4), 2 * block},
		{"one a continuation of the other", traceLine(0, 2*block, 1, 2), traceLine(1, 3*block+9, 1, 2, 3, 4), 2 * block},
		{"a whole block that is last in one", traceLine(0, 3*block, 1, 2, 3), traceLine(1, 4*block, 1, 2, 3, 4), 3 * block},
		{"one past its blocks", traceLine(0, 2*block+50, 1, 2), traceLine(1, 2*block+50, 1, 2), 2 * block},
		{"nothing in common", traceLine(0, 900, 1, 2), traceLine(1, 900, 3, 2), 0},
	}
	for _, name := range realTokenizers {
		tok := loadTok(t, name)
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				tr := readTraceText(t, tc.a+"\n"+tc.b, tok, TraceOptions{Seed: 11})
				checkTraceLengths(t, tr, tok)
				a, b := entryPrompts(tr)[0], entryPrompts(tr)[1]
				ida, idb := tok.Encode(a), tok.Encode(b)
				common := 0
				for common < min(len(ida), len(idb)) && ida[common] == idb[common] {
					common++
				}
				if common < tc.shared {
					t.Fatalf("%d leading tokens in common, want %d", common, tc.shared)
				}
				if text := tok.Decode(ida[:tc.shared]); !strings.HasPrefix(b, text) {
					t.Fatalf("the shared tokens are not a prefix of both texts")
				}
				if common > tc.shared+8 {
					t.Errorf("%d leading tokens in common, want about %d: blocks of other ids look alike", common, tc.shared)
				}
			})
		}
	}
}

func TestTracePromptRows(t *testing.T) {
	tok := loadTok(t, tokenize.O200kBase)
	cases := []struct {
		name, line, want string
	}{
		{
			name: "prompt and every field",
			line: `{"timestamp":10,"prompt":"Hello there","input_length":99,"output_length":5,"hash_ids":[3,4],"session":"s1"}`,
			want: `{"hash_ids":[3,4],"input_length":99,"input_tokens":2,"max_tokens":5,"prompt":"Hello there","session":"s1","timestamp_ms":10}`,
		},
		{
			name: "prompt alone",
			line: `{"timestamp":0,"prompt":"Hi"}`,
			want: `{"input_tokens":1,"prompt":"Hi","timestamp_ms":0}`,
		},
		{
			name: "null fields count as missing",
			line: `{"timestamp":1.5,"prompt":"Hi","output_length":null,"hash_ids":null}`,
			want: `{"hash_ids":null,"input_tokens":1,"output_length":null,"prompt":"Hi","timestamp_ms":1.5}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := readTraceText(t, tc.line, tok, TraceOptions{})
			if got := rowJSON(t, tr.Entries[0].Row); got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestTraceMadeRowFields(t *testing.T) {
	tok := loadTok(t, tokenize.O200kBase)
	tr := readTraceText(t, `{"timestamp":7,"input_length":20,"output_length":52,"hash_ids":[46,47],"user":"u"}`, tok, TraceOptions{})
	r := tr.Entries[0].Row
	var keys []string
	for k := range r.All() {
		keys = append(keys, k)
	}
	if got := strings.Join(keys, ","); got != "hash_ids,input_tokens,max_tokens,prompt,timestamp_ms,user" {
		t.Fatalf("fields %s", got)
	}
	ids, _ := r.Get("hash_ids")
	n, _ := r.Int("input_tokens")
	out, _ := r.Int("max_tokens")
	ms, _ := r.Int("timestamp_ms")
	if !slices.Equal(ids.([]any), []any{46, 47}) || n != 20 || out != 52 || ms != 7 || r.String("user") != "u" {
		t.Fatalf("row %s", rowJSON(t, r))
	}
	if tr.Report.Rows != 1 || !strings.HasSuffix(tr.Report.Source, "trace.jsonl") {
		t.Errorf("report %s", tr.Report)
	}
}

func TestTraceErrors(t *testing.T) {
	ok := `{"timestamp":0,"input_length":5,"output_length":1}` + "\n"
	cases := []struct {
		name    string
		content string
		want    string // after the file name
	}{
		{"invalid JSON", ok + `{"timestamp":1,}`, `:2: invalid JSON: invalid character '}'`},
		{"not an object", ok + ok + `[1]`, `:3: each line must be a JSON object, got an array`},
		{"missing timestamp", ok + `{"input_length":5,"output_length":1}`, `:2: no "timestamp" field`},
		{"null timestamp", `{"timestamp":null,"prompt":"x"}`, `:1: no "timestamp" field`},
		{"negative timestamp", ok + "\n" + `{"timestamp":-1,"prompt":"x"}`, `:3: "timestamp" must be a number of milliseconds, 0 or more, got -1`},
		{"a timestamp as text", `{"timestamp":"10","prompt":"x"}`, `:1: "timestamp" must be a number of milliseconds, 0 or more, got "10"`},
		{"neither prompt nor length", ok + `{"timestamp":1,"output_length":1,"hash_ids":[1]}`, `:2: no "prompt" or "input_length" field`},
		{"no length to make", `{"timestamp":1,"input_length":0,"output_length":1}`, `:1: "input_length" must be at least 1`},
		{"negative length", `{"timestamp":1,"input_length":-4,"output_length":1}`, `:1: "input_length" must be a whole number, 0 or more, got -4`},
		{"fractional length", `{"timestamp":1,"input_length":2.5,"output_length":1}`, `:1: "input_length" must be a whole number, 0 or more, got 2.5`},
		{"fractional hash id", ok + `{"timestamp":1,"input_length":5,"output_length":1,"hash_ids":[1,2.5]}`, `:2: "hash_ids" must be an array of whole numbers, got 2.5 at index 1`},
		{"hash id as text", `{"timestamp":1,"input_length":5,"output_length":1,"hash_ids":["a"]}`, `:1: "hash_ids" must be an array of whole numbers, got "a" at index 0`},
		{"hash ids not a list", `{"timestamp":1,"input_length":5,"output_length":1,"hash_ids":7}`, `:1: "hash_ids" must be an array of whole numbers, got a number`},
		{"negative output length", ok + `{"timestamp":1,"input_length":5,"output_length":-1}`, `:2: "output_length" must be a whole number, 0 or more, got -1`},
		{"negative output length of a prompt", `{"timestamp":1,"prompt":"x","output_length":-1}`, `:1: "output_length" must be a whole number`},
		{"no output length to make", `{"timestamp":1,"input_length":5}`, `:1: no "output_length" field`},
		{"prompt not text", `{"timestamp":1,"prompt":["x"]}`, `:1: "prompt" must be a string, got an array`},
		{"empty file", "\n \n", `: no requests`},
	}
	tok := loadTok(t, tokenize.ApproxName)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bad.jsonl", tc.content)
			_, err := ReadTrace(path, tok, TraceOptions{})
			if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
				t.Fatalf("got %v, want an error starting %q", err, path+tc.want)
			}
		})
	}
}

func TestTraceFileErrors(t *testing.T) {
	tok := loadTok(t, tokenize.ApproxName)
	missing := filepath.Join(t.TempDir(), "nope.jsonl")
	if _, err := ReadTrace(missing, tok, TraceOptions{}); err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want a not-found error naming %s", err, missing)
	}
	path := writeFile(t, "t.jsonl", `{"timestamp":0,"prompt":"x"}`)
	if _, err := ReadTrace(path, tok, TraceOptions{BlockTokens: -1}); err == nil || !strings.Contains(err.Error(), "block tokens must be 0") {
		t.Errorf("negative block: got %v", err)
	}
}

func TestTraceSeedAndCache(t *testing.T) {
	o200k, cl100k := loadTok(t, tokenize.O200kBase), loadTok(t, tokenize.Cl100kBase)
	path := writeFile(t, "t.jsonl", strings.Join([]string{traceLine(0, 600, 1, 2), traceLine(5, 700, 1, 3), traceLine(9, 50)}, "\n"))
	read := func(tok tokenize.Tokenizer, seed uint64) *Trace {
		tr, err := ReadTrace(path, tok, TraceOptions{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a, b, c, d := read(o200k, 1), read(o200k, 1), read(o200k, 2), read(cl100k, 1)
	if a != b || a == c || a == d {
		t.Fatalf("same file, options and tokenizer: %p %p; other seed %p; other tokenizer %p", a, b, c, d)
	}
	again, err := readTrace(path, strings.NewReader(strings.Join([]string{traceLine(0, 600, 1, 2), traceLine(5, 700, 1, 3), traceLine(9, 50)}, "\n")), o200k, TraceOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(entryPrompts(a), entryPrompts(again)) {
		t.Error("the same seed gave different prompts")
	}
	for i, p := range entryPrompts(c) {
		if p == entryPrompts(a)[i] {
			t.Errorf("entry %d: another seed gave the same prompt", i)
		}
	}
}

func TestTraceSample(t *testing.T) {
	tok := loadTok(t, tokenize.O200kBase)
	tr, err := ReadTrace(filepath.Join("..", "..", "scenarios", "data", "trace_sample.jsonl"), tok, TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tr.Entries); n < 200 || n > 280 {
		t.Fatalf("%d entries, want about 240", n)
	}
	if last := tr.Entries[len(tr.Entries)-1].At; tr.Entries[0].At != 0 || last < 55*time.Second || last > 65*time.Second {
		t.Fatalf("entries run from %v to %v, want 0 to about 60s", tr.Entries[0].At, last)
	}
	checkTraceLengths(t, tr, tok)
	openings := map[string]int{}
	for _, e := range tr.Entries {
		n, _ := e.Row.Int("input_tokens")
		out, _ := e.Row.Int("max_tokens")
		if n < 200 || n > 3000 || out < 20 || out > 400 {
			t.Fatalf("input %d, output %d tokens; want 200-3000 and 20-400", n, out)
		}
		openings[fmt.Sprint(tok.Encode(e.Row.String("prompt"))[:200])]++
	}
	shared := 0
	for _, n := range openings {
		if n > 1 {
			shared += n
		}
	}
	if shared < len(tr.Entries)/2 {
		t.Errorf("%d of %d prompts share their opening with another, want most", shared, len(tr.Entries))
	}
}

// BenchmarkReadTrace makes a thousand prompts of about 2,000 tokens whose
// blocks are almost all distinct, the most work a trace of that size asks.
func BenchmarkReadTrace(b *testing.B) {
	tok, err := tokenize.Load(tokenize.O200kBase)
	if err != nil {
		b.Fatal(err)
	}
	var lines strings.Builder
	next := 100
	for i := range 1000 {
		n := 1500 + (i*37)%1000
		ids := []int{i % 10}
		for len(ids) < (n+511)/512 {
			ids = append(ids, next)
			next++
		}
		lines.WriteString(traceLine(i*10, n, ids...) + "\n")
	}
	for b.Loop() {
		if _, err := readTrace("bench.jsonl", strings.NewReader(lines.String()), tok, TraceOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
