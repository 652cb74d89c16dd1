package tokenize

import (
	"fmt"
	"sync"

	"github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// bpe is a byte-level BPE tokenizer run by tiktoken's core: the OpenAI
// encodings, and Hugging Face files converted to the same form.
type bpe struct {
	name string
	enc  *tiktoken.Tiktoken

	// normalize rewrites text before it is split, as the tokenizer.json
	// asks (Qwen wants NFC); nil leaves text as it is.
	normalize func(string) string
}

var _ Tokenizer = (*bpe)(nil)

func (b *bpe) Name() string      { return b.name }
func (b *bpe) Approximate() bool { return false }
func (b *bpe) Count(text string) int {
	return len(b.Encode(text))
}

func (b *bpe) Encode(text string) []int {
	if text == "" {
		return nil
	}
	if b.normalize != nil {
		text = b.normalize(text)
	}
	// EncodeOrdinary, not Encode: Encode panics on special-token text
	// unless told to ignore it, and even then scans for special tokens
	// once per occurrence; the ordinary path gives the same ids as
	// Encode(text, nil, nil) without either cost.
	return b.enc.EncodeOrdinary(text)
}

func (b *bpe) Decode(ids []int) string {
	return b.enc.Decode(ids)
}

// offline makes tiktoken read its embedded ranks. Its default loader
// fetches them over the network, and the setting is a global of that
// library, so it is made once, before this package's first load.
var offline sync.Once

func loadEncoding(name string) (Tokenizer, error) {
	offline.Do(func() { tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader()) })
	enc, err := tiktoken.GetEncoding(name)
	if err != nil {
		return nil, fmt.Errorf("loading encoding %s: %w", name, err)
	}
	return &bpe{name: name, enc: enc}, nil
}
