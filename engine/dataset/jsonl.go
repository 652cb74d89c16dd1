package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// DefaultField is the field every JSONL row must have unless told
// otherwise.
const DefaultField = "prompt"

// JSONLOptions say what a JSONL file's rows must hold.
type JSONLOptions struct {
	// Field is the field every row must have (DefaultField when empty).
	Field string
	// Optional lets rows lack Field.
	Optional bool
}

func (o JSONLOptions) field() string {
	if o.Field == "" {
		return DefaultField
	}
	return o.Field
}

// JSONL loads a file of one JSON object per line. Rows keep every field;
// blank lines are skipped. Errors name the file and line. Sets are cached:
// loading the same unchanged file with the same options again returns the
// same Set.
func JSONL(path string, opts JSONLOptions) (*Set, error) {
	return cachedFile("jsonl", path, opts, func() (*Set, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		defer f.Close()
		return readJSONL(path, f, opts)
	})
}

func readJSONL(path string, r io.Reader, opts JSONLOptions) (*Set, error) {
	b := newBuilder()
	var rows []Row
	err := eachLine(path, r, func(_ int, text []byte) error {
		row, err := jsonlRow(b, text, opts)
		if err != nil {
			return err
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows: the file has no JSON lines", path)
	}
	return newSet(rows, Report{Source: path}), nil
}

// eachLine calls fn with every line of r that is not blank (the file's
// byte order mark left out) and its number from 1, and stops at the first
// error, which it returns prefixed by path and the line's number.
func eachLine(path string, r io.Reader, fn func(line int, text []byte) error) error {
	br := bufio.NewReaderSize(r, 64*1024)
	for line := 1; ; line++ {
		text, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading %s:%d: %w", path, line, err)
		}
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(text)) > 0 {
			if ferr := fn(line, text); ferr != nil {
				return fmt.Errorf("%s:%d: %w", path, line, ferr)
			}
		}
		if err != nil {
			return nil
		}
	}
}

// jsonlRow decodes one line into a row and checks its required field.
func jsonlRow(b *builder, text []byte, opts JSONLOptions) (Row, error) {
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		return Row{}, fmt.Errorf("invalid JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return Row{}, fmt.Errorf("each line must be a JSON object, got %s", jsonKind(v))
	}
	if f := opts.field(); !opts.Optional {
		if val, has := m[f]; !has || val == nil {
			return Row{}, fmt.Errorf("no %q field: every row needs one (or name the field that holds the prompt)", f)
		}
	}
	return b.row(m), nil
}

// jsonKind names the JSON type of a decoded value for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}
