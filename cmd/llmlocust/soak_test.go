package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The soak's steady load: soakUsers users streaming short chat answers
// from the simulator with a constant wait. One request takes about
// TTFT + (tokens−1)×ITL + wait = 50 + 70 + 100 ms, so the nominal rate is
// about 900 requests/s: every request that leaks even a few hundred
// bytes then adds megabytes a minute.
const (
	soakUsers     = 200
	soakRequestS  = 0.05 + 7*0.01 + 0.1
	soakNominalPS = soakUsers / soakRequestS

	// soakGrowthBound is the most that RSS or the live heap may grow over
	// the measured window, as a share of its warm value. Measured on two
	// cores over the 40 s window of the default run: healthy runs moved
	// the heap's floor by 0 to +2.5 MiB of about 40 MiB and RSS by −4.7
	// to +3.5 MiB of about 106 MiB. Keeping one Record per request (some
	// 380 bytes with its chunk list) lifted them by 9 to 14 MiB (20 to
	// 30 %) and 18 to 35 MiB (16 to 31 %) at 630 to 850 requests/s;
	// keeping each request's chunk buffers, by 120 and 180 MiB. 10 % sits
	// between the two.
	soakGrowthBound = 0.10
)

const soakScenario = `
U = locust.user{ wait_time = locust.constant(0.1), llm = { api = "openai-chat", model = "m", include_usage = true } }
U:task(function(self)
  self.llm:chat{ name = "chat", messages = { { role = "user", content = "say something short" } }, max_tokens = 8 }
end)
`

// TestSoak runs the built client at a steady streaming load for
// LLMLOCUST_SOAK (60 s by default; make soak gives 10 minutes), samples
// its RSS and live heap, and fails if either grows over the last two
// thirds of the run by more than soakGrowthBound of its warm value. The
// simulator runs in a process of its own so that only the client's
// memory is measured.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs for a minute or more")
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory would swamp the measure; make test runs the soak without it")
	}
	d := soakDuration(t)
	bin := buildBinary(t)
	url := startSoakMock(t, bin)
	prefix := filepath.Join(t.TempDir(), "soak")
	path := writeScenario(t, soakScenario)
	trace := &gcTrace{}
	cmd := exec.Command(bin, "-f", path, "--headless", "-u", strconv.Itoa(soakUsers), "-r", "100",
		"-t", (d + 5*time.Minute).String(), "-H", url, "--only-summary",
		"--csv", prefix, "--json-file", prefix+".json", "--html", prefix+".html")
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
	cmd.Stderr = trace
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	samples, err := sampleMemory(t, cmd.Process.Pid, trace, d)
	stopChild(t, cmd, 60*time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, trace.text())
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit %d\n%s", code, trace.text())
	}
	checkSoakOutputs(t, prefix)
	judgeSoak(t, samples, trace.events(), d)
}

// soakDuration is LLMLOCUST_SOAK, or 60 s.
func soakDuration(t *testing.T) time.Duration {
	v := os.Getenv("LLMLOCUST_SOAK")
	if v == "" {
		return time.Minute
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 30*time.Second {
		t.Fatalf("LLMLOCUST_SOAK=%q: want a duration of 30s or more", v)
	}
	return d
}

// startSoakMock runs `llmlocust mock` on a free port until the test ends
// and returns its URL.
func startSoakMock(t *testing.T, bin string) string {
	t.Helper()
	cmd := exec.Command(bin, "mock", "--port", "0", "--ttft", "50ms", "--itl", "10ms", "--record-capacity", "100")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopChild(t, cmd, 10*time.Second) })
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		first <- line
	}()
	var line string
	select {
	case line = <-first:
		if url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line); url != "" {
			return url
		}
	case <-time.After(10 * time.Second):
	}
	stopChild(t, cmd, 10*time.Second) // so that its stderr is complete
	t.Fatalf("the simulator did not say where it listens: %q\n%s", line, stderr.String())
	return ""
}

// stopChild interrupts cmd, as Ctrl-C would, and waits for it to exit;
// one that outlives wait is killed and fails the test.
func stopChild(t *testing.T, cmd *exec.Cmd, wait time.Duration) {
	t.Helper()
	if cmd.ProcessState != nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
		_ = cmd.Process.Kill()
		<-done
		t.Errorf("%s did not stop within %s of SIGINT", filepath.Base(cmd.Path), wait)
	}
}

// checkSoakOutputs checks that the run kept its load up and wrote whole
// files after the long run.
func checkSoakOutputs(t *testing.T, prefix string) {
	t.Helper()
	s := checkLLMSummary(t, prefix+".json")
	t.Logf("%d requests (%.0f/s, nominal %.0f/s), %d failures, metrics backlog at most %d queued, saturated %v",
		s.Totals.Requests, s.Totals.RPS, soakNominalPS, s.Totals.Failures, s.Backlog.MaxQueued, s.Backlog.ClientSaturated)
	if s.Totals.Failures != 0 {
		t.Errorf("%d of %d requests failed", s.Totals.Failures, s.Totals.Requests)
	}
	// The bound catches a Record a request only at half the nominal
	// rate or more; a slower run would pass without proving much.
	if s.Totals.RPS < soakNominalPS/2 {
		t.Errorf("the load ran at %.0f requests/s, below half the nominal %.0f/s", s.Totals.RPS, soakNominalPS)
	}
	checkCSVFiles(t, prefix, []csvWant{
		{"_stats.csv", "Name", []string{"chat", "Aggregated"}},
		{"_stats_history.csv", "Name", []string{"Aggregated"}},
		{"_failures.csv", "Name", nil},
		{"_exceptions.csv", "Message", nil},
		{"_llm_stats.csv", "Name", []string{"chat", "Aggregated"}},
		{"_llm_stats_history.csv", "Name", []string{"Aggregated"}},
	})
	checkHTMLReport(t, prefix+".html")
}

// memSample is the client's memory at one moment of the run.
type memSample struct {
	at   time.Duration // since the client started
	rss  int64         // bytes
	heap int64         // live heap after the latest collection, bytes; -1 before the first
}

// sampleMemory reads the RSS of process pid every few seconds for d,
// logging each sample as it goes.
func sampleMemory(t *testing.T, pid int, trace *gcTrace, d time.Duration) ([]memSample, error) {
	every := min(max(d/30, time.Second), 10*time.Second)
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	var out []memSample
	for {
		<-tick.C
		rss, err := readRSS(pid)
		if err != nil {
			return out, fmt.Errorf("the client stopped during the soak: %w", err)
		}
		s := memSample{at: time.Since(start), rss: rss, heap: trace.lastLive()}
		out = append(out, s)
		t.Logf("soak %6.1fs  rss %7.1f MiB  live heap %4d MiB", s.at.Seconds(), mib(s.rss), s.heap>>20)
		if s.at >= d {
			return out, nil
		}
	}
}

// readRSS is VmRSS of /proc/pid/status, in bytes.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading process status: %w", err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing VmRSS %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmRSS in process status")
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// judgeSoak fits a line to the lower envelope of RSS and of the live
// heap over the last two thirds of the run and fails if either rises by
// more than the bound. A leak lifts the floor that memory comes back to
// after each collection; bursts (requests in flight, the metrics queue)
// only lift single samples, and the RSS that a burst's heap goal maps
// stays resident for a while after it. So the line goes through the
// lowest sample of each stretch of the window rather than through all of
// them: one late burst would otherwise tilt a minute's fit past the bound.
func judgeSoak(t *testing.T, samples []memSample, gcs []gcEvent, d time.Duration) {
	t.Helper()
	// The window ends at the last sample, taken just after d.
	from, to := (d / 3).Seconds(), max(d, samples[len(samples)-1].at).Seconds()
	stretch := min((to-from)/5, 20)
	var rss, heap series
	for _, s := range samples {
		rss.add(s.at.Seconds(), float64(s.rss))
	}
	for _, g := range gcs {
		heap.add(g.at.Seconds(), float64(g.live))
	}
	for _, c := range []struct {
		name string
		s    series
	}{{"RSS", rss}, {"live heap", heap}} {
		floor := c.s.floor(from, to, stretch)
		warm, rise, err := floor.growth(from, to)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		t.Logf("%s: warm %.1f MiB, rise %+.2f MiB over %.0f s (%+.2f MiB/min; bound %.1f MiB), floor of %d stretches",
			c.name, warm/(1<<20), rise/(1<<20), to-from, rise/(1<<20)/(to-from)*60, soakGrowthBound*warm/(1<<20), len(floor.x))
		if rise > soakGrowthBound*warm {
			t.Errorf("%s grew %.1f MiB over the last %.0f s, more than %.0f %% of its warm %.1f MiB: memory leaks under steady load",
				c.name, rise/(1<<20), to-from, soakGrowthBound*100, warm/(1<<20))
		}
	}
}

// series is a set of points to fit a line to.
type series struct{ x, y []float64 }

func (s *series) add(x, y float64) {
	s.x = append(s.x, x)
	s.y = append(s.y, y)
}

// floor keeps, of the points with x in [from, to], the lowest of each
// stretch of that width.
func (s series) floor(from, to, stretch float64) series {
	var out series
	last, n := -1, max(int(math.Ceil((to-from)/stretch)), 1)
	for i, x := range s.x {
		if x < from || x > to {
			continue
		}
		k := min(int((x-from)/stretch), n-1) // x = to is in the last stretch
		switch {
		case k != last:
			out.add(x, s.y[i])
			last = k
		case s.y[i] < out.y[len(out.y)-1]:
			out.x[len(out.x)-1], out.y[len(out.y)-1] = x, s.y[i]
		}
	}
	return out
}

// growth fits the least-squares line through the points and returns its
// value at from and how much it rises from from to to.
func (s series) growth(from, to float64) (warm, rise float64, err error) {
	n := float64(len(s.x))
	var sx, sy, sxx, sxy float64
	for i := range s.x {
		sx += s.x[i]
		sy += s.y[i]
		sxx += s.x[i] * s.x[i]
		sxy += s.x[i] * s.y[i]
	}
	den := n*sxx - sx*sx
	// Relative to the spread of x, so that rounding of equal x values
	// does not pass for a spread.
	if len(s.x) < 3 || den <= 1e-9*n*sxx {
		return 0, 0, fmt.Errorf("%d points do not span the window", len(s.x))
	}
	slope := (n*sxy - sx*sy) / den
	intercept := (sy - slope*sx) / n
	return intercept + slope*from, slope * (to - from), nil
}

// gcEvent is one garbage collection of the client, as GODEBUG=gctrace=1
// reports it.
type gcEvent struct {
	at   time.Duration // since the process started
	live int64         // bytes of heap marked live
}

// gcLine matches the runtime's trace line of a collection:
// "gc N @Ts P%: ... start->end->live MB, ...". Sizes are in MiB.
var gcLine = regexp.MustCompile(`^gc \d+ @([0-9.]+)s .* (\d+)->(\d+)->(\d+) MB`)

// gcTrace is the client's stderr: it keeps the collections it reports
// and the tail of everything else for failure messages.
type gcTrace struct {
	mu      sync.Mutex
	partial []byte
	gcs     []gcEvent
	other   []string
}

// keptTraceLines bounds the stderr lines kept for failure messages.
const keptTraceLines = 200

func (g *gcTrace) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.partial = append(g.partial, p...)
	for {
		i := bytes.IndexByte(g.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		g.line(string(g.partial[:i]))
		g.partial = g.partial[i+1:]
	}
}

func (g *gcTrace) line(l string) {
	if m := gcLine.FindStringSubmatch(l); m != nil {
		at, _ := strconv.ParseFloat(m[1], 64)
		live, _ := strconv.ParseInt(m[4], 10, 64)
		g.gcs = append(g.gcs, gcEvent{at: time.Duration(at * float64(time.Second)), live: live << 20})
		return
	}
	g.other = append(g.other, l)
	if len(g.other) > keptTraceLines {
		g.other = g.other[len(g.other)-keptTraceLines:]
	}
}

func (g *gcTrace) events() []gcEvent {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gcEvent(nil), g.gcs...)
}

// lastLive is the live heap after the latest collection, or -1.
func (g *gcTrace) lastLive() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.gcs) == 0 {
		return -1
	}
	return g.gcs[len(g.gcs)-1].live
}

func (g *gcTrace) text() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return strings.Join(g.other, "\n")
}

// The line fit behind the soak's verdict: exact on lines, near zero on
// noise around a flat level, and refusing points that span no time.
func TestSeriesGrowth(t *testing.T) {
	line := func(a, b float64, xs ...float64) series {
		var s series
		for _, x := range xs {
			s.add(x, a+b*x)
		}
		return s
	}
	var noisy series
	for i := range 40 {
		noisy.add(float64(i), 100+float64(i%2*2-1)) // 99, 101, 99, ...
	}
	cases := []struct {
		name     string
		s        series
		from, to float64
		warm     float64
		rise     float64
		wantErr  bool
	}{
		{"flat", line(50, 0, 20, 30, 40, 60), 20, 60, 50, 0, false},
		{"rising", line(100, 2, 20, 25, 30, 60), 20, 60, 100 + 2*20, 2 * 40, false},
		{"falling", line(100, -0.5, 20, 40, 60), 20, 60, 100 - 0.5*20, -0.5 * 40, false},
		{"alternating noise", noisy, 0, 39, 100, 0, false},
		{"two samples", line(1, 1, 30, 40), 20, 60, 0, 0, true},
		{"samples at one time", line(1, 1, 30, 30, 30), 20, 60, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			warm, rise, err := tc.s.growth(tc.from, tc.to)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			// The alternating noise tilts the fit by 1/n per step.
			if !tc.wantErr && (abs(warm-tc.warm) > 0.1 || abs(rise-tc.rise) > 0.2) {
				t.Fatalf("warm %g rise %g, want %g and %g", warm, rise, tc.warm, tc.rise)
			}
		})
	}
}

func abs(x float64) float64 { return max(x, -x) }

// The lower envelope drops bursts but keeps a steady rise, and leaves out
// what lies outside the window.
func TestSeriesFloor(t *testing.T) {
	// level+slope*x every second from 0 to 60, with bursts of +burst on
	// every third sample and a spike of +1000 at 61, outside the window.
	withBursts := func(level, slope, burst float64) series {
		var s series
		for x := range 61 {
			y := level + slope*float64(x)
			if x%3 == 1 {
				y += burst
			}
			s.add(float64(x), y)
		}
		s.add(61, 1000)
		return s
	}
	cases := []struct {
		name       string
		s          series
		warm, rise float64
	}{
		{"flat with bursts", withBursts(100, 0, 30), 100, 0},
		{"rising with bursts", withBursts(100, 0.5, 30), 100 + 0.5*20, 0.5 * 40},
		{"falling with bursts", withBursts(100, -0.25, 30), 100 - 0.25*20, -0.25 * 40},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.s.floor(20, 60, 8)
			if len(f.x) != 5 {
				t.Fatalf("%d stretches, want 5: %v", len(f.x), f.x)
			}
			warm, rise, err := f.growth(20, 60)
			if err != nil || abs(warm-tc.warm) > 0.01 || abs(rise-tc.rise) > 0.01 {
				t.Fatalf("warm %g rise %g (%v), want %g and %g", warm, rise, err, tc.warm, tc.rise)
			}
		})
	}
}

// The trace reader picks the live heap out of the runtime's collection
// lines, however the writes split them, and keeps the other lines.
func TestGCTraceLines(t *testing.T) {
	const stderr = "gc 1 @0.006s 2%: 0.01+0.6+0.003 ms clock, 0.02+0.1/0.3/0+0.007 ms cpu, 4->4->3 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"[2026-01-01 00:00:00,000] vm/INFO/llmlocust.runner: Ramping to 2 users\n" +
		"gc 12 @48.883s 1%: 0.1+9.5+0.02 ms clock, 0.2+1.1/4.5/0+0.05 ms cpu, 84->85->43 MB, 86 MB goal, 1 MB stacks, 0 MB globals, 2 P\n"
	cases := []struct {
		name  string
		split int // bytes per write
	}{
		{"whole", len(stderr)},
		{"a byte at a time", 1},
		{"in odd pieces", 37},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := &gcTrace{}
			for b := []byte(stderr); len(b) > 0; {
				n := min(tc.split, len(b))
				_, _ = g.Write(b[:n])
				b = b[n:]
			}
			got := g.events()
			want := []gcEvent{{6 * time.Millisecond, 3 << 20}, {48883 * time.Millisecond, 43 << 20}}
			if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
				t.Fatalf("events %v, want %v", got, want)
			}
			if g.lastLive() != 43<<20 || !strings.Contains(g.text(), "Ramping to 2 users") {
				t.Fatalf("last live %d, other lines %q", g.lastLive(), g.text())
			}
		})
	}
}
