package api

import (
	"strings"
)

// OpenAI's chat completions and completions, as OpenAI, vLLM, SGLang,
// llama.cpp and the OpenAI layers of TGI and Ollama take them.

var openAI = family{
	name: "openai", prefix: true, shown: "openai (or openai-chat, openai-completions)", auth: Bearer,
	kinds: [2]endpoint{
		Chat:     {format: openAIChatFormat, path: "/v1/chat/completions", needs: messagesInput, body: openAIChatBody},
		Complete: {format: openAICompletionsFormat, path: "/v1/completions", needs: promptInput, body: openAICompletionsBody},
	},
}

var (
	openAIChatFormat = Format{Name: "openai-chat", Framing: SSE, EndMarker: "data: [DONE]",
		New: func() Decoder { return &openAIDecoder{chat: true} }}
	openAICompletionsFormat = Format{Name: "openai-completions", Framing: SSE, EndMarker: "data: [DONE]",
		New: func() Decoder { return &openAIDecoder{} }}
)

// openAIBody is the body of both endpoints. Its fields are in key order,
// as every body's are (see encodeBody).
type openAIBody struct {
	MaxTokens     any            `json:"max_tokens,omitempty"`
	Messages      any            `json:"messages,omitempty"`
	Model         any            `json:"model,omitempty"`
	Prompt        any            `json:"prompt,omitempty"`
	Stream        bool           `json:"stream"`
	StreamOptions *streamOptions `json:"stream_options,omitempty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

func openAIChatBody(c *Call) (any, error) {
	b := newOpenAIBody(c)
	b.Messages = c.Messages
	return b, nil
}

func openAICompletionsBody(c *Call) (any, error) {
	b := newOpenAIBody(c)
	b.Prompt = c.Prompt
	return b, nil
}

func newOpenAIBody(c *Call) *openAIBody {
	b := &openAIBody{Model: c.Model, MaxTokens: c.MaxTokens, Stream: true}
	if c.IncludeUsage {
		b.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	return b
}

// openAIChunk holds the fields of a chat.completion.chunk or a
// text_completion chunk that matter here; everything else is skipped.
type openAIChunk struct {
	Choices []openAIChoice `json:"choices"`
	Usage   *openAIUsage   `json:"usage"`
	Error   *apiError      `json:"error"`

	// vLLM once wrote errors as a top-level ErrorResponse rather than
	// under "error".
	Object  string `json:"object"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

type openAIChoice struct {
	Text         string      `json:"text"` // completions
	Delta        openAIDelta `json:"delta"`
	FinishReason string      `json:"finish_reason"` // null leaves it empty
}

type openAIDelta struct {
	Content          string `json:"content"`
	Refusal          string `json:"refusal"`
	Reasoning        string `json:"reasoning"`
	ReasoningContent string `json:"reasoning_content"`
	ToolCalls        []struct {
		Function struct {
			Arguments string `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
}

type openAIUsage struct {
	PromptTokens            count `json:"prompt_tokens"`
	CompletionTokens        count `json:"completion_tokens"`
	CompletionTokensDetails *struct {
		ReasoningTokens count `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

// openAIDecoder decodes OpenAI chat completion chunks (chat) or completion
// chunks, as OpenAI, vLLM, SGLang, llama.cpp, TGI's and Ollama's OpenAI
// layers send them. It keeps no state between events; its chunk buffer is
// reused to spare allocations.
type openAIDecoder struct {
	chat  bool
	chunk openAIChunk
}

func (d *openAIDecoder) name() string {
	if d.chat {
		return "openai-chat"
	}
	return "openai-completions"
}

// Decode implements Decoder.
func (d *openAIDecoder) Decode(ev Event) (Delta, error) {
	if isDoneMarker(ev.Data) {
		return Delta{Done: true}, nil
	}
	if isBlank(ev.Data) {
		return Delta{}, nil
	}
	if out, ok := d.fastDecode(ev.Data); ok {
		return out, nil
	}
	return d.slowDecode(ev)
}

// slowDecode decodes a chunk with encoding/json: events the fast path
// refuses, and the reference the fast path is checked against.
func (d *openAIDecoder) slowDecode(ev Event) (Delta, error) {
	c := &d.chunk
	choices := c.Choices[:cap(c.Choices)]
	clear(choices)
	*c = openAIChunk{Choices: choices[:0]}
	if err := unmarshalObject(ev.Data, c); err != nil {
		return Delta{}, malformed(d.name(), ev.Data, err)
	}
	var out Delta
	if c.Error != nil {
		out.Err = c.Error.String()
	} else if c.Object == "error" {
		e := apiError{Message: c.Message, Type: c.Type}
		out.Err = e.String()
	}
	d.choices(&out)
	if u := c.Usage; u != nil {
		out.Usage = &Usage{
			PromptTokens:     u.PromptTokens.n,
			CompletionTokens: u.CompletionTokens.n,
			HasPrompt:        u.PromptTokens.ok,
			HasCompletion:    u.CompletionTokens.ok,
		}
		if u.CompletionTokensDetails != nil {
			out.Usage.ReasoningTokens = u.CompletionTokensDetails.ReasoningTokens.n
		}
	}
	return out, nil
}

// choices gathers the text of every choice in the chunk. Servers send one
// choice per chunk even when n > 1 (the indexes interleave), and the usage
// counts the tokens of all choices, so all of them are output here.
func (d *openAIDecoder) choices(out *Delta) {
	cs := d.chunk.Choices
	if len(cs) == 1 { // the common case, without a builder
		d.choice(&cs[0], out)
		return
	}
	var text, reasoning strings.Builder
	for i := range cs {
		var one Delta
		d.choice(&cs[i], &one)
		text.WriteString(one.Text)
		reasoning.WriteString(one.Reasoning)
		if out.Finish == "" {
			out.Finish = one.Finish
		}
	}
	out.Text, out.Reasoning = text.String(), reasoning.String()
}

func (d *openAIDecoder) choice(c *openAIChoice, out *Delta) {
	out.Finish = c.FinishReason
	if !d.chat {
		out.Text = c.Text
		return
	}
	delta := &c.Delta
	out.Text = delta.Content + delta.Refusal // a refusal is visible output too
	// Tool-call arguments are generated tokens like any text; they go into
	// Text so that they are counted and timed as output.
	for _, tc := range delta.ToolCalls {
		out.Text += tc.Function.Arguments
	}
	out.Reasoning = delta.Reasoning + delta.ReasoningContent
}
