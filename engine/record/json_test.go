package record

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestJSONRoundTrip(t *testing.T) {
	start := time.Date(2026, 12, 3, 15, 4, 5, 123456789, time.UTC)
	cases := map[string]Record{
		"plain http": {Name: "/health", Method: "GET", Start: start, ResponseTime: 1234567 * time.Nanosecond,
			Status: 200, ContentLength: 17},
		"scheduled, late": {Name: "/x", Method: "GET", Start: start, ResponseTime: time.Second, Status: 200,
			Scheduled: true, Lag: 1234567 * time.Nanosecond},
		"scheduled, on time": {Name: "/x", Method: "GET", Start: start, ResponseTime: time.Second, Status: 200, Scheduled: true},
		"failed":             {Name: "/x", Method: "POST", Start: start, ResponseTime: time.Second, Status: 503, Error: "HTTP 503: busy"},
		"cancelled stream": {Name: "chat", Method: "POST", Start: start, ResponseTime: 3 * time.Millisecond,
			Cancelled: true, Error: "stopped", LLM: &LLM{}},
		"stream": {Name: "chat", Method: "POST", Start: start, ResponseTime: 912345678, Status: 200, ContentLength: 4096,
			LLM: &LLM{TTFB: 1234, TTFT: 200123456, TTFO: 300000001, E2E: 900000007,
				Chunks:       []Chunk{{At: 200123456, Tokens: 2}, {At: 300000001, Tokens: 1}, {At: 900000007, Tokens: 3}},
				OutputTokens: 6, InputTokens: 12, ReasoningTokens: 2, Source: SourceUsage,
				ServerTokens: 6, ClientTokens: 7, Mismatch: true, Reasoning: true}},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			line, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(line), "\n") {
				t.Fatalf("not one line: %s", line)
			}
			var got Record
			if err := json.Unmarshal(line, &got); err != nil {
				t.Fatalf("reading back %s: %v", line, err)
			}
			if !got.Start.Equal(want.Start) {
				t.Fatalf("start %v, want %v", got.Start, want.Start)
			}
			got.Start = want.Start
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("read back\n%+v\nwant\n%+v\nfrom %s", got, want, line)
			}
		})
	}
}

func TestJSONFields(t *testing.T) {
	r := Record{Name: "chat", Method: "POST", Start: time.Unix(0, 0).UTC(), ResponseTime: 1500 * time.Millisecond,
		LLM: &LLM{TTFT: 200 * time.Millisecond, E2E: 1200 * time.Millisecond, OutputTokens: 11, Source: SourceTokenizer,
			Chunks: []Chunk{{At: 200 * time.Millisecond, Tokens: 1}, {At: 1200 * time.Millisecond, Tokens: 10}}}}
	line, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"response_time_ms":1500`, `"ttft_ms":200`, `"tpot_ms":100`, `"token_source":"tokenizer"`,
		`"chunk_times_ms":[200,1200]`, `"chunk_tokens":[1,10]`, `"start":"1970-01-01T00:00:00Z"`} {
		if !strings.Contains(string(line), want) {
			t.Errorf("%s lacks %s", line, want)
		}
	}
}

func TestJSONErrors(t *testing.T) {
	cases := map[string]string{
		"bad source":       `{"name":"a","llm":{"token_source":"guess"}}`,
		"chunks disagree":  `{"name":"a","llm":{"token_source":"usage","chunk_times_ms":[1,2],"chunk_tokens":[1]}}`,
		"not an object":    `[1]`,
		"start not a time": `{"start":"yesterday"}`,
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			var r Record
			if err := json.Unmarshal([]byte(line), &r); err == nil {
				t.Fatalf("%s read without an error", line)
			}
		})
	}
}
