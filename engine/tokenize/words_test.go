package tokenize_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// TestMockWordsAreOneTokenEach holds the simulator to its promise that N
// words of its output are N tokens, so that client-side counts of its
// streams can be checked exactly.
func TestMockWordsAreOneTokenEach(t *testing.T) {
	words := mock.Words()
	if len(words) == 0 {
		t.Fatal("the simulator has no words")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var text strings.Builder
	for range 1000 {
		text.WriteString(words[rng.IntN(len(words))]) // each word carries its leading space
	}
	for _, spec := range []string{tokenize.O200kBase, tokenize.Cl100kBase} {
		t.Run(spec, func(t *testing.T) {
			tok, err := tokenize.Load(spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range words {
				if n := tok.Count(w); n != 1 {
					t.Errorf("%q is %d tokens, want 1", w, n)
				}
			}
			if n := tok.Count(text.String()); n != 1000 {
				t.Errorf("1,000 words are %d tokens, want 1000", n)
			}
		})
	}
}
