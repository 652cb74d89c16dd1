package dataset

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/llmlocust/llmlocust/engine/tokenize"
)

var realTokenizers = []string{tokenize.O200kBase, tokenize.Cl100kBase}

func loadTok(t *testing.T, spec string) tokenize.Tokenizer {
	t.Helper()
	tok, err := tokenize.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// checkLengths fails unless every row's prompt is as long as its
// input_tokens says, and returns those lengths.
func checkLengths(t *testing.T, set *Set, tok tokenize.Tokenizer) []int {
	t.Helper()
	lengths := make([]int, set.Len())
	for i := range set.Len() {
		r := set.Row(i)
		want, ok := r.Int("input_tokens")
		if got := tok.Count(r.String("prompt")); !ok || got != want {
			t.Fatalf("row %d: prompt has %d tokens under %s, input_tokens says %d", i, got, tok.Name(), want)
		}
		lengths[i] = want
	}
	return lengths
}

func TestSyntheticExactLengths(t *testing.T) {
	for _, name := range append(realTokenizers, tokenize.ApproxName) {
		tok := loadTok(t, name)
		for _, n := range []int{1, 2, 17, 128, 1000, 4000} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				set, err := synthesize(SyntheticSpec{Count: 2, Input: FixedDist(n), Output: FixedDist(7), Seed: uint64(n)}, tok)
				if err != nil {
					t.Fatal(err)
				}
				for i, got := range checkLengths(t, set, tok) {
					if out, _ := set.Row(i).Int("max_tokens"); got != n || out != 7 {
						t.Errorf("row %d: input_tokens %d, max_tokens %d; want %d and 7", i, got, out, n)
					}
				}
			})
		}
	}
}

func TestSyntheticDrawnLengths(t *testing.T) {
	spec := SyntheticSpec{
		Count:  100,
		Input:  Dist{Kind: Uniform, Min: 1, Max: 300},
		Output: Dist{Kind: Normal, Mean: 64, StdDev: 32, Min: 16, Max: 100},
		Seed:   42,
	}
	var first []int
	for _, name := range realTokenizers {
		t.Run(name, func(t *testing.T) {
			tok := loadTok(t, name)
			set, err := synthesize(spec, tok)
			if err != nil {
				t.Fatal(err)
			}
			lengths := checkLengths(t, set, tok)
			if first == nil {
				first = lengths
			} else if !slices.Equal(first, lengths) {
				t.Errorf("one seed drew different lengths under different tokenizers")
			}
			if lo, hi := slices.Min(lengths), slices.Max(lengths); lo > 20 || hi < 280 {
				t.Errorf("lengths span %d..%d, want most of 1..300", lo, hi)
			}
			for i := range set.Len() {
				if out, _ := set.Row(i).Int("max_tokens"); out < 16 || out > 100 {
					t.Fatalf("row %d: max_tokens %d outside [16, 100]", i, out)
				}
			}
		})
	}
}

// prompts lists a set's prompts.
func prompts(set *Set) []string {
	out := make([]string, set.Len())
	for i := range out {
		out[i] = set.Row(i).String("prompt")
	}
	return out
}

func TestSyntheticSeed(t *testing.T) {
	tok := loadTok(t, tokenize.O200kBase)
	spec := SyntheticSpec{Count: 20, Input: Dist{Kind: Normal, Mean: 100, StdDev: 30}, Output: FixedDist(10), Seed: 5}
	a, err := synthesize(spec, tok)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := synthesize(spec, tok)
	spec.Seed = 6
	c, _ := synthesize(spec, tok)
	if !slices.Equal(prompts(a), prompts(b)) {
		t.Error("the same seed gave different prompts")
	}
	if slices.Equal(prompts(a), prompts(c)) {
		t.Error("different seeds gave the same prompts")
	}
	distinct := map[string]bool{}
	for _, p := range prompts(a) {
		distinct[p] = true
	}
	if len(distinct) != a.Len() {
		t.Errorf("%d distinct prompts of %d", len(distinct), a.Len())
	}
}

func TestSyntheticCached(t *testing.T) {
	o200k, cl100k := loadTok(t, tokenize.O200kBase), loadTok(t, tokenize.Cl100kBase)
	spec := SyntheticSpec{Count: 3, Input: FixedDist(20), Output: FixedDist(5), Seed: 1234}
	a, err := Synthetic(spec, o200k)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Synthetic(spec, o200k)
	c, _ := Synthetic(spec, cl100k)
	if a != b || a == c {
		t.Fatalf("same spec and tokenizer: %p %p; other tokenizer: %p", a, b, c)
	}
}

func TestGeneratorErrors(t *testing.T) {
	tok := loadTok(t, tokenize.ApproxName)
	ok := FixedDist(10)
	cases := []struct {
		name string
		make func() (*Set, error)
		want string
	}{
		{"no rows", func() (*Set, error) { return Synthetic(SyntheticSpec{Input: ok, Output: ok}, tok) }, "synthetic dataset: count must be at least 1"},
		{"bad input", func() (*Set, error) { return Synthetic(SyntheticSpec{Count: 1, Input: FixedDist(0), Output: ok}, tok) }, "synthetic dataset: input tokens: value must be"},
		{"bad output", func() (*Set, error) {
			return Synthetic(SyntheticSpec{Count: 1, Input: ok, Output: Dist{Kind: "zipf"}}, tok)
		}, "synthetic dataset: output tokens: unknown distribution kind"},
		{"no groups", func() (*Set, error) {
			return SharedPrefix(SharedPrefixSpec{RowsPerGroup: 1, PrefixTokens: 1, Output: ok}, tok)
		}, "shared-prefix dataset: groups must be at least 1"},
		{"no prefix", func() (*Set, error) {
			return SharedPrefix(SharedPrefixSpec{Groups: 1, RowsPerGroup: 1, Output: ok}, tok)
		}, "shared-prefix dataset: prefix tokens must be at least 1"},
		{"negative suffix", func() (*Set, error) {
			return SharedPrefix(SharedPrefixSpec{Groups: 1, RowsPerGroup: 1, PrefixTokens: 1, SuffixTokens: -1, Output: ok}, tok)
		}, "shared-prefix dataset: suffix tokens must be 0 or more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.make()
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error starting %q", err, tc.want)
			}
		})
	}
}

func TestSharedPrefix(t *testing.T) {
	cases := []struct{ prefix, suffix, groups, rows int }{
		{1, 1, 3, 3},
		{2, 17, 3, 4},
		{17, 0, 2, 2},
		{128, 128, 4, 5},
		{1000, 17, 2, 3},
		{4000, 2, 1, 2},
	}
	for _, name := range append(realTokenizers, tokenize.ApproxName) {
		tok := loadTok(t, name)
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%d+%d", name, tc.prefix, tc.suffix), func(t *testing.T) {
				spec := SharedPrefixSpec{Groups: tc.groups, RowsPerGroup: tc.rows, PrefixTokens: tc.prefix,
					SuffixTokens: tc.suffix, Output: FixedDist(9), Seed: uint64(tc.prefix)}
				set, err := sharePrefixes(spec, tok)
				if err != nil {
					t.Fatal(err)
				}
				if set.Len() != tc.groups*tc.rows {
					t.Fatalf("%d rows, want %d", set.Len(), tc.groups*tc.rows)
				}
				checkGroups(t, set, tok, spec)
			})
		}
	}
}

// checkGroups checks lengths, fields and, for real tokenizers, that every
// row of a group starts with the same prefix ids and groups differ.
func checkGroups(t *testing.T, set *Set, tok tokenize.Tokenizer, spec SharedPrefixSpec) {
	t.Helper()
	for i, n := range checkLengths(t, set, tok) {
		r := set.Row(i)
		g, _ := r.Int("group")
		p, _ := r.Int("prefix_tokens")
		out, _ := r.Int("max_tokens")
		if n != spec.PrefixTokens+spec.SuffixTokens || g != i/spec.RowsPerGroup || p != spec.PrefixTokens || out != 9 {
			t.Fatalf("row %d: input_tokens %d, group %d, prefix_tokens %d, max_tokens %d", i, n, g, p, out)
		}
	}
	if tok.Approximate() {
		return
	}
	prefixes := map[string]bool{}
	for g := range spec.Groups {
		first := tok.Encode(set.Row(g * spec.RowsPerGroup).String("prompt"))[:spec.PrefixTokens]
		prefixes[fmt.Sprint(first)] = true
		for j := range spec.RowsPerGroup {
			ids := tok.Encode(set.Row(g*spec.RowsPerGroup + j).String("prompt"))
			if !slices.Equal(ids[:spec.PrefixTokens], first) {
				t.Fatalf("group %d row %d: the first %d ids differ from the group's first row", g, j, spec.PrefixTokens)
			}
		}
	}
	if len(prefixes) != spec.Groups {
		t.Errorf("%d groups share %d distinct prefixes", spec.Groups, len(prefixes))
	}
}

func TestSharedPrefixSeed(t *testing.T) {
	tok := loadTok(t, tokenize.Cl100kBase)
	spec := SharedPrefixSpec{Groups: 2, RowsPerGroup: 3, PrefixTokens: 50, SuffixTokens: 10, Output: Dist{Kind: Uniform, Min: 5, Max: 50}, Seed: 9}
	a, err := sharePrefixes(spec, tok)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sharePrefixes(spec, tok)
	spec.Seed = 10
	c, _ := sharePrefixes(spec, tok)
	if !slices.Equal(prompts(a), prompts(b)) || slices.Equal(prompts(a), prompts(c)) {
		t.Fatal("seeds do not decide the prompts")
	}
	same, _ := SharedPrefix(spec, tok)
	again, _ := SharedPrefix(spec, tok)
	if same != again {
		t.Error("the same spec gave two sets")
	}
}
