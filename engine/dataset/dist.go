package dataset

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Kinds of length distribution.
const (
	Fixed   = "fixed"   // always Value
	Uniform = "uniform" // a whole number from Min to Max, both included
	Normal  = "normal"  // Mean and StdDev, rounded, clipped to [Min, Max]
)

// Dist is a distribution of token lengths. Every draw is a whole number of
// at least 1, since a prompt or an answer has at least one token.
type Dist struct {
	Kind   string
	Value  float64 // fixed
	Min    float64 // uniform, normal; below 1 means 1
	Max    float64 // uniform; normal, where 0 means no upper limit
	Mean   float64 // normal
	StdDev float64 // normal
}

// FixedDist is the distribution that always draws n.
func FixedDist(n int) Dist { return Dist{Kind: Fixed, Value: float64(n)} }

// Validate says what is wrong with d, naming its fields as scenarios
// spell them.
func (d Dist) Validate() error {
	whole := func(name string, v float64) error {
		if v != math.Trunc(v) || v < 1 || v > math.MaxInt32 {
			return fmt.Errorf("%s must be a whole number of at least 1, got %v", name, v)
		}
		return nil
	}
	switch d.Kind {
	case Fixed:
		return whole("value", d.Value)
	case Uniform:
		if err := errors.Join(whole("min", d.Min), whole("max", d.Max)); err != nil {
			return err
		}
		if d.Max < d.Min {
			return fmt.Errorf("max (%v) is below min (%v)", d.Max, d.Min)
		}
		return nil
	case Normal:
		return d.validateNormal()
	}
	return fmt.Errorf("unknown distribution kind %q: use %q, %q or %q", d.Kind, Fixed, Uniform, Normal)
}

func (d Dist) validateNormal() error {
	switch {
	case !(d.Mean >= 1 && d.Mean <= math.MaxInt32):
		return fmt.Errorf("mean must be from 1 to %d, got %v", math.MaxInt32, d.Mean)
	case !(d.StdDev >= 0 && d.StdDev <= math.MaxInt32):
		return fmt.Errorf("stddev must be 0 or more, got %v", d.StdDev)
	case math.IsNaN(d.Min) || math.IsNaN(d.Max) || d.Max > math.MaxInt32 || d.Min > math.MaxInt32:
		return fmt.Errorf("min and max must be below %d", math.MaxInt32)
	case d.Max != 0 && d.Max < math.Max(d.Min, 1):
		return fmt.Errorf("max (%v) is below min (%v)", d.Max, math.Max(d.Min, 1))
	}
	return nil
}

// Draw returns one length. d must be valid.
func (d Dist) Draw(r *rand.Rand) int {
	switch d.Kind {
	case Uniform:
		return int(d.Min) + r.IntN(int(d.Max-d.Min)+1)
	case Normal:
		v := math.Round(d.Mean + d.StdDev*r.NormFloat64())
		v = math.Max(v, math.Max(math.Ceil(d.Min), 1))
		if d.Max != 0 {
			v = math.Min(v, math.Floor(d.Max))
		}
		return int(v)
	}
	return int(d.Value)
}

// String describes d for reports.
func (d Dist) String() string {
	switch d.Kind {
	case Uniform:
		return fmt.Sprintf("uniform %v..%v", d.Min, d.Max)
	case Normal:
		s := fmt.Sprintf("normal mean %v stddev %v", d.Mean, d.StdDev)
		if d.Min > 1 {
			s += fmt.Sprintf(" min %v", d.Min)
		}
		if d.Max != 0 {
			s += fmt.Sprintf(" max %v", d.Max)
		}
		return s
	}
	return fmt.Sprintf("fixed %v", d.Value)
}
