package check

import (
	"cmp"
	"slices"
	"strings"
)

// maxListed bounds how many keys a message lists.
const maxListed = 40

// closeKeys is the part of a message that helps with an unknown key: the
// known keys that look like it, or else the known keys, or nothing.
func closeKeys(key string, known []string) string {
	known = slices.Compact(slices.Sorted(slices.Values(known)))
	type scored struct {
		key  string
		dist int
	}
	var near []scored
	for _, k := range known {
		d := distance(key, k)
		if d <= max(2, len(key)/3) || (len(key) >= 3 && strings.Contains(k, key)) {
			near = append(near, scored{k, d})
		}
	}
	slices.SortStableFunc(near, func(a, b scored) int { return cmp.Compare(a.dist, b.dist) })
	if len(near) > 0 {
		list := make([]string, 0, len(near))
		for _, n := range near[:min(len(near), maxListed)] {
			list = append(list, n.key)
		}
		return " (close: " + strings.Join(list, ", ") + ")"
	}
	if len(known) == 0 {
		return ""
	}
	if len(known) > maxListed {
		return " (known: " + strings.Join(known[:maxListed], ", ") + ", …)"
	}
	return " (known: " + strings.Join(known, ", ") + ")"
}

// distance is the Levenshtein distance of a and b, in bytes: keys are
// ASCII.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
