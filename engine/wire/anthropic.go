package wire

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
