package mock

import (
	"encoding/json"
	"net/http"
)

// The types below give the JSON the field order and the null and empty
// values that OpenAI and vLLM send, so clients meet the same bytes as in
// production.

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func newUsage(prompt, completion int) *usage {
	return &usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
}

type delta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

type chatChunkChoice struct {
	Index        int     `json:"index"`
	Delta        delta   `json:"delta"`
	Logprobs     any     `json:"logprobs"`
	FinishReason *string `json:"finish_reason"`
}

type textChoice struct {
	Index        int     `json:"index"`
	Text         string  `json:"text"`
	Logprobs     any     `json:"logprobs"`
	FinishReason *string `json:"finish_reason"`
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatChoice struct {
	Index        int     `json:"index"`
	Message      message `json:"message"`
	Logprobs     any     `json:"logprobs"`
	FinishReason string  `json:"finish_reason"`
}

// envelope is the frame shared by every chunk and body; Choices holds one
// of the choice types above, and an empty, non-nil slice for the usage
// chunk, which OpenAI sends as "choices":[].
type envelope struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices any    `json:"choices"`
	Usage   *usage `json:"usage,omitempty"`
}

// finishLength is the only finish reason the mock gives: it always
// generates exactly the tokens asked for.
var finishLength = "length"

const (
	objectChatChunk = "chat.completion.chunk"
	objectChat      = "chat.completion"
	objectText      = "text_completion"
)

// apiError is an OpenAI-shaped error answer.
type apiError struct {
	status  int
	message string
	kind    string // the "type" field
	code    string
	param   string
}

func (e *apiError) body() []byte {
	type detail struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    string  `json:"code"`
	}
	d := detail{Message: e.message, Type: e.kind, Code: e.code}
	if e.param != "" {
		d.Param = &e.param
	}
	b, _ := json.Marshal(struct {
		Error detail `json:"error"`
	}{d}) // cannot fail: only strings
	return b
}

func (e *apiError) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body()) // a client that left needs no answer
}

func badRequest(code, param, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, kind: "invalid_request_error", code: code, param: param, message: message}
}

// writeJSON sends v as a complete JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		(&apiError{status: http.StatusInternalServerError, kind: "server_error", code: "encoding_failed",
			message: "encoding the response: " + err.Error()}).write(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// appendEvent appends v as one SSE event.
func appendEvent(buf []byte, v any) []byte {
	b, _ := json.Marshal(v) // the wire types hold only strings, ints and nil
	buf = append(buf, "data: "...)
	buf = append(buf, b...)
	return append(buf, "\n\n"...)
}

const doneEvent = "data: [DONE]\n\n"
