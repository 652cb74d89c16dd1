package dataset

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// A request trace says when each request came and how long it was, one
// JSON object a line, as Mooncake publishes them:
//
//	{"timestamp": 27482, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47, 48]}
//
// timestamp is in milliseconds from the trace's start, and hash_ids names
// each block of 512 prompt tokens: two requests with the same id at the
// same place began with the same text there, which is what a prefix cache
// reuses. Traces carry no text, so it is made here: the same text for
// every use of an id, so that replaying the trace hits the server's cache
// where the original did.

// DefaultBlockTokens is the number of prompt tokens a hash id stands for in
// Mooncake's traces.
const DefaultBlockTokens = 512

// streamFillers gives each request the stream of the text it adds past its
// blocks; unique prompts use streamRows, as synthetic rows do.
const streamFillers = 3 << 32

// blockSalt sets the streams of hash ids apart from the row streams of the
// same seed: ids are the trace's, any whole number, so they cannot be given
// a range of streams of their own.
const blockSalt = 0x9e3779b97f4a7c15

// TraceOptions tune how a trace's prompts are made.
type TraceOptions struct {
	BlockTokens int    // tokens per hash id; 0 means DefaultBlockTokens (Mooncake's block)
	Seed        uint64 // the same seed, trace and tokenizer give the same prompts
}

func (o TraceOptions) blockTokens() int {
	if o.BlockTokens == 0 {
		return DefaultBlockTokens
	}
	return o.BlockTokens
}

// Trace is a request trace: its requests in time order.
type Trace struct {
	Entries []TraceEntry
	Report  Report // the file and how many requests it holds
}

// TraceEntry is one request of a trace.
type TraceEntry struct {
	// At is the request's time from the trace's first request, which is
	// at 0 whatever time the trace gives it.
	At time.Duration
	// Row has "prompt", "input_tokens" (its length under the tokenizer),
	// "max_tokens" (the line's output_length, when it has one),
	// "timestamp_ms" (the line's own timestamp), "hash_ids" (as whole
	// numbers, when the line has them) and the line's other fields.
	Row Row
}

// traceKey names what a trace's prompts are made with, beside the file.
type traceKey struct {
	opts TraceOptions
	tok  string
}

// traces caches traces as loaded caches sets, for the same reason: every
// user of a run asks for the trace.
var traces = &tokenize.Once[cacheKey, *Trace]{}

// ReadTrace loads a request trace and makes its prompts with tok. A line
// gives either "prompt", which is sent as it is, or "input_length" (and
// "output_length"), from which a prompt of exactly that many tokens is
// made, its blocks shared with every other request of the same hash ids.
// Requests are put in time order; lines of the same time keep the file's
// order. Errors name the file and line. Traces are cached by file,
// options and tokenizer name.
func ReadTrace(path string, tok tokenize.Tokenizer, opts TraceOptions) (*Trace, error) {
	if opts.BlockTokens < 0 {
		return nil, fmt.Errorf("trace %s: block tokens must be 0 (for %d) or more, got %d", path, DefaultBlockTokens, opts.BlockTokens)
	}
	key, err := fileCacheKey("trace", path, traceKey{opts: opts, tok: tok.Name()})
	if err != nil {
		return nil, err
	}
	return traces.Get(key, func() (*Trace, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		defer f.Close()
		return readTrace(path, f, tok, opts)
	})
}

func readTrace(path string, r io.Reader, tok tokenize.Tokenizer, opts TraceOptions) (*Trace, error) {
	var reqs []request
	err := eachLine(path, r, func(line int, text []byte) error {
		req, err := parseRequest(line, text)
		if err != nil {
			return err
		}
		reqs = append(reqs, req)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("%s: no requests: the file has no JSON lines", path)
	}
	slices.SortStableFunc(reqs, func(a, b request) int { return cmp.Compare(a.ms, b.ms) })
	m := newPromptMaker(tok, opts)
	if err := m.makeBlocks(path, reqs); err != nil {
		return nil, err
	}
	if err := m.makePrompts(path, reqs); err != nil {
		return nil, err
	}
	return traceOf(path, reqs), nil
}

// traceOf turns sorted requests with their prompts into a Trace.
func traceOf(path string, reqs []request) *Trace {
	b := newBuilder()
	start := reqs[0].ms
	t := &Trace{Entries: make([]TraceEntry, len(reqs)), Report: Report{Source: path, Rows: len(reqs)}}
	for i, req := range reqs {
		req.fields["prompt"] = req.prompt
		req.fields["input_tokens"] = req.tokens
		at := time.Duration(math.Round((req.ms - start) * float64(time.Millisecond)))
		t.Entries[i] = TraceEntry{At: at, Row: b.row(req.fields)}
	}
	return t
}

// request is a line of a trace, checked, before its prompt is made.
type request struct {
	line   int
	ms     float64        // the timestamp
	given  bool           // the line has its prompt
	prompt string         // given or made
	tokens int            // the prompt's length: input_length, or counted when given
	ids    []int          // hash_ids
	fields map[string]any // the line's fields, named as the row names them
}

// parseRequest checks one line of a trace.
func parseRequest(line int, text []byte) (request, error) {
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		return request{}, fmt.Errorf("invalid JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return request{}, fmt.Errorf("each line must be a JSON object, got %s", jsonKind(v))
	}
	req := request{line: line, fields: m}
	for _, check := range []func(*request) error{(*request).timestamp, (*request).hashIDs, (*request).promptOrLength, (*request).outputLength} {
		if err := check(&req); err != nil {
			return request{}, err
		}
	}
	return req, nil
}

// timestamp takes the required time, which is kept as timestamp_ms.
func (r *request) timestamp() error {
	v, ok := r.fields["timestamp"]
	if !ok || v == nil {
		return fmt.Errorf(`no "timestamp" field: every request needs its time, in milliseconds`)
	}
	ms, ok := v.(float64)
	if !ok || ms < 0 {
		return fmt.Errorf(`"timestamp" must be a number of milliseconds, 0 or more, got %s`, jsonText(v))
	}
	r.ms = ms
	delete(r.fields, "timestamp")
	r.fields["timestamp_ms"] = ms
	return nil
}

// hashIDs takes the block ids, which the row keeps as ints.
func (r *request) hashIDs() error {
	v, ok := r.fields["hash_ids"]
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf(`"hash_ids" must be an array of whole numbers, got %s`, jsonKind(v))
	}
	r.ids = make([]int, len(list))
	kept := make([]any, len(list))
	for i, item := range list {
		id, ok := whole(item)
		if !ok {
			return fmt.Errorf(`"hash_ids" must be an array of whole numbers, got %s at index %d`, jsonText(item), i)
		}
		r.ids[i], kept[i] = id, id
	}
	r.fields["hash_ids"] = kept
	return nil
}

// promptOrLength takes the prompt, or else the length of the prompt to
// make. A given prompt leaves input_length among the other fields: it may
// have been counted by another tokenizer than the one input_tokens uses.
func (r *request) promptOrLength() error {
	if v, ok := r.fields["prompt"]; ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf(`"prompt" must be a string, got %s`, jsonKind(v))
		}
		r.given, r.prompt = true, s
		return nil
	}
	n, has, err := count(r.fields, "input_length")
	switch {
	case err != nil:
		return err
	case !has:
		return fmt.Errorf(`no "prompt" or "input_length" field: a request needs its prompt or its length`)
	case n == 0:
		return fmt.Errorf(`"input_length" must be at least 1 to make a prompt, got 0`)
	}
	r.tokens = n
	delete(r.fields, "input_length")
	return nil
}

// outputLength takes the answer's length as max_tokens; a request whose
// prompt is made must have one, as a trace's requests do.
func (r *request) outputLength() error {
	n, has, err := count(r.fields, "output_length")
	switch {
	case err != nil:
		return err
	case !has && !r.given:
		return fmt.Errorf(`no "output_length" field: a request without a prompt needs its answer's length`)
	case has:
		delete(r.fields, "output_length")
		r.fields["max_tokens"] = n
	}
	return nil
}

// count returns m's field key as a whole number, 0 or more; has is false
// when the field is missing or null.
func count(m map[string]any, key string) (n int, has bool, err error) {
	v, ok := m[key]
	if !ok || v == nil {
		return 0, false, nil
	}
	n, ok = whole(v)
	if !ok || n < 0 {
		return 0, true, fmt.Errorf("%q must be a whole number, 0 or more, got %s", key, jsonText(v))
	}
	return n, true, nil
}

// whole returns a JSON number as an int when it is one exactly.
func whole(v any) (int, bool) {
	x, ok := v.(float64)
	if !ok || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
		return 0, false
	}
	return int(x), true
}

// jsonText shows a decoded value in a message, cut short when long.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return jsonKind(v)
	}
	const most = 40
	if len(b) > most {
		return string(b[:most]) + "..."
	}
	return string(b)
}

// Made prompts are blocks put end to end. A block is made once for each
// hash id and length, and a prompt's own text, past its blocks, only ever
// comes last, so prompts that share ids share their text up to where the
// ids part. Every block but a prompt's first starts with a space: no token
// then spans two blocks under tiktoken's encodings or byte-level BPE, and
// a block's count holds wherever it is used. A tokenizer for which counts
// do not add up (the approximation) has the end of the last block changed
// until the whole prompt is exact.

// blockKey names a block's text: its hash id, its length, and whether it
// opens a prompt (and so has no space before it).
type blockKey struct {
	id, tokens int
	first      bool
}

// promptMaker makes the prompts of one trace.
type promptMaker struct {
	first, later *fitter // for text at the start of a prompt, and after a space
	costs        *wordCosts
	blockTokens  int
	seed         uint64
	blocks       map[blockKey]string
}

func newPromptMaker(tok tokenize.Tokenizer, opts TraceOptions) *promptMaker {
	first := newFitter(tok)
	later := &fitter{tok: afterSpace{tok}, fillers: first.fillers}
	return &promptMaker{first: first, later: later, costs: newWordCosts(tok),
		blockTokens: opts.blockTokens(), seed: opts.Seed}
}

// afterSpace is a tokenizer that sees every text with a space before it,
// so that a fitter over it makes text that is exact where it is used:
// after a space.
type afterSpace struct{ tokenize.Tokenizer }

func (a afterSpace) Count(text string) int    { return a.Tokenizer.Count(" " + text) }
func (a afterSpace) Encode(text string) []int { return a.Tokenizer.Encode(" " + text) }
func (a afterSpace) Decode(ids []int) string {
	return strings.TrimPrefix(a.Tokenizer.Decode(ids), " ")
}

// blocksOf lists the blocks of a made prompt and the tokens of its own
// text past them. The prompt takes as many blocks as its length needs, the
// last cut short to fit; a prompt longer than all its blocks has its own
// text after them.
func (m *promptMaker) blocksOf(r request) (keys []blockKey, own int) {
	b := m.blockTokens
	used := min(len(r.ids), (r.tokens+b-1)/b)
	for k := range used {
		keys = append(keys, blockKey{id: r.ids[k], tokens: min(b, r.tokens-k*b), first: k == 0})
	}
	return keys, max(0, r.tokens-used*b)
}

// makeBlocks makes the text of every block the requests use, in parallel.
func (m *promptMaker) makeBlocks(path string, reqs []request) error {
	var keys []blockKey
	lines := map[blockKey]int{} // the first line that uses each block, for errors
	for _, r := range reqs {
		if r.given {
			continue
		}
		blocks, _ := m.blocksOf(r)
		for _, k := range blocks {
			if _, seen := lines[k]; !seen {
				lines[k] = r.line
				keys = append(keys, k)
			}
		}
	}
	texts := make([]string, len(keys))
	err := parallel(len(keys), func(i int) error {
		text, err := m.block(keys[i])
		if err != nil {
			return fmt.Errorf("%s:%d: hash id %d: %w", path, lines[keys[i]], keys[i].id, err)
		}
		texts[i] = text
		return nil
	})
	m.blocks = make(map[blockKey]string, len(keys))
	for i, k := range keys {
		m.blocks[k] = texts[i]
	}
	return err
}

// block makes the text of one block from the hash id's own stream.
func (m *promptMaker) block(k blockKey) (string, error) {
	return m.text(k.tokens, !k.first, func() *rand.Rand { return pcg(m.seed^blockSalt, uint64(k.id)) })
}

// text makes prose of n tokens, with a space before it when spaced, drawn
// from the stream that draw starts. Adding up the words' counts gives it
// with one encoding, which checks it; only when that fails is it fitted.
func (m *promptMaker) text(n int, spaced bool, draw func() *rand.Rand) (string, error) {
	var b strings.Builder
	m.costs.write(&b, n, spaced, m.first.fillers, draw())
	if m.first.tok.Count(b.String()) == n {
		return b.String(), nil
	}
	if !spaced {
		text, _, err := m.first.exact("", 0, n, draw())
		return text, err
	}
	text, _, err := m.later.exact("", 0, n, draw())
	return " " + text, err
}

// wordCosts are the corpus words' counts as prose sets them. Under
// tiktoken's encodings and byte-level BPE no token spans a space before a
// word, so a text's count is the sum of its words', and text of a given
// length can be written without encoding it again and again.
type wordCosts struct {
	plain, capital, opening []int // after a space; capitalised after a space; capitalised at the start
	stop                    int   // a full stop after a word
}

func newWordCosts(tok tokenize.Tokenizer) *wordCosts {
	c := &wordCosts{stop: tok.Count(".")}
	for _, w := range words {
		capital := capitalise(w)
		c.plain = append(c.plain, tok.Count(" "+w))
		c.capital = append(c.capital, tok.Count(" "+capital))
		c.opening = append(c.opening, tok.Count(capital))
	}
	return c
}

// write writes prose of n tokens drawn with r into b, in sentences as prose
// writes them, closing the last gap with one-token fillers; spaced puts a
// space before the first word. The count is the sum of the words' counts,
// which the caller checks.
func (c *wordCosts) write(b *strings.Builder, n int, spaced bool, fillers []string, r *rand.Rand) {
	left, sentence, opening := n, 0, !spaced
	for left > 0 {
		i := r.IntN(len(words))
		word, cost := words[i], c.plain[i]
		if sentence == 0 {
			word, cost, sentence = capitalise(word), c.capital[i], 6+r.IntN(12)
			if opening {
				cost = c.opening[i]
			}
		}
		stop := sentence == 1
		if stop {
			cost += c.stop
		}
		if cost > left {
			break
		}
		if !opening {
			b.WriteByte(' ')
		}
		b.WriteString(word)
		if stop {
			b.WriteByte('.')
		}
		opening, sentence, left = false, sentence-1, left-cost
	}
	for range left {
		if !opening {
			b.WriteByte(' ')
		}
		b.WriteString(fillers[r.IntN(len(fillers))])
		opening = false
	}
}

// capitalise returns w with its first letter in upper case, as a sentence
// starts.
func capitalise(w string) string {
	first, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(first)) + w[size:]
}

// makePrompts makes or counts every request's prompt, in parallel.
func (m *promptMaker) makePrompts(path string, reqs []request) error {
	return parallel(len(reqs), func(i int) error {
		r := &reqs[i]
		if r.given {
			r.tokens = m.first.tok.Count(r.prompt)
			return nil
		}
		p, err := m.prompt(*r)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, r.line, err)
		}
		r.prompt = p
		return nil
	})
}

// prompt makes the prompt of a request without one: its blocks, then its
// own text, or a prompt all of its own when it has no hash ids.
func (m *promptMaker) prompt(r request) (string, error) {
	if len(r.ids) == 0 {
		return m.text(r.tokens, false, func() *rand.Rand { return pcg(m.seed, streamRows+uint64(r.line)) })
	}
	keys, own := m.blocksOf(r)
	parts := make([]string, len(keys), len(keys)+1)
	for i, k := range keys {
		parts[i] = m.blocks[k]
	}
	ownStream := func() *rand.Rand { return pcg(m.seed, streamFillers+uint64(r.line)) }
	if own > 0 {
		text, err := m.text(own, true, ownStream)
		if err != nil {
			return "", err
		}
		parts = append(parts, text)
	}
	p := strings.Join(parts, "")
	if m.joinsHold(parts) || m.first.tok.Count(p) == r.tokens {
		return p, nil
	}
	head := len(p) - len(parts[len(parts)-1])
	p, _, err := m.first.settle(p[:head], p, r.tokens, ownStream())
	return p, err
}

// joinsHold reports whether the parts, each exact on its own, add up:
// whether, under a real tokenizer, every join is a border between tokens.
// Tokenizers split text into words before they merge bytes, and where
// they split depends only on the characters around, so the last word
// before a join and the first after it tell: they count as much together
// as apart. That is a few short encodings instead of the whole prompt's.
func (m *promptMaker) joinsHold(parts []string) bool {
	tok := m.first.tok
	if tok.Approximate() {
		return false
	}
	for i := 1; i < len(parts); i++ {
		before, after := lastWord(parts[i-1]), firstWord(parts[i])
		if tok.Count(before+after) != tok.Count(before)+tok.Count(after) {
			return false
		}
	}
	return true
}

// lastWord is the end of text from its last space.
func lastWord(text string) string { return text[max(0, strings.LastIndexByte(text, ' ')):] }

// firstWord is the start of text, which starts with a space, up to its
// next space.
func firstWord(text string) string {
	if i := strings.IndexByte(text[1:], ' '); i >= 0 {
		return text[:i+1]
	}
	return text
}
