package options

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// runTimeFormats ends every run-time error, in Locust's words, so that users
// of both tools recognise it.
const runTimeFormats = "valid run time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."

// runTimePattern is Locust's time span: hours, minutes and seconds, each
// optional but in that order.
var runTimePattern = regexp.MustCompile(`^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$|^(\d+)$`)

// ParseRunTime reads a time span the way Locust's --run-time does: a bare
// number of seconds ("20") or hours, minutes and seconds in that order
// ("20s", "3m", "2h", "1h20m", "3h30m10s"). Components may exceed their
// unit ("90m"). Fractions and negative spans are refused.
func ParseRunTime(s string) (time.Duration, error) {
	m := runTimePattern.FindStringSubmatch(s)
	if s == "" || m == nil {
		return 0, fmt.Errorf("invalid time span %q: %s", s, runTimeFormats)
	}
	if m[4] != "" {
		// A bare number is seconds, as in Locust.
		m[3] = m[4]
	}
	var total time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil || n > int64(math.MaxInt64/unit) || total > math.MaxInt64-time.Duration(n)*unit {
			return 0, fmt.Errorf("time span %q is too long", s)
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}

// parseSeconds reads a plain, possibly fractional, number of seconds.
func parseSeconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("invalid time span %q: %s, or seconds such as 0.5", s, runTimeFormats)
	}
	if f < 0 {
		return 0, fmt.Errorf("time span %q is negative", s)
	}
	// MaxInt64 rounds up to 2^63 as a float64, so ">=" is what keeps the
	// conversion below from overflowing.
	if f*float64(time.Second) >= math.MaxInt64 {
		return 0, fmt.Errorf("time span %q is too long", s)
	}
	return time.Duration(math.Round(f * float64(time.Second))), nil
}

// parseDuration applies the option's duration syntax.
func (o *Option) parseDuration(s string) (time.Duration, error) {
	d, err := ParseRunTime(s)
	if err == nil || !o.FloatSeconds {
		return d, err
	}
	if _, ferr := strconv.ParseFloat(s, 64); ferr != nil {
		return 0, fmt.Errorf("invalid time span %q: %s, or seconds such as 0.5", s, runTimeFormats)
	}
	return parseSeconds(s)
}

// parseBool takes the spellings ConfigArgParse takes for a flag.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// parseScalar converts text to the option's kind, without the choice and
// Check rules.
func (o *Option) parseScalar(s string) (any, error) {
	switch o.Kind {
	case Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("invalid int value: %s", o.quote(s))
		}
		return n, nil
	case Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("invalid float value: %s", o.quote(s))
		}
		return f, nil
	case Bool:
		b, ok := parseBool(s)
		if !ok {
			return nil, fmt.Errorf("invalid bool value: %s (expecting true, false, yes, no, on, off, 1 or 0)", o.quote(s))
		}
		return b, nil
	case Duration:
		d, err := o.parseDuration(s)
		if err != nil && o.Secret {
			return nil, fmt.Errorf("invalid time span %s", o.quote(s))
		}
		return d, err
	case List:
		return splitList([]string{s}), nil
	}
	return s, nil
}

// quote shows a value in an error message, unless it is secret.
func (o *Option) quote(s string) string {
	if o.Secret {
		return "(secret value not shown)"
	}
	return "'" + s + "'"
}

// splitList turns words into list items: every word may hold several
// items separated by commas, and empty items are dropped.
func splitList(words []string) []string {
	var items []string
	for _, w := range words {
		for item := range strings.SplitSeq(w, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
	}
	return items
}

// convert turns raw text from one source into a checked value.
func (o *Option) convert(raw []string, isList bool) (any, error) {
	var v any
	switch {
	case o.Kind == List:
		v = splitList(raw)
	case isList:
		return nil, fmt.Errorf("takes one value, not a list")
	case len(raw) != 1:
		return nil, fmt.Errorf("expected one argument")
	default:
		var err error
		if v, err = o.parseScalar(raw[0]); err != nil {
			return nil, err
		}
	}
	return o.vet(v)
}

// vet applies choices and Check to a value of the right kind.
func (o *Option) vet(v any) (any, error) {
	v, err := o.pickChoices(v)
	if err != nil {
		return nil, err
	}
	if o.Check != nil {
		if err := o.Check(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// pickChoices replaces each value by its choice's spelling, or fails.
func (o *Option) pickChoices(v any) (any, error) {
	if len(o.Choices) == 0 {
		return v, nil
	}
	pick := func(s string) (string, error) {
		for _, c := range o.Choices {
			if strings.EqualFold(c, s) {
				return c, nil
			}
		}
		return "", fmt.Errorf("invalid choice: %s (choose from %s)", o.quote(s), quoteAll(o.Choices))
	}
	switch v := v.(type) {
	case string:
		return pick(v)
	case []string:
		picked := make([]string, len(v))
		for i, s := range v {
			c, err := pick(s)
			if err != nil {
				return nil, err
			}
			picked[i] = c
		}
		return picked, nil
	}
	return v, nil
}

func quoteAll(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}

// coerce accepts a value handed to Values.Set: the kind's own Go type, text
// to parse as the command line would, or an int where a float is wanted.
func (o *Option) coerce(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if o.Kind == String {
			return o.vet(x)
		}
		return o.convert([]string{x}, false)
	case int:
		if o.Kind == Float {
			return o.vet(float64(x))
		}
	case []string:
		if o.Kind == List {
			return o.vet(splitList(x))
		}
	}
	if !hasKind(v, o.Kind) {
		return nil, fmt.Errorf("a %T cannot hold a value of kind %s", v, o.Kind)
	}
	return o.vet(v)
}
