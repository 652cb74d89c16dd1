package mock

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestStreamShape checks every event of chat and completion streams
// against the shape OpenAI and vLLM send.
func TestStreamShape(t *testing.T) {
	cfg := fastConfig()
	cfg.Model = "served-model"
	s, url := startServer(t, cfg)
	const prompt, maxTokens = "one two three four five", 7

	tests := []struct {
		name      string
		path      string
		body      string
		chat      bool
		usage     bool
		wantModel string
	}{
		{"chat", "/v1/chat/completions",
			`{"model":"asked","messages":[{"role":"user","content":%q}],"stream":true,"max_tokens":%d,"temperature":0.7,"ignore_eos":true}`,
			true, false, "asked"},
		{"chat with usage", "/v1/chat/completions",
			`{"messages":[{"role":"user","content":%q}],"stream":true,"max_tokens":%d,"stream_options":{"include_usage":true}}`,
			true, true, "served-model"},
		{"completions", "/v1/completions",
			`{"model":"asked","prompt":%q,"stream":true,"max_tokens":%d,"min_tokens":3}`,
			false, false, "asked"},
		{"completions with usage", "/v1/completions",
			`{"prompt":%q,"stream":true,"max_tokens":%d,"stream_options":{"include_usage":true}}`,
			false, true, "served-model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(context.Background(), t, url+tc.path, fmt.Sprintf(tc.body, prompt, maxTokens))
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Errorf("Content-Type %q, want text/event-stream", ct)
			}
			events, err := readSSE(resp.Body)
			if err != nil {
				t.Fatalf("reading stream: %v", err)
			}
			id := resp.Header.Get("X-Request-Id")
			text := checkStreamEvents(t, events, id, tc.chat, tc.usage, tc.wantModel)
			got := strings.Fields(text)
			if len(got) != maxTokens || !strings.HasPrefix(text, " ") {
				t.Errorf("text %q has %d words, want %d with a leading space", text, len(got), maxTokens)
			}
			for _, w := range got {
				if !isWord(w) {
					t.Errorf("word %q is not in the vocabulary", w)
				}
			}
			sent := findSent(t, s, id)
			if sent.PromptTokens != len(strings.Fields(prompt)) || sent.CompletionTokens != maxTokens || sent.Status != 200 || !sent.Stream {
				t.Errorf("server record %+v disagrees with the request", sent)
			}
		})
	}
}

// checkStreamEvents walks a stream's events in order and returns the
// concatenated token text.
func checkStreamEvents(t *testing.T, events []event, id string, chat, usage bool, model string) string {
	t.Helper()
	if len(events) == 0 || events[len(events)-1].data != "[DONE]" {
		t.Fatalf("stream does not end with [DONE]: %v", events)
	}
	wantObject := "text_completion"
	if chat {
		wantObject = "chat.completion.chunk"
	}
	var text strings.Builder
	stage := "content"
	if chat {
		stage = "role"
	}
	for i, ev := range events[:len(events)-1] {
		var raw map[string]any
		var c chunk
		if err := decodeStrict(ev.data, &raw); err != nil {
			t.Fatalf("event %d %q is not JSON: %v", i, ev.data, err)
		}
		if err := decodeStrict(ev.data, &c); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if c.ID != id || c.Object != wantObject || c.Model != model || c.Created == 0 {
			t.Errorf("event %d: id %q object %q model %q created %d; want %q %q %q", i, c.ID, c.Object, c.Model, c.Created, id, wantObject, model)
		}
		choices, _ := raw["choices"].([]any)
		if stage == "content" && len(choices) == 1 && c.tokenText() == "" {
			stage = "finish"
		}
		if stage == "usage" {
			checkUsageEvent(t, raw, c)
			stage = "after usage"
			continue
		}
		_, hasUsage := raw["usage"]
		if len(choices) != 1 || hasUsage {
			t.Fatalf("event %d in stage %s: %s", i, stage, ev.data)
		}
		ch := choices[0].(map[string]any)
		switch stage {
		case "role":
			wantChoice(t, i, ch, map[string]any{"role": "assistant", "content": ""}, nil)
			stage = "content"
		case "content":
			text.WriteString(c.tokenText())
			wantChoice(t, i, ch, map[string]any{"content": c.tokenText()}, nil)
		case "finish":
			wantChoice(t, i, ch, map[string]any{}, "length")
			stage = "done"
			if usage {
				stage = "usage"
			}
		default:
			t.Fatalf("event %d after the end of the stream: %s", i, ev.data)
		}
	}
	if want := map[bool]string{true: "after usage", false: "done"}[usage]; stage != want {
		t.Errorf("stream ended in stage %q, want %q", stage, want)
	}
	return text.String()
}

// wantChoice checks one choice: for chat its delta must equal delta, for
// completions its text must be delta's content.
func wantChoice(t *testing.T, i int, ch map[string]any, delta map[string]any, finish any) {
	t.Helper()
	if ch["index"] != 0.0 || ch["finish_reason"] != finish {
		t.Errorf("event %d: index %v finish_reason %v, want 0 and %v", i, ch["index"], ch["finish_reason"], finish)
	}
	if d, ok := ch["delta"]; ok {
		if !reflect.DeepEqual(d, delta) {
			t.Errorf("event %d: delta %v, want %v", i, d, delta)
		}
		return
	}
	if _, isRole := delta["role"]; isRole {
		t.Errorf("event %d: completions stream sent a role chunk", i)
	}
	want, _ := delta["content"].(string)
	if ch["text"] != want {
		t.Errorf("event %d: text %v, want %q", i, ch["text"], want)
	}
}

func checkUsageEvent(t *testing.T, raw map[string]any, c chunk) {
	t.Helper()
	if choices, ok := raw["choices"].([]any); !ok || len(choices) != 0 {
		t.Errorf("usage event choices %v, want []", raw["choices"])
	}
	if c.Usage == nil || c.Usage.PromptTokens != 5 || c.Usage.CompletionTokens != 7 || c.Usage.TotalTokens != 12 {
		t.Errorf("usage %+v, want 5 + 7 = 12", c.Usage)
	}
}

func findSent(t *testing.T, s *Server, id string) Sent {
	t.Helper()
	for _, sent := range s.Sent() {
		if sent.ID == id {
			return sent
		}
	}
	t.Fatalf("no server record for request %q", id)
	return Sent{}
}

// TestWholeBody checks non-streamed answers and how many tokens they hold.
func TestWholeBody(t *testing.T) {
	cfg := fastConfig()
	cfg.DefaultMaxTokens = 4
	s, url := startServer(t, cfg)
	tests := []struct {
		name, path, body string
		wantObject       string
		wantPrompt       int
		wantTokens       int
	}{
		{"chat max_tokens", "/v1/chat/completions",
			`{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hello there"},{"type":"image_url","image_url":{"url":"x"}}]}],"max_tokens":9}`,
			"chat.completion", 4, 9},
		{"max_completion_tokens wins", "/v1/chat/completions",
			`{"messages":[{"role":"user","content":"hi"}],"max_tokens":3,"max_completion_tokens":5}`, "chat.completion", 1, 5},
		{"default length", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"stream":false}`, "chat.completion", 1, 4},
		{"completions string", "/v1/completions", `{"prompt":"a b c","max_tokens":6}`, "text_completion", 3, 6},
		{"completions list", "/v1/completions", `{"prompt":["a b","c d e"],"max_tokens":2}`, "text_completion", 5, 2},
		{"completions token ids", "/v1/completions", `{"prompt":[1,2,3,4,5,6,7],"max_tokens":1}`, "text_completion", 7, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(context.Background(), t, url+tc.path, tc.body)
			defer resp.Body.Close()
			var got struct {
				ID      string `json:"id"`
				Object  string `json:"object"`
				Model   string `json:"model"`
				Choices []struct {
					Message *struct {
						Role, Content string
					} `json:"message"`
					Text         *string `json:"text"`
					FinishReason string  `json:"finish_reason"`
				} `json:"choices"`
				Usage usage `json:"usage"`
			}
			body, err := readAll(resp.Body)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d, body %q, err %v", resp.StatusCode, body, err)
			}
			if err := decodeStrict(string(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if got.ID != resp.Header.Get("X-Request-Id") || got.Object != tc.wantObject || got.Model != cfg.Model || len(got.Choices) != 1 {
				t.Fatalf("body %s", body)
			}
			ch := got.Choices[0]
			text := ""
			switch {
			case ch.Message != nil && ch.Message.Role == "assistant":
				text = ch.Message.Content
			case ch.Text != nil:
				text = *ch.Text
			}
			if n := len(strings.Fields(text)); n != tc.wantTokens || ch.FinishReason != "length" {
				t.Errorf("%d words, finish %q; want %d, length", n, ch.FinishReason, tc.wantTokens)
			}
			if want := *newUsage(tc.wantPrompt, tc.wantTokens); got.Usage != want {
				t.Errorf("usage %+v, want %+v", got.Usage, want)
			}
			if sent := findSent(t, s, got.ID); len(sent.Chunks) != 1 || sent.ChunkTokens[0] != tc.wantTokens || sent.Stream {
				t.Errorf("server record %+v, want one chunk of %d tokens", sent, tc.wantTokens)
			}
		})
	}
}

// TestTokensPerChunk checks that chunk sizes cycle and that exactly
// max_tokens tokens come out, counted on the wire and in the record.
func TestTokensPerChunk(t *testing.T) {
	tests := []struct {
		name      string
		sizes     []int
		maxTokens int
		path      string
		want      []int
	}{
		{"one per chunk", []int{1}, 5, "/v1/chat/completions", []int{1, 1, 1, 1, 1}},
		{"one and three mixed", []int{1, 3}, 10, "/v1/chat/completions", []int{1, 3, 1, 3, 1, 1}},
		{"last chunk shorter", []int{4}, 6, "/v1/completions", []int{4, 2}},
		{"single big chunk", []int{50}, 12, "/v1/completions", []int{12}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fastConfig()
			cfg.TokensPerChunk = tc.sizes
			s, url := startServer(t, cfg)
			body := fmt.Sprintf(`{"messages":[{"role":"user","content":"x"}],"prompt":"x","stream":true,"max_tokens":%d,"stream_options":{"include_usage":true}}`, tc.maxTokens)
			resp := post(context.Background(), t, url+tc.path, body)
			defer resp.Body.Close()
			events, err := readSSE(resp.Body)
			if err != nil {
				t.Fatalf("reading stream: %v", err)
			}
			var sizes []int
			total, reported := 0, 0
			for _, ev := range events[:len(events)-1] {
				var c chunk
				if err := json.Unmarshal([]byte(ev.data), &c); err != nil {
					t.Fatalf("event %q: %v", ev.data, err)
				}
				if n := len(strings.Fields(c.tokenText())); n > 0 {
					sizes = append(sizes, n)
					total += n
				}
				if c.Usage != nil {
					reported = c.Usage.CompletionTokens
				}
			}
			if !reflect.DeepEqual(sizes, tc.want) || total != tc.maxTokens || reported != tc.maxTokens {
				t.Errorf("chunk sizes %v (total %d, usage %d), want %v (total %d)", sizes, total, reported, tc.want, tc.maxTokens)
			}
			if sent := s.Sent(); len(sent) != 1 || !reflect.DeepEqual(sent[0].ChunkTokens, tc.want) || len(sent[0].Chunks) != len(tc.want) {
				t.Errorf("server record %+v, want chunk tokens %v", sent, tc.want)
			}
		})
	}
}

// TestModelsAndHealth checks the small GET endpoints.
func TestModelsAndHealth(t *testing.T) {
	cfg := fastConfig()
	cfg.Model = "served-model"
	_, url := startServer(t, cfg)

	resp, err := http.Get(url + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := readAll(resp.Body)
	resp.Body.Close()
	var models struct {
		Object string `json:"object"`
		Data   []struct {
			ID, Object string
			OwnedBy    string `json:"owned_by"`
		} `json:"data"`
	}
	if err := decodeStrict(string(body), &models); err != nil {
		t.Fatalf("models body %q: %v", body, err)
	}
	if models.Object != "list" || len(models.Data) != 1 || models.Data[0].ID != "served-model" || models.Data[0].Object != "model" {
		t.Errorf("models %s", body)
	}

	resp, err = http.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = readAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Errorf("health: %d %q", resp.StatusCode, body)
	}
}

// TestBadRequests checks the status and the OpenAI error shape of
// requests the server refuses.
func TestBadRequests(t *testing.T) {
	s, url := startServer(t, fastConfig())
	tests := []struct {
		name, method, path, body string
		status                   int
		code, param              string
	}{
		{"invalid json", "POST", "/v1/chat/completions", `{"messages":`, 400, "invalid_json", ""},
		{"missing messages", "POST", "/v1/chat/completions", `{"max_tokens":3}`, 400, "invalid_value", "messages"},
		{"empty messages", "POST", "/v1/chat/completions", `{"messages":[]}`, 400, "invalid_value", "messages"},
		{"messages not a list", "POST", "/v1/chat/completions", `{"messages":"hi"}`, 400, "invalid_value", "messages"},
		{"bad content", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":7}]}`, 400, "invalid_value", "messages"},
		{"max_tokens zero", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"max_tokens":0}`, 400, "invalid_value", "max_tokens"},
		{"max_completion_tokens negative", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"max_completion_tokens":-1}`, 400, "invalid_value", "max_completion_tokens"},
		{"max_tokens too large", "POST", "/v1/completions", `{"prompt":"x","max_tokens":2000000}`, 400, "invalid_value", "max_tokens"},
		{"missing prompt", "POST", "/v1/completions", `{"max_tokens":3}`, 400, "invalid_value", "prompt"},
		{"prompt of wrong type", "POST", "/v1/completions", `{"prompt":{"a":1}}`, 400, "invalid_value", "prompt"},
		{"unknown path", "POST", "/v1/embeddings", `{}`, 404, "unknown_url", ""},
		{"wrong method", "GET", "/v1/chat/completions", ``, 405, "method_not_allowed", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, url+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := readAll(resp.Body)
			resp.Body.Close()
			var got struct {
				Error struct {
					Message string  `json:"message"`
					Type    string  `json:"type"`
					Param   *string `json:"param"`
					Code    string  `json:"code"`
				} `json:"error"`
			}
			if err := decodeStrict(string(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			e := got.Error
			param := ""
			if e.Param != nil {
				param = *e.Param
			}
			if resp.StatusCode != tc.status || e.Type != "invalid_request_error" || e.Code != tc.code || param != tc.param || e.Message == "" {
				t.Errorf("got %d %s, want %d code %q param %q", resp.StatusCode, body, tc.status, tc.code, tc.param)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	want := int64(0)
	for _, tc := range tests {
		if tc.status == http.StatusBadRequest {
			want++
		}
	}
	if got := s.Totals().ByStatus[http.StatusBadRequest]; got != want {
		t.Errorf("totals count %d answers 400, want %d", got, want)
	}
}

// TestRecordsAndStats checks the ring of records and the stats endpoint.
func TestRecordsAndStats(t *testing.T) {
	cfg := fastConfig()
	cfg.RecordCapacity = 3
	s, url := startServer(t, cfg)
	var ids []string
	for i := range 5 {
		resp := post(context.Background(), t, url+"/v1/completions", fmt.Sprintf(`{"prompt":"p q","max_tokens":%d}`, i+1))
		_, _ = readAll(resp.Body)
		resp.Body.Close()
		ids = append(ids, resp.Header.Get("X-Request-Id"))
	}
	var got []string
	for _, sent := range s.Sent() {
		got = append(got, sent.ID)
	}
	if !reflect.DeepEqual(got, ids[2:]) {
		t.Errorf("ring holds %v, want the last three %v oldest first", got, ids[2:])
	}

	resp, err := http.Get(url + "/mock/stats")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := readAll(resp.Body)
	resp.Body.Close()
	var totals Totals
	if err := decodeStrict(string(body), &totals); err != nil {
		t.Fatalf("stats %q: %v", body, err)
	}
	want := Totals{Requests: 5, ByStatus: map[int]int64{200: 5}, Completed: 5, PromptTokens: 10, CompletionTokens: 1 + 2 + 3 + 4 + 5}
	if !reflect.DeepEqual(totals, want) {
		t.Errorf("stats %+v, want %+v", totals, want)
	}
}
