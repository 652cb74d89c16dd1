package stats

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Bucket is one key of a response-time histogram: Count requests whose
// response time rounded to MS milliseconds.
type Bucket struct {
	MS    int64
	Count int64
}

// bucketMS rounds a response time the way Locust keys its histogram: exact
// milliseconds below 100 ms, then steps of 10 ms, 100 ms and 1 s, so that
// a histogram has a few hundred keys at most. Python's round() breaks ties
// to even, and so must we, or our percentiles would drift from Locust's on
// the very values (145 ms, 2.5 ms) that users compare by eye.
func bucketMS(ms float64) int64 {
	switch {
	case ms < 100:
		return int64(math.RoundToEven(ms))
	case ms < 1000:
		return int64(math.RoundToEven(ms/10)) * 10
	case ms < 10000:
		return int64(math.RoundToEven(ms/100)) * 100
	default:
		return int64(math.RoundToEven(ms/1000)) * 1000
	}
}

// toMS converts a duration to float milliseconds, the unit of Locust's
// response times.
func toMS(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return float64(d) / float64(time.Millisecond)
}

// percentileOf is the response time that a fraction p of n requests
// finished within, walking the histogram from the slowest key down as
// Locust does. hist must be sorted by MS ascending.
func percentileOf(hist []Bucket, n int64, p float64) int64 {
	// Python truncates the product of a float, not of two integers.
	within := int64(float64(n) * p)
	var seen int64
	for i := len(hist) - 1; i >= 0; i-- {
		seen += hist[i].Count
		if n-seen <= within {
			return hist[i].MS
		}
	}
	return 0
}

// bucketsOf copies a histogram map into a slice, unsorted so that the
// copy under the stats lock stays short; sortBuckets runs after it.
func bucketsOf(m map[int64]int64) []Bucket {
	out := make([]Bucket, 0, len(m))
	for ms, n := range m {
		out = append(out, Bucket{MS: ms, Count: n})
	}
	return out
}

func sortBuckets(b []Bucket) {
	slices.SortFunc(b, func(x, y Bucket) int { return cmp.Compare(x.MS, y.MS) })
}
