package tokenize

// approxBytesPerToken is the estimate's one rule: a token per four bytes of
// UTF-8, rounded up. That is the usual "four characters per token" of
// English text; a CJK character (three bytes) comes to three quarters of a
// token, nearer to real tokenizers than counting characters would be.
// Emoji and rare scripts are underestimated.
const approxBytesPerToken = 4

// approx is the estimate; its ids are the four-byte chunks themselves.
type approx struct{}

var _ Tokenizer = approx{}

// Approx returns the labelled estimate, for when no real tokenizer applies
// (for example a SentencePiece model without usage reports). It counts one
// token per four bytes of UTF-8, rounded up. Its ids stand for four-byte
// chunks of the text, so Decode inverts Encode, but they mean nothing to
// any model. Approximate reports true.
func Approx() Tokenizer { return approx{} }

func (approx) Name() string      { return ApproxName }
func (approx) Approximate() bool { return true }

func (approx) Count(text string) int {
	return (len(text) + approxBytesPerToken - 1) / approxBytesPerToken
}

// Encode packs each chunk into an id: its length above bit 32, its bytes
// below, so that a short last chunk decodes to exactly its own bytes.
func (a approx) Encode(text string) []int {
	if text == "" {
		return nil
	}
	ids := make([]int, 0, a.Count(text))
	for start := 0; start < len(text); start += approxBytesPerToken {
		chunk := text[start:min(start+approxBytesPerToken, len(text))]
		id := uint64(len(chunk)) << 32
		for i := range len(chunk) {
			id |= uint64(chunk[i]) << (24 - 8*i)
		}
		ids = append(ids, int(id))
	}
	return ids
}

func (approx) Decode(ids []int) string {
	text := make([]byte, 0, len(ids)*approxBytesPerToken)
	for _, id := range ids {
		n := int(uint64(id) >> 32)
		if n < 1 || n > approxBytesPerToken {
			continue
		}
		for i := range n {
			text = append(text, byte(uint64(id)>>(24-8*i)))
		}
	}
	return string(text)
}
