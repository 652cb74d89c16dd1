package output

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Percentiles are the percentiles of every LLM timing that a run's
// outputs show (--percentiles): the JSON summary, the LLM stats file, the
// web UI and the timeline of its charts. They are quantiles (0.5 for
// p50), in the order the run chose them. A run passes its own list to
// its outputs; nil stands for DefaultPercentiles.
type Percentiles []float64

// DefaultPercentiles are the percentiles of a run that chooses none.
var DefaultPercentiles = Percentiles{0.50, 0.90, 0.95, 0.99}

// orDefault is ps, or DefaultPercentiles for nil.
func (ps Percentiles) orDefault() Percentiles {
	if len(ps) == 0 {
		return DefaultPercentiles
	}
	return ps
}

// Keys are the JSON keys of the percentiles: p50, p90, p99.9.
func (ps Percentiles) Keys() []string {
	ps = ps.orDefault()
	out := make([]string, len(ps))
	for i, q := range ps {
		out[i] = percentileKey(q)
	}
	return out
}

// percentileKey is the JSON key of quantile q: "p" and its percent.
func percentileKey(q float64) string { return "p" + strings.TrimSuffix(percentileLabel(q), "%") }

// ParsePercentiles reads a --percentiles list such as "50,90,95,99.9":
// percents above 0 and below 100, each once, separated by commas.
func ParsePercentiles(list string) (Percentiles, error) {
	var out Percentiles
	seen := make(map[string]bool)
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("--percentiles %q: an empty item; give percents separated by commas, e.g. 50,90,95,99", list)
		}
		pct, err := strconv.ParseFloat(item, 64)
		if err != nil || math.IsNaN(pct) || math.IsInf(pct, 0) {
			return nil, fmt.Errorf("--percentiles %q: %q is not a number", list, item)
		}
		if pct <= 0 || pct >= 100 {
			return nil, fmt.Errorf("--percentiles %q: %s is not above 0 and below 100", list, item)
		}
		q := pct / 100
		key := percentileKey(q)
		if seen[key] {
			return nil, fmt.Errorf("--percentiles %q: %s is given twice", list, item)
		}
		seen[key] = true
		out = append(out, q)
	}
	return out, nil
}

// index is where quantile q is in ps, -1 when it is not; quantiles that
// print as the same percent are the same.
func (ps Percentiles) index(q float64) int {
	key := percentileKey(q)
	return slices.IndexFunc(ps, func(p float64) bool { return percentileKey(p) == key })
}
