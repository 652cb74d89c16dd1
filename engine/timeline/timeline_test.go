package timeline

import (
	"testing"
	"time"
)

func TestSampleRequests(t *testing.T) {
	reqs := func(n int) []Request {
		out := make([]Request, n)
		for i := range out {
			out[i] = Request{Start: time.Unix(int64(i+1), 0)}
		}
		return out
	}
	cases := []struct {
		name      string
		n, limit  int
		wantLen   int
		wantFirst int64
		wantLast  int64
	}{
		{"under the limit", 5, 200, 5, 1, 5},
		{"at the limit", 200, 200, 200, 1, 200},
		{"twice the limit", 400, 200, 200, 1, 399},
		{"a little over", 201, 200, 200, 1, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := sample(reqs(tc.n), tc.limit)
			if len(got) != tc.wantLen || got[0].Start.Unix() != tc.wantFirst || got[len(got)-1].Start.Unix() != tc.wantLast {
				t.Errorf("%d requests from %d to %d", len(got), got[0].Start.Unix(), got[len(got)-1].Start.Unix())
			}
			for i := 1; i < len(got); i++ {
				if got[i].Start.Unix() <= got[i-1].Start.Unix() {
					t.Fatalf("out of order at %d", i)
				}
			}
		})
	}
}
