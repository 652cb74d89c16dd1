package dataset

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// A prompt of exactly n tokens is made in three moves: write prose that is
// at least n tokens long, cut its token ids to n and decode them, then
// settle the ending. The cut can land inside a word, and a word's pieces
// may tokenize differently on their own, so the count is measured again and
// words are dropped from or added to the end until it is exact. Only the
// end moves, so a head (a shared prefix) stays as it was.

// maxSettle bounds the fix-up rounds; each round moves the count by about
// half the remaining gap, so real tokenizers settle in a handful.
const maxSettle = 64

// fitter makes texts of exact token counts under one tokenizer.
type fitter struct {
	tok tokenize.Tokenizer
	// fillers are the corpus words that add exactly one token after a
	// space, for closing the last small gaps.
	fillers []string
}

func newFitter(tok tokenize.Tokenizer) *fitter {
	f := &fitter{tok: tok}
	for _, w := range words {
		if tok.Count(" "+w) == 1 {
			f.fillers = append(f.fillers, w)
		}
	}
	if len(f.fillers) == 0 {
		f.fillers = words
	}
	return f
}

// exact returns head followed by prose drawn with r, n tokens in all, and
// its ids when the tokenizer has real ones. head is headTokens long and
// kept as it is.
func (f *fitter) exact(head string, headTokens, n int, r *rand.Rand) (string, []int, error) {
	var b strings.Builder
	b.WriteString(head)
	prose(&b, r, n-headTokens)
	text := b.String()
	c, ids := f.measure(text)
	for grow := 0; c < n && grow < 8; grow++ {
		prose(&b, r, n-c)
		text = b.String()
		c, ids = f.measure(text)
	}
	if len(ids) > n {
		if cut := f.tok.Decode(ids[:n]); len(cut) > len(head) && strings.HasPrefix(cut, head) {
			text = cut
		}
	}
	return f.settle(head, text, n, r)
}

// measure counts text's tokens, with their ids when the tokenizer has
// real ones.
func (f *fitter) measure(text string) (int, []int) {
	if f.tok.Approximate() {
		return f.tok.Count(text), nil
	}
	ids := f.tok.Encode(text)
	return len(ids), ids
}

// settle moves the end of text (after head) until it is n tokens long.
func (f *fitter) settle(head, text string, n int, r *rand.Rand) (string, []int, error) {
	for range maxSettle {
		c, ids := f.measure(text)
		switch {
		case c == n:
			return text, ids, nil
		case c > n:
			tail, ok := dropWords(text[len(head):], max(1, (c-n)/2))
			if !ok {
				return "", nil, fmt.Errorf("cannot make a text of exactly %d tokens with tokenizer %s: the fixed start alone is longer", n, f.tok.Name())
			}
			text = head + tail
		default:
			text = f.addFillers(text, n-c, r)
		}
	}
	return "", nil, fmt.Errorf("cannot make a text of exactly %d tokens with tokenizer %s: the count does not settle", n, f.tok.Name())
}

// dropWords cuts the last k words off tail; ok is false when tail is
// already empty.
func dropWords(tail string, k int) (string, bool) {
	if tail == "" {
		return "", false
	}
	for range k {
		i := strings.LastIndexByte(tail, ' ')
		if i < 0 {
			return "", true
		}
		tail = tail[:i]
	}
	return tail, true
}

// addFillers appends k filler words drawn with r.
func (f *fitter) addFillers(text string, k int, r *rand.Rand) string {
	var b strings.Builder
	b.WriteString(text)
	for range k {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.fillers[r.IntN(len(f.fillers))])
	}
	return b.String()
}
