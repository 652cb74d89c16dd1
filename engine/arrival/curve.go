package arrival

import (
	"math"
	"sort"
)

// curve is a request rate over a test's time, piecewise linear: a ramp
// from 0 and then steps wherever the rate is changed. Arrivals are spaced
// in its work, the integral of the rate, so that unit gaps in work are
// gaps of 1/rate in time wherever the rate stands, and a rate that
// changes moves every arrival not yet sent.
type curve struct {
	segs []segment // by from, the first at 0
}

// segment is the rate from `from` seconds until the next segment:
// rate + slope·(t − from), with w the work done by `from`.
type segment struct {
	from, w, rate, slope float64
}

// newCurve starts at rate, reached linearly over ramp seconds.
func newCurve(rate, ramp float64) *curve {
	if ramp <= 0 || rate <= 0 {
		return &curve{segs: []segment{{rate: rate}}}
	}
	return &curve{segs: []segment{
		{slope: rate / ramp},
		{from: ramp, w: rate * ramp / 2, rate: rate},
	}}
}

// work is the integral of the rate from 0 to t.
func (c *curve) work(t float64) float64 {
	s := c.segs[c.segAt(t)]
	x := t - s.from
	return s.w + s.rate*x + s.slope*x*x/2
}

// segAt is the index of the segment holding time t.
func (c *curve) segAt(t float64) int {
	i := sort.Search(len(c.segs), func(i int) bool { return c.segs[i].from > t })
	return max(i-1, 0)
}

// set makes the rate r from time t on, dropping what was planned after.
func (c *curve) set(t, r float64) {
	w := c.work(t)
	i := c.segAt(t)
	if c.segs[i].from == t {
		c.segs = c.segs[:i]
	} else {
		c.segs = c.segs[:i+1]
	}
	c.segs = append(c.segs, segment{from: t, w: w, rate: r})
}

// rateAt is the rate at time t.
func (c *curve) rateAt(t float64) float64 {
	s := c.segs[c.segAt(t)]
	return s.rate + s.slope*(t-s.from)
}

// timeOf is when the work reaches w; ok is false when it never does
// under the rates planned, a rate of 0 from some point on. Work reached
// while the rate is 0 is due when the rate rises again.
func (c *curve) timeOf(w float64) (float64, bool) {
	i := sort.Search(len(c.segs), func(i int) bool { return c.segs[i].w > w })
	for _, s := range c.segs[max(i-1, 0):] {
		if s.rate <= 0 && s.slope <= 0 {
			continue // paused: the next segment, if any, goes on from the same work
		}
		need := max(w-s.w, 0)
		if s.slope == 0 {
			return s.from + need/s.rate, true
		}
		// rate·x + slope·x²/2 = need; the root that is ≥ 0.
		x := (-s.rate + math.Sqrt(s.rate*s.rate+2*s.slope*need)) / s.slope
		return s.from + x, true
	}
	return 0, false
}
