package runner

import (
	"maps"
	"testing"
)

func TestDispatcherSplit(t *testing.T) {
	rec := newRecorder()
	classes := []UserClass{
		&fakeClass{name: "B", weight: 1, rec: rec},
		&fakeClass{name: "A", weight: 3, rec: rec},
		&fakeClass{name: "F", fixed: 1, rec: rec},
	}
	d, err := NewDispatcher(classes)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		n, w int
		want []map[string]int
	}{
		{name: "one worker, as a local runner", n: 9, w: 1, want: []map[string]int{{"A": 6, "B": 2, "F": 1}}},
		{name: "two workers share every class", n: 9, w: 2, want: []map[string]int{{"A": 3, "B": 1, "F": 1}, {"A": 3, "B": 1, "F": 0}}},
		{name: "fewer users than workers", n: 1, w: 3, want: []map[string]int{{"A": 0, "B": 0, "F": 1}, {"A": 0, "B": 0, "F": 0}, {"A": 0, "B": 0, "F": 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := d.Split(tc.n, tc.w)
			total := map[string]int{}
			for i := range got {
				if !maps.Equal(got[i], tc.want[i]) {
					t.Errorf("worker %d runs %v, want %v", i, got[i], tc.want[i])
				}
				for k, v := range got[i] {
					total[k] += v
				}
			}
			one := d.Split(tc.n, 1)[0]
			if !maps.Equal(total, one) {
				t.Errorf("the workers run %v in all, one worker would run %v", total, one)
			}
		})
	}
}
