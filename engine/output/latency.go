package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Latency summarises one LLM timing in milliseconds: mean, minimum and
// maximum exact to the microsecond, and the run's percentiles with the
// histogram's three significant digits. Its JSON object holds mean, min
// and max, then one key per percentile in the run's order (p50, p99.9).
type Latency struct {
	Mean float64
	Min  float64
	Max  float64
	// Percentiles are the quantiles that Values hold, in the same order.
	Percentiles Percentiles
	Values      []float64
}

// P is the value of quantile q (0.95 for p95); ok is false when the run
// does not show that percentile.
func (l *Latency) P(q float64) (v float64, ok bool) {
	i := l.Percentiles.index(q)
	if i < 0 || i >= len(l.Values) {
		return 0, false
	}
	return l.Values[i], true
}

// MarshalJSON writes mean, min, max and the percentiles, in that order.
func (l Latency) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	field := func(key string, v float64) error {
		num, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", key, err)
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(key) + ":")
		b.Write(num)
		return nil
	}
	for _, f := range []struct {
		key string
		v   float64
	}{{"mean", l.Mean}, {"min", l.Min}, {"max", l.Max}} {
		if err := field(f.key, f.v); err != nil {
			return nil, err
		}
	}
	for i, q := range l.Percentiles {
		if i >= len(l.Values) {
			break
		}
		if err := field(percentileKey(q), l.Values[i]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes, the percentiles in the
// order of their keys; keys it does not know are skipped.
func (l *Latency) UnmarshalJSON(data []byte) error {
	var fields map[string]float64
	if err := json.Unmarshal(data, &fields); err != nil {
		return fmt.Errorf("decoding a latency: %w", err)
	}
	*l = Latency{Mean: fields["mean"], Min: fields["min"], Max: fields["max"]}
	keys, err := objectKeys(data)
	if err != nil {
		return err
	}
	for _, k := range keys {
		pct, err := strconv.ParseFloat(strings.TrimPrefix(k, "p"), 64)
		if !strings.HasPrefix(k, "p") || err != nil {
			continue
		}
		l.Percentiles = append(l.Percentiles, pct/100)
		l.Values = append(l.Values, fields[k])
	}
	return nil
}

// objectKeys are the keys of a JSON object in the order they are written,
// which a map forgets.
func objectKeys(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("decoding a latency: %w", err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("decoding a latency: %w", err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, fmt.Errorf("decoding a latency: %w", err)
		}
	}
	return keys, nil
}
