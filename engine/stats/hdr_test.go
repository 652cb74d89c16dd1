package stats

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestHistogramKeepsThreeDigits(t *testing.T) {
	// Percentiles give back a bucket's value pulled into the exact
	// [min, max]; a zero and a ten-hour value around two copies of the
	// value under test keep both bounds away, so the median (rank 2 of 4)
	// shows its bucket's value as it is.
	tests := []struct {
		name string
		in   time.Duration
		want time.Duration // bucket value
	}{
		{"zero", 0, 0},
		{"negative counts as zero", -time.Millisecond, 0},
		{"below half a microsecond", 400 * time.Nanosecond, 0},
		{"rounds to the microsecond", 1600 * time.Nanosecond, 2 * time.Microsecond},
		{"every microsecond below 10 ms", 9999 * time.Microsecond, 9999 * time.Microsecond},
		{"10 ms", 10 * time.Millisecond, 10 * time.Millisecond},
		{"four digits from 10 ms", 12345 * time.Microsecond, 12350 * time.Microsecond},
		{"200.6 ms stays 200.6", 200600 * time.Microsecond, 200600 * time.Microsecond},
		{"half a bucket rounds up", 200650 * time.Microsecond, 200700 * time.Microsecond},
		{"just under half a bucket rounds down", 200649 * time.Microsecond, 200600 * time.Microsecond},
		{"rounding into the next decade", 99996 * time.Microsecond, 100 * time.Millisecond},
		{"an hour", time.Hour, time.Hour},
		{"an hour and a bit", time.Hour + 1234567*time.Microsecond, 3601 * time.Second},
		{"past the top", 3 * time.Hour, 9999 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h Histogram
			for _, d := range []time.Duration{0, tc.in, tc.in, 10 * time.Hour} {
				h.Record(d)
			}
			if got := h.Percentile(0.5); got != tc.want {
				t.Errorf("bucket value of %v = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestHistogram200Point6PrintsExactly(t *testing.T) {
	// The outputs print milliseconds as µs/1000; that must read 200.6,
	// not 200.59999 or 200.64, for a single value and for many around it.
	var h Histogram
	for range 1000 {
		h.Record(200600 * time.Microsecond)
	}
	h.Record(200550 * time.Microsecond) // the same bucket after rounding
	for _, p := range []float64{0.5, 0.9, 0.99} {
		us := h.Percentile(p).Microseconds()
		if got := strconv.FormatFloat(float64(us)/1000, 'f', -1, 64); got != "200.6" {
			t.Errorf("p%v prints %s ms, want 200.6", p*100, got)
		}
	}
}

func TestHistogramFigures(t *testing.T) {
	msList := func(from, to int) []time.Duration {
		var out []time.Duration
		for i := from; i <= to; i++ {
			out = append(out, time.Duration(i)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name                    string
		in                      []time.Duration
		count                   int64
		mean, min, max          time.Duration
		p0, p50, p90, p99, p100 time.Duration
	}{
		{name: "empty"},
		{
			name: "one to a hundred ms", in: msList(1, 100), count: 100,
			mean: 50500 * time.Microsecond, min: time.Millisecond, max: 100 * time.Millisecond,
			p0: time.Millisecond, p50: 50 * time.Millisecond, p90: 90 * time.Millisecond,
			p99: 99 * time.Millisecond, p100: 100 * time.Millisecond,
		},
		{
			// Three fast, one slow: the rank of p50 is 2, of p90 ⌈3.6⌉ = 4.
			name: "skewed", count: 4,
			in:   []time.Duration{5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond, 2 * time.Second},
			mean: 503750 * time.Microsecond, min: 5 * time.Millisecond, max: 2 * time.Second,
			p0: 5 * time.Millisecond, p50: 5 * time.Millisecond, p90: 2 * time.Second,
			p99: 2 * time.Second, p100: 2 * time.Second,
		},
		{
			// 147.35 ms sits in bucket 147.4, above the exact maximum:
			// percentiles are pulled down to it.
			name: "bucket above the maximum", in: []time.Duration{147350 * time.Microsecond}, count: 1,
			mean: 147350 * time.Microsecond, min: 147350 * time.Microsecond, max: 147350 * time.Microsecond,
			p0: 147350 * time.Microsecond, p50: 147350 * time.Microsecond, p90: 147350 * time.Microsecond,
			p99: 147350 * time.Microsecond, p100: 147350 * time.Microsecond,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h Histogram
			for _, d := range tc.in {
				h.Record(d)
			}
			got := []time.Duration{time.Duration(h.Count()), h.Mean(), h.Min(), h.Max()}
			got = append(got, h.Percentiles(0, 0.5, 0.9, 0.99, 1)...)
			want := []time.Duration{time.Duration(tc.count), tc.mean, tc.min, tc.max, tc.p0, tc.p50, tc.p90, tc.p99, tc.p100}
			if !slices.Equal(got, want) {
				t.Errorf("count, mean, min, max, p0, p50, p90, p99, p100:\n got %v\nwant %v", got, want)
			}
			var sum time.Duration
			for _, d := range tc.in {
				sum += d
			}
			if h.Sum() != sum {
				t.Errorf("sum = %v, want %v", h.Sum(), sum)
			}
		})
	}
}

// randomMicros draws n whole-microsecond values from a distribution.
type distribution struct {
	name string
	draw func(r *rand.Rand) int64
}

var distributions = []distribution{
	{"log-uniform 1 µs to 1 h", func(r *rand.Rand) int64 {
		return int64(math.Exp(r.Float64() * math.Log(3.6e9)))
	}},
	{"uniform 0 to 500 ms", func(r *rand.Rand) int64 { return r.Int64N(500_000) }},
	{"lognormal around 200 ms", func(r *rand.Rand) int64 {
		return int64(200_000 * math.Exp(r.NormFloat64()*0.5))
	}},
	{"bimodal 30 ms and 4 s", func(r *rand.Rand) int64 {
		if r.IntN(10) == 0 {
			return 4_000_000 + r.Int64N(500_000)
		}
		return 30_000 + r.Int64N(3_000)
	}},
	{"all equal", func(r *rand.Rand) int64 { return 123_456 }},
}

func TestHistogramPercentilesMatchASortedSlice(t *testing.T) {
	// The nearest-rank percentile of the exact values, from a sorted
	// slice, against the histogram's: never more than 0.1 % apart.
	perMille := []int64{0, 1, 10, 100, 250, 500, 750, 900, 950, 990, 999, 1000}
	for i, dist := range distributions {
		t.Run(dist.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for _, n := range []int64{1, 2, 7, 100, 10_001} {
				var h Histogram
				values := make([]int64, n)
				for j := range values {
					values[j] = dist.draw(r)
					h.Record(micros(values[j]))
				}
				slices.Sort(values)
				for _, q := range perMille {
					rank := max((q*n+999)/1000, 1)
					want := float64(values[rank-1])
					got := float64(h.Percentile(float64(q) / 1000).Microseconds())
					if math.Abs(got-want) > want*0.001 {
						t.Errorf("n=%d p%v = %v µs, want %v µs within 0.1 %%", n, float64(q)/10, got, want)
					}
				}
			}
		})
	}
}

func TestHistogramMergeEqualsCombinedRecording(t *testing.T) {
	for i, dist := range distributions {
		t.Run(dist.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 11))
			var a, b, both, viaData Histogram
			for j := range 5000 {
				d := micros(dist.draw(r))
				both.Record(d)
				if j%3 == 0 {
					a.Record(d)
				} else {
					b.Record(d)
				}
			}
			if err := viaData.MergeData(a.Data()); err != nil {
				t.Fatal(err)
			}
			if err := viaData.MergeData(b.Data()); err != nil {
				t.Fatal(err)
			}
			a.Merge(&b)
			for _, got := range []*Histogram{&a, &viaData} {
				if !reflect.DeepEqual(got.Data(), both.Data()) || got.Count() != both.Count() {
					t.Fatalf("merged histogram differs from recording everything in one")
				}
				ps := []float64{0, 0.5, 0.9, 0.95, 0.99, 1}
				if g, w := got.Percentiles(ps...), both.Percentiles(ps...); !slices.Equal(g, w) {
					t.Errorf("percentiles %v, want %v", g, w)
				}
				if got.Mean() != both.Mean() {
					t.Errorf("mean %v, want %v", got.Mean(), both.Mean())
				}
			}
		})
	}
}

func TestHistogramMergeDataRefusesBadData(t *testing.T) {
	tests := []struct {
		name string
		data HistogramData
		ok   bool
	}{
		{"empty", HistogramData{}, true},
		{"one bucket", HistogramData{Buckets: []HistBucket{{Index: 5, Count: 2}}, SumMicros: 10, MinMicros: 5, MaxMicros: 5}, true},
		{"negative index", HistogramData{Buckets: []HistBucket{{Index: -1, Count: 1}}}, false},
		{"index past the top", HistogramData{Buckets: []HistBucket{{Index: NumHistBuckets, Count: 1}}}, false},
		{"zero count", HistogramData{Buckets: []HistBucket{{Index: 3, Count: 0}}}, false},
		{"min above max", HistogramData{Buckets: []HistBucket{{Index: 3, Count: 1}}, MinMicros: 9, MaxMicros: 3}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h Histogram
			h.Record(time.Millisecond)
			before := h.Data()
			err := h.MergeData(tc.data)
			if (err == nil) != tc.ok {
				t.Fatalf("error = %v, want ok %v", err, tc.ok)
			}
			if !tc.ok && !reflect.DeepEqual(h.Data(), before) {
				t.Error("refused data changed the histogram")
			}
		})
	}
}

func TestBucketScaleIsMonotonicAndBounded(t *testing.T) {
	// Walk every boundary region of the scale: indexes never go down as
	// values grow, stay in range, and a bucket's value is within half a
	// bucket (≤ 0.05 %) of every value in it.
	prev := int32(-1)
	check := func(us int64) {
		i := bucketIndex(us)
		if i < prev || i < 0 || i >= NumHistBuckets {
			t.Fatalf("bucketIndex(%d) = %d after %d", us, i, prev)
		}
		prev = i
		if v := bucketMicros(i); us < maxMicros && math.Abs(float64(v-us)) > float64(us)*0.0005 {
			t.Fatalf("%d µs reads back as %d", us, v)
		}
	}
	for us := range int64(200_000) {
		check(us)
	}
	for scale := int64(1_000_000); scale <= 10_000_000_000; scale *= 10 {
		for us := scale - 2000; us < scale+2000; us++ {
			check(us)
		}
	}
	if got := bucketIndex(math.MaxInt64); got != NumHistBuckets-1 {
		t.Errorf("the largest value lands in bucket %d, want the top one", got)
	}
}
