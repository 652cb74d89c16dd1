package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// hotRun is one go test invocation: a package and the benchmarks of it
// that the table shows.
type hotRun struct {
	pkg     string
	pattern string // -bench
	rows    []hotRow
}

// hotRow names one benchmark result in the table. A benchmark whose
// operation covers several events (a 4 KiB read of many) is divided by
// perOp, so that every row reads per one unit.
type hotRow struct {
	label string
	name  string // as go test prints it, without the -GOMAXPROCS suffix
	unit  string // what one operation is, after division
	perOp float64
}

// hotRuns are the hot paths of a streamed request, from the socket to
// the stats. The metrics daemon's benchmark is optional: a row whose
// benchmark does not exist is shown as missing.
var hotRuns = []hotRun{
	{pkg: "./engine/api", pattern: "^Benchmark(SplitterSSE|SplitterNDJSON|Decode.*)$", rows: []hotRow{
		{"SSE split, one event per read", "BenchmarkSplitterSSE/event-per-read", "event", 1},
		{"SSE split, 4 KiB reads", "BenchmarkSplitterSSE/4KiB-reads", "event", 1000},
		{"NDJSON split, 4 KiB reads", "BenchmarkSplitterNDJSON", "event", 1000},
		{"decode openai-chat", "BenchmarkDecodeOpenAIChat", "event", 1},
		{"decode openai-completions", "BenchmarkDecodeOpenAICompletions", "event", 1},
		{"decode anthropic", "BenchmarkDecodeAnthropic", "event", 1},
		{"decode tgi", "BenchmarkDecodeTGI", "event", 1},
		{"decode ollama", "BenchmarkDecodeOllama", "event", 1},
		{"decode generic (JSON paths)", "BenchmarkDecodeGeneric", "event", 1},
	}},
	{pkg: "./engine/tokenize", pattern: "^BenchmarkCount$/^o200k_base$", rows: []hotRow{
		{"tokens of one chunk (o200k)", "BenchmarkCount/o200k_base/delta", "chunk", 1},
		{"tokens of a 10 KB output (o200k)", "BenchmarkCount/o200k_base/10KB", "request", 1},
	}},
	{pkg: "./engine/metrics", pattern: "^BenchmarkStreamThroughDaemon$", rows: []hotRow{
		{"metrics daemon, 64-token stream", "BenchmarkStreamThroughDaemon", "stream", 1},
	}},
	{pkg: "./engine/stats", pattern: "^BenchmarkLogLLMRecord$", rows: []hotRow{
		{"stats Log of a 64-token Record", "BenchmarkLogLLMRecord", "request", 1},
	}},
	{pkg: "./script", pattern: "^BenchmarkLLMChatCall$", rows: []hotRow{
		{"Lua self.llm:chat call, 4 tokens", "BenchmarkLLMChatCall", "call", 1},
	}},
}

// Bench is one line of go test -bench output.
type Bench struct {
	Name       string
	Iterations int64
	// Metrics maps each unit (ns/op, B/op, allocs/op, MB/s, custom ones)
	// to its value.
	Metrics map[string]float64
}

// benchLine matches a result line: name, iterations, then value-unit
// pairs. The name's -N suffix is GOMAXPROCS, added when it is above 1.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.+)$`)

// parseBench reads the results out of go test -bench output; other lines
// (headers, logs, PASS) are skipped.
func parseBench(r io.Reader) ([]Bench, error) {
	var out []Bench
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		n, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil {
			continue
		}
		metrics, ok := parseMetrics(m[3])
		if !ok {
			continue
		}
		out = append(out, Bench{Name: m[1], Iterations: n, Metrics: metrics})
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("reading benchmark output: %w", err)
	}
	return out, nil
}

// parseMetrics reads "32.01 ns/op  0 B/op  0 allocs/op"; false when the
// fields do not come in value-unit pairs.
func parseMetrics(s string) (map[string]float64, bool) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f)%2 != 0 {
		return nil, false
	}
	m := make(map[string]float64, len(f)/2)
	for i := 0; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return nil, false
		}
		m[f[i+1]] = v
	}
	return m, true
}

// HotResult is one row of the hot-path table, per one unit.
type HotResult struct {
	Label     string             `json:"label"`
	Package   string             `json:"package"`
	Benchmark string             `json:"benchmark"`
	Unit      string             `json:"unit"`
	NsPerOp   float64            `json:"ns_per_unit"`
	BPerOp    float64            `json:"bytes_per_unit"`
	AllocsOp  float64            `json:"allocs_per_unit"`
	Extra     map[string]float64 `json:"extra,omitempty"` // other metrics, as go test printed them
	Error     string             `json:"error,omitempty"`
}

// hotResults picks the rows of one run out of its benchmark results.
func hotResults(run hotRun, benches []Bench, runErr error) []HotResult {
	byName := make(map[string]Bench, len(benches))
	for _, b := range benches {
		byName[b.Name] = b
	}
	out := make([]HotResult, 0, len(run.rows))
	for _, row := range run.rows {
		r := HotResult{Label: row.label, Package: run.pkg, Benchmark: row.name, Unit: row.unit}
		b, ok := byName[row.name]
		switch {
		case ok:
			r.NsPerOp = b.Metrics["ns/op"] / row.perOp
			r.BPerOp = b.Metrics["B/op"] / row.perOp
			r.AllocsOp = b.Metrics["allocs/op"] / row.perOp
			r.Extra = extraMetrics(b.Metrics)
		case runErr != nil:
			r.Error = runErr.Error()
		default:
			r.Error = "benchmark not found"
		}
		out = append(out, r)
	}
	return out
}

func extraMetrics(m map[string]float64) map[string]float64 {
	var out map[string]float64
	for unit, v := range m {
		switch unit {
		case "ns/op", "B/op", "allocs/op":
			continue
		}
		if out == nil {
			out = map[string]float64{}
		}
		out[unit] = v
	}
	return out
}

// runHot runs every hot-path benchmark and collects the rows. A package
// that fails marks its rows with the error rather than ending the bench.
func runHot(ctx context.Context, root, benchtime string, logf func(string, ...any)) []HotResult {
	var out []HotResult
	for _, run := range hotRuns {
		logf("  %s %s", run.pkg, run.pattern)
		benches, err := goBench(ctx, root, run.pkg, run.pattern, benchtime)
		if err != nil {
			logf("  %s: %v", run.pkg, err)
		}
		out = append(out, hotResults(run, benches, err)...)
	}
	return out
}

func goBench(ctx context.Context, root, pkg, pattern, benchtime string) ([]Bench, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", pattern, "-benchmem",
		"-benchtime", benchtime, "-count", "1", pkg)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	benches, perr := parseBench(strings.NewReader(string(out)))
	if err != nil {
		return benches, fmt.Errorf("go test %s: %w: %s", pkg, err, lastLines(string(out), 5))
	}
	return benches, perr
}

// lastLines keeps the end of a command's output for an error message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
