package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// ResultsSchema names the layout of results.json; it changes whenever a
// key changes meaning or disappears.
const ResultsSchema = "llmlocust.bench/v1"

// Results is everything a bench run measured: results.json.
type Results struct {
	Schema    string      `json:"schema"`
	Machine   Machine     `json:"machine"`
	DurationS float64     `json:"duration_s"`
	Hot       []HotResult `json:"hot_paths"`
	// Fixed is a run of one user for one second: what each client costs
	// before any load (starting, loading its tokenizer, its runtime).
	Fixed    *Run       `json:"fixed_cost"`
	E2E      []Run      `json:"end_to_end"`
	Capacity *Capacity  `json:"capacity"`
	OpenLoop []OpenLoop `json:"open_loop"`
	Targets  []Target   `json:"targets"`
	Profile  *Profile   `json:"profile,omitempty"`
}

// Machine is where the figures were taken.
type Machine struct {
	Date       string `json:"date"` // UTC, RFC 3339
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPUModel   string `json:"cpu_model,omitempty"`
	GitCommit  string `json:"git_commit,omitempty"`
	// GitDirty says the work tree had changes the commit does not hold.
	GitDirty bool `json:"git_dirty"`
	// FDSoft and FDHard are the open-file limits the bench started with
	// (ulimit -n and ulimit -Hn); Go programs raise the soft one to the
	// hard one for themselves.
	FDSoft uint64 `json:"fd_limit_soft"`
	FDHard uint64 `json:"fd_limit_hard"`
}

// fdLimits is the open-file limit as the shell sees it. Go's runtime
// raises this process's soft limit before main runs, but os/exec gives
// children the original, so a shell's ulimit reads what the bench was
// started with; failing that, this process's own limits.
func fdLimits() (soft, hard uint64) {
	if out, err := exec.Command("sh", "-c", "ulimit -Sn; ulimit -Hn").Output(); err == nil {
		var s, h string
		if n, _ := fmt.Sscan(string(out), &s, &h); n == 2 {
			return parseLimit(s), parseLimit(h)
		}
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
		return rl.Cur, rl.Max
	}
	return 0, 0
}

func parseLimit(s string) uint64 {
	var n uint64
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0 // "unlimited"
	}
	return n
}

func machineInfo(root string, now time.Time) Machine {
	m := Machine{
		Date: now.UTC().Format(time.RFC3339), CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, CPUModel: cpuModel(),
	}
	m.FDSoft, m.FDHard = fdLimits()
	if out, err := gitOutput(root, "rev-parse", "HEAD"); err == nil {
		m.GitCommit = out
		status, err := gitOutput(root, "--no-optional-locks", "status", "--porcelain", "--untracked-files=no")
		m.GitDirty = err == nil && status != ""
	}
	return m
}

func gitOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// cpuModel is the processor's name from /proc/cpuinfo, where there is one.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// moduleRoot is the directory of the module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("finding the module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run the bench from inside the llmlocust module")
	}
	return filepath.Dir(gomod), nil
}

// Target is one goal the figures are judged against.
type Target struct {
	Name  string `json:"name"`
	Scope string `json:"scope"` // the run it was judged on
	Value string `json:"value"` // the figure, as printed
	Met   bool   `json:"met"`
}

// The targets of issue 5.
const (
	cpuTarget      = 2.0     // client CPU per chunk ≤ 2 × the baseline's
	ttftSlackMS    = 1.0     // TTFT p50 error ≤ the baseline's + 1 ms
	capacityTarget = 1 << 30 // peak RSS of the capacity run
)

// Names of the targets as the table prints them.
const (
	cpuTargetName  = "client CPU ≤ 2× baseline"
	ttftTargetName = "TTFT p50 error ≤ baseline's + 1 ms"
	rssTargetName  = "%s streaming users in ≤ 1 GiB RSS"
)

// evaluate judges every run against its targets.
func evaluate(r *Results) []Target {
	var out []Target
	for _, run := range r.E2E {
		scope := fmt.Sprintf("%s users", thousands(run.Users))
		out = append(out,
			Target{Name: cpuTargetName, Scope: scope, Value: fmt.Sprintf("%.2f×", run.CPURatio),
				Met: run.CPURatio > 0 && run.CPURatio <= cpuTarget},
			Target{Name: ttftTargetName, Scope: scope, Value: fmt.Sprintf("%+.2f ms", run.TTFTSlack),
				Met: run.TTFTSlack <= ttftSlackMS})
	}
	if c := r.Capacity; c != nil {
		out = append(out, Target{Name: fmt.Sprintf(rssTargetName, thousands(c.Users)), Scope: fmt.Sprintf("%s users, %s streaming at once", thousands(c.Users), thousands(c.MaxStreaming)),
			Value: mib(c.PeakRSSBytes), Met: c.PeakRSSBytes > 0 && c.PeakRSSBytes <= capacityTarget && c.MaxStreaming >= c.Users})
	}
	for _, o := range r.OpenLoop {
		if o.Rate == lagTargetRate {
			out = append(out, Target{Name: lagTargetName, Scope: fmt.Sprintf("%s requests/s", thousands(o.Rate)),
				Value: fmt.Sprintf("%.3f ms", o.Lag.P99), Met: o.Sent > 0 && o.Lag.P99 <= lagTargetMS})
		}
	}
	return out
}

// writeFile writes the results as indented JSON.
func (r *Results) writeFile(path string) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encoding the results: %w", err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	return nil
}
