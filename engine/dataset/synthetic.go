package dataset

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// Generated sets draw from independent PCG streams: one for the lengths,
// one per row (or group) for its text. The lengths a seed gives therefore
// do not depend on the tokenizer, and rows can be built in parallel and
// still come out the same for a seed.
const (
	streamLengths = 0
	streamRows    = 1 << 32
	streamGroups  = 2 << 32
)

func pcg(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// SyntheticSpec describes a set of generated prompts.
type SyntheticSpec struct {
	Count  int    // number of rows
	Input  Dist   // prompt lengths in tokens
	Output Dist   // requested answer lengths (max_tokens)
	Seed   uint64 // the same seed and tokenizer give the same rows
}

func (s SyntheticSpec) validate() error {
	if s.Count < 1 {
		return fmt.Errorf("count must be at least 1, got %d", s.Count)
	}
	if err := s.Input.Validate(); err != nil {
		return fmt.Errorf("input tokens: %w", err)
	}
	if err := s.Output.Validate(); err != nil {
		return fmt.Errorf("output tokens: %w", err)
	}
	return nil
}

// genKey names a generated set in the cache.
type genKey struct {
	spec any
	tok  string
}

// Synthetic generates spec.Count prompts of English words, each exactly
// as many tokens long under tok as its drawn input length. Rows have
// "prompt", "input_tokens" and "max_tokens" (the drawn output length).
// Sets are cached by spec and tokenizer name.
func Synthetic(spec SyntheticSpec, tok tokenize.Tokenizer) (*Set, error) {
	if err := spec.validate(); err != nil {
		return nil, fmt.Errorf("synthetic dataset: %w", err)
	}
	key := cacheKey{kind: "synthetic", from: genKey{spec: spec, tok: tok.Name()}}
	return loaded.Get(key, func() (*Set, error) {
		set, err := synthesize(spec, tok)
		if err != nil {
			return nil, fmt.Errorf("synthetic dataset: %w", err)
		}
		return set, nil
	})
}

func synthesize(spec SyntheticSpec, tok tokenize.Tokenizer) (*Set, error) {
	lengths := pcg(spec.Seed, streamLengths)
	in, out := make([]int, spec.Count), make([]int, spec.Count)
	for i := range in {
		in[i], out[i] = spec.Input.Draw(lengths), spec.Output.Draw(lengths)
	}
	f := newFitter(tok)
	prompts := make([]string, spec.Count)
	err := parallel(spec.Count, func(i int) error {
		p, _, err := f.exact("", 0, in[i], pcg(spec.Seed, streamRows+uint64(i)))
		prompts[i] = p
		return err
	})
	if err != nil {
		return nil, err
	}
	b := newBuilder()
	rows := make([]Row, spec.Count)
	for i := range rows {
		rows[i] = b.fields("prompt", prompts[i], "input_tokens", in[i], "max_tokens", out[i])
	}
	src := fmt.Sprintf("synthetic (input %s, output %s, seed %d, tokenizer %s)", spec.Input, spec.Output, spec.Seed, tok.Name())
	return newSet(rows, Report{Source: src}), nil
}

// SharedPrefixSpec describes groups of prompts that share a prefix, for
// prefix-cache (KV-cache) tests.
type SharedPrefixSpec struct {
	Groups       int    // number of distinct prefixes
	RowsPerGroup int    // prompts per prefix
	PrefixTokens int    // length of each group's common prefix
	SuffixTokens int    // length of each prompt's own ending (0 repeats the prefix)
	Output       Dist   // requested answer lengths (max_tokens)
	Seed         uint64 // the same seed and tokenizer give the same rows
}

func (s SharedPrefixSpec) validate() error {
	switch {
	case s.Groups < 1:
		return fmt.Errorf("groups must be at least 1, got %d", s.Groups)
	case s.RowsPerGroup < 1:
		return fmt.Errorf("rows per group must be at least 1, got %d", s.RowsPerGroup)
	case s.PrefixTokens < 1:
		return fmt.Errorf("prefix tokens must be at least 1, got %d", s.PrefixTokens)
	case s.SuffixTokens < 0:
		return fmt.Errorf("suffix tokens must be 0 or more, got %d", s.SuffixTokens)
	}
	if err := s.Output.Validate(); err != nil {
		return fmt.Errorf("output tokens: %w", err)
	}
	return nil
}

// SharedPrefix generates spec.Groups groups of spec.RowsPerGroup prompts.
// Every prompt of a group starts with the group's prefix of exactly
// PrefixTokens tokens, whose token ids it keeps when tokenized whole, and
// ends with its own SuffixTokens tokens. Rows come group by group and have
// "prompt", "group" (from 0), "input_tokens", "prefix_tokens" and
// "max_tokens". Sets are cached by spec and tokenizer name.
func SharedPrefix(spec SharedPrefixSpec, tok tokenize.Tokenizer) (*Set, error) {
	if err := spec.validate(); err != nil {
		return nil, fmt.Errorf("shared-prefix dataset: %w", err)
	}
	key := cacheKey{kind: "shared_prefix", from: genKey{spec: spec, tok: tok.Name()}}
	return loaded.Get(key, func() (*Set, error) {
		set, err := sharePrefixes(spec, tok)
		if err != nil {
			return nil, fmt.Errorf("shared-prefix dataset: %w", err)
		}
		return set, nil
	})
}

func sharePrefixes(spec SharedPrefixSpec, tok tokenize.Tokenizer) (*Set, error) {
	f := newFitter(tok)
	prefixes, prefixIDs := make([]string, spec.Groups), make([][]int, spec.Groups)
	err := parallel(spec.Groups, func(g int) error {
		p, ids, err := f.exact("", 0, spec.PrefixTokens, pcg(spec.Seed, streamGroups+uint64(g)))
		prefixes[g], prefixIDs[g] = p, ids
		return err
	})
	if err != nil {
		return nil, err
	}
	n := spec.Groups * spec.RowsPerGroup
	prompts := make([]string, n)
	err = parallel(n, func(i int) error {
		g := i / spec.RowsPerGroup
		p, err := f.extend(prefixes[g], spec.PrefixTokens, prefixIDs[g], spec.SuffixTokens, pcg(spec.Seed, streamRows+uint64(i)))
		prompts[i] = p
		return err
	})
	if err != nil {
		return nil, err
	}
	lengths := pcg(spec.Seed, streamLengths)
	b := newBuilder()
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = b.fields("prompt", prompts[i], "group", i/spec.RowsPerGroup,
			"input_tokens", spec.PrefixTokens+spec.SuffixTokens, "prefix_tokens", spec.PrefixTokens,
			"max_tokens", spec.Output.Draw(lengths))
	}
	src := fmt.Sprintf("shared prefix (%d groups of %d, prefix %d + suffix %d tokens, output %s, seed %d, tokenizer %s)",
		spec.Groups, spec.RowsPerGroup, spec.PrefixTokens, spec.SuffixTokens, spec.Output, spec.Seed, tok.Name())
	return newSet(rows, Report{Source: src}), nil
}

// extend appends a suffix of suffix tokens to prefix, which is n tokens
// long and made of ids (nil for an approximate tokenizer). A real tokenizer must keep those ids
// at the start of the whole prompt, or the prefix would not be shared; a
// suffix that breaks that is drawn again.
func (f *fitter) extend(prefix string, n int, ids []int, suffix int, r *rand.Rand) (string, error) {
	for range 4 {
		p, got, err := f.exact(prefix, n, n+suffix, r)
		if err != nil {
			return "", err
		}
		if ids == nil || slices.Equal(got[:n], ids) {
			return p, nil
		}
	}
	return "", fmt.Errorf("cannot append to a %d-token prefix without changing its tokens under %s", n, f.tok.Name())
}

// parallel runs fn for 0..n-1 on every core and returns the error of the
// lowest index, so the outcome does not depend on scheduling.
func parallel(n int, fn func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				errs[i] = fn(i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
