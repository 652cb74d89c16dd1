package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzzers check invariants that must hold for any input: no panic,
// the same events and deltas however the body is cut into reads, agreement
// with a plain reference reading of the same body, and well-formed deltas
// and errors.

// fuzzLimit is a small event limit, so that fuzzed bodies reach it.
const fuzzLimit = 48

func FuzzSplitterSSE(f *testing.F) {
	for i, rec := range recorded {
		if mustLookup(f, rec.api).Framing == SSE {
			f.Add([]byte(rec.body), uint64(i))
		}
	}
	f.Add([]byte("data: a\r\ndata:b\r\rdata\n\n: c\nevent: e\ndata:  d\r\n"), uint64(7))
	f.Add([]byte("data: \xe4\xb8\n\n\xad\r"), uint64(8))
	f.Fuzz(func(t *testing.T, body []byte, seed uint64) {
		checkSplitter(t, SSE, body, seed, referenceSSE(body))
	})
}

func FuzzSplitterNDJSON(f *testing.F) {
	for i, rec := range recorded {
		if mustLookup(f, rec.api).Framing == NDJSON {
			f.Add([]byte(rec.body), uint64(i))
		}
	}
	f.Add([]byte("{}\r\n\r\n  {\"a\":1}\n\t\n{"), uint64(3))
	f.Fuzz(func(t *testing.T, body []byte, seed uint64) {
		checkSplitter(t, NDJSON, body, seed, referenceNDJSON(body))
	})
}

// checkSplitter compares the splitter, fed whole and in random reads,
// with the reference events, and checks that a small limit fails the
// same way however the body is cut.
func checkSplitter(t *testing.T, f Framing, body []byte, seed uint64, want []Event) {
	whole, err := splitAll(f, 0, body, []int{len(body)})
	if err != nil {
		t.Fatalf("unlimited splitter failed: %v", err)
	}
	if !eventsEqual(whole, want) {
		t.Fatalf("whole read differs from the reference\n got %s\nwant %s", showEvents(whole), showEvents(want))
	}
	cut, err := splitAll(f, 0, body, randomCuts(len(body), seed))
	if err != nil || !eventsEqual(cut, want) {
		t.Fatalf("random reads differ from the reference (%v)\n got %s\nwant %s", err, showEvents(cut), showEvents(want))
	}
	limWhole, errWhole := splitAll(f, fuzzLimit, body, []int{len(body)})
	limCut, errCut := splitAll(f, fuzzLimit, body, randomCuts(len(body), seed+1))
	if !eventsEqual(limWhole, limCut) || (errWhole == nil) != (errCut == nil) {
		t.Fatalf("limited splitter depends on the reads: whole %s (%v), cut %s (%v)",
			showEvents(limWhole), errWhole, showEvents(limCut), errCut)
	}
	for _, e := range limWhole {
		if len(e.Data) > fuzzLimit {
			t.Fatalf("event of %d bytes passed a %d-byte limit", len(e.Data), fuzzLimit)
		}
	}
	if errWhole != nil && !strings.Contains(errWhole.Error(), "limit") {
		t.Fatalf("limited splitter failed with %v", errWhole)
	}
	if errWhole == nil && !eventsEqual(limWhole, want) {
		t.Fatalf("limited splitter passed but lost events\n got %s\nwant %s", showEvents(limWhole), showEvents(want))
	}
}

// referenceSSE reads a whole SSE body the plain way: normalise line
// endings, split into lines, walk them. A last line without a terminator
// and a last event without its blank line count, as Close promises.
func referenceSSE(body []byte) []Event {
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	var events []Event
	var name string
	var data []string
	flush := func() {
		if data != nil {
			events = append(events, Event{Name: name, Data: []byte(strings.Join(data, "\n"))})
		}
		name, data = "", nil
	}
	for i, line := range lines {
		if line == "" {
			if i < len(lines)-1 {
				flush()
			}
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "data":
			data = append(data, value)
		case "event":
			name = value
		}
	}
	flush()
	return events
}

// referenceNDJSON reads a whole NDJSON body: each non-blank line is an
// event.
func referenceNDJSON(body []byte) []Event {
	var events []Event
	for _, line := range strings.Split(string(body), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			events = append(events, Event{Data: []byte(line)})
		}
	}
	return events
}

func FuzzOpenAIChat(f *testing.F)        { fuzzAPI(f, "openai-chat") }
func FuzzOpenAICompletions(f *testing.F) { fuzzAPI(f, "openai-completions") }
func FuzzAnthropic(f *testing.F)         { fuzzAPI(f, "anthropic") }
func FuzzTGI(f *testing.F)               { fuzzAPI(f, "tgi") }
func FuzzOllama(f *testing.F)            { fuzzAPI(f, "ollama") }

// fuzzAPI seeds a fuzzer with the recorded streams of api, and of the
// other APIs too, since each decoder must survive the others' events.
func fuzzAPI(f *testing.F, api string) {
	format := mustLookup(f, api)
	for i, rec := range recorded {
		if rec.api == api {
			f.Add([]byte(rec.body), uint64(i))
		}
	}
	for i, rec := range recorded {
		if rec.api != api && mustLookup(f, rec.api).Framing == format.Framing {
			f.Add([]byte(rec.body), uint64(i))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, seed uint64) {
		checkFormat(t, format, body, seed)
	})
}

// checkFormat decodes body as a stream, read whole and in random reads,
// and as a single event, checking every delta and error.
func checkFormat(t *testing.T, f Format, body []byte, seed uint64) {
	whole, _ := splitAll(f.Framing, 0, body, []int{len(body)})
	cut, _ := splitAll(f.Framing, 0, body, randomCuts(len(body), seed))
	a, b := decodeChecked(t, f, whole), decodeChecked(t, f, cut)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("outcome depends on the reads\nwhole %v\n  cut %v", a, b)
	}
	decodeChecked(t, f, []Event{{Data: body}, {Name: "error", Data: body}})
}

// decodeChecked decodes events with one fresh decoder and checks each
// result.
func decodeChecked(t *testing.T, f Format, events []Event) outcome {
	var o outcome
	d := f.New()
	for _, e := range events {
		delta, err := d.Decode(e)
		if err != nil {
			checkMalformed(t, f, e, err)
			o.Malformed = append(o.Malformed, err.Error())
			continue
		}
		checkDelta(t, f, e, delta)
		o.add(delta)
	}
	return o
}

func checkMalformed(t *testing.T, f Format, e Event, err error) {
	msg := err.Error()
	if !strings.HasPrefix(msg, "malformed "+f.Name+" event ") {
		t.Fatalf("error %q does not say which format", msg)
	}
	if q := quoted(msg); len(q) > excerptLen+2 {
		t.Fatalf("error quotes %d bytes of the event", len(q)-2)
	}
	if len(msg) > 4*excerptLen+maxReasonLen+100 || !utf8.ValidString(msg) {
		t.Fatalf("error too long or not UTF-8: %q", msg)
	}
	if json.Valid(e.Data) && bytes.HasPrefix(bytes.TrimSpace(e.Data), []byte("{")) && f.Name == "generic" {
		// The generic reader fails an object only on the type of a value
		// at one of its paths.
		if !strings.Contains(msg, " at ") && !strings.Contains(msg, "negative") && !strings.Contains(msg, "whole number") {
			t.Fatalf("valid object refused: %q", msg)
		}
	}
}

func checkDelta(t *testing.T, f Format, e Event, d Delta) {
	for _, s := range []string{d.Text, d.Reasoning, d.Err, d.Finish} {
		if !utf8.ValidString(s) {
			t.Fatalf("delta string not UTF-8: %q", s)
		}
	}
	if d.Tokens < 0 || d.Tokens > 1 {
		t.Fatalf("event claims %d tokens", d.Tokens)
	}
	if u := d.Usage; u != nil {
		if u.PromptTokens < 0 || u.CompletionTokens < 0 || u.ReasoningTokens < 0 {
			t.Fatalf("negative usage %+v", *u)
		}
		if (!u.HasPrompt && u.PromptTokens != 0) || (!u.HasCompletion && u.CompletionTokens != 0) {
			t.Fatalf("usage counts without presence %+v", *u)
		}
	}
	data := bytes.TrimSpace(e.Data)
	notJSON := len(data) > 0 && string(data) != "[DONE]" && !json.Valid(data)
	if notJSON {
		t.Fatalf("non-JSON event %q decoded without error: %+v", excerpt(e.Data), d)
	}
}

// FuzzGeneric checks the path lookup against encoding/json decoding the
// same JSON into maps and slices, and the generic decoder's invariants.
func FuzzGeneric(f *testing.F) {
	for i, rec := range recorded {
		f.Add([]byte(rec.body), "choices.0.delta.content", uint64(i))
	}
	f.Add([]byte(llamaCppNative), "timings.predicted_n", uint64(1))
	f.Add([]byte(`{"a":{"b":[1,{"c":"\u00e9"}],"a":[]},"a":{"b":[2]}}`), "a.b.0", uint64(2))
	f.Add([]byte(`{"\ud83d\ude00":{"0":[true,null,"x"]}}`), "😀.0.2", uint64(3))
	f.Add([]byte(`{"a":[{"b":"c"}],"a":[{"b":1e2}]}`), "a.0.b", uint64(4))
	f.Add([]byte(` [1, [2, {"x" : null}]] `), "1.1.x", uint64(5))
	f.Add([]byte(`{"k\"":{"":[]},"t":"\\"}`), `k"`, uint64(6))
	f.Add([]byte(`{"t":"a\u00e9","done":{"r":"stop"},"error":{"message":"m","code":"c"}}`), "t", uint64(7))
	f.Fuzz(func(t *testing.T, data []byte, path string, seed uint64) {
		segs, err := parsePath(path)
		if err != nil || len(segs) == 0 {
			return
		}
		checkLookup(t, data, segs)
		fr := Framing(seed % 2)
		spec := GenericSpec{Framing: fr, Text: path, Reasoning: path, PromptTokens: path,
			CompletionTokens: path, Error: path, Done: path}
		checkFormat(t, mustGeneric(t, spec), data, seed)
		spec = GenericSpec{Framing: fr, Text: path, Error: "error", Done: "done", CompletionTokens: "usage.n"}
		checkFormat(t, mustGeneric(t, spec), data, seed)
	})
}

func checkLookup(t *testing.T, data []byte, path []string) {
	if !json.Valid(data) {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var whole any
	if err := dec.Decode(&whole); err != nil {
		t.Fatalf("valid JSON did not decode: %v", err)
	}
	want, found := referenceLookup(whole, path)
	raw := lookup(data, path)
	if (raw != nil) != found {
		t.Fatalf("lookup %q found %v (%q), reference found %v", path, raw != nil, raw, found)
	}
	if raw == nil {
		return
	}
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var got any
	if err := dec.Decode(&got); err != nil || dec.More() {
		t.Fatalf("lookup %q returned %q, not one JSON value (%v)", path, raw, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("lookup %q = %v, reference %v", path, got, want)
	}
}

// referenceLookup follows path through values decoded by encoding/json.
func referenceLookup(v any, path []string) (any, bool) {
	for _, seg := range path {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[seg]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			if strings.Trim(seg, "0123456789") != "" || len(seg) > 9 {
				return nil, false
			}
			i, err := strconv.Atoi(seg)
			if err != nil || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
