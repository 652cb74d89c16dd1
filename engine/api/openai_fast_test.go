package api

import (
	"reflect"
	"testing"
)

// The fast path must give exactly what encoding/json gives whenever it
// answers; when it gives up, the slow path answers alone.
func FuzzOpenAIFastPath(f *testing.F) {
	for _, rec := range recorded {
		if rec.api != "openai-chat" && rec.api != "openai-completions" {
			continue
		}
		for _, ev := range referenceSSE([]byte(rec.body)) {
			f.Add(ev.Data, rec.api == "openai-chat")
		}
	}
	for _, s := range []string{
		`{"choices":[{"delta":{"content":"a\n\"b\u00e9\ud83d\ude00"}}]}`,
		`{"choices":[{"delta":{"Content":"x"}}]}`,
		`{"choices":[{"delta":{"content":"x","content":"y"}}]}`,
		`{"choices":[null]}`,
		`{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{\"a\":1}"}}]}}]}`,
		`{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4.0}}`,
		`{"object":"error","message":"m","type":"t"}`,
		`{"choices":[{"text":"x","finish_reason":"stop"},{"text":"y"}]}`,
		` {"usage":null} `,
		`{"choices":[{"delta":{"content":"\ud800"}}]}`,
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, chat bool) {
		d := &openAIDecoder{chat: chat}
		fast, ok := d.fastDecode(data)
		if !ok {
			return
		}
		slow, err := d.slowDecode(Event{Data: data})
		if err != nil {
			t.Fatalf("the fast path decoded %q, encoding/json refuses it: %v", data, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q:\nfast %+v (usage %+v)\nslow %+v (usage %+v)", data, fast, fast.Usage, slow, slow.Usage)
		}
	})
}

// The usual events never leave the fast path.
func TestOpenAIFastPathTakesUsualEvents(t *testing.T) {
	for _, rec := range recorded {
		if rec.api != "openai-chat" && rec.api != "openai-completions" {
			continue
		}
		d := &openAIDecoder{chat: rec.api == "openai-chat"}
		for _, ev := range referenceSSE([]byte(rec.body)) {
			if isDoneMarker(ev.Data) || isBlank(ev.Data) {
				continue
			}
			if _, err := d.slowDecode(ev); err != nil {
				continue // malformed on purpose
			}
			if _, ok := d.fastDecode(ev.Data); !ok && !hasErrorShape(ev.Data) {
				t.Errorf("%s: the fast path gave up on %s", rec.api, ev.Data)
			}
		}
	}
}

func hasErrorShape(data []byte) bool {
	var d openAIDecoder
	out, err := d.slowDecode(Event{Data: data})
	return err == nil && out.Err != ""
}
