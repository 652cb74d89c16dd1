package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// frontendIndex is the built web UI that the binary embeds; without it
// --html has no page to fill.
const frontendIndex = "../../webui/dist/index.html"

// requireFrontend fails t unless the frontend has been built.
func requireFrontend(t *testing.T) {
	t.Helper()
	if fi, err := os.Stat(frontendIndex); err != nil || fi.Size() == 0 {
		t.Fatal("webui/dist/index.html is missing or empty: the binary embeds the web frontend for --html; " +
			"build it first with make frontend (make test does)")
	}
}

// buildBinary builds the command, with its frontend, into a folder of the
// test and returns the binary's path.
func buildBinary(t *testing.T) string {
	t.Helper()
	requireFrontend(t)
	bin := filepath.Join(t.TempDir(), "llmlocust")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the binary: %v\n%s", err, out)
	}
	return bin
}

// csvWant is what one CSV file of a run must hold: for each value of
// want, a data row whose column contains it.
type csvWant struct {
	suffix string
	column string
	want   []string
}

// checkCSVFiles fails t unless every file is whole and holds the rows
// asked for.
func checkCSVFiles(t *testing.T, prefix string, files []csvWant) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(prefix + f.suffix)
		if err != nil {
			t.Errorf("%s: %v", f.suffix, err)
			continue
		}
		for _, p := range csvProblems(b, f) {
			t.Errorf("%s: %s\n%s", f.suffix, p, b)
		}
	}
}

// csvProblems says what is wrong with b as the file f: whole means a
// header and rows of the same width, ending in a newline.
func csvProblems(b []byte, f csvWant) []string {
	if !bytes.HasSuffix(b, []byte("\n")) {
		return []string{"does not end in a newline"}
	}
	// The reader refuses rows whose width differs from the header's.
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return []string{"not valid CSV: " + err.Error()}
	}
	col := slices.Index(rows[0], f.column)
	if col < 0 {
		return []string{fmt.Sprintf("no %q column in the header %q", f.column, rows[0])}
	}
	var out []string
	for _, w := range f.want {
		if !slices.ContainsFunc(rows[1:], func(r []string) bool { return strings.Contains(r[col], w) }) {
			out = append(out, fmt.Sprintf("no row with %q in %q", w, f.column))
		}
	}
	return out
}

// llmSummary is the part of the JSON summary that the output checks read.
type llmSummary struct {
	Totals struct {
		Requests         int64   `json:"requests"`
		Failures         int64   `json:"failures"`
		RPS              float64 `json:"rps"`
		OutputTokens     int64   `json:"output_tokens"`
		OutputTokensPerS float64 `json:"output_tokens_per_s"`
		TokenCountSource struct {
			Usage int64 `json:"usage"`
		} `json:"token_count_source"`
		TTFT latencySummary `json:"ttft_ms"`
		ITL  latencySummary `json:"itl_ms"`
		TPOT latencySummary `json:"tpot_ms"`
		E2E  latencySummary `json:"e2e_ms"`
	} `json:"totals"`
	Backlog struct {
		MaxQueued       int  `json:"max_queued"`
		ClientSaturated bool `json:"client_saturated"`
	} `json:"metrics_backlog"`
}

type latencySummary struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
}

// checkLLMSummary fails t unless the JSON summary at path parses, counted
// requests and carries measured LLM figures; it returns the summary.
func checkLLMSummary(t *testing.T, path string) llmSummary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the summary: %v", err)
	}
	s, problems := summaryProblems(b)
	for _, p := range problems {
		t.Errorf("summary: %s\n%s", p, b)
	}
	return s
}

// summaryProblems decodes a JSON summary and says which of the figures
// every streamed LLM run has are missing or unmeasured.
func summaryProblems(b []byte) (llmSummary, []string) {
	var s llmSummary
	if err := json.Unmarshal(b, &s); err != nil {
		return s, []string{"not JSON: " + err.Error()}
	}
	tot := s.Totals
	checks := []struct {
		name string
		ok   bool
	}{
		{"requests", tot.Requests > 0},
		{"output_tokens", tot.OutputTokens > 0},
		{"output_tokens_per_s", tot.OutputTokensPerS > 0},
		{"token_count_source.usage", tot.TokenCountSource.Usage > 0},
		{"ttft_ms.p50", tot.TTFT.P50 > 0},
		{"itl_ms.p50", tot.ITL.P50 > 0},
		{"tpot_ms.p50", tot.TPOT.P50 > 0},
		{"e2e_ms.p50", tot.E2E.P50 > 0 && tot.E2E.P50 >= tot.TTFT.P50},
	}
	var out []string
	for _, c := range checks {
		if !c.ok {
			out = append(out, "totals."+c.name+" is missing or not measured")
		}
	}
	return s, out
}

// checkHTMLReport fails t unless path is the single-file report with the
// run's data filled in.
func checkHTMLReport(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the HTML report: %v", err)
	}
	if p := htmlProblem(b); p != "" {
		t.Errorf("HTML report (%d bytes): %s", len(b), p)
	}
}

// htmlProblem says what keeps page from being a whole, filled report.
func htmlProblem(page []byte) string {
	s := strings.TrimSpace(string(page))
	switch {
	case !strings.HasPrefix(strings.ToLower(s), "<!doctype html"):
		return "not an HTML page"
	case !strings.HasSuffix(s, "</html>"):
		return "cut short"
	case strings.Contains(s, "__LLMLOCUST_"):
		return "a placeholder is left unfilled"
	case !strings.Contains(s, `"is_report":true`):
		return "not in report mode"
	case !strings.Contains(s, `"llm_report"`):
		return "no LLM data"
	}
	return ""
}

// The output checks pass the files of a real run and fail each way a file
// can be broken, so that the signal and soak tests can fail.
func TestOutputChecksRejectBrokenFiles(t *testing.T) {
	requireFrontend(t)
	prefix := filepath.Join(t.TempDir(), "out")
	path := writeScenario(t, `
U = locust.user{ wait_time = locust.constant(0.1), llm = { api = "openai-chat", model = "m", include_usage = true } }
U:task(function(self) self.llm:chat{ name = "chat", messages = { { role = "user", content = "hi" } }, max_tokens = 4 } end)
`)
	r := runCLI(t, context.Background(), nil, "-f", path, "--headless", "-u", "3", "-r", "3", "-t", "2s", "-H", "mock",
		"--only-summary", "--csv", prefix, "--json-file", prefix+".json", "--html", prefix+".html")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	stats := csvWant{"_stats.csv", "Name", []string{"chat", "Aggregated"}}
	csvGood, _ := os.ReadFile(prefix + stats.suffix)
	jsonGood, _ := os.ReadFile(prefix + ".json")
	htmlGood, _ := os.ReadFile(prefix + ".html")
	unfilled, _ := os.ReadFile(frontendIndex)
	aggregated := regexp.MustCompile(`(?m)^,Aggregated,.*\n`)
	cases := []struct {
		name    string
		problem func() bool
		broken  bool
	}{
		{"whole stats CSV", func() bool { return csvProblems(csvGood, stats) != nil }, false},
		{"CSV cut mid-row", func() bool { return csvProblems(csvGood[:len(csvGood)-7], stats) != nil }, true},
		{"CSV with a ragged row", func() bool { return csvProblems(append(slices.Clone(csvGood), "GET,x\n"...), stats) != nil }, true},
		{"CSV without the Aggregated row", func() bool { return csvProblems(aggregated.ReplaceAll(csvGood, nil), stats) != nil }, true},
		{"CSV with only its header", func() bool { return csvProblems(csvGood[:bytes.IndexByte(csvGood, '\n')+1], stats) != nil }, true},
		{"whole summary", func() bool { _, p := summaryProblems(jsonGood); return p != nil }, false},
		{"summary cut short", func() bool { _, p := summaryProblems(jsonGood[:len(jsonGood)/2]); return p != nil }, true},
		{"summary without LLM timings", func() bool {
			_, p := summaryProblems(regexp.MustCompile(`"ttft_ms":\s*\{[^}]*\}`).ReplaceAll(jsonGood, []byte(`"ttft_ms":{}`)))
			return p != nil
		}, true},
		{"whole report", func() bool { return htmlProblem(htmlGood) != "" }, false},
		{"report cut short", func() bool { return htmlProblem(htmlGood[:len(htmlGood)/2]) != "" }, true},
		{"page with its placeholders", func() bool { return htmlProblem(unfilled) != "" }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.problem(); got != tc.broken {
				t.Fatalf("found a problem: %v, want %v", got, tc.broken)
			}
		})
	}
}
