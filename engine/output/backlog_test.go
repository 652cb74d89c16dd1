package output

import (
	"github.com/llmlocust/llmlocust/engine/metrics"
	"testing"
	"time"
)

// The backlog field shows the bytes queued and the bound's refusals only
// when there are any, so that a quiet run's line stays as it was.
func TestBacklogField(t *testing.T) {
	cases := []struct {
		name string
		b    metrics.Backlog
		want string
	}{
		{"empty", metrics.Backlog{}, "backlog 0"},
		{"waiting", metrics.Backlog{Queued: 3, Bytes: 1536, Oldest: 12 * time.Millisecond}, "backlog 3 (1.5 KiB) oldest 12ms"},
		{"refused once", metrics.Backlog{Queued: 9000, Bytes: 256 << 20, Oldest: 2 * time.Second, Refused: 1},
			"backlog 9000 (256.0 MiB) oldest 2.0s limit hit 1 time CLIENT SATURATED"},
		{"refused often, queue drained", metrics.Backlog{Refused: 12}, "backlog 0 limit hit 12 times CLIENT SATURATED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := backlogField(tc.b); got != tc.want {
				t.Fatalf("backlogField(%+v) = %q, want %q", tc.b, got, tc.want)
			}
		})
	}
}

func TestSummaryBacklog(t *testing.T) {
	got := summaryBacklog(metrics.Backlog{Queued: 5, Bytes: 4096, Oldest: 1500 * time.Millisecond, Refused: 2})
	want := SummaryBacklog{MaxQueued: 5, MaxBytes: 4096, MaxOldestMS: 1500, LimitHits: 2, ClientSaturated: true}
	if got != want {
		t.Fatalf("summaryBacklog = %+v, want %+v", got, want)
	}
}
