package output

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// goldenSweep cuts the golden LLM run into three 10-second steps of a
// rate sweep, each fed the requests that started in it after its first
// second of settling, and judged by the golden SLOs.
func goldenSweep(t *testing.T) *Sweep {
	const step, settle = 10 * time.Second, time.Second
	slo, err := stats.ParseSLO(goldenSLO)
	if err != nil {
		t.Fatal(err)
	}
	sw := &Sweep{Mode: "rate", StepTimeS: step.Seconds()}
	for i, rate := range []float64{2, 4, 8} {
		from := goldenStart.Add(time.Duration(i) * step)
		s := stats.New(from.Add(settle))
		s.SetSLO(slo)
		for _, r := range goldenLLMRecords() {
			if !r.Start.Before(from.Add(settle)) && r.Start.Before(from.Add(step)) {
				s.Log(r)
			}
		}
		s.Stop(from.Add(step))
		info := StepInfo{Value: rate, Users: 50, Rate: rate, Start: time.Duration(i) * step, Length: step, Settle: settle}
		sw.Steps = append(sw.Steps, NewSweepStep(info, s.Snapshot(from.Add(step))))
	}
	return sw
}

func TestGoldenSweepOutputs(t *testing.T) {
	sw := goldenSweep(t)
	var console, csv bytes.Buffer
	if err := PrintSweep(&console, sw); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "sweep_console.txt", console.Bytes())
	if err := WriteSweepCSV(&csv, sw); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "sweep.csv", csv.Bytes())
	js, err := json.MarshalIndent(sw, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "sweep.json", append(js, '\n'))
}

// Every step of the table lines up under its titles.
func TestSweepConsoleAligned(t *testing.T) {
	var b bytes.Buffer
	if err := PrintSweep(&b, goldenSweep(t)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 3+3 {
		t.Fatalf("%d lines, want title, header, rule and 3 steps:\n%s", len(lines), b.String())
	}
	for _, l := range lines[2:] {
		if len(l) != len(lines[1]) {
			t.Errorf("line %q is %d wide, the header %d", l, len(l), len(lines[1]))
		}
	}
}

func TestSweepCSVColumns(t *testing.T) {
	want := []string{"Step", "Users", "Rate", "Start (s)", "Duration (s)", "Requests", "Failures", "Requests/s",
		"Output Tokens/s", "TTFT p50", "TTFT p99", "TPOT p50", "TPOT p99", "ITL p50", "ITL p99", "E2E p50", "E2E p99", "Lag p99",
		"Goodput (req/s)", "Good Fraction"}
	if got := SweepCSVColumns(); !slices.Equal(got, want) {
		t.Fatalf("columns %q, want %q", got, want)
	}
	tests := []struct {
		name  string
		sweep *Sweep
		rows  []string
	}{
		{"no sweep", nil, nil},
		{"no steps yet", &Sweep{Mode: "users", StepTimeS: 60}, nil},
		{"closed-loop step without samples", &Sweep{Mode: "users", StepTimeS: 60, Steps: []SweepStep{{Value: 2, Users: 2, DurationS: 60}}},
			[]string{"1,2,N/A,0.0,60.0,0,0,0.00,0.00,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteSweepCSV(&b, tt.sweep); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(b.String(), "\r\n"), "\n")
			for i := range lines {
				lines[i] = strings.TrimRight(lines[i], "\r")
			}
			if lines[0] != strings.Join(want, ",") {
				t.Fatalf("header %q", lines[0])
			}
			if !slices.Equal(lines[1:], tt.rows) {
				t.Errorf("rows %q, want %q", lines[1:], tt.rows)
			}
		})
	}
}

// The JSON of a step has every key of the documented shape, a timing
// without samples and the goodput null.
func TestSweepStepJSONShape(t *testing.T) {
	b, err := json.Marshal(SweepStep{Value: 4, Users: 200, StartS: 120, DurationS: 60})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	keys := []string{"value", "users", "rate", "start_s", "duration_s", "requests", "failures", "rps",
		"output_tokens_per_s", "ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "lag_ms", "goodput"}
	if len(got) != len(keys) {
		t.Errorf("keys %v, want %v", got, keys)
	}
	for _, k := range keys {
		v, ok := got[k]
		switch {
		case !ok:
			t.Errorf("no %q in %s", k, b)
		case strings.HasSuffix(k, "_ms") || k == "goodput" || k == "rate":
			if v != nil {
				t.Errorf("%s is %v, want null", k, v)
			}
		}
	}
	var sum map[string]json.RawMessage
	s := NewSummary(RunInfo{}, stats.New(goldenStart).Snapshot(goldenStart))
	b, _ = json.Marshal(s)
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if got := string(sum["sweep"]); got != "null" {
		t.Errorf("summary of a run without a sweep has sweep %s, want null", got)
	}
}

func TestSweepCSVFileOnlyWithASweep(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "run")
	c := NewSweepCSV(prefix)
	if err := c.Close(Sample{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(prefix + "_sweep.csv"); !os.IsNotExist(err) {
		t.Fatalf("a run without a sweep wrote %s_sweep.csv (%v)", prefix, err)
	}
	if err := c.Close(Sample{Sweep: goldenSweep(t)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(prefix + "_sweep.csv")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 1+3 {
		t.Errorf("%d lines, want the header and 3 steps:\n%s", n, b)
	}
}

func TestSweepStepLine(t *testing.T) {
	sw := goldenSweep(t)
	tests := []struct {
		name  string
		steps int
		want  string
	}{
		{"known steps", 3, "sweep step 2/3 rate=4: "},
		{"rate=auto", 0, "sweep step 2 rate=4: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := SweepStepLine("rate", 1, tt.steps, sw.Steps[1])
			if !strings.HasPrefix(line, tt.want) {
				t.Errorf("line %q, want it to start %q", line, tt.want)
			}
			for _, part := range []string{" req/s, ", " out tok/s, ", "ttft p50 ", " p99 ", "tpot p50 ", "e2e p50 ", " failures (", "lag p99 "} {
				if !strings.Contains(line, part) {
					t.Errorf("line %q has no %q", line, part)
				}
			}
		})
	}
}
