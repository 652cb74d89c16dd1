package webui

import (
	"testing"
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
