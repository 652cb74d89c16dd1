package tokenize

import (
	"slices"
	"testing"
)

func TestApprox(t *testing.T) {
	tests := []struct {
		name string
		text string
		want int // bytes of UTF-8 over four, rounded up
	}{
		{"empty", "", 0},
		{"one byte", "a", 1},
		{"four bytes", "abcd", 1},
		{"five bytes", "abcde", 2},
		{"English sentence of 44 bytes", "The quick brown fox jumps over the lazy dog.", 11},
		{"two CJK characters, six bytes", "日本", 2},
		{"one emoji, four bytes", "🚀", 1},
		{"NUL bytes count", "\x00\x00\x00\x00\x00", 2},
	}
	tok := Approx()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tok.Count(tt.text); got != tt.want {
				t.Errorf("Count(%q) = %d, want %d", tt.text, got, tt.want)
			}
			ids := tok.Encode(tt.text)
			if len(ids) != tt.want {
				t.Errorf("Encode(%q) gave %d ids, want %d", tt.text, len(ids), tt.want)
			}
			if got := tok.Decode(ids); got != tt.text {
				t.Errorf("Decode(Encode(%q)) = %q", tt.text, got)
			}
		})
	}
}

func TestApproxIsLabelled(t *testing.T) {
	loaded := mustLoad(t, ApproxName)
	for _, tok := range []Tokenizer{Approx(), loaded} {
		if !tok.Approximate() || tok.Name() != ApproxName {
			t.Errorf("Approximate() = %v, Name() = %q; want true, %q", tok.Approximate(), tok.Name(), ApproxName)
		}
	}
}

func TestApproxDecodeSkipsForeignIDs(t *testing.T) {
	tok := Approx()
	ids := slices.Concat([]int{-1, 0, 12345}, tok.Encode("kept"))
	if got := tok.Decode(ids); got != "kept" {
		t.Errorf("Decode = %q, want %q", got, "kept")
	}
}
