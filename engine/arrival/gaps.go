// Package arrival makes open-loop request schedules: the times at which
// requests fall due under a request rate that may ramp and change during a
// test, with evenly spaced, Poisson or gamma-distributed gaps, counted from
// the test's start so that a late send never shifts the ones after it.
package arrival

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Kind is how the gaps between arrivals are drawn.
type Kind uint8

// The kinds of arrival process, as --arrival spells them.
const (
	Poisson  Kind = iota // exponential gaps: arrivals independent of each other
	Constant             // every gap the same, 1/rate
	Gamma                // gamma gaps of shape Burstiness: 1 is Poisson, below 1 burstier
)

// ParseKind reads --arrival's value.
func ParseKind(s string) (Kind, error) {
	switch s {
	case "poisson", "":
		return Poisson, nil
	case "constant":
		return Constant, nil
	case "gamma":
		return Gamma, nil
	}
	return 0, fmt.Errorf("unknown arrival kind %q (known: constant, poisson, gamma)", s)
}

// String spells the kind as --arrival does.
func (k Kind) String() string {
	switch k {
	case Constant:
		return "constant"
	case Gamma:
		return "gamma"
	}
	return "poisson"
}

// Spec describes an arrival process.
type Spec struct {
	Kind       Kind
	Burstiness float64 // the gamma shape; 0 means 1
	Seed       uint64
}

// Gaps draws the gaps between arrivals in units of the mean gap, so that
// a rate turns them into time: at rate r a gap of g units lasts g/r
// seconds. The same seed gives the same gaps.
type Gaps struct {
	kind  Kind
	shape float64
	src   *rand.PCG
	rng   *rand.Rand
}

// NewGaps returns the gaps of spec; stream separates the schedules of
// one seed (one per user class), so that they are not the same draws.
func NewGaps(spec Spec, stream uint64) (*Gaps, error) {
	shape := spec.Burstiness
	if shape == 0 {
		shape = 1
	}
	if !(shape > 0) || math.IsInf(shape, 0) {
		return nil, fmt.Errorf("burstiness %v is not a positive number", spec.Burstiness)
	}
	src := rand.NewPCG(spec.Seed, stream)
	return &Gaps{kind: spec.Kind, shape: shape, src: src, rng: rand.New(src)}, nil
}

// clone returns gaps that draw what g would draw next, without moving g.
func (g *Gaps) clone() *Gaps {
	src := *g.src
	return &Gaps{kind: g.kind, shape: g.shape, src: &src, rng: rand.New(&src)}
}

// Next is the next gap: mean 1, and a coefficient of variation of 0
// (constant), 1 (Poisson) or 1/√shape (gamma).
func (g *Gaps) Next() float64 {
	switch g.kind {
	case Constant:
		return 1
	case Gamma:
		return gamma(g.rng, g.shape) / g.shape
	}
	return g.rng.ExpFloat64()
}

// gamma draws from Gamma(shape, 1) by Marsaglia and Tsang's method; a
// shape below 1 is drawn at shape+1 and scaled by U^(1/shape).
func gamma(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		u := r.Float64()
		for u == 0 {
			u = r.Float64()
		}
		return gamma(r, shape+1) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
