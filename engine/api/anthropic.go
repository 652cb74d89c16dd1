package api

import (
	"encoding/json"
	"fmt"
)

// Anthropic's Messages API, for chats and completions alike.

var anthropic = family{
	name: "anthropic", shown: "anthropic",
	auth:   func(key string) [2]string { return [2]string{"x-api-key", key} },
	header: [][2]string{{"anthropic-version", "2023-06-01"}},
	kinds: [2]endpoint{
		Chat:     {format: anthropicFormat, path: "/v1/messages", needs: messagesInput, body: anthropicChatBody},
		Complete: {format: anthropicFormat, path: "/v1/messages", body: anthropicCompleteBody},
	},
}

var anthropicFormat = Format{Name: "anthropic", Framing: SSE, EndMarker: "message_stop",
	New: func() Decoder { return &anthropicDecoder{} }}

type anthropicBody struct {
	MaxTokens any  `json:"max_tokens"`
	Messages  any  `json:"messages"`
	Model     any  `json:"model,omitempty"`
	Stream    bool `json:"stream"`
	System    any  `json:"system,omitempty"`
}

// emptyMessages is how a chat left with no messages once its system
// messages are taken out has always been sent.
var emptyMessages = json.RawMessage(`{}`)

// anthropicChatBody moves system messages to the system field, where
// the API wants them; the call's own system field wins over them.
func anthropicChatBody(c *Call) (any, error) {
	b := &anthropicBody{Model: c.Model}
	var msgs []Message
	for _, m := range c.list() {
		if m.Role == "system" {
			b.System = m.Content
			continue
		}
		msgs = append(msgs, m)
	}
	b.Messages = msgs
	if len(msgs) == 0 {
		b.Messages = emptyMessages
	}
	return finishAnthropic(b, c)
}

// anthropicCompleteBody makes the prompt a user message.
func anthropicCompleteBody(c *Call) (any, error) {
	b := &anthropicBody{Model: c.Model, Messages: []Message{{Role: "user", Content: c.Prompt}}}
	return finishAnthropic(b, c)
}

func finishAnthropic(b *anthropicBody, c *Call) (any, error) {
	if c.System != nil {
		b.System = c.System
	}
	if c.MaxTokens == nil {
		return nil, fmt.Errorf("the anthropic api needs max_tokens")
	}
	b.MaxTokens, b.Stream = c.MaxTokens, true
	return b, nil
}

// anthropicEvent holds the fields of any Anthropic Messages stream event
// that matter here; which of them are set depends on the type.
type anthropicEvent struct {
	Type    string `json:"type"`
	Message *struct {
		Usage *anthropicUsage `json:"usage"`
	} `json:"message"` // message_start
	ContentBlock *struct {
		Text     string `json:"text"`
		Thinking string `json:"thinking"`
	} `json:"content_block"` // content_block_start
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		Thinking    string `json:"thinking"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"` // content_block_delta, message_delta
	Usage *anthropicUsage `json:"usage"` // message_delta
	Error *apiError       `json:"error"`
}

type anthropicUsage struct {
	InputTokens              count `json:"input_tokens"`
	CacheCreationInputTokens count `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     count `json:"cache_read_input_tokens"`
	OutputTokens             count `json:"output_tokens"`
}

// prompt is every input token the request made the server process: the
// API counts cached and cache-writing tokens apart from input_tokens, but
// they are all part of the prompt.
func (u *anthropicUsage) prompt() (int, bool) {
	n := u.InputTokens.n + u.CacheCreationInputTokens.n + u.CacheReadInputTokens.n
	return n, u.InputTokens.ok || u.CacheCreationInputTokens.ok || u.CacheReadInputTokens.ok
}

// anthropicDecoder decodes the Anthropic Messages stream. It remembers the
// prompt tokens of message_start, because message_delta's cumulative usage
// may give only output tokens and callers keep the last usage they see.
type anthropicDecoder struct {
	prompt    int
	hasPrompt bool
	ev        anthropicEvent
}

// Decode implements Decoder.
func (d *anthropicDecoder) Decode(ev Event) (Delta, error) {
	e := &d.ev
	*e = anthropicEvent{}
	if !isBlank(ev.Data) {
		if err := unmarshalObject(ev.Data, e); err != nil {
			return Delta{}, malformed("anthropic", ev.Data, err)
		}
	}
	kind := e.Type
	if kind == "" {
		kind = ev.Name
	}
	var out Delta
	switch kind {
	case "message_start":
		if e.Message != nil && e.Message.Usage != nil {
			if n, ok := e.Message.Usage.prompt(); ok {
				d.prompt, d.hasPrompt = n, true
				out.Usage = &Usage{PromptTokens: n, HasPrompt: true}
			}
		}
	case "content_block_start":
		if b := e.ContentBlock; b != nil {
			out.Text, out.Reasoning = b.Text, b.Thinking
		}
	case "content_block_delta":
		d.blockDelta(&out)
	case "message_delta":
		d.messageDelta(&out)
	case "message_stop":
		out.Done = true
	case "error":
		out.Err = "the server reported an error without a message"
		if e.Error != nil {
			out.Err = e.Error.String()
		}
	}
	// ping, content_block_stop and types added later carry nothing here.
	return out, nil
}

func (d *anthropicDecoder) blockDelta(out *Delta) {
	delta := d.ev.Delta
	if delta == nil {
		return
	}
	switch delta.Type {
	case "text_delta":
		out.Text = delta.Text
	case "thinking_delta":
		out.Reasoning = delta.Thinking
	case "input_json_delta":
		// Tool input is generated text: count and time it as output.
		out.Text = delta.PartialJSON
	}
	// signature_delta carries a signature of the thinking, not output.
}

func (d *anthropicDecoder) messageDelta(out *Delta) {
	if delta := d.ev.Delta; delta != nil {
		out.Finish = delta.StopReason
	}
	u := d.ev.Usage
	if u == nil {
		return
	}
	if n, ok := u.prompt(); ok {
		d.prompt, d.hasPrompt = n, true
	}
	out.Usage = &Usage{
		PromptTokens:     d.prompt,
		HasPrompt:        d.hasPrompt,
		CompletionTokens: u.OutputTokens.n, // cumulative: the count so far
		HasCompletion:    u.OutputTokens.ok,
	}
}
