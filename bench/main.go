// Command bench measures llmlocust and prints the figures as one table,
// also written to bench/results.json: Go benchmarks of the hot paths,
// end-to-end runs of the client against the simulator beside a minimal
// baseline client in the same conditions, and a capacity run of 10,000
// streaming users, with each target marked met or not met.
//
//	go run ./bench                       # everything: about 4 minutes on 2 cores
//	go run ./bench -quick                # a smoke run with small counts
//	go run ./bench -users 100,1000 -skip-hot -skip-capacity
//	go run ./bench -profile prof         # CPU and heap profiles of the 1,000-user run
//
// The client and the simulator run as processes of their own, so that
// the CPU time and memory measured are the client's alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is what a bench run measures and how long it takes.
type config struct {
	users       []int         // user counts of the end-to-end runs
	duration    time.Duration // run time of each end-to-end run
	capacity    int           // users of the capacity run; 0 skips it
	capTokens   int           // answer length of the capacity run
	capRate     float64       // spawn rate of the capacity run
	capITL      time.Duration // gap between the capacity run's chunks
	capDuration time.Duration
	skipHot     bool
	benchtime   string // go test -benchtime of the hot paths
	profileDir  string // where the 1,000-user run's profiles go; "" for none
	profileUser int
	out         string // results file
	quick       bool
	rates       []int // request rates of the open-loop runs
}

func defaultConfig() config {
	return config{
		users:       []int{100, 1000, 5000},
		rates:       []int{1000, 5000},
		duration:    20 * time.Second,
		capacity:    10000,
		capTokens:   2000,
		capRate:     2000,
		capITL:      500 * time.Millisecond,
		capDuration: 30 * time.Second,
		benchtime:   "1s",
		profileUser: 1000,
	}
}

// applyQuick shrinks every count that set (the flags given) leaves to
// its default, for a smoke run of a minute or two.
func (c *config) applyQuick(set map[string]bool) {
	quick := map[string]func(){
		"users":     func() { c.users = []int{50} },
		"duration":  func() { c.duration = 4 * time.Second },
		"capacity":  func() { c.capacity = 500 },
		"benchtime": func() { c.benchtime = "100ms" },
	}
	for name, apply := range quick {
		if !set[name] {
			apply()
		}
	}
	c.capTokens, c.capRate, c.capDuration, c.profileUser = 300, 500, 4*time.Second, 50
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := runBench(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	users := fs.String("users", "100,1000,5000", "user counts of the end-to-end runs, comma-separated")
	fs.DurationVar(&cfg.duration, "duration", cfg.duration, "run time of each end-to-end run")
	fs.IntVar(&cfg.capacity, "capacity", cfg.capacity, "users of the capacity run")
	fs.DurationVar(&cfg.capITL, "capacity-itl", cfg.capITL,
		"gap between chunks in the capacity run; 10,000 users at 20ms ask 500,000 chunks/s of a 2-core machine, more than the simulator can send")
	skipE2E := fs.Bool("skip-e2e", false, "skip the end-to-end runs")
	skipCap := fs.Bool("skip-capacity", false, "skip the capacity run")
	rates := fs.String("rates", "1000,5000", "request rates of the open-loop runs, comma-separated; empty skips them")
	fs.BoolVar(&cfg.skipHot, "skip-hot", false, "skip the Go benchmarks of the hot paths")
	fs.StringVar(&cfg.benchtime, "benchtime", cfg.benchtime, "go test -benchtime of the hot-path benchmarks")
	fs.StringVar(&cfg.profileDir, "profile", "", "write CPU and heap profiles of the 1,000-user run (in-process) to this directory")
	fs.StringVar(&cfg.out, "out", "", "results file (default bench/results.json in the module)")
	fs.BoolVar(&cfg.quick, "quick", false, "a smoke run with small counts and short runs")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	list, err := parseUsers(*users)
	if err != nil {
		return cfg, err
	}
	cfg.users = list
	cfg.rates = nil
	if strings.TrimSpace(*rates) != "" {
		if cfg.rates, err = parseUsers(*rates); err != nil {
			return cfg, fmt.Errorf("-rates: %w", err)
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cfg.quick {
		cfg.applyQuick(set)
	}
	if *skipE2E {
		cfg.users = nil
	}
	if *skipCap {
		cfg.capacity = 0
	}
	return cfg, nil
}

// parseUsers reads a list such as "100,1000,5000".
func parseUsers(s string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(part, "_", ""))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-users: %q is not a positive user count", part)
		}
		out = append(out, n)
	}
	return out, nil
}

// runBench measures everything cfg asks for, prints the table and writes the
// results file.
func runBench(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	started := time.Now()
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if cfg.out == "" {
		cfg.out = filepath.Join(root, "bench", "results.json")
	}
	tmp, err := os.MkdirTemp("", "llmlocust-bench-")
	if err != nil {
		return fmt.Errorf("making a work directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", args...) }

	res := &Results{Schema: ResultsSchema, Machine: machineInfo(root, started)}
	if !cfg.skipHot {
		logf("hot paths: go test -bench, -benchtime %s", cfg.benchtime)
		res.Hot = runHot(ctx, root, cfg.benchtime, logf)
	}
	if len(cfg.users) > 0 || cfg.capacity > 0 || len(cfg.rates) > 0 || cfg.profileDir != "" {
		if err := measureRuns(ctx, cfg, root, tmp, res, logf); err != nil {
			return err
		}
	}
	res.Targets = evaluate(res)
	res.DurationS = time.Since(started).Seconds()
	if err := writeTable(stdout, res); err != nil {
		return fmt.Errorf("printing the table: %w", err)
	}
	if err := res.writeFile(cfg.out); err != nil {
		return err
	}
	logf("results written to %s (%s)", cfg.out, time.Since(started).Round(time.Second))
	return ctx.Err()
}

// measureRuns builds the binaries and makes the runs against the
// simulator: end to end, capacity, and the profile pass.
func measureRuns(ctx context.Context, cfg config, root, tmp string, res *Results, logf func(string, ...any)) error {
	bins, err := buildBinaries(ctx, root, tmp)
	if err != nil {
		return err
	}
	e := &e2e{bins: bins, root: root, dir: tmp, logf: logf}
	if len(cfg.users) > 0 {
		// What a client costs before any load: it weighs most on the
		// smallest run's figures.
		fixed, err := e.compare(ctx, 1, time.Second)
		if err != nil {
			return fmt.Errorf("fixed-cost run: %w", err)
		}
		res.Fixed = &fixed
	}
	for _, users := range cfg.users {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r, err := e.compare(ctx, users, cfg.duration)
		if err != nil {
			return fmt.Errorf("end-to-end run at %d users: %w", users, err)
		}
		res.E2E = append(res.E2E, r)
	}
	if cfg.capacity > 0 && ctx.Err() == nil {
		c, err := e.capacity(ctx, cfg.capacity, cfg.capRate, cfg.capTokens, cfg.capITL, cfg.capDuration)
		if err != nil {
			return fmt.Errorf("capacity run: %w", err)
		}
		res.Capacity = c
	}
	for _, rate := range cfg.rates {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r, err := e.openLoop(ctx, rate, cfg.duration)
		if err != nil {
			return fmt.Errorf("open-loop run at %d requests/s: %w", rate, err)
		}
		res.OpenLoop = append(res.OpenLoop, r)
	}
	if cfg.profileDir != "" && ctx.Err() == nil {
		p, err := e.profile(ctx, cfg.profileDir, cfg.profileUser, cfg.duration)
		if err != nil {
			return fmt.Errorf("profile run: %w", err)
		}
		res.Profile = p
	}
	return nil
}
