package dataset

import (
	"math"
	"strings"
	"testing"
)

func TestDistValidate(t *testing.T) {
	cases := []struct {
		name string
		d    Dist
		want string // "" when valid
	}{
		{"fixed", FixedDist(128), ""},
		{"uniform", Dist{Kind: Uniform, Min: 1, Max: 1}, ""},
		{"normal without limits", Dist{Kind: Normal, Mean: 10, StdDev: 3}, ""},
		{"normal with limits", Dist{Kind: Normal, Mean: 10, StdDev: 3, Min: 5, Max: 20}, ""},
		{"fixed zero", FixedDist(0), "value must be a whole number of at least 1, got 0"},
		{"fixed fraction", Dist{Kind: Fixed, Value: 1.5}, "value must be a whole number of at least 1, got 1.5"},
		{"uniform reversed", Dist{Kind: Uniform, Min: 10, Max: 5}, "max (5) is below min (10)"},
		{"uniform without min", Dist{Kind: Uniform, Max: 5}, "min must be a whole number of at least 1, got 0"},
		{"normal negative stddev", Dist{Kind: Normal, Mean: 10, StdDev: -1}, "stddev must be 0 or more"},
		{"normal zero mean", Dist{Kind: Normal, Mean: 0, StdDev: 1}, "mean must be from 1 to"},
		{"normal not a number", Dist{Kind: Normal, Mean: math.NaN(), StdDev: 1}, "mean must be from 1 to"},
		{"normal max below min", Dist{Kind: Normal, Mean: 10, Min: 8, Max: 4}, "max (4) is below min (8)"},
		{"unknown kind", Dist{Kind: "zipf"}, `unknown distribution kind "zipf"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want valid", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// draws returns n draws of d from a seeded source.
func draws(d Dist, n int, seed uint64) []int {
	r := pcg(seed, 99)
	out := make([]int, n)
	for i := range out {
		out[i] = d.Draw(r)
	}
	return out
}

func meanStd(xs []int) (mean, std float64) {
	for _, x := range xs {
		mean += float64(x)
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (float64(x) - mean) * (float64(x) - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)-1))
}

func TestDistDraws(t *testing.T) {
	const n = 2000
	cases := []struct {
		name     string
		d        Dist
		min, max int     // every draw within
		mean     float64 // expected mean and standard deviation
		std      float64
	}{
		{"fixed", FixedDist(17), 17, 17, 17, 0},
		{"uniform", Dist{Kind: Uniform, Min: 10, Max: 30}, 10, 30, 20, math.Sqrt((21*21 - 1) / 12.0)},
		{"normal", Dist{Kind: Normal, Mean: 500, StdDev: 100}, 1, math.MaxInt32, 500, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			xs := draws(tc.d, n, 1)
			for _, x := range xs {
				if x < tc.min || x > tc.max {
					t.Fatalf("draw %d outside [%d, %d]", x, tc.min, tc.max)
				}
			}
			mean, std := meanStd(xs)
			// Five standard errors of the mean, and 10 % on the spread.
			if tol := 5*tc.std/math.Sqrt(n) + 1e-9; math.Abs(mean-tc.mean) > tol {
				t.Errorf("mean %.2f, want %.2f ± %.2f", mean, tc.mean, tol)
			}
			if math.Abs(std-tc.std) > 0.1*tc.std+1e-9 {
				t.Errorf("stddev %.2f, want %.2f ± 10%%", std, tc.std)
			}
		})
	}
}

func TestDistUniformCoversItsEnds(t *testing.T) {
	seen := map[int]int{}
	for _, x := range draws(Dist{Kind: Uniform, Min: 3, Max: 7}, 2000, 2) {
		seen[x]++
	}
	for v := 3; v <= 7; v++ {
		if seen[v] < 300 {
			t.Errorf("%d drawn %d times of 2000, want about 400", v, seen[v])
		}
	}
	if len(seen) != 5 {
		t.Errorf("drew values %v, want only 3..7", seen)
	}
}

func TestDistNormalClipping(t *testing.T) {
	d := Dist{Kind: Normal, Mean: 100, StdDev: 50, Min: 80, Max: 120}
	xs := draws(d, 2000, 3)
	low, high := 0, 0
	for _, x := range xs {
		if x < 80 || x > 120 {
			t.Fatalf("draw %d outside [80, 120]", x)
		}
		if x == 80 {
			low++
		}
		if x == 120 {
			high++
		}
	}
	// Rounding puts everything below 79.5 on 80: P(z < -0.41) ≈ 0.34,
	// and the same above.
	want := 2000 * 0.5 * math.Erfc(20.5/50/math.Sqrt2)
	for name, got := range map[string]int{"min": low, "max": high} {
		if math.Abs(float64(got)-want) > 0.15*want {
			t.Errorf("%d draws clipped to the %s, want about %.0f", got, name, want)
		}
	}
}

func TestDistSeeded(t *testing.T) {
	d := Dist{Kind: Normal, Mean: 300, StdDev: 80}
	a, b, c := draws(d, 50, 7), draws(d, 50, 7), draws(d, 50, 8)
	same := func(x, y []int) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) || same(a, c) {
		t.Fatalf("seed 7 twice: %v / %v; seed 8: %v", a[:5], b[:5], c[:5])
	}
}

func TestDistNormalNeverBelowOne(t *testing.T) {
	ones := 0
	for _, x := range draws(Dist{Kind: Normal, Mean: 2, StdDev: 5}, 2000, 4) {
		if x < 1 {
			t.Fatalf("draw %d, want at least 1", x)
		}
		if x == 1 {
			ones++
		}
	}
	// Everything below 1.5 becomes 1: P(z < -0.1) ≈ 0.46.
	if want := 2000 * 0.5 * math.Erfc(0.5/5/math.Sqrt2); math.Abs(float64(ones)-want) > 0.15*want {
		t.Errorf("%d draws of 1, want about %.0f", ones, want)
	}
}
