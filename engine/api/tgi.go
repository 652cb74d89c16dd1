package api

import "fmt"

// Hugging Face TGI's native /generate_stream, which takes a prompt only.

var tgi = family{
	name: "tgi", shown: "tgi", auth: Bearer,
	kinds: [2]endpoint{
		Chat: {refused: fmt.Errorf("TGI's generate_stream takes a prompt: use self.llm:complete{ prompt = ... }, " +
			"or api = \"openai\" for TGI's OpenAI-compatible /v1/chat/completions")},
		Complete: {format: tgiFormat, path: "/generate_stream", needs: promptInput, body: tgiBody},
	},
}

var tgiFormat = Format{Name: "tgi", Framing: SSE, EndMarker: "the final event with generated_text",
	New: func() Decoder { return &tgiDecoder{} }}

// tgiRequest has no model: TGI serves one, and the field is left out
// unless an extra field sets it.
type tgiRequest struct {
	Inputs     any           `json:"inputs"`
	Parameters tgiParameters `json:"parameters"`
}

type tgiParameters struct {
	Details      bool `json:"details"` // the last event then carries the counts
	MaxNewTokens any  `json:"max_new_tokens,omitempty"`
}

func tgiBody(c *Call) (any, error) {
	return &tgiRequest{Inputs: c.Prompt, Parameters: tgiParameters{Details: true, MaxNewTokens: c.MaxTokens}}, nil
}

// tgiEvent is one event of TGI's /generate_stream.
type tgiEvent struct {
	Token *struct {
		Text    string `json:"text"`
		Special bool   `json:"special"`
	} `json:"token"`
	GeneratedText *string `json:"generated_text"`
	Details       *struct {
		FinishReason    string `json:"finish_reason"`
		GeneratedTokens count  `json:"generated_tokens"`
		// Recent TGI versions give the prompt length as input_length;
		// some builds call it prompt_tokens.
		InputLength  count `json:"input_length"`
		PromptTokens count `json:"prompt_tokens"`
	} `json:"details"`
	Error     *apiError `json:"error"`
	ErrorType string    `json:"error_type"`
}

// tgiDecoder decodes Hugging Face TGI's /generate_stream events, one token
// per event. It keeps no state between events.
type tgiDecoder struct {
	ev tgiEvent
}

// Decode implements Decoder.
func (d *tgiDecoder) Decode(ev Event) (Delta, error) {
	if isDoneMarker(ev.Data) {
		return Delta{Done: true}, nil
	}
	if isBlank(ev.Data) {
		return Delta{}, nil
	}
	e := &d.ev
	*e = tgiEvent{}
	if err := unmarshalObject(ev.Data, e); err != nil {
		return Delta{}, malformed("tgi", ev.Data, err)
	}
	var out Delta
	if e.Error != nil {
		if e.Error.Type == "" {
			e.Error.Type = e.ErrorType
		}
		out.Err = e.Error.String()
	}
	if t := e.Token; t != nil && !t.Special {
		out.Text, out.Tokens = t.Text, 1
	}
	// The last event carries the whole text and, when asked for, details.
	if e.GeneratedText != nil || e.Details != nil {
		out.Done = true
	}
	if det := e.Details; det != nil {
		out.Finish = det.FinishReason
		u := &Usage{CompletionTokens: det.GeneratedTokens.n, HasCompletion: det.GeneratedTokens.ok}
		switch {
		case det.InputLength.ok:
			u.PromptTokens, u.HasPrompt = det.InputLength.n, true
		case det.PromptTokens.ok:
			u.PromptTokens, u.HasPrompt = det.PromptTokens.n, true
		}
		if u.HasCompletion || u.HasPrompt {
			out.Usage = u
		}
	}
	return out, nil
}
