package output

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/secret"
)

// The request log holds one JSON line per Record, in the order they
// came, that reads back into the same Record, with secrets masked.
func TestRequestLog(t *testing.T) {
	secrets := secret.New()
	secrets.Add("sk-live-123456")
	path := filepath.Join(t.TempDir(), "requests.jsonl")
	l, err := NewRequestLog(path, secrets)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 3, 12, 0, 0, 5, time.UTC)
	recs := []record.Record{
		{Name: "chat", Method: "POST", Start: start, ResponseTime: time.Second, Status: 200,
			LLM: &record.LLM{TTFT: 100 * time.Millisecond, E2E: 900 * time.Millisecond, OutputTokens: 3, Source: record.SourceUsage,
				Chunks: []record.Chunk{{At: 100 * time.Millisecond, Tokens: 1}, {At: 900 * time.Millisecond, Tokens: 2}}}},
		{Name: "/v1/models", Method: "GET", Start: start.Add(time.Second), ResponseTime: 3 * time.Millisecond, Status: 401,
			Error: "HTTP 401: bad key sk-live-123456"},
		{Name: "chat", Method: "POST", Start: start.Add(2 * time.Second), Cancelled: true, LLM: &record.LLM{}},
	}
	l.Log(&recs[0])
	if err := l.Tick(Sample{}); err != nil {
		t.Fatal(err)
	}
	l.Log(&recs[1])
	l.Log(&recs[2])
	if err := l.Close(Sample{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []record.Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "sk-live") {
			t.Errorf("a secret in the log: %s", sc.Text())
		}
		var r record.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, r)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d lines, want %d", len(got), len(recs))
	}
	recs[1].Error = strings.ReplaceAll(recs[1].Error, "sk-live-123456", got[1].Error[len("HTTP 401: bad key "):])
	for i := range recs {
		got[i].Start = recs[i].Start
		if !reflect.DeepEqual(got[i], recs[i]) {
			t.Errorf("line %d reads back as\n%+v\nwant\n%+v", i+1, got[i], recs[i])
		}
	}
}
