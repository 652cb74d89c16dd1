package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
)

func TestParseBench(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []Bench
	}{
		{
			name: "suffix of GOMAXPROCS dropped",
			in:   "BenchmarkSplitterSSE/event-per-read-2   \t 7482194\t        32.01 ns/op\t6466.49 MB/s\t       0 B/op\t       0 allocs/op\n",
			want: []Bench{{Name: "BenchmarkSplitterSSE/event-per-read", Iterations: 7482194,
				Metrics: map[string]float64{"ns/op": 32.01, "MB/s": 6466.49, "B/op": 0, "allocs/op": 0}}},
		},
		{
			name: "no suffix when GOMAXPROCS is 1, custom metrics kept",
			in:   "BenchmarkLLMChatCall \t 15477\t 72060 ns/op\t 48844 cpu-ns/op\t 12592 B/op\t 185 allocs/op\n",
			want: []Bench{{Name: "BenchmarkLLMChatCall", Iterations: 15477,
				Metrics: map[string]float64{"ns/op": 72060, "cpu-ns/op": 48844, "B/op": 12592, "allocs/op": 185}}},
		},
		{
			name: "headers, logs and summaries skipped",
			in: "goos: linux\ngoarch: amd64\npkg: github.com/llmlocust/llmlocust/engine/api\ncpu: Some CPU\n" +
				"BenchmarkCount/o200k_base/delta-2\n" + // a name alone, as -v prints before logs
				"    bench_test.go:70: 100 users: 1400 requests\n" +
				"BenchmarkCount/o200k_base/10KB-2 \t 100\t 2136879 ns/op\t 4.79 MB/s\n" +
				"PASS\nok  \tgithub.com/llmlocust/llmlocust/engine/tokenize\t2.795s\n",
			want: []Bench{{Name: "BenchmarkCount/o200k_base/10KB", Iterations: 100,
				Metrics: map[string]float64{"ns/op": 2136879, "MB/s": 4.79}}},
		},
		{
			name: "a result whose metrics do not pair up is skipped",
			in:   "BenchmarkOdd-2 \t 10\t 5 ns/op\t 7\nBenchmarkWord-2 \t 10\t fast ns/op\n",
			want: nil,
		},
		{
			name: "sub-benchmark names with dashes and equals signs",
			in:   "BenchmarkStreamingUsers/users=1000-8 \t 1\t 12000000000 ns/op\t 11.8 cpu-ms/1k-chunks\n",
			want: []Bench{{Name: "BenchmarkStreamingUsers/users=1000", Iterations: 1,
				Metrics: map[string]float64{"ns/op": 12000000000, "cpu-ms/1k-chunks": 11.8}}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseBench(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("parseBench =\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

func TestHotResults(t *testing.T) {
	run := hotRun{pkg: "./p", rows: []hotRow{
		{"one per op", "BenchmarkA", "event", 1},
		{"a thousand per op", "BenchmarkB/sub", "event", 1000},
		{"absent", "BenchmarkC", "call", 1},
	}}
	benches := []Bench{
		{Name: "BenchmarkA", Metrics: map[string]float64{"ns/op": 30, "B/op": 8, "allocs/op": 1, "cpu-ns/op": 20}},
		{Name: "BenchmarkB/sub", Metrics: map[string]float64{"ns/op": 32000, "B/op": 2000, "allocs/op": 3}},
	}
	cases := []struct {
		name   string
		runErr error
		check  func(t *testing.T, got []HotResult)
	}{
		{"figures per unit", nil, func(t *testing.T, got []HotResult) {
			if got[0].NsPerOp != 30 || got[0].BPerOp != 8 || got[0].AllocsOp != 1 || got[0].Extra["cpu-ns/op"] != 20 {
				t.Errorf("row 0: %+v", got[0])
			}
			if got[1].NsPerOp != 32 || got[1].BPerOp != 2 || got[1].AllocsOp != 0.003 || got[1].Extra != nil {
				t.Errorf("row 1 not divided by 1,000: %+v", got[1])
			}
			if got[2].Error != "benchmark not found" {
				t.Errorf("row 2: %+v", got[2])
			}
		}},
		{"a failed package marks its missing rows with why", errors.New("go test ./p: exit status 1"), func(t *testing.T, got []HotResult) {
			if got[0].Error != "" || got[2].Error != "go test ./p: exit status 1" {
				t.Errorf("rows: %+v", got)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := hotResults(run, benches, c.runErr)
			if len(got) != len(run.rows) {
				t.Fatalf("%d rows, want %d", len(got), len(run.rows))
			}
			c.check(t, got)
		})
	}
}

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		check   func(c config) bool
		wantErr bool
	}{
		{"defaults are the issue's", nil, func(c config) bool {
			return slices.Equal(c.users, []int{100, 1000, 5000}) && c.capacity == 10000 && c.duration == 20*time.Second && !c.skipHot
		}, false},
		{"users list", []string{"-users", "100, 1_000"}, func(c config) bool { return slices.Equal(c.users, []int{100, 1000}) }, false},
		{"quick shrinks what is not given", []string{"-quick", "-duration", "7s"}, func(c config) bool {
			return slices.Equal(c.users, []int{50}) && c.duration == 7*time.Second && c.capacity == 500 && c.benchtime == "100ms"
		}, false},
		{"quick keeps explicit users", []string{"-quick", "-users", "20"}, func(c config) bool { return slices.Equal(c.users, []int{20}) }, false},
		{"skips", []string{"-skip-e2e", "-skip-capacity", "-skip-hot"}, func(c config) bool {
			return c.users == nil && c.capacity == 0 && c.skipHot
		}, false},
		{"a bad user count", []string{"-users", "100,x"}, nil, true},
		{"a zero user count", []string{"-users", "0"}, nil, true},
		{"stray arguments", []string{"extra"}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseFlags(c.args, io.Discard)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if err == nil && !c.check(got) {
				t.Errorf("config %+v", got)
			}
		})
	}
}

// sampleResults is a full set of figures, with one target of each kind
// met and one missed.
func sampleResults() *Results {
	run := func(users int, cpuOurs, cpuBase, ttftOurs, ttftBase float64) Run {
		r := Run{Users: users, RunTimeS: 20,
			Ours:     Client{Chunks: 89600, Requests: 1400, CPUPer1kChunks: cpuOurs, PeakRSSBytes: 80 << 20, TTFTError: Spread{ttftOurs, 2}, MetricsBacklog: &output.SummaryBacklog{MaxQueued: 1234}},
			Baseline: Client{Chunks: 89600, Requests: 1400, CPUPer1kChunks: cpuBase, PeakRSSBytes: 12 << 20, TTFTError: Spread{ttftBase, 1}},
		}
		r.CPURatio = cpuOurs / cpuBase
		r.TTFTSlack = ttftOurs - ttftBase
		return r
	}
	r := &Results{
		Schema:  ResultsSchema,
		Machine: Machine{Date: "2026-01-02T03:04:05Z", CPUs: 2, GOMAXPROCS: 2, GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", GitCommit: "0123456789abcdef0123456789abcdef01234567"},
		Hot: []HotResult{
			{Label: "SSE split, one event per read", Unit: "event", NsPerOp: 31.1},
			{Label: "Lua self.llm:chat call", Unit: "call", NsPerOp: 72060, BPerOp: 12592, AllocsOp: 185, Extra: map[string]float64{"cpu-ns/op": 48844}},
			{Label: "absent", Unit: "stream", Error: "benchmark not found"},
		},
		E2E:      []Run{run(100, 0.015, 0.010, 0.3, 0.2), run(1000, 0.025, 0.010, 3.5, 0.5)},
		Fixed:    &Run{Users: 1, Ours: Client{CPUSeconds: 0.25, PeakRSSBytes: 48 << 20}, Baseline: Client{CPUSeconds: 0.01, PeakRSSBytes: 7 << 20}},
		Capacity: &Capacity{Users: 10000, MaxStreaming: 10000, MaxTokens: 2000, ITLMS: 500, SpawnRate: 2000, RunTimeS: 30, PeakRSSBytes: 900 << 20},
	}
	r.Targets = evaluate(r)
	return r
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name    string
		results func() *Results
		want    []bool
	}{
		{"sample: first run meets both, second neither", sampleResults, []bool{true, true, false, false, true}},
		{"exactly on the targets is met", func() *Results {
			r := sampleResults()
			r.E2E[1].CPURatio, r.E2E[1].TTFTSlack, r.Capacity.PeakRSSBytes = 2, 1, 1<<30
			return r
		}, []bool{true, true, true, true, true}},
		{"no baseline figure is not met", func() *Results {
			r := sampleResults()
			r.E2E[0].CPURatio = 0
			return r
		}, []bool{false, true, false, false, true}},
		{"a capacity run whose users were not all streaming is not met", func() *Results {
			r := sampleResults()
			r.Capacity.MaxStreaming = 4633
			return r
		}, []bool{true, true, false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := evaluate(c.results())
			var met []bool
			for _, g := range got {
				met = append(met, g.Met)
			}
			if !slices.Equal(met, c.want) {
				t.Errorf("met = %v, want %v (%+v)", met, c.want, got)
			}
		})
	}
}

func TestWriteTable(t *testing.T) {
	r := sampleResults()
	var b strings.Builder
	if err := writeTable(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Fatalf("no line starts with %q in\n%s", prefix, out)
		return ""
	}
	for _, want := range []struct{ line, cells string }{
		{"  CPU, ours / baseline", `1\.50× met\s+2\.50× NOT MET\s+≤ 2×`},
		{"  TTFT p50 error, ours − baseline", `\+0\.10 ms met\s+\+3\.00 ms NOT MET\s+≤ \+1 ms`},
		{"peak RSS ", `900\.0 MiB met\s+≤ 1 GiB`},
		{"Lua self.llm:chat call", `72,060\s+12,592\s+185\s+call\s+48,844 cpu-ns/op`},
		{"absent", `-\s+-\s+-\s+stream\s+benchmark not found`},
		{"client CPU per 1,000 chunks, ours", `15\.0 ms\s+25\.0 ms`},
		{"CPU, one user", `0\.25 s\s+0\.01 s`},
	} {
		if l := find(want.line); !regexp.MustCompile(want.cells).MatchString(l) {
			t.Errorf("line %q does not match %q", l, want.cells)
		}
	}
	if !strings.Contains(lines[0], "commit 0123456789ab") || !strings.Contains(lines[0], "2 CPUs (GOMAXPROCS 2)") {
		t.Errorf("first line %q lacks the machine", lines[0])
	}
	// One table: every section's figures start in the same column.
	col := strings.Index(find("SSE split"), "31.1")
	for _, l := range []string{"chunks streamed", "FIXED COST", "peak RSS ", "TARGETS"} {
		if line := find(l); len(line) <= col || line[col] == ' ' || line[col-2:col] != "  " {
			t.Errorf("%q: its figures do not start at column %d", line, col)
		}
	}
	if strings.Contains(out, "Warning: other processes") {
		t.Errorf("a busy machine is reported, but no run says other processes took CPU")
	}
	r.E2E[1].Baseline.OthersCPUSeconds, r.E2E[1].Baseline.WallSeconds = 10, 20 // a quarter of 2 CPUs
	b.Reset()
	if err := writeTable(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "other processes used up to 25 % of the machine's CPU") {
		t.Errorf("no warning of a busy machine in\n%s", b.String())
	}
	if n := strings.Count(out, "NOT MET"); n != 4 { // two rows in the runs, two in the targets
		t.Errorf("%d NOT MET in\n%s", n, out)
	}
}

func TestResultsFile(t *testing.T) {
	r := sampleResults()
	path := filepath.Join(t.TempDir(), "results.json")
	if err := r.writeFile(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Results
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("results changed on the way through JSON:\n%+v\n%+v", back, *r)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	var machine map[string]any
	if err := json.Unmarshal(raw["machine"], &machine); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cpus", "gomaxprocs", "go_version", "date", "git_commit"} {
		if _, ok := machine[k]; !ok {
			t.Errorf("machine lacks %q: %v", k, machine)
		}
	}
	for _, k := range []string{"schema", "hot_paths", "end_to_end", "capacity", "targets"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("results lack %q", k)
		}
	}
}

func TestMachineInfo(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	m := machineInfo(root, time.Now())
	if m.CPUs != runtime.NumCPU() || m.GOMAXPROCS != runtime.GOMAXPROCS(0) || m.GoVersion != runtime.Version() {
		t.Errorf("machine %+v", m)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err == nil && !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(m.GitCommit) {
		t.Errorf("git commit %q in a git work tree", m.GitCommit)
	}
	if m.FDHard != 0 && m.FDSoft > m.FDHard {
		t.Errorf("open-file limits %d soft > %d hard", m.FDSoft, m.FDHard)
	}
}

func TestFormatting(t *testing.T) {
	cases := []struct {
		name, got, want string
	}{
		{"thousands", thousands(10000), "10,000"},
		{"thousands below 1,000", thousands(999), "999"},
		{"negative thousands", thousands64(-1234567), "-1,234,567"},
		{"count large", count(3522642.4), "3,522,642"},
		{"count mid", count(31.14), "31.1"},
		{"count whole small", count(8), "8.0"},
		{"count small", count(0.003), "0.00"},
		{"count fraction", count(1.234), "1.23"},
		{"MiB", mib(1 << 30), "1024.0 MiB"},
		{"spaced duration", spaced("200ms"), "200 ms"},
		{"spaced fraction", spaced("1.5s"), "1.5 s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
}
