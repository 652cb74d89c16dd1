package mock

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// words are the output vocabulary. Each is a common lowercase English word
// with a leading space, and each such string is meant to be a single token
// in both cl100k_base and o200k_base, so that N generated tokens tokenize
// to exactly N tokens on the client side.
var words = [...]string{
	" the", " of", " and", " to", " in", " is", " that", " for",
	" it", " as", " was", " with", " be", " by", " on", " not",
	" he", " this", " are", " or", " his", " from", " at", " which",
	" but", " have", " an", " had", " they", " you", " were", " their",
	" one", " all", " we", " can", " her", " has", " there", " been",
	" if", " more", " when", " will", " would", " who", " so", " no",
	" time", " people", " year", " way", " day", " man", " world", " life",
	" work", " part", " place", " water", " house", " number", " good", " new",
}

// Words returns a copy of the output vocabulary, so that tests elsewhere
// can check the promise above against real tokenizers.
func Words() []string { return slices.Clone(words[:]) }

// nextWords returns n words drawn from rng as one string.
func nextWords(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(words[rng.IntN(len(words))])
	}
	return b.String()
}
