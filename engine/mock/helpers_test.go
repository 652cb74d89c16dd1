package mock

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startServer runs a mock built from cfg on a loopback port for the
// length of the test and returns it with its base URL.
func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	url, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, url
}

// fastConfig has no waits, for tests about shapes rather than timing.
func fastConfig() Config {
	c := DefaultConfig()
	c.TTFT, c.ITL = 0, 0
	return c
}

// post sends body as JSON and returns the response, whose body the
// caller closes.
func post(ctx context.Context, t *testing.T, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return resp
}

// event is one SSE event as the test client saw it.
type event struct {
	data string
	at   time.Time // when the line carrying it had been read
}

// readSSE reads SSE events until the body ends. It returns the events
// read so far and the error that ended the body, nil for a clean end.
func readSSE(body io.Reader) ([]event, error) {
	r := bufio.NewReader(body)
	var events []event
	var data []string
	var at time.Time
	for {
		line, err := r.ReadString('\n')
		now := time.Now()
		if err != nil {
			if errors.Is(err, io.EOF) && line == "" && len(data) == 0 {
				return events, nil
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return events, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if len(data) > 0 {
				events = append(events, event{data: strings.Join(data, "\n"), at: at})
				data = nil
			}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "data:"):
			if len(data) == 0 {
				at = now
			}
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
}

// chunk is the union of the fields of chat and completion chunks.
type chunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta *struct {
			Role    *string `json:"role"`
			Content *string `json:"content"`
		} `json:"delta"`
		Text         *string `json:"text"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
}

// decodeStrict decodes data into v and fails on trailing data.
func decodeStrict(data string, v any) error {
	dec := json.NewDecoder(strings.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// tokenText is the text a content chunk carries, "" when none.
func (c *chunk) tokenText() string {
	if len(c.Choices) == 0 {
		return ""
	}
	ch := c.Choices[0]
	if ch.Delta != nil && ch.Delta.Content != nil {
		return *ch.Delta.Content
	}
	if ch.Text != nil {
		return *ch.Text
	}
	return ""
}

// isWord reports whether w is in the output vocabulary.
func isWord(w string) bool {
	for _, v := range words {
		if v == " "+w {
			return true
		}
	}
	return false
}

// readAll reads a whole body, returning what was read and the error.
func readAll(r io.Reader) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
