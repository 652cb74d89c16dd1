package dataset

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// corpus is the plain English that synthetic prompts are made of: common
// words, most of them one token in OpenAI's encodings and some several,
// set in sentences with capitals and full stops so that prompts read like
// prose to a tokenizer. No word appears twice.
const corpus = `
the of and to in is that for it as was with be by on not he this are or his
from at which but have an had they you were their one all we can her has there
been if more when will would who so no time people year way day man world life
work part place water house number good new old great small large long little
high early young important public private common simple open full clear strong
city river mountain forest valley island garden kitchen window table chair door
market station library museum hospital school village bridge harbor road field
morning evening night summer winter autumn spring weather rain snow wind cloud
sun moon star ocean shore desert meadow orchard vineyard castle tower cathedral
teacher student doctor farmer sailor painter writer engineer baker carpenter
musician gardener merchant traveler neighbor stranger captain pilot scientist
walk run read write speak listen think remember forget build carry follow
gather wander explore discover imagine describe explain consider compare
measure arrange collect prepare protect repair deliver reveal whisper promise
quietly slowly carefully suddenly gently nearly rarely often always never
perhaps certainly eventually together outside inside above below beyond
between through during before after under around across against toward
bread cheese apple orange lemon honey butter coffee tea soup salt pepper
letter journal notebook pencil lantern candle blanket basket bottle ladder
compass anchor sail engine wheel machine bicycle carriage wagon train
question answer reason story history memory journey adventure mystery puzzle
problem solution method pattern system signal message language grammar
knowledge science nature culture season harvest festival celebration ceremony
conversation argument agreement decision direction distance difference
experience experiment evidence attention imagination information population
temperature atmosphere landscape architecture photograph instrument telescope
microscope calculator dictionary encyclopedia philosophy mathematics geography
astronomy chemistry biology literature economics psychology agriculture
blue green yellow purple silver golden crimson amber pale bright dark warm
cold quiet loud gentle careful curious patient honest brave clever humble
ancient modern distant familiar peculiar remarkable ordinary extraordinary
beautiful wonderful comfortable reasonable responsible independent
unexpected unfortunate impossible necessary particular especially
approximately immediately occasionally unfortunately nevertheless meanwhile
although however therefore because while until unless whether either neither
copper granite marble timber velvet linen leather porcelain crystal pebble
sparrow heron falcon otter badger beaver salmon whale dolphin turtle beetle
maple willow cedar birch oak pine fern moss ivy clover thistle lavender
tomorrow yesterday today afternoon midnight sunrise sunset horizon shadow
mirror picture painting sculpture melody rhythm harmony chorus verse chapter
paragraph sentence word ribbon symbol figure diagram chart kettle list
recipe ingredient flavor texture aroma portion serving dinner breakfast lunch
committee council government parliament election citizen community society
railway airport highway tunnel canal lighthouse windmill factory warehouse
`

// words is the corpus split into words, in a fixed order.
var words = strings.Fields(corpus)

// prose writes n words drawn with r into b as sentences: a capital first
// word, and a full stop every few words. It starts with a space when b
// already holds text.
func prose(b *strings.Builder, r *rand.Rand, n int) {
	sentence := 0
	for range n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		w := words[r.IntN(len(words))]
		if sentence == 0 {
			first, size := utf8.DecodeRuneInString(w)
			b.WriteRune(unicode.ToUpper(first))
			b.WriteString(w[size:])
			sentence = 6 + r.IntN(12)
		} else {
			b.WriteString(w)
		}
		sentence--
		if sentence == 0 {
			b.WriteByte('.')
		}
	}
}
