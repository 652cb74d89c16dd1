package tokenize

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// gpt2Rune spells byte b the way byte-level vocabularies do, written out
// from GPT-2's published rule rather than taken from the code under test.
func gpt2Rune(b byte) rune {
	if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE {
		return rune(b)
	}
	n := 0
	for c := range int(b) {
		if !(c >= '!' && c <= '~' || c >= 0xA1 && c <= 0xAC || c >= 0xAE) {
			n++
		}
	}
	return rune(256 + n)
}

func spell(raw string) string {
	var b strings.Builder
	for i := range len(raw) {
		b.WriteRune(gpt2Rune(raw[i]))
	}
	return b.String()
}

// tinyTokenizer is a byte-level BPE tokenizer.json small enough to work
// out by hand: every byte has the id of its value, and six merged tokens
// follow. Cases edit it before it is written.
func tinyTokenizer() map[string]any {
	vocab := map[string]int{}
	for b := range 256 {
		vocab[spell(string([]byte{byte(b)}))] = b
	}
	for i, tok := range []string{"th", " t", "he", " th", " the", "é"} {
		vocab[spell(tok)] = 256 + i
	}
	return map[string]any{
		"added_tokens": []any{map[string]any{"id": 262, "content": "<|end|>", "special": true}},
		"normalizer":   nil,
		"pre_tokenizer": map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": `\s?\p{L}+|\s+|[^\s\p{L}]+`},
				"behavior": "Isolated", "invert": false},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": false},
		}},
		"decoder": map[string]any{"type": "ByteLevel"},
		"model":   map[string]any{"type": "BPE", "byte_fallback": false, "vocab": vocab, "merges": []any{}},
	}
}

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTinyByteLevelFile(t *testing.T) {
	nfc := func(f map[string]any) { f["normalizer"] = map[string]any{"type": "NFC"} }
	gpt2Split := func(f map[string]any) {
		f["pre_tokenizer"] = map[string]any{"type": "ByteLevel", "add_prefix_space": false}
	}
	tests := []struct {
		name string
		edit func(map[string]any)
		text string
		want []int
	}{
		{"whole piece in vocabulary", nil, " the", []int{260}},
		// t,h,e: "th" (256) ranks below "he" (258), then "the" is unknown.
		{"lowest-ranked merge first", nil, "the", []int{256, 101}},
		{"pieces split by the regex", nil, " the the", []int{260, 260}},
		{"composed accent", nil, "é", []int{261}},
		{"decomposed accent kept without NFC", nil, "e\u0301", []int{101, 0xCC, 0x81}},
		{"decomposed accent composed by NFC", nfc, "e\u0301", []int{261}},
		{"special text is ordinary", nil, "<|end|>", []int{'<', '|', 'e', 'n', 'd', '|', '>'}},
		{"ByteLevel's own GPT-2 split", gpt2Split, "the the", []int{256, 101, 260}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tinyTokenizer()
			if tt.edit != nil {
				tt.edit(f)
			}
			tok, err := loadFile(writeJSON(t, f))
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Encode(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Encode(%q) = %v, want %v", tt.text, got, tt.want)
			}
			if got := tok.Count(tt.text); got != len(tt.want) {
				t.Errorf("Count(%q) = %d, want %d", tt.text, got, len(tt.want))
			}
		})
	}
}

func TestTinyFileDecodes(t *testing.T) {
	tok, err := loadFile(writeJSON(t, tinyTokenizer()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tok.Decode([]int{260, 262, 261, 9999}), " the<|end|>é"; got != want {
		t.Errorf("Decode = %q, want %q (unknown id 9999 skipped)", got, want)
	}
}

func TestLoadFolder(t *testing.T) {
	dir := filepath.Dir(writeJSON(t, tinyTokenizer()))
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "tokenizer.json"); tok.Name() != want {
		t.Errorf("Name() = %q, want %q", tok.Name(), want)
	}
	if tok.Approximate() {
		t.Error("a tokenizer.json claims to be approximate")
	}
}

func TestLoadErrors(t *testing.T) {
	edited := func(edit func(map[string]any)) func(t *testing.T) string {
		return func(t *testing.T) string {
			f := tinyTokenizer()
			edit(f)
			return writeJSON(t, f)
		}
	}
	model := func(f map[string]any) map[string]any { return f["model"].(map[string]any) }
	vocab := func(f map[string]any) map[string]int { return model(f)["vocab"].(map[string]int) }
	tests := []struct {
		name        string
		spec        func(t *testing.T) string
		unsupported bool
		wantIn      []string
	}{
		{"unknown encoding name", func(*testing.T) string { return "p50k_bsae" },
			false, []string{`unknown tokenizer "p50k_bsae"`, "o200k_base", "cl100k_base", "approx", "tokenizer.json"}},
		{"missing file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "none", "tokenizer.json") },
			false, []string{"none", "tokenizer.json"}},
		{"not JSON", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "tokenizer.json")
			if err := os.WriteFile(path, []byte("<html>"), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}, false, []string{"parsing JSON"}},
		{"SentencePiece with byte fallback, like Llama 2", edited(func(f map[string]any) {
			f["pre_tokenizer"] = map[string]any{"type": "Metaspace", "replacement": "▁"}
			f["decoder"] = map[string]any{"type": "Sequence", "decoders": []any{
				map[string]any{"type": "Replace"}, map[string]any{"type": "ByteFallback"}}}
			model(f)["byte_fallback"] = true
		}), true, []string{"SentencePiece", "Llama 2", "usage", `"approx"`}},
		{"Metaspace alone", edited(func(f map[string]any) {
			f["pre_tokenizer"] = map[string]any{"type": "Metaspace"}
		}), true, []string{"SentencePiece"}},
		{"WordPiece model", edited(func(f map[string]any) { model(f)["type"] = "WordPiece" }),
			true, []string{`model type "WordPiece"`}},
		{"Unigram model with a list vocabulary", edited(func(f map[string]any) {
			f["model"] = map[string]any{"type": "Unigram", "vocab": [][]any{{"a", -1.5}}}
		}), true, []string{`model type "Unigram"`}},
		{"no ByteLevel pre-tokenizer", edited(func(f map[string]any) {
			f["pre_tokenizer"] = map[string]any{"type": "Whitespace"}
		}), true, []string{"no ByteLevel pre-tokenizer"}},
		{"other decoder", edited(func(f map[string]any) { f["decoder"] = map[string]any{"type": "WordPiece"} }),
			true, []string{"decoder WordPiece"}},
		{"two splits", edited(func(f map[string]any) {
			f["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
				map[string]any{"type": "Split", "pattern": map[string]any{"Regex": `\d`}, "behavior": "Isolated"},
				map[string]any{"type": "ByteLevel", "use_regex": true},
			}}
		}), true, []string{"splits twice"}},
		{"literal split", edited(func(f map[string]any) {
			f["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
				map[string]any{"type": "Split", "pattern": map[string]any{"String": " "}, "behavior": "Isolated"},
				map[string]any{"type": "ByteLevel", "use_regex": false},
			}}
		}), true, []string{"Split pre-tokenizer"}},
		{"prefix space", edited(func(f map[string]any) {
			f["pre_tokenizer"] = map[string]any{"type": "ByteLevel", "add_prefix_space": true}
		}), true, []string{"add_prefix_space"}},
		{"lowercasing normalizer", edited(func(f map[string]any) {
			f["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{
				map[string]any{"type": "NFC"}, map[string]any{"type": "Lowercase"}}}
		}), true, []string{"normalizer Lowercase"}},
		{"vocabulary not byte-level", edited(func(f map[string]any) { vocab(f)["€uro"] = 300 }),
			true, []string{`"€uro"`, "not byte-level"}},
		{"vocabulary missing a byte", edited(func(f map[string]any) { delete(vocab(f), spell("\x00")) }),
			true, []string{"byte 0x00"}},
		{"bad regex", edited(func(f map[string]any) {
			f["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
				map[string]any{"type": "Split", "pattern": map[string]any{"Regex": `(\p{L}`}, "behavior": "Isolated"},
				map[string]any{"type": "ByteLevel", "use_regex": false},
			}}
		}), false, []string{"building BPE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec(t)
			tok, err := Load(spec)
			if err == nil {
				t.Fatalf("Load(%q) = %s, want an error", spec, tok.Name())
			}
			if got := errors.Is(err, ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v; err: %v", got, tt.unsupported, err)
			}
			for _, want := range tt.wantIn {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.HasPrefix(tt.name, "missing") && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %v is not fs.ErrNotExist", err)
			}
			if strings.HasSuffix(spec, ".json") && !strings.Contains(err.Error(), spec) {
				t.Errorf("error %q does not name the file %s", err, spec)
			}
		})
	}
}

func TestLoadNames(t *testing.T) {
	tests := []struct {
		spec   string
		approx bool
	}{
		{O200kBase, false},
		{Cl100kBase, false},
		{ApproxName, true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			tok := mustLoad(t, tt.spec)
			if tok.Name() != tt.spec || tok.Approximate() != tt.approx {
				t.Errorf("Name() = %q, Approximate() = %v; want %q, %v", tok.Name(), tok.Approximate(), tt.spec, tt.approx)
			}
			again := mustLoad(t, tt.spec)
			if again != tok {
				t.Error("a second Load returned a different tokenizer")
			}
		})
	}
}

func TestLoadConcurrentlySharesOneTokenizer(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]Tokenizer, 8)
	for i := range got {
		wg.Go(func() { got[i] = mustLoad(t, Cl100kBase) })
	}
	wg.Wait()
	for i, tok := range got {
		if tok != got[0] {
			t.Fatalf("goroutine %d got a different tokenizer", i)
		}
	}
}

func TestRegistryLoadsOnceForConcurrentCallers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var loads atomic.Int32
		r := &registry{load: func(string) (Tokenizer, error) {
			loads.Add(1)
			<-release
			return Approx(), nil
		}}
		results := make(chan Tokenizer, 8)
		for range 8 {
			go func() {
				tok, err := r.get("spec")
				if err != nil {
					t.Error(err)
				}
				results <- tok
			}()
		}
		synctest.Wait() // one caller is loading, seven are waiting for it
		if n := loads.Load(); n != 1 {
			t.Fatalf("%d loads started, want 1", n)
		}
		close(release)
		for range 8 {
			if tok := <-results; tok == nil {
				t.Error("a caller got no tokenizer")
			}
		}
		if _, err := r.get("spec"); err != nil || loads.Load() != 1 {
			t.Errorf("a later call loaded again (loads %d, err %v)", loads.Load(), err)
		}
	})
}

func TestRegistryRetriesAfterFailure(t *testing.T) {
	var loads int
	r := &registry{load: func(string) (Tokenizer, error) {
		loads++
		if loads == 1 {
			return nil, errors.New("first load fails")
		}
		return Approx(), nil
	}}
	if _, err := r.get("spec"); err == nil {
		t.Fatal("the failing load returned no error")
	}
	for range 2 {
		if _, err := r.get("spec"); err != nil {
			t.Fatal(err)
		}
	}
	if loads != 2 {
		t.Errorf("%d loads, want 2: one failure, then one success kept", loads)
	}
}
