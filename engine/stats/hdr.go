package stats

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
)

// The LLM timing histogram keys values in whole microseconds on a
// log-linear scale: every microsecond below 10 ms, then four significant
// decimal digits per decade (1000 to 9999 times a power of ten). A bucket
// is then never wider than 0.1 % of its values, which is three significant
// digits in HDR histogram terms, and decimal keys keep the numbers people
// type exact: 200.6 ms is bucket 2006 × 100 µs and reads back as 200.6,
// where binary buckets would turn it into 200.64.
const (
	linearMicros = 10_000 // below this, one bucket per microsecond
	perDecade    = 9_000  // mantissas 1000..9999
	decades      = 6      // 10^4 µs up to 10^10 µs

	// NumHistBuckets is how many buckets a Histogram can use; it bounds the
	// memory of any one histogram, however many values it holds.
	NumHistBuckets = linearMicros + decades*perDecade

	// maxMicros is the largest value a bucket represents (about 2 h 47
	// min); longer values are counted in the top bucket, while Min, Max
	// and Sum stay exact.
	maxMicros = 9_999 * 1_000_000
)

// bucketIndex is the bucket of a value in microseconds, rounded to the
// nearest bucket value so that the error is at most half a bucket.
func bucketIndex(us int64) int32 {
	if us <= 0 {
		return 0
	}
	if us < linearMicros {
		return int32(us)
	}
	if us >= maxMicros {
		return NumHistBuckets - 1
	}
	d, scale := int64(1), int64(10)
	for us >= 10_000*scale {
		d++
		scale *= 10
	}
	m := (us + scale/2) / scale
	if m == 10_000 { // rounded up into the next decade
		m, d = 1_000, d+1
	}
	return int32(linearMicros + (d-1)*perDecade + m - 1_000)
}

// bucketMicros is the value a bucket stands for, in microseconds.
func bucketMicros(i int32) int64 {
	if i < linearMicros {
		return int64(i)
	}
	k := int64(i) - linearMicros
	m := k%perDecade + 1_000
	for range k/perDecade + 1 {
		m *= 10
	}
	return m
}

// Histogram is a distribution of LLM timings with three significant
// digits: values are kept to the microsecond, from 10 ms up to four
// significant digits (at most 0.05 % off), up to about 2.8 hours. Only
// the buckets that were touched are stored, so memory follows the spread
// of the values, never their number, and is bounded by NumHistBuckets.
// Two histograms merge exactly, by adding bucket counts.
//
// The zero value is an empty histogram ready for use. A Histogram is not
// safe for concurrent writes; one held by a Snapshot is only read.
type Histogram struct {
	counts map[int32]int64
	n      int64
	sum    int64 // µs, exact
	min    int64 // µs, exact
	max    int64 // µs, exact
}

// HistBucket is one bucket of a Histogram's exported form: Count values
// fell into bucket Index (0 to NumHistBuckets−1).
type HistBucket struct {
	Index int32 `msgpack:"i"`
	Count int64 `msgpack:"n"`
}

// HistogramData is a Histogram in a form that can be sent elsewhere and
// merged back without loss: its buckets, sorted by Index, and its exact
// sum, minimum and maximum in microseconds.
type HistogramData struct {
	Buckets   []HistBucket `msgpack:"buckets"`
	SumMicros int64        `msgpack:"sum_us"`
	MinMicros int64        `msgpack:"min_us"`
	MaxMicros int64        `msgpack:"max_us"`
}

// Record adds one value. Negative values count as zero.
func (h *Histogram) Record(d time.Duration) {
	us := microsOf(d)
	h.add(us, bucketIndex(us))
}

// microsOf is what a Histogram keeps of a value: whole microseconds, at
// least zero.
func microsOf(d time.Duration) int64 { return max(d, 0).Round(time.Microsecond).Microseconds() }

// add records a value of us microseconds, which falls in bucket i: a value
// recorded into several histograms is rounded and bucketed once.
func (h *Histogram) add(us int64, i int32) {
	if h.counts == nil {
		h.counts = make(map[int32]int64)
	}
	h.counts[i]++
	if h.n == 0 || us < h.min {
		h.min = us
	}
	h.max = max(h.max, us)
	h.n++
	h.sum += us
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 { return h.n }

// Sum is the exact total of the values, each rounded to the microsecond.
func (h *Histogram) Sum() time.Duration { return micros(h.sum) }

// Mean is the exact mean to the microsecond; 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return micros(int64(math.Round(float64(h.sum) / float64(h.n))))
}

// Min is the smallest value recorded, exact to the microsecond; 0 when
// empty.
func (h *Histogram) Min() time.Duration { return micros(h.min) }

// Max is the largest value recorded, exact to the microsecond; 0 when
// empty.
func (h *Histogram) Max() time.Duration { return micros(h.max) }

// Percentile is the value at or below which a fraction p (0 to 1) of the
// values lie: the bucket value of the ⌈p·n⌉-th smallest value (at least
// the first), pulled into [Min, Max] so that p = 0 and p = 1 give the
// exact extremes. 0 when empty.
func (h *Histogram) Percentile(p float64) time.Duration {
	return h.Percentiles(p)[0]
}

// Percentiles is Percentile for several fractions at once, sorting the
// buckets only once.
func (h *Histogram) Percentiles(ps ...float64) []time.Duration {
	out := make([]time.Duration, len(ps))
	if h.n == 0 {
		return out
	}
	buckets := h.Buckets()
	for i, p := range ps {
		rank := rankOf(p, h.n)
		var seen int64
		for _, b := range buckets {
			seen += b.Count
			if seen >= rank {
				out[i] = micros(min(max(bucketMicros(b.Index), h.min), h.max))
				break
			}
		}
	}
	return out
}

// rankOf is the 1-based rank of the p-th fraction of n values. The small
// allowance keeps products such as 0.95 × 100 = 95.00000000000001 from
// reaching for the next value.
func rankOf(p float64, n int64) int64 {
	r := int64(math.Ceil(p*float64(n) - 1e-9))
	return min(max(r, 1), n)
}

// Merge adds every value of o, exactly as if they had been recorded here.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make(map[int32]int64, len(o.counts))
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.mergeTotals(o.n, o.sum, o.min, o.max)
}

func (h *Histogram) mergeTotals(n, sum, lo, hi int64) {
	if h.n == 0 || lo < h.min {
		h.min = lo
	}
	h.max = max(h.max, hi)
	h.n += n
	h.sum += sum
}

// Buckets returns the touched buckets sorted by Index.
func (h *Histogram) Buckets() []HistBucket {
	out := make([]HistBucket, 0, len(h.counts))
	for i, c := range h.counts {
		out = append(out, HistBucket{Index: i, Count: c})
	}
	slices.SortFunc(out, func(a, b HistBucket) int { return cmp.Compare(a.Index, b.Index) })
	return out
}

// Data exports the histogram for MergeData elsewhere.
func (h *Histogram) Data() HistogramData {
	return HistogramData{Buckets: h.Buckets(), SumMicros: h.sum, MinMicros: h.min, MaxMicros: h.max}
}

// MergeData adds an exported histogram, as Merge does. It refuses data
// that no Histogram could have produced (an unknown bucket, a count below
// one, a minimum above the maximum) and then changes nothing.
func (h *Histogram) MergeData(d HistogramData) error {
	var n int64
	for _, b := range d.Buckets {
		if b.Index < 0 || b.Index >= NumHistBuckets || b.Count < 1 {
			return fmt.Errorf("merging histogram: bad bucket %d with count %d", b.Index, b.Count)
		}
		n += b.Count
	}
	if n == 0 {
		return nil
	}
	if d.MinMicros < 0 || d.MinMicros > d.MaxMicros {
		return fmt.Errorf("merging histogram: minimum %d µs above maximum %d µs", d.MinMicros, d.MaxMicros)
	}
	if h.counts == nil {
		h.counts = make(map[int32]int64, len(d.Buckets))
	}
	for _, b := range d.Buckets {
		h.counts[b.Index] += b.Count
	}
	h.mergeTotals(n, d.SumMicros, d.MinMicros, d.MaxMicros)
	return nil
}

// clone returns a deep copy.
func (h *Histogram) clone() *Histogram {
	c := *h
	c.counts = maps.Clone(h.counts)
	return &c
}

// reset empties the histogram, keeping its map for reuse.
func (h *Histogram) reset() {
	clear(h.counts)
	h.n, h.sum, h.min, h.max = 0, 0, 0, 0
}

func micros(us int64) time.Duration { return time.Duration(us) * time.Microsecond }
