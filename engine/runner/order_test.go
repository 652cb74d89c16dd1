package runner

import (
	"math"
	"strings"
	"testing"
)

// prefixCounts returns how many of the first n entries of o belong to each
// of k classes.
func prefixCounts(o *order, k, n int) []int {
	counts := make([]int, k)
	for i := range n {
		counts[o.at(i)]++
	}
	return counts
}

func TestOrderSplitsUsersLikeLocust(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		fixed   []int
		users   int
		want    []int
	}{
		{name: "weights 1:2:3 over 60", weights: []int{1, 2, 3}, fixed: []int{0, 0, 0}, users: 60, want: []int{10, 20, 30}},
		// Locust's dispatcher gives the heaviest class the odd users.
		{name: "weights 1:2:3 over 7", weights: []int{1, 2, 3}, fixed: []int{0, 0, 0}, users: 7, want: []int{1, 2, 4}},
		{name: "equal weights over 3", weights: []int{1, 1}, fixed: []int{0, 0}, users: 3, want: []int{2, 1}},
		{name: "fixed count before weights", weights: []int{9, 1, 2}, fixed: []int{2, 0, 0}, users: 10, want: []int{2, 3, 5}},
		{name: "fixed counts above the total share the total", weights: []int{1, 1, 1}, fixed: []int{3, 2, 0}, users: 4, want: []int{2, 2, 0}},
		{name: "fixed counts exactly met", weights: []int{1, 1, 1}, fixed: []int{3, 2, 0}, users: 5, want: []int{3, 2, 0}},
		{name: "weighted users after fixed ones", weights: []int{1, 1, 1}, fixed: []int{3, 2, 0}, users: 9, want: []int{3, 2, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newOrder(tc.weights, tc.fixed)
			got := prefixCounts(o, len(tc.weights), tc.users)
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("counts = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestOrderSequenceIsLocusts(t *testing.T) {
	// The first twelve picks of Locust's dispatcher for classes A, B, C
	// weighted 1, 2, 3.
	const want = "CBACBCCBACBC"
	o := newOrder([]int{1, 2, 3}, []int{0, 0, 0})
	var b strings.Builder
	for i := range len(want) {
		b.WriteByte("ABC"[o.at(i)])
	}
	if b.String() != want {
		t.Fatalf("sequence = %s, want %s", b.String(), want)
	}
}

func TestOrderStaysProportionalAtEveryCount(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
	}{
		{name: "1:2:3", weights: []int{1, 2, 3}},
		{name: "equal thirds", weights: []int{1, 1, 1}},
		{name: "5:1", weights: []int{5, 1}},
		{name: "2:3:7", weights: []int{2, 3, 7}},
		{name: "one class", weights: []int{4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newOrder(tc.weights, make([]int, len(tc.weights)))
			total := 0
			for _, w := range tc.weights {
				total += w
			}
			counts := make([]int, len(tc.weights))
			for n := 1; n <= 600; n++ {
				counts[o.at(n-1)]++
				for i, w := range tc.weights {
					ideal := float64(n*w) / float64(total)
					if math.Abs(float64(counts[i])-ideal) >= 1 {
						t.Fatalf("at %d users class %d has %d, ideal %.2f", n, i, counts[i], ideal)
					}
				}
			}
		})
	}
}

func TestOrderLimit(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		fixed   []int
		want    int
	}{
		{name: "weighted classes have no limit", weights: []int{1, 1}, fixed: []int{2, 0}, want: math.MaxInt},
		{name: "fixed classes only stop at their total", weights: []int{1, 1}, fixed: []int{2, 3}, want: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newOrder(tc.weights, tc.fixed)
			if got := o.limit(); got != tc.want {
				t.Fatalf("limit = %d, want %d", got, tc.want)
			}
			// Every entry up to the limit of a fixed-only order is defined.
			if tc.want != math.MaxInt {
				got := prefixCounts(o, len(tc.fixed), tc.want)
				for i := range got {
					if got[i] != tc.fixed[i] {
						t.Fatalf("counts = %v, want the fixed counts %v", got, tc.fixed)
					}
				}
			}
		})
	}
}

func TestFormatCounts(t *testing.T) {
	got := FormatCounts(map[string]int{"Chat": 3, "Base": 1})
	const want = `{"Base": 1, "Chat": 3} (4 total users)`
	if got != want {
		t.Fatalf("formatCounts = %s, want %s", got, want)
	}
}
