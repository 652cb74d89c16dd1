package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ShareGPT files are one JSON array of conversations, each
// {"id": ..., "conversations": [{"from": "human", "value": "..."}, ...]}.
// Public dumps run to hundreds of megabytes, so the array is decoded one
// conversation at a time.

// Reasons a ShareGPT conversation is skipped, as the Report counts them.
const (
	SkipNoHumanTurn = "no human turn"
	SkipUnknownRole = "a turn from an unknown speaker"
)

// shareGPTRoles maps ShareGPT speakers to chat roles; dumps name the
// assistant after the service it was captured from.
var shareGPTRoles = map[string]string{
	"human": "user", "user": "user",
	"gpt": "assistant", "chatgpt": "assistant", "bard": "assistant", "bing": "assistant", "assistant": "assistant",
	"system": "system",
}

// ShareGPT loads a ShareGPT file. Each row has "prompt" (the first human
// turn), "turns" (the whole conversation as {role, content} chat messages),
// "reference_output" (the first answer after the prompt, when there is one)
// and "id" (when the entry has one). Conversations without a human turn
// are skipped and counted in the set's Report. Sets are cached like
// JSONL's.
func ShareGPT(path string) (*Set, error) {
	return cachedFile("sharegpt", path, nil, func() (*Set, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		defer f.Close()
		set, err := readShareGPT(path, f)
		if pe, ok := errors.AsType[*posError](err); ok {
			offset := pe.offset
			if pe.inValue {
				offset = syntaxOffset(path, offset)
			}
			return nil, fmt.Errorf("%s:%d: %w", path, lineAt(path, offset), pe.err)
		}
		return set, err
	})
}

// posError is a ShareGPT error at a byte offset, turned into a line number
// once decoding has stopped. inValue marks a syntax error somewhere in the
// value that starts after offset.
type posError struct {
	offset  int64
	inValue bool
	err     error
}

func (e *posError) Error() string { return e.err.Error() }
func (e *posError) Unwrap() error { return e.err }

func readShareGPT(path string, r io.Reader) (*Set, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256*1024))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, &posError{offset: dec.InputOffset(), err: errors.New("a ShareGPT file must be a JSON array of conversations")}
	}
	b := newBuilder()
	report := Report{Source: path, Skipped: map[string]int{}}
	var rows []Row
	for n := 1; dec.More(); n++ {
		at := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, &posError{offset: at, inValue: true, err: fmt.Errorf("conversation %d: %w", n, err)}
		}
		row, skip, err := shareGPTRow(b, raw)
		if err != nil {
			start := dec.InputOffset() - int64(len(raw))
			return nil, &posError{offset: start, err: fmt.Errorf("conversation %d: %w", n, err)}
		}
		if skip != "" {
			report.Skipped[skip]++
			continue
		}
		rows = append(rows, row)
	}
	if _, err := dec.Token(); err != nil {
		return nil, &posError{offset: dec.InputOffset(), err: fmt.Errorf("invalid JSON: %w", err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &posError{offset: dec.InputOffset(), err: errors.New("data after the array of conversations")}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows: no conversation has a human turn", path)
	}
	return newSet(rows, report), nil
}

// shareGPTRow makes the row of one conversation, or says why it is
// skipped, or what is wrong with it.
func shareGPTRow(b *builder, raw json.RawMessage) (row Row, skip string, err error) {
	var e struct {
		ID            any               `json:"id"`
		Conversations []json.RawMessage `json:"conversations"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return Row{}, "", errors.New(`must be an object with a "conversations" array`)
	}
	turns := make([]any, 0, len(e.Conversations))
	var prompt, answer *string
	for i, rawTurn := range e.Conversations {
		var t struct{ From, Value any }
		if err := json.Unmarshal(rawTurn, &t); err != nil {
			return Row{}, "", fmt.Errorf(`turn %d: must be an object with "from" and "value"`, i+1)
		}
		from, ok1 := t.From.(string)
		value, ok2 := t.Value.(string)
		if !ok1 || !ok2 {
			return Row{}, "", fmt.Errorf(`turn %d: "from" and "value" must be strings, got %s and %s`, i+1, jsonKind(t.From), jsonKind(t.Value))
		}
		role, known := shareGPTRoles[from]
		if !known {
			return Row{}, SkipUnknownRole, nil
		}
		switch {
		case role == "user" && prompt == nil:
			prompt = &value
		case role == "assistant" && prompt != nil && answer == nil:
			answer = &value
		}
		turns = append(turns, b.fields("role", role, "content", value))
	}
	if prompt == nil {
		return Row{}, SkipNoHumanTurn, nil
	}
	kv := []any{"prompt", *prompt, "turns", turns}
	if answer != nil {
		kv = append(kv, "reference_output", *answer)
	}
	if e.ID != nil {
		kv = append(kv, "id", b.value(e.ID))
	}
	return b.fields(kv...), "", nil
}

// syntaxOffset finds the syntax error in the value that starts after
// offset by decoding it again on its own: the offsets a decoder reports
// after reading tokens of the enclosing array are not exact.
func syntaxOffset(path string, offset int64) int64 {
	f, err := os.Open(path)
	if err != nil {
		return offset
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return offset
	}
	br := bufio.NewReader(f)
	for {
		c, err := br.ReadByte()
		if err != nil {
			return offset
		}
		if !strings.ContainsRune(" \t\r\n,", rune(c)) {
			br.UnreadByte()
			break
		}
		offset++
	}
	dec := json.NewDecoder(br)
	var raw json.RawMessage
	err = dec.Decode(&raw)
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return offset + se.Offset - 1
	}
	return offset + dec.InputOffset()
}

// lineAt is the line of a byte offset in the file at path, read again only
// when an error needs it.
func lineAt(path string, offset int64) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	line := 1
	buf := make([]byte, 64*1024)
	for offset > 0 {
		n, err := f.Read(buf[:min(int64(len(buf)), offset)])
		line += bytes.Count(buf[:n], []byte("\n"))
		offset -= int64(n)
		if err != nil {
			break
		}
	}
	return line
}
