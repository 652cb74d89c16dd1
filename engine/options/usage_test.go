package options

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestUsageGolden(t *testing.T) {
	s := newTestSet(t, append(scenarioOptions(),
		Option{Name: "debug-dump", Kind: Bool, Hidden: true, Help: "Never listed."},
		Option{Name: "mode", Choices: []string{"chat", "completion"}, Default: "chat", Help: "Which endpoint to call."},
		Option{Name: "think-time", Kind: Duration, Default: 1500 * time.Millisecond, Group: "Scenario options", Help: "Pause between turns."},
		Option{Name: "prompts", Kind: List, Default: []string{"short", "long"}, Help: "Prompt sets to draw from."},
		Option{Name: "include-usage", Kind: Bool, Default: true, Help: "Ask for token usage."},
	)...)
	var b strings.Builder
	s.Usage(&b, "llmlocust")
	got := b.String()

	golden := filepath.Join("testdata", "usage.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("Usage differs from %s (run with -update to accept):\n%s", golden, got)
	}
}

func TestUsageLayout(t *testing.T) {
	s := newTestSet(t, scenarioOptions()...)
	if err := s.Add(Option{Name: "secret-knob", Hidden: true}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	s.Usage(&b, "llmlocust")
	out := b.String()
	for i, line := range strings.Split(out, "\n") {
		if len(line) > usageWidth {
			t.Errorf("line %d is %d columns wide: %q", i+1, len(line), line)
		}
		if strings.TrimRight(line, " ") != line {
			t.Errorf("line %d ends in spaces: %q", i+1, line)
		}
	}
	for _, o := range s.Options() {
		listed := strings.Contains(out, "--"+o.Name+" ") || strings.Contains(out, "--"+o.Name+"\n") ||
			strings.Contains(out, "--"+o.Name+", ")
		if listed == o.Hidden {
			t.Errorf("--%s hidden=%v but listed=%v", o.Name, o.Hidden, listed)
		}
	}
	// Locust's group order, then the scenario's.
	last := -1
	for _, g := range []string{"Common options:", "Web UI options:", "Master options:", "Worker options:",
		"Tag options:", "Request statistics options:", "Logging options:", "Other options:", "Scenario options:", "User classes:"} {
		at := strings.Index(out, "\n"+g+"\n")
		if at <= last {
			t.Errorf("group %q at %d, want it after %d", g, at, last)
		}
		last = at
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  []string
	}{
		{"fits", "a b c", 10, []string{"a b c"}},
		{"breaks at spaces", "aaa bbb ccc", 7, []string{"aaa bbb", "ccc"}},
		{"long word alone", "a bbbbbbbbbb c", 5, []string{"a", "bbbbbbbbbb", "c"}},
		{"extra spaces", "  a   b  ", 10, []string{"a b"}},
		{"empty", "", 10, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.text, tc.width)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("wrap(%q, %d) = %q, want %q", tc.text, tc.width, got, tc.want)
			}
		})
	}
}

func TestFormatSpanRoundTrips(t *testing.T) {
	for _, d := range []time.Duration{time.Second, 90 * time.Minute, 3*time.Hour + 10*time.Second, 0} {
		got, err := ParseRunTime(formatSpan(d))
		if err != nil || got != d {
			t.Errorf("ParseRunTime(formatSpan(%v)) = %v, %v", d, got, err)
		}
	}
	stop := Option{Kind: Duration, FloatSeconds: true}
	if got, err := stop.parseDuration(formatSpan(1500 * time.Millisecond)); err != nil || got != 1500*time.Millisecond {
		t.Errorf("fractional default does not round-trip: %v, %v", got, err)
	}
}
