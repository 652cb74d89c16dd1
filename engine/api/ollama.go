package api

import (
	"encoding/json"
	"strings"
)

// Ollama's native API: /api/chat and /api/generate, in NDJSON.

var ollama = family{
	name: "ollama", shown: "ollama", auth: Bearer,
	kinds: [2]endpoint{
		Chat:     {format: ollamaFormat, path: "/api/chat", needs: messagesInput, body: ollamaChatBody},
		Complete: {format: ollamaFormat, path: "/api/generate", needs: promptInput, body: ollamaGenerateBody},
	},
}

var ollamaFormat = Format{Name: "ollama", Framing: NDJSON, EndMarker: `"done": true`,
	New: func() Decoder { return &ollamaDecoder{} }}

type ollamaRequest struct {
	Messages any            `json:"messages,omitempty"`
	Model    any            `json:"model,omitempty"`
	Options  *ollamaOptions `json:"options,omitempty"`
	Prompt   any            `json:"prompt,omitempty"`
	Stream   bool           `json:"stream"`
}

type ollamaOptions struct {
	NumPredict any `json:"num_predict"`
}

func ollamaChatBody(c *Call) (any, error) {
	b := newOllamaBody(c)
	b.Messages = c.Messages
	return b, nil
}

func ollamaGenerateBody(c *Call) (any, error) {
	b := newOllamaBody(c)
	b.Prompt = c.Prompt
	return b, nil
}

func newOllamaBody(c *Call) *ollamaRequest {
	b := &ollamaRequest{Model: c.Model, Stream: true}
	if c.MaxTokens != nil {
		b.Options = &ollamaOptions{NumPredict: c.MaxTokens}
	}
	return b
}

// ollamaLine is one line of Ollama's native /api/generate or /api/chat
// stream; the two differ only in where the text is.
type ollamaLine struct {
	Response string `json:"response"` // /api/generate
	Thinking string `json:"thinking"` // /api/generate
	Message  *struct {
		Content   string `json:"content"`
		Thinking  string `json:"thinking"`
		ToolCalls []struct {
			Function struct {
				Arguments json.RawMessage `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"message"` // /api/chat
	Done            bool      `json:"done"`
	DoneReason      string    `json:"done_reason"`
	PromptEvalCount count     `json:"prompt_eval_count"`
	EvalCount       count     `json:"eval_count"`
	Error           *apiError `json:"error"`
}

// ollamaDecoder decodes Ollama's NDJSON streams. It keeps no state between
// events.
type ollamaDecoder struct {
	line ollamaLine
}

// Decode implements Decoder.
func (d *ollamaDecoder) Decode(ev Event) (Delta, error) {
	if isBlank(ev.Data) {
		return Delta{}, nil
	}
	l := &d.line
	*l = ollamaLine{}
	if err := unmarshalObject(ev.Data, l); err != nil {
		return Delta{}, malformed("ollama", ev.Data, err)
	}
	out := Delta{Text: l.Response, Reasoning: l.Thinking}
	if m := l.Message; m != nil {
		out.Text += m.Content
		out.Reasoning += m.Thinking
		// Ollama sends tool arguments as a JSON object, whole; its text is
		// generated output like any other.
		for _, tc := range m.ToolCalls {
			if a := tc.Function.Arguments; len(a) > 0 && string(a) != "null" {
				out.Text += strings.ToValidUTF8(string(a), "\uFFFD")
			}
		}
	}
	if l.Error != nil {
		out.Err = l.Error.String()
	}
	if l.Done {
		out.Done = true
		out.Finish = l.DoneReason
		// Ollama leaves prompt_eval_count out when the whole prompt came
		// from its cache, so only what is present is reported.
		if l.PromptEvalCount.ok || l.EvalCount.ok {
			out.Usage = &Usage{
				PromptTokens:     l.PromptEvalCount.n,
				HasPrompt:        l.PromptEvalCount.ok,
				CompletionTokens: l.EvalCount.n,
				HasCompletion:    l.EvalCount.ok,
			}
		}
	}
	return out, nil
}
