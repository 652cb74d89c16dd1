// Package tokenize counts tokens offline: OpenAI's tiktoken encodings
// (embedded in the binary), Hugging Face tokenizer.json files of byte-level
// BPE models (Llama 3, Qwen), and a labelled approximation for when neither
// applies. Nothing is downloaded, ever. Each tokenizer is loaded once per
// process, by Once, which the datasets built on them load through too.
package tokenize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Tokenizer turns text into token ids and back. Implementations are safe
// for concurrent use.
type Tokenizer interface {
	// Name identifies the tokenizer: an encoding name such as "o200k_base",
	// the path of the tokenizer.json it was loaded from, or "approx".
	Name() string

	// Count returns the number of tokens of text. No special tokens are
	// added, and text that spells a special token ("<|endoftext|>") is
	// counted as ordinary text: prompts and outputs are user text, and a
	// load tester must not choke on a prompt that quotes a chat template.
	// Each byte that is not valid UTF-8 counts as a U+FFFD.
	Count(text string) int

	// Encode returns the token ids of text, by the same rules as Count.
	Encode(text string) []int

	// Decode returns the text of ids, as the tokenizer saw it (after any
	// Unicode normalization its tokenizer.json asks for). Ids it does not
	// know are skipped; the ids of part of a character decode to part of
	// its UTF-8.
	Decode(ids []int) string

	// Approximate reports whether counts are an estimate, not those of a
	// real tokenizer. Outputs label such counts.
	Approximate() bool
}

// Specs that Load knows by name. Any other spec is taken as a path.
const (
	O200kBase  = "o200k_base"  // GPT-4o, GPT-4.1, o-series
	Cl100kBase = "cl100k_base" // GPT-4, GPT-3.5-turbo
	ApproxName = "approx"      // see Approx
)

// ErrUnsupported marks a tokenizer.json this package cannot run exactly.
// Callers may fall back to the server's usage report or to Approx.
var ErrUnsupported = errors.New("unsupported tokenizer")

// Load returns the tokenizer that spec names: O200kBase, Cl100kBase,
// ApproxName, or the path of a Hugging Face tokenizer.json (or of the
// folder holding one). A spec is loaded once per process and the
// tokenizer shared: loading o200k_base takes a quarter of a second and
// 20 MiB, a Llama 3 tokenizer.json about as much. Concurrent first calls
// wait for one load. A failed load is not remembered, so a fixed file can
// be loaded by a later call.
func Load(spec string) (Tokenizer, error) {
	return shared.get(spec)
}

var shared = &registry{load: loadSpec}

// registry loads each spec once.
type registry struct {
	load   func(spec string) (Tokenizer, error)
	loaded Once[string, Tokenizer]
}

func (r *registry) get(spec string) (Tokenizer, error) {
	return r.loaded.Get(spec, func() (Tokenizer, error) { return r.load(spec) })
}

func loadSpec(spec string) (Tokenizer, error) {
	switch spec {
	case O200kBase, Cl100kBase:
		return loadEncoding(spec)
	case ApproxName:
		return Approx(), nil
	}
	if looksLikePath(spec) {
		return loadFile(spec)
	}
	return nil, fmt.Errorf("unknown tokenizer %q: known encodings are %s, %s and %s "+
		"(an estimate), or give the path of a Hugging Face tokenizer.json",
		spec, O200kBase, Cl100kBase, ApproxName)
}

// looksLikePath tells a mistyped encoding name, which deserves the list of
// known names, from a file name, which deserves "no such file".
func looksLikePath(spec string) bool {
	if strings.ContainsRune(spec, '/') || strings.ContainsRune(spec, filepath.Separator) ||
		strings.HasSuffix(spec, ".json") {
		return true
	}
	_, err := os.Stat(spec)
	return err == nil
}
