package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Kind is what a call asks for.
type Kind int

// The kinds of call every family is asked for.
const (
	Chat     Kind = iota // a list of messages
	Complete             // a plain prompt
)

// Call is one chat or completion call in no API's words; each family
// turns it into its own request. Fields of type any hold JSON values:
// anything encoding/json writes, as the caller means it to be sent (a
// value that cannot be written fails the request with its own error).
// A nil value is not sent.
type Call struct {
	Model any
	// Messages are a chat's messages as the caller writes them, which
	// families that take OpenAI's shape send as they are: a []Message, or
	// the JSON values of a list of {role, content} objects. nil when the
	// call gives none.
	Messages     any
	Prompt       any // a completion's prompt: a string (Anthropic's also takes content blocks)
	System       any // Anthropic's system prompt
	MaxTokens    any
	IncludeUsage bool   // ask OpenAI-style servers for usage in the stream
	APIKey       string // sent in the family's auth header when not empty
	// Extra fields go into the body last, over the family's own.
	Extra map[string]any
}

// Message is one message of a chat.
type Message struct {
	Role    string // "" when the message has none, or not a string
	Content any
	// JSON is the whole message as the caller wrote it, sent in its
	// place; nil sends {"content", "role"}.
	JSON any
}

// MarshalJSON writes the message as written, or from its role and content.
func (m Message) MarshalJSON() ([]byte, error) {
	if m.JSON != nil {
		return json.Marshal(m.JSON)
	}
	// The fields are in key order, as every body's are (see encodeBody).
	return json.Marshal(struct {
		Content any    `json:"content,omitempty"`
		Role    string `json:"role"`
	}{m.Content, m.Role})
}

// list is the messages one by one, with their roles and contents; a
// messages object (string keys) gives its values, in key order.
func (c *Call) list() []Message {
	var items []any
	switch x := c.Messages.(type) {
	case []Message:
		return x
	case []any:
		items = x
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			items = append(items, x[k])
		}
	}
	out := make([]Message, 0, len(items))
	for _, m := range items {
		msg := Message{JSON: m}
		if obj, ok := m.(map[string]any); ok {
			msg.Role, _ = obj["role"].(string)
			msg.Content = obj["content"]
		}
		out = append(out, msg)
	}
	return out
}

// PromptText is the text of the prompt, for counting input tokens when
// the server reports none (the chat template's own tokens are not in it).
func (c *Call) PromptText() string {
	if p, ok := c.Prompt.(string); ok {
		return p
	}
	var parts []string
	if s, ok := c.System.(string); ok {
		parts = append(parts, s)
	}
	for _, m := range c.list() {
		if s, ok := m.Content.(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// Payload is a call made ready for one family's server.
type Payload struct {
	Format Format
	Path   string      // the family's own path, under the host
	Header [][2]string // Content-Type, auth and the family's own headers
	Body   []byte
}

// family is one API family: how it takes each kind of call.
type family struct {
	name   string
	prefix bool   // any API name starting with name is this family's
	shown  string // how messages name it
	auth   func(key string) [2]string
	header [][2]string // sent with every request
	kinds  [2]endpoint // by Kind
}

// endpoint is how a family takes one kind of call.
type endpoint struct {
	refused error // the family takes no such call, and says why
	format  Format
	path    string
	needs   input
	body    func(c *Call) (any, error)
}

// input is what a call must give an endpoint.
type input int

const (
	anyInput      input = iota
	messagesInput       // a chat's messages
	promptInput         // a prompt string
)

// NewPayload makes the payload of a call of kind k to the API named api:
// "openai" (or any name starting with it), "anthropic", "tgi" or "ollama".
func NewPayload(api string, k Kind, c *Call) (Payload, error) {
	f, err := familyOf(api)
	if err != nil {
		return Payload{}, err
	}
	ep := f.kinds[k]
	if ep.refused != nil {
		return Payload{}, ep.refused
	}
	if err := ep.check(c); err != nil {
		return Payload{}, err
	}
	body, err := ep.body(c)
	if err != nil {
		return Payload{}, err
	}
	b, err := encodeBody(body, c.Extra)
	if err != nil {
		return Payload{}, fmt.Errorf("encoding the request: %w", err)
	}
	r := Payload{Format: ep.format, Path: ep.path, Body: b}
	r.Header = append(r.Header, [2]string{"Content-Type", "application/json"})
	if c.APIKey != "" {
		r.Header = append(r.Header, f.auth(c.APIKey))
	}
	r.Header = append(r.Header, f.header...)
	return r, nil
}

// check refuses a call without the input the endpoint reads.
func (ep *endpoint) check(c *Call) error {
	switch ep.needs {
	case messagesInput:
		if c.Messages == nil {
			return fmt.Errorf("messages must be a list of { role =, content = } tables")
		}
	case promptInput:
		if _, ok := c.Prompt.(string); !ok {
			return fmt.Errorf("prompt must be a string")
		}
	}
	return nil
}

// encodeBody writes a family's body with the call's extra fields over it,
// all fields in key order, as encoding/json writes a map: every body
// struct lists its fields in that order too, so that a body's bytes do
// not depend on whether a call has extras.
func encodeBody(body any, extra map[string]any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil || len(extra) == 0 {
		return b, valueError(err)
	}
	fields := make(map[string][]byte, 8+len(extra))
	// The body's own keys are plain: they are its struct tags.
	if _, ok := eachKey(b, 0, func(key []byte, at int) (int, bool) {
		end, ok := skipValue(b, at, maxNesting)
		fields[string(key)] = b[at:end]
		return end, ok
	}); !ok {
		return nil, fmt.Errorf("the body is not a JSON object")
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		if fields[k], err = json.Marshal(extra[k]); err != nil {
			return nil, valueError(err)
		}
	}
	out := append(make([]byte, 0, len(b)+32*len(extra)), '{')
	for i, k := range slices.Sorted(maps.Keys(fields)) {
		if i > 0 {
			out = append(out, ',')
		}
		key, _ := json.Marshal(k)
		out = append(append(append(out, key...), ':'), fields[k]...)
	}
	return append(out, '}'), nil
}

// valueError is the error of a value that cannot be written, without the
// wrapping encoding/json puts around a Marshaler's error.
func valueError(err error) error {
	for {
		var me *json.MarshalerError
		if !errors.As(err, &me) {
			return err
		}
		err = me.Err
	}
}

// Bearer is the usual auth header: Authorization: Bearer key.
func Bearer(key string) [2]string { return [2]string{"Authorization", "Bearer " + key} }
