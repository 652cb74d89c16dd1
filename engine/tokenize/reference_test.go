package tokenize

import (
	"fmt"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// referenceTokenizers pairs each tokenizer with the name ids.mjs knows it
// by: OpenAI's own tiktoken (its WASM build) for the encodings, and a port
// of transformers.js running the same tokenizer.json for the files.
var referenceTokenizers = []struct {
	name string
	spec func() string
}{
	{"o200k_base", func() string { return O200kBase }},
	{"cl100k_base", func() string { return Cl100kBase }},
	{"llama3", func() string { return llama3Path }},
	{"qwen3", func() string { return qwen3Path }},
}

func TestMatchesReference(t *testing.T) {
	texts := samples(t)
	for _, ref := range referenceTokenizers {
		t.Run(ref.name, func(t *testing.T) {
			t.Parallel()
			tok := mustLoad(t, ref.spec())
			all := make([]string, len(texts))
			for i, s := range texts {
				all[i] = s.text
			}
			want := reference(t, ref.name, all)
			for i, s := range texts {
				t.Run(s.name, func(t *testing.T) {
					got := tok.Encode(s.text)
					if !slices.Equal(got, want[i]) {
						t.Errorf("Encode differs from the reference: %s", firstDifference(got, want[i]))
					}
					if n := tok.Count(s.text); n != len(want[i]) {
						t.Errorf("Count = %d, reference has %d tokens", n, len(want[i]))
					}
				})
			}
		})
	}
}

// firstDifference describes where two id lists part.
func firstDifference(got, want []int) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	around := func(ids []int) []int { return ids[max(0, i-3):min(len(ids), i+4)] }
	return fmt.Sprintf("lengths %d and %d, first difference at %d: got …%v…, want …%v…",
		len(got), len(want), i, around(got), around(want))
}

func TestDecodeInvertsEncode(t *testing.T) {
	texts := samples(t)
	for _, ref := range referenceTokenizers {
		t.Run(ref.name, func(t *testing.T) {
			tok := mustLoad(t, ref.spec())
			for _, s := range texts {
				want := s.text
				if ref.name == "qwen3" {
					want = norm.NFC.String(want) // the file asks for NFC
				}
				if got := tok.Decode(tok.Encode(s.text)); got != want {
					t.Errorf("%s: Decode(Encode(text)) = %q, want %q", s.name, got, want)
				}
			}
		})
	}
}

// TestPublishedIDs checks ids that OpenAI's tiktoken documentation prints
// (the cookbook "How to count tokens with tiktoken"); it needs no Node.
func TestPublishedIDs(t *testing.T) {
	tests := []struct {
		name string
		spec string
		text string
		want []int
	}{
		{"cl100k_base cookbook example", Cl100kBase, "tiktoken is great!", []int{83, 1609, 5963, 374, 2294, 0}},
		{"o200k_base cookbook example", O200kBase, "tiktoken is great!", []int{83, 8251, 2488, 382, 2212, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := mustLoad(t, tt.spec)
			if got := tok.Encode(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Encode(%q) = %v, want %v", tt.text, got, tt.want)
			}
			if got := tok.Count(tt.text); got != len(tt.want) {
				t.Errorf("Count(%q) = %d, want %d", tt.text, got, len(tt.want))
			}
		})
	}
}

// TestSpecialTokenTextIsOrdinary checks that text spelling a special token
// neither panics nor turns into the special id.
func TestSpecialTokenTextIsOrdinary(t *testing.T) {
	tests := []struct {
		name    string
		spec    func() string
		token   string
		special int // the id token has as a special token
	}{
		{"o200k_base endoftext", func() string { return O200kBase }, "<|endoftext|>", 199999},
		{"o200k_base endofprompt", func() string { return O200kBase }, "<|endofprompt|>", 200018},
		{"cl100k_base endoftext", func() string { return Cl100kBase }, "<|endoftext|>", 100257},
		{"cl100k_base fim_prefix", func() string { return Cl100kBase }, "<|fim_prefix|>", 100258},
		{"llama3 begin_of_text", func() string { return llama3Path }, "<|begin_of_text|>", 128000},
		{"qwen3 im_start", func() string { return qwen3Path }, "<|im_start|>", 151644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := mustLoad(t, tt.spec())
			for _, text := range []string{tt.token, "Hi " + tt.token + "there"} {
				ids := tok.Encode(text)
				if slices.Contains(ids, tt.special) || len(ids) < 2 {
					t.Errorf("Encode(%q) = %v, want ordinary tokens without %d", text, ids, tt.special)
				}
			}
			if got := tok.Decode([]int{tt.special}); got != tt.token {
				t.Errorf("Decode([%d]) = %q, want %q", tt.special, got, tt.token)
			}
		})
	}
}

// TestOddInput feeds text no reference can take (invalid UTF-8 cannot
// travel as JSON): it must count, not panic, and count what Encode gives.
func TestOddInput(t *testing.T) {
	texts := []struct{ name, text, sameAs string }{
		{"invalid UTF-8 counts as U+FFFD", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"truncated character, one U+FFFD a byte", "日本\xe8\xaa", "日本\uFFFD\uFFFD"},
		{"NUL and controls", "\x00\x01\x7f", "\x00\x01\x7f"},
		{"lone combining mark and BOM", "\u0301\ufeff", "\u0301\ufeff"},
	}
	for _, ref := range referenceTokenizers {
		t.Run(ref.name, func(t *testing.T) {
			tok := mustLoad(t, ref.spec())
			for _, tt := range texts {
				ids := tok.Encode(tt.text)
				if n := tok.Count(tt.text); n != len(ids) || n == 0 {
					t.Errorf("%s: Count = %d, Encode gave %d ids", tt.name, n, len(ids))
				}
				if want := tok.Encode(tt.sameAs); !slices.Equal(ids, want) {
					t.Errorf("%s: Encode = %v, want %v as for %q", tt.name, ids, want, tt.sameAs)
				}
			}
		})
	}
}
