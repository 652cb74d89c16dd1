package tokenize

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/pkoukk/tiktoken-go"
	"golang.org/x/text/unicode/norm"
)

// A Hugging Face tokenizer.json of a byte-level BPE model (Llama 3, Qwen 2
// and 3) runs exactly on tiktoken's core: those vocabularies were trained
// the tiktoken way, so a token's id is also its merge rank, and tiktoken's
// "merge the pair whose result ranks lowest" gives the ids that the
// tokenizers library gives. Other kinds of file are refused rather than
// counted wrongly.

// unsupportedHint tells users what to do instead of loading the file.
const unsupportedHint = `rely on the server's usage report, or use "approx" for estimated counts`

// hfFile is the part of a tokenizer.json that decides how text is split.
type hfFile struct {
	AddedTokens  []hfAddedToken `json:"added_tokens"`
	Normalizer   *hfStep        `json:"normalizer"`
	PreTokenizer *hfStep        `json:"pre_tokenizer"`
	Decoder      *hfStep        `json:"decoder"`
	Model        struct {
		Type         string `json:"type"`
		ByteFallback bool   `json:"byte_fallback"`
		// Vocab is decoded only once the model is known to be BPE: other
		// models keep a list here, not a map.
		Vocab json.RawMessage `json:"vocab"`
	} `json:"model"`
}

type hfAddedToken struct {
	ID      int    `json:"id"`
	Content string `json:"content"`
}

// hfStep is one normalizer, pre-tokenizer or decoder, or a Sequence of them.
type hfStep struct {
	Type          string   `json:"type"`
	Normalizers   []hfStep `json:"normalizers"`
	Pretokenizers []hfStep `json:"pretokenizers"`
	Decoders      []hfStep `json:"decoders"`
	Pattern       struct {
		Regex  *string `json:"Regex"`
		String *string `json:"String"`
	} `json:"pattern"`
	Behavior       string `json:"behavior"`
	Invert         bool   `json:"invert"`
	AddPrefixSpace bool   `json:"add_prefix_space"`
	UseRegex       *bool  `json:"use_regex"`
}

// steps lists the steps in order with Sequences opened; nil for none.
func (s *hfStep) steps() []hfStep {
	if s == nil {
		return nil
	}
	if s.Type != "Sequence" {
		return []hfStep{*s}
	}
	var out []hfStep
	for _, children := range [][]hfStep{s.Normalizers, s.Pretokenizers, s.Decoders} {
		for i := range children {
			out = append(out, children[i].steps()...)
		}
	}
	return out
}

// has reports whether a step of type typ is among s's steps.
func (s *hfStep) has(typ string) bool {
	return slices.ContainsFunc(s.steps(), func(c hfStep) bool { return c.Type == typ })
}

func loadFile(path string) (Tokenizer, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "tokenizer.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading tokenizer: %w", err)
	}
	tok, err := parseHF(path, data)
	if err != nil {
		return nil, fmt.Errorf("loading tokenizer %s: %w", path, err)
	}
	return tok, nil
}

// parseHF builds the tokenizer that data, a tokenizer.json, describes.
func parseHF(name string, data []byte) (*bpe, error) {
	var f hfFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parsing JSON: %w", err)
	}
	if err := f.checkByteLevel(); err != nil {
		return nil, err
	}
	normalize, err := f.normalizer()
	if err != nil {
		return nil, err
	}
	pattern, err := f.splitPattern()
	if err != nil {
		return nil, err
	}
	ranks, err := f.ranks()
	if err != nil {
		return nil, err
	}
	special := f.special(ranks)
	core, err := tiktoken.NewCoreBPE(ranks, special, pattern)
	if err != nil {
		return nil, fmt.Errorf("building BPE: %w", err)
	}
	enc := tiktoken.NewTiktoken(core, &tiktoken.Encoding{
		Name: name, PatStr: pattern, MergeableRanks: ranks, SpecialTokens: special,
	}, map[string]any{})
	return &bpe{name: name, enc: enc, normalize: normalize}, nil
}

func (f *hfFile) checkByteLevel() error {
	if f.Model.ByteFallback || f.PreTokenizer.has("Metaspace") || f.Decoder.has("Metaspace") ||
		f.Decoder.has("ByteFallback") {
		return fmt.Errorf("%w: SentencePiece-style BPE (Metaspace, byte fallback) as in Llama 2 "+
			"and Mistral 7B; only byte-level BPE such as Llama 3 and Qwen is supported: %s",
			ErrUnsupported, unsupportedHint)
	}
	if f.Model.Type != "BPE" {
		return fmt.Errorf("%w: model type %q (only byte-level BPE such as Llama 3 and Qwen is "+
			"supported): %s", ErrUnsupported, f.Model.Type, unsupportedHint)
	}
	if !f.PreTokenizer.has("ByteLevel") {
		return fmt.Errorf("%w: no ByteLevel pre-tokenizer, so not a byte-level BPE: %s",
			ErrUnsupported, unsupportedHint)
	}
	if f.Decoder != nil && !f.Decoder.has("ByteLevel") {
		return fmt.Errorf("%w: decoder %s is not ByteLevel: %s", ErrUnsupported, f.Decoder.Type, unsupportedHint)
	}
	return nil
}

// unicodeForms are the normalizers that can be run exactly.
var unicodeForms = map[string]norm.Form{"NFC": norm.NFC, "NFD": norm.NFD, "NFKC": norm.NFKC, "NFKD": norm.NFKD}

// normalizer returns the text rewrite the file asks for, nil for none.
func (f *hfFile) normalizer() (func(string) string, error) {
	var forms []norm.Form
	for _, s := range f.Normalizer.steps() {
		form, ok := unicodeForms[s.Type]
		if !ok {
			return nil, fmt.Errorf("%w: normalizer %s (only NFC, NFD, NFKC and NFKD are supported): %s",
				ErrUnsupported, s.Type, unsupportedHint)
		}
		forms = append(forms, form)
	}
	if len(forms) == 0 {
		return nil, nil
	}
	return func(text string) string {
		for _, form := range forms {
			text = form.String(text)
		}
		return text
	}, nil
}

// gpt2Pattern is the split that a ByteLevel pre-tokenizer makes itself
// when its use_regex is on (the default).
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

// splitPattern returns the one regular expression that cuts text into the
// pieces BPE runs on.
func (f *hfFile) splitPattern() (string, error) {
	var pattern string
	for _, s := range f.PreTokenizer.steps() {
		var split string
		switch s.Type {
		case "Split":
			if s.Pattern.Regex == nil || s.Behavior != "Isolated" || s.Invert {
				return "", fmt.Errorf("%w: a Split pre-tokenizer other than an isolated regex: %s",
					ErrUnsupported, unsupportedHint)
			}
			split = *s.Pattern.Regex
		case "ByteLevel":
			if s.AddPrefixSpace {
				return "", fmt.Errorf("%w: a ByteLevel pre-tokenizer with add_prefix_space: %s",
					ErrUnsupported, unsupportedHint)
			}
			if s.UseRegex == nil || *s.UseRegex {
				split = gpt2Pattern
			}
		default:
			return "", fmt.Errorf("%w: pre-tokenizer %s: %s", ErrUnsupported, s.Type, unsupportedHint)
		}
		if split != "" && pattern != "" {
			return "", fmt.Errorf("%w: a pre-tokenizer that splits twice: %s", ErrUnsupported, unsupportedHint)
		}
		if split != "" {
			pattern = split
		}
	}
	if pattern == "" {
		return `[\s\S]+`, nil
	}
	// tiktoken keeps only what the pattern matches, where the tokenizers
	// library also keeps the text between matches. The patterns of real
	// files match every character, so this last alternative never fires
	// for them; for any other it keeps the text rather than dropping it.
	// The fallback stays an alternative of its own only if the pattern is
	// a whole expression: an unclosed "[" or a stray ")" would swallow it
	// and the text it stands for.
	if _, err := tiktoken.NewCoreBPE(nil, nil, pattern); err != nil {
		return "", fmt.Errorf("building BPE: split pattern %q: %w", pattern, err)
	}
	return `(?:` + pattern + `)|[\s\S]`, nil
}

// ranks maps each vocabulary token, as raw bytes, to its id.
func (f *hfFile) ranks() (map[string]int, error) {
	var vocab map[string]int
	if err := json.Unmarshal(f.Model.Vocab, &vocab); err != nil {
		return nil, fmt.Errorf("parsing model.vocab: %w", err)
	}
	ranks := make(map[string]int, len(vocab))
	for token, id := range vocab {
		raw, ok := byteLevelBytes(token)
		if !ok {
			return nil, fmt.Errorf("%w: vocabulary token %q is not byte-level encoded: %s",
				ErrUnsupported, token, unsupportedHint)
		}
		ranks[raw] = id
	}
	// tiktoken falls back to single bytes and would emit id 0 for a byte
	// the vocabulary lacks.
	for b := range 256 {
		if _, ok := ranks[string([]byte{byte(b)})]; !ok {
			return nil, fmt.Errorf("%w: the vocabulary has no token for byte 0x%02x", ErrUnsupported, b)
		}
	}
	return ranks, nil
}

// special maps added tokens to their ids so that Decode can spell them.
// Encoding never produces them (see Tokenizer.Count).
func (f *hfFile) special(ranks map[string]int) map[string]int {
	special := make(map[string]int, len(f.AddedTokens))
	for _, t := range f.AddedTokens {
		if _, inVocab := ranks[t.Content]; !inVocab {
			special[t.Content] = t.ID
		}
	}
	return special
}

// byteOfRune inverts GPT-2's bytes_to_unicode, which spells every byte as
// a printable character so that vocabularies can be JSON text: printable
// Latin-1 bytes stand for themselves, and the other 68 bytes, in order,
// for U+0100 onwards. -1 marks runes that stand for no byte.
var byteOfRune = func() [256 + 68]int16 {
	var table [256 + 68]int16
	for i := range table {
		table[i] = -1
	}
	next := 256
	for b := range 256 {
		if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE {
			table[b] = int16(b)
		} else {
			table[next] = int16(b)
			next++
		}
	}
	return table
}()

// byteLevelBytes returns the raw bytes that a vocabulary token spells.
func byteLevelBytes(token string) (string, bool) {
	raw := make([]byte, 0, len(token))
	for _, r := range token {
		if r < 0 || int(r) >= len(byteOfRune) || byteOfRune[r] < 0 {
			return "", false
		}
		raw = append(raw, byte(byteOfRune[r]))
	}
	return string(raw), true
}
