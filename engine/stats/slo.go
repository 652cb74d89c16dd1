package stats

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// SLO is a set of per-request service level objectives (--slo): upper
// bounds on a request's own timings. A request is good when it succeeded
// and met every one of them; goodput counts good requests. The nil *SLO
// sets none, and the stats then count no goodput.
type SLO struct {
	objectives []objective
}

// objective is one bound: metric < limit, or metric <= limit.
type objective struct {
	metric    Timing
	limit     time.Duration
	inclusive bool
	text      string // normalised, e.g. "ttft_ms<500"
}

// sloMetrics are the metrics an SLO may bound, by the name it gives them.
var sloMetrics = map[string]Timing{
	"ttft_ms": TTFT, "tpot_ms": TPOT, "itl_ms": ITL,
	"e2e_ms": E2E, "ttfb_ms": TTFB, "ttfo_ms": TTFO,
}

// sloMetricNames lists sloMetrics for messages, in a fixed order.
const sloMetricNames = "ttft_ms, tpot_ms, itl_ms, e2e_ms, ttfb_ms, ttfo_ms"

// ParseSLO reads SLOs such as "ttft_ms<500" or "tpot_ms <= 50": a metric,
// < or <=, and a number of milliseconds above 0. It returns nil for none.
// An error names the value and says what is wrong with it.
func ParseSLO(specs []string) (*SLO, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	s := &SLO{}
	seen := make(map[Timing]string)
	for _, spec := range specs {
		o, err := parseObjective(spec)
		if err != nil {
			return nil, fmt.Errorf("--slo %q: %w", spec, err)
		}
		// Two bounds on one metric are a typo more often than a wish; the
		// tighter would silently win.
		if prev, ok := seen[o.metric]; ok {
			return nil, fmt.Errorf("--slo %q: %s is already bounded by %s", spec, o.metric.String()+"_ms", prev)
		}
		seen[o.metric] = o.text
		s.objectives = append(s.objectives, o)
	}
	return s, nil
}

func parseObjective(spec string) (objective, error) {
	i := strings.IndexAny(spec, "<>=!")
	if i < 0 {
		return objective{}, fmt.Errorf("want METRIC<MS or METRIC<=MS, e.g. ttft_ms<500")
	}
	name := strings.TrimSpace(spec[:i])
	j := i
	for j < len(spec) && strings.IndexByte("<>=!", spec[j]) >= 0 {
		j++
	}
	op, rest := spec[i:j], spec[j:]
	if op != "<" && op != "<=" {
		return objective{}, fmt.Errorf("an SLO is an upper bound: use < or <=, not %q", op)
	}
	metric, ok := sloMetrics[name]
	if !ok {
		return objective{}, fmt.Errorf("unknown metric %q (known: %s)", name, sloMetricNames)
	}
	num := strings.TrimSpace(rest)
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return objective{}, fmt.Errorf("%q is not a number of milliseconds", num)
	}
	if v <= 0 {
		return objective{}, fmt.Errorf("the bound must be above 0 ms, got %s", num)
	}
	return objective{
		metric:    metric,
		limit:     time.Duration(math.Round(v * float64(time.Millisecond))),
		inclusive: op == "<=",
		text:      name + op + strconv.FormatFloat(v, 'f', -1, 64),
	}, nil
}

// Strings are the SLOs in their normalised spelling ("ttft_ms<500"), in
// the order given; empty, never nil, for none.
func (s *SLO) Strings() []string {
	out := []string{}
	if s == nil {
		return out
	}
	for _, o := range s.objectives {
		out = append(out, o.text)
	}
	return out
}

// Good reports whether a request met every objective: it succeeded and
// each bounded timing of its own holds (see docs/metrics.md, "Goodput").
// A failed request is never good; a request without LLM measurements has
// no timings to meet and is not good either.
func (s *SLO) Good(r *record.Record) bool {
	if r.Failed() || r.LLM == nil {
		return false
	}
	for _, o := range s.objectives {
		if !o.met(r.LLM) {
			return false
		}
	}
	return true
}

// met says whether l meets the objective. A timing the request never had
// fails the bound (no token arrived, so no TTFT), except TPOT and ITL,
// which a request of one token or one chunk has none of and so cannot
// exceed.
func (o objective) met(l *record.LLM) bool {
	d, ok := o.value(l)
	if !ok {
		return o.metric == TPOT || o.metric == ITL
	}
	if o.inclusive {
		return d <= o.limit
	}
	return d < o.limit
}

// value is the request's own figure of the objective's metric, as the
// stats record it; ok is false when the request has none.
func (o objective) value(l *record.LLM) (time.Duration, bool) {
	streamed := len(l.Chunks) > 0
	switch o.metric {
	case TTFB:
		return l.TTFB, l.TTFB > 0
	case TTFT:
		return l.TTFT, streamed
	case E2E:
		return l.E2E, streamed
	case TTFO:
		// Without reasoning the first token is the first visible one.
		if !l.Reasoning {
			return l.TTFT, streamed
		}
		return l.TTFO, l.TTFO > 0
	case TPOT:
		if !streamed {
			return 0, false
		}
		return l.TPOT()
	case ITL:
		// The request lived through every one of its gaps: the largest
		// is the one that decides.
		var worst time.Duration
		l.ITL(func(gap time.Duration) { worst = max(worst, gap) })
		return worst, len(l.Chunks) > 1
	}
	return 0, false
}
