package webui

import (
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/run"
)

func TestPercentileKey(t *testing.T) {
	cases := []struct {
		p    float64
		want string
	}{
		{0.5, "response_time_percentile_0.5"},
		{0.95, "response_time_percentile_0.95"},
		{0.999, "response_time_percentile_0.999"},
		{1.0, "response_time_percentile_1"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := percentileKey(tc.p); got != tc.want {
				t.Errorf("percentileKey(%v) = %q", tc.p, got)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		name    string
		seconds int64
		want    string
	}{
		{"nothing", 0, "0 seconds"},
		{"one second", 1, "1 second"},
		{"minute and seconds", 65, "1 minute and 5 seconds"},
		{"whole hours", 7200, "2 hours"},
		{"every unit", 90061, "1 day, 1 hour, 1 minute and 1 second"},
		{"gaps", 86400 + 5, "1 day and 5 seconds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatDuration(tc.seconds); got != tc.want {
				t.Errorf("formatDuration(%d) = %q, want %q", tc.seconds, got, tc.want)
			}
		})
	}
}

func TestFill(t *testing.T) {
	cases := []struct {
		name string
		page string
		want string
	}{
		{"assignment", `<script>window.templateArgs = __LLMLOCUST_TEMPLATE_ARGS__;</script>`, `<script>window.templateArgs = {"a":1};</script>`},
		{
			"the assignment wins over an earlier mention",
			`<script type="module">x = "__LLMLOCUST_TEMPLATE_ARGS__"</script><script>window.templateArgs = __LLMLOCUST_TEMPLATE_ARGS__;</script>`,
			`<script type="module">x = "__LLMLOCUST_TEMPLATE_ARGS__"</script><script>window.templateArgs = {"a":1};</script>`,
		},
		{"otherwise the first mention", `<script>var a=__LLMLOCUST_TEMPLATE_ARGS__, b="__LLMLOCUST_TEMPLATE_ARGS__"</script>`, `<script>var a={"a":1}, b="__LLMLOCUST_TEMPLATE_ARGS__"</script>`},
		{"no placeholder", `<p>static</p>`, `<p>static</p>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fill([]byte(tc.page), "window.templateArgs = ", argsPlaceholder, []byte(`{"a":1}`))
			if string(got) != tc.want {
				t.Errorf("fill gave\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestSafeFileName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Locust_2026-11-26-18h00_web.lua_mock_requests", "Locust_2026-11-26-18h00_web.lua_mock_requests"},
		{"Locust_x_http://127.0.0.1:8000/v1_requests", "Locust_x_http___127.0.0.1_8000_v1_requests"},
		{"a\"b;c\r\nd", "a_b_c__d"},
		{"ünï", "_n_"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := safeFileName(tc.in); got != tc.want {
				t.Errorf("safeFileName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSampleRequests(t *testing.T) {
	reqs := func(n int) []run.Request {
		out := make([]run.Request, n)
		for i := range out {
			out[i] = run.Request{Seq: uint64(i + 1), Start: time.Unix(int64(i), 0)}
		}
		return out
	}
	cases := []struct {
		name      string
		n, limit  int
		wantLen   int
		wantFirst uint64
		wantLast  uint64
	}{
		{"under the limit", 5, 200, 5, 1, 5},
		{"at the limit", 200, 200, 200, 1, 200},
		{"twice the limit", 400, 200, 200, 1, 399},
		{"a little over", 201, 200, 200, 1, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := sampleRequests(reqs(tc.n), tc.limit)
			if len(got) != tc.wantLen || got[0].Seq != tc.wantFirst || got[len(got)-1].Seq != tc.wantLast {
				t.Errorf("%d requests from %d to %d", len(got), got[0].Seq, got[len(got)-1].Seq)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Seq <= got[i-1].Seq {
					t.Fatalf("out of order at %d", i)
				}
			}
		})
	}
}
