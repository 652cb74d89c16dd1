// Package check evaluates pass/fail gates over a run's summary (--check):
// a path into the JSON summary, a comparison and a number, such as
// "ttft_ms.p95 < 500". Paths are read before the run against the
// summary's schema, so that a typo fails before any load, and evaluated
// after it on the final summary.
package check

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/llmlocust/llmlocust/engine/output"
)

// Check is one gate: the figure at Path compared by Op with Number.
type Check struct {
	// Path is a dotted path into the summary's totals (ttft_ms.p95,
	// fail_ratio), else into its top level (goodput.fraction,
	// duration_s); Endpoint, when set, points into that endpoint's stats
	// instead (endpoints[chat].ttft_ms.p95).
	Path     string
	Endpoint string
	Op       string // <, <=, >, >=, == or !=
	Number   float64
}

// ops are the comparisons, longest first so that "<=" is not read as "<".
var ops = []string{"<=", ">=", "==", "!=", "<", ">"}

// Parse reads one check; an error names it and says what is wrong.
func Parse(spec string) (Check, error) {
	c, err := parse(strings.TrimSpace(spec))
	if err != nil {
		return Check{}, fmt.Errorf("--check %q: %w", spec, err)
	}
	return c, nil
}

// ParseAll reads every --check value.
func ParseAll(specs []string) ([]Check, error) {
	out := make([]Check, 0, len(specs))
	for _, s := range specs {
		c, err := Parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func parse(spec string) (Check, error) {
	var c Check
	rest := spec
	if after, ok := strings.CutPrefix(rest, "endpoints["); ok {
		end := strings.Index(after, "].")
		if end <= 0 {
			return c, fmt.Errorf("an endpoint's figure is endpoints[NAME].PATH, e.g. endpoints[chat].ttft_ms.p95")
		}
		c.Endpoint, rest = after[:end], after[end+2:]
	}
	i := strings.IndexAny(rest, "<>=!")
	if i < 0 {
		return c, fmt.Errorf("want PATH OP NUMBER with OP one of < <= > >= == !=, e.g. 'ttft_ms.p95 < 500'")
	}
	j := i
	for j < len(rest) && strings.IndexByte("<>=!", rest[j]) >= 0 {
		j++
	}
	c.Path, c.Op = strings.TrimSpace(rest[:i]), rest[i:j]
	if !validOp(c.Op) {
		return c, fmt.Errorf("unknown comparison %q (known: < <= > >= == !=)", c.Op)
	}
	if c.Path == "" || strings.Contains(c.Path, "..") || strings.HasPrefix(c.Path, ".") || strings.HasSuffix(c.Path, ".") || strings.ContainsAny(c.Path, " \t") {
		return c, fmt.Errorf("%q is not a dotted path such as ttft_ms.p95", c.Path)
	}
	num := strings.TrimSpace(rest[j:])
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return c, fmt.Errorf("%q is not a number", num)
	}
	c.Number = v
	return c, nil
}

func validOp(op string) bool {
	for _, o := range ops {
		if op == o {
			return true
		}
	}
	return false
}

// String is the check in its normalised spelling, "ttft_ms.p95 < 500".
func (c Check) String() string {
	path := c.Path
	if c.Endpoint != "" {
		path = "endpoints[" + c.Endpoint + "]." + path
	}
	return path + " " + c.Op + " " + strconv.FormatFloat(c.Number, 'f', -1, 64)
}

// holds compares v with the check's number.
func (c Check) holds(v float64) bool {
	switch c.Op {
	case "<":
		return v < c.Number
	case "<=":
		return v <= c.Number
	case ">":
		return v > c.Number
	case ">=":
		return v >= c.Number
	case "==":
		return v == c.Number
	case "!=":
		return v != c.Number
	}
	return false
}

// Validate says whether the check's path reads a number in summaries of
// the layout of schema, an empty summary as the run would write it: a
// figure that is null there counts when it is a timing (a Latency) that
// a run may measure. An unknown path is an error that lists the keys
// close to the one that is not there; ps are the run's percentiles.
func (c Check) Validate(schema *output.Summary, ps output.Percentiles) error {
	doc, err := decode(schema)
	if err != nil {
		return err
	}
	_, err = c.lookup(doc, lookupSchema(ps))
	if err != nil {
		return fmt.Errorf("--check %q: %w", c.String(), err)
	}
	return nil
}

// ValidateAll validates every check.
func ValidateAll(checks []Check, schema *output.Summary, ps output.Percentiles) error {
	for _, c := range checks {
		if err := c.Validate(schema, ps); err != nil {
			return err
		}
	}
	return nil
}

// Evaluate reads the check's figure in the run's final summary and
// compares it. A figure the run never measured (null) fails the check.
func (c Check) Evaluate(s *output.Summary) output.CheckResult {
	res := output.CheckResult{Check: c.String()}
	doc, err := decode(s)
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	v, err := c.lookup(doc, lookupRun)
	switch {
	case err != nil:
		res.Reason = err.Error()
	case v == nil:
		res.Reason = "not measured in this run"
	default:
		res.Value, res.Pass = v, c.holds(*v)
	}
	return res
}

// EvaluateAll evaluates every check, in order.
func EvaluateAll(checks []Check, s *output.Summary) []output.CheckResult {
	out := make([]output.CheckResult, 0, len(checks))
	for _, c := range checks {
		out = append(out, c.Evaluate(s))
	}
	return out
}

// decode is the summary as its JSON reads.
func decode(s *output.Summary) (map[string]any, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encoding the summary: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decoding the summary: %w", err)
	}
	return doc, nil
}
