package api

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// fastDecode decodes the usual OpenAI chunk without encoding/json: the
// scanner walks the event in place and picks out the few fields that
// matter. Anything unusual (an error object, a duplicate or differently
// cased key, an unexpected type, an escape it does not handle, invalid
// UTF-8) makes it give up (!ok), and the event goes through encoding/json
// instead, which gives the same answer (checked by FuzzOpenAIFastPath).
func (d *openAIDecoder) fastDecode(data []byte) (out Delta, ok bool) {
	if !utf8.Valid(data) {
		return Delta{}, false
	}
	f := fastChunk{chat: d.chat}
	i := skipWS(data, 0)
	end, ok := eachKey(data, i, f.top(data))
	if !ok || skipWS(data, end) != len(data) || f.failed {
		return Delta{}, false
	}
	out.Text, out.Reasoning, out.Finish = f.text.String(), f.reasoning.String(), f.finish
	if f.single {
		out.Text, out.Reasoning = f.oneText, f.oneReasoning
	}
	out.Usage = f.usage
	return out, true
}

// fastChunk gathers what fastDecode picks out of one chunk.
type fastChunk struct {
	chat    bool
	seen    uint32 // top-level keys met, to refuse duplicates
	failed  bool
	choices int
	finish  string
	usage   *Usage

	// One choice (the common case) is kept without a builder.
	single                bool
	oneText, oneReasoning string
	text, reasoning       strings.Builder
}

// known reports whether key matches one of names exactly (its index) or
// only when case is ignored, which encoding/json would also accept: then
// the fast path gives up.
func known(key []byte, names ...string) (int, bool) {
	for i, n := range names {
		if string(key) == n {
			return i, true
		}
		if strings.EqualFold(string(key), n) {
			return -1, false
		}
	}
	return -1, true
}

// firstKey is known, refusing as well a key met before in the same
// object (encoding/json would keep the last one; seen holds the names met).
func firstKey(key []byte, seen *uint32, names ...string) (int, bool) {
	k, ok := known(key, names...)
	if !ok || (k >= 0 && *seen&(1<<k) != 0) {
		return k, false
	}
	if k >= 0 {
		*seen |= 1 << k
	}
	return k, true
}

var topKeys = []string{"choices", "usage", "error", "object", "message", "type"}

func (f *fastChunk) top(b []byte) func(key []byte, at int) (int, bool) {
	return func(key []byte, at int) (int, bool) {
		k, ok := firstKey(key, &f.seen, topKeys...)
		if !ok {
			return at, false
		}
		switch k {
		case 0:
			return f.choicesValue(b, at)
		case 1:
			return f.usageValue(b, at)
		case 2: // only a null error is ordinary
			if _, next, isNull := null(b, at); isNull {
				return next, true
			}
			return at, false
		case 3: // "object": "error" is vLLM's old error shape
			s, next, ok := stringValue(b, at)
			return next, ok && s != "error"
		}
		return skipValue(b, at, fastRoom)
	}
}

func (f *fastChunk) choicesValue(b []byte, at int) (int, bool) {
	if _, next, isNull := null(b, at); isNull {
		return next, true
	}
	return eachElem(b, at, func(el int) (int, bool) {
		var c Delta
		next, ok := f.choice(b, el, &c)
		if !ok {
			return next, false
		}
		f.choices++
		if f.choices == 1 {
			f.single, f.oneText, f.oneReasoning = true, c.Text, c.Reasoning
		} else {
			if f.single {
				f.text.WriteString(f.oneText)
				f.reasoning.WriteString(f.oneReasoning)
				f.single = false
			}
			f.text.WriteString(c.Text)
			f.reasoning.WriteString(c.Reasoning)
		}
		if f.finish == "" {
			f.finish = c.Finish
		}
		return next, true
	})
}

var choiceKeys = []string{"text", "delta", "finish_reason"}

func (f *fastChunk) choice(b []byte, at int, out *Delta) (int, bool) {
	var seen uint32
	var text string
	var delta fastDelta
	next, ok := eachKey(b, at, func(key []byte, v int) (int, bool) {
		k, ok := firstKey(key, &seen, choiceKeys...)
		if !ok {
			return v, false
		}
		switch k {
		case 0:
			s, n, ok := stringValue(b, v)
			text = s
			return n, ok
		case 1:
			return delta.parse(b, v)
		case 2:
			s, n, ok := stringValue(b, v)
			out.Finish = s
			return n, ok
		}
		return skipValue(b, v, fastRoom)
	})
	if !ok {
		return next, false
	}
	if !f.chat {
		out.Text = text
		return next, true
	}
	out.Text = delta.content + delta.refusal + delta.args
	out.Reasoning = delta.reasoning + delta.reasoningContent
	return next, true
}

// fastDelta is a chat delta's text fields.
type fastDelta struct {
	content, refusal, reasoning, reasoningContent, args string
}

var deltaKeys = []string{"content", "refusal", "reasoning", "reasoning_content", "tool_calls"}

func (d *fastDelta) parse(b []byte, at int) (int, bool) {
	if _, next, isNull := null(b, at); isNull {
		return next, true
	}
	var seen uint32
	return eachKey(b, at, func(key []byte, v int) (int, bool) {
		k, ok := firstKey(key, &seen, deltaKeys...)
		if !ok {
			return v, false
		}
		fields := []*string{&d.content, &d.refusal, &d.reasoning, &d.reasoningContent}
		switch {
		case k >= 0 && k < 4:
			s, n, ok := stringValue(b, v)
			*fields[k] = s
			return n, ok
		case k == 4:
			return d.toolCalls(b, v)
		}
		return skipValue(b, v, fastRoom)
	})
}

// toolCalls appends the arguments text of each tool call; any shape but
// the usual one goes to encoding/json.
func (d *fastDelta) toolCalls(b []byte, at int) (int, bool) {
	if _, next, isNull := null(b, at); isNull {
		return next, true
	}
	var args bytes.Buffer
	next, ok := eachElem(b, at, func(el int) (int, bool) {
		return eachKey(b, el, func(key []byte, v int) (int, bool) {
			if k, ok := known(key, "function"); !ok {
				return v, false
			} else if k < 0 {
				return skipValue(b, v, fastRoom)
			}
			return eachKey(b, v, func(key []byte, v2 int) (int, bool) {
				if k, ok := known(key, "arguments"); !ok {
					return v2, false
				} else if k < 0 {
					return skipValue(b, v2, fastRoom)
				}
				s, n, ok := stringValue(b, v2)
				args.WriteString(s)
				return n, ok
			})
		})
	})
	d.args = args.String()
	return next, ok
}

var usageKeys = []string{"prompt_tokens", "completion_tokens", "completion_tokens_details"}

func (f *fastChunk) usageValue(b []byte, at int) (int, bool) {
	if _, next, isNull := null(b, at); isNull {
		return next, true
	}
	u := &Usage{}
	var seen uint32
	next, ok := eachKey(b, at, func(key []byte, v int) (int, bool) {
		k, ok := firstKey(key, &seen, usageKeys...)
		if !ok {
			return v, false
		}
		switch k {
		case 0:
			return countValue(b, v, &u.PromptTokens, &u.HasPrompt)
		case 1:
			return countValue(b, v, &u.CompletionTokens, &u.HasCompletion)
		case 2:
			if _, next, isNull := null(b, v); isNull {
				return next, true
			}
			return eachKey(b, v, func(key []byte, v2 int) (int, bool) {
				if k, ok := known(key, "reasoning_tokens"); !ok {
					return v2, false
				} else if k < 0 {
					return skipValue(b, v2, fastRoom)
				}
				var has bool
				return countValue(b, v2, &u.ReasoningTokens, &has)
			})
		}
		return skipValue(b, v, fastRoom)
	})
	f.usage = u
	return next, ok
}

// countValue reads a token count as count.UnmarshalJSON does: null is
// absent; anything but a plain whole number goes to encoding/json.
func countValue(b []byte, at int, n *int, has *bool) (int, bool) {
	if _, next, isNull := null(b, at); isNull {
		*n, *has = 0, false
		return next, true
	}
	num, next, ok := scanNumber(b, at)
	if !ok {
		return next, false
	}
	v, ok := smallInt(num)
	if !ok || v < 0 {
		return next, false
	}
	*n, *has = v, true
	return next, true
}
