package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// endpoint tells the two generation APIs apart.
type endpoint int

const (
	chatEndpoint endpoint = iota
	textEndpoint
)

// genRequest is what the mock takes from a generation request body; any
// other field (temperature, ignore_eos, ...) is accepted and ignored.
type genRequest struct {
	Model               string          `json:"model"`
	Messages            json.RawMessage `json:"messages"`
	Prompt              json.RawMessage `json:"prompt"`
	Stream              bool            `json:"stream"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`

	// Filled by readRequest.
	promptText   string
	promptTokens int // set when the prompt is given as token ids
	outputTokens int
}

func (g *genRequest) includeUsage() bool {
	return g.StreamOptions != nil && g.StreamOptions.IncludeUsage
}

// readRequest reads and checks the body of a generation request.
func readRequest(w http.ResponseWriter, r *http.Request, kind endpoint, defaultMax int) (*genRequest, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, kind: "invalid_request_error",
				code: "request_too_large", message: fmt.Sprintf("request body exceeds %d bytes", maxRequestBodyBytes)}
		}
		return nil, badRequest("unreadable_body", "", "reading request body: "+err.Error())
	}
	var g genRequest
	if err := json.Unmarshal(body, &g); err != nil {
		return nil, badRequest("invalid_json", "", "request body is not valid JSON: "+err.Error())
	}
	if kind == chatEndpoint {
		g.promptText, err = chatPrompt(g.Messages)
	} else {
		g.promptText, g.promptTokens, err = textPrompt(g.Prompt)
	}
	if err != nil {
		param := "prompt"
		if kind == chatEndpoint {
			param = "messages"
		}
		return nil, badRequest("invalid_value", param, err.Error())
	}
	if apiErr := g.setOutputTokens(defaultMax); apiErr != nil {
		return nil, apiErr
	}
	return &g, nil
}

// setOutputTokens settles how many tokens to generate. As in vLLM,
// max_completion_tokens wins over the older max_tokens.
func (g *genRequest) setOutputTokens(defaultMax int) *apiError {
	name, n := "max_tokens", g.MaxTokens
	if g.MaxCompletionTokens != nil {
		name, n = "max_completion_tokens", g.MaxCompletionTokens
	}
	if n == nil {
		g.outputTokens = defaultMax
		return nil
	}
	if *n < 1 || *n > maxOutputTokens {
		return badRequest("invalid_value", name, fmt.Sprintf("%s must be between 1 and %d, got %d", name, maxOutputTokens, *n))
	}
	g.outputTokens = *n
	return nil
}

// chatPrompt joins the text of all messages. Content may be a string or a
// list of parts, of which only text parts count.
func chatPrompt(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", errors.New("messages is required")
	}
	var msgs []struct {
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return "", fmt.Errorf("messages must be a list of messages: %w", err)
	}
	if len(msgs) == 0 {
		return "", errors.New("messages must not be empty")
	}
	texts := make([]string, 0, len(msgs))
	for i, m := range msgs {
		text, err := messageText(m.Content)
		if err != nil {
			return "", fmt.Errorf("messages[%d].content: %w", i, err)
		}
		texts = append(texts, text)
	}
	return strings.Join(texts, "\n"), nil
}

func messageText(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil // assistant messages with tool calls carry no content
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("must be a string or a list of content parts")
	}
	texts := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.Type == "text" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n"), nil
}

// textPrompt reads a completions prompt: a string, a list of strings
// (served as one prompt, joined by newlines), or a list of token ids,
// whose count is then the prompt's token count.
func textPrompt(raw json.RawMessage) (text string, tokenIDs int, err error) {
	if isNull(raw) {
		return "", 0, errors.New("prompt is required")
	}
	if json.Unmarshal(raw, &text) == nil {
		return text, 0, nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return strings.Join(list, "\n"), 0, nil
	}
	var ids []int
	if json.Unmarshal(raw, &ids) == nil && len(ids) > 0 {
		return "", len(ids), nil
	}
	return "", 0, errors.New("prompt must be a string, a non-empty list of strings or a non-empty list of token ids")
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}
