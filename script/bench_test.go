package script

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/runner"
)

// BenchmarkIdleUsers measures what an idle user costs: 2,000 users that
// have run on_start and one task, each holding its Lua state, goroutine
// and HTTP client, all waiting. Target: 100 KiB per user or less.
func BenchmarkIdleUsers(b *testing.B) {
	const users = 2000
	url, hits := serverProcess(b)
	c := &collect{}
	classes := func() []runner.UserClass {
		p, err := LoadSource("idle.lua", []byte(`
local json = require("json")
Idle = locust.user{ wait_time = locust.constant(3600) }
function Idle:on_start() self.history = {} end
Idle:task(function(self)
  local r = self.client:get("/hello")
  table.insert(self.history, json.decode(r.text).path)
end)
`))
		if err != nil {
			b.Fatal(err)
		}
		cls, err := p.UserClasses(testEnv(url, c))
		if err != nil {
			b.Fatal(err)
		}
		return cls
	}()
	// Freed memory is reused by later rounds without growing the RSS, so
	// both figures come from the first round only.
	var heapPerUser, rssPerUser float64
	first := true
	for b.Loop() {
		debug.FreeOSMemory()
		heap0, rss0 := heapInUse(), rss()
		r, err := runner.New(classes, runner.Options{})
		if err != nil {
			b.Fatal(err)
		}
		before := hits()
		if err := r.Start(users, 10000); err != nil {
			b.Fatal(err)
		}
		for hits()-before < users {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		debug.FreeOSMemory()
		heap1, rss1 := heapInUse(), rss()
		if first {
			heapPerUser = float64(heap1-heap0) / users / 1024
			rssPerUser, first = float64(rss1-rss0)/users/1024, false
		}
		r.Quit()
	}
	b.ReportMetric(heapPerUser, "heap-KiB/user")
	b.ReportMetric(rssPerUser, "rss-KiB/user")
}

// heapInUse counts the heap and goroutine stacks in use.
func heapInUse() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}

// rss reads the resident set size from /proc, where there is one.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// serverProcess runs the HTTP server the users talk to in a child process,
// so that the memory measured is the client's alone. hits counts the
// requests it has answered.
func serverProcess(b *testing.B) (url string, hits func() int64) {
	url = childServer(b, "TestBenchServer", "LLMLOCUST_BENCH_SERVER")
	return url, func() int64 {
		resp, err := http.Get(url + "/count")
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		n, _ := strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64)
		return n
	}
}

// childServer runs the test named test of this binary as a child process
// with envVar=1 set, and returns the URL it prints on its first line.
func childServer(b *testing.B, test, envVar string) string {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), envVar+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	return strings.TrimSpace(line)
}

// TestBenchServer is the child process of serverProcess; run alone it
// does nothing.
func TestBenchServer(t *testing.T) {
	if os.Getenv("LLMLOCUST_BENCH_SERVER") != "1" {
		t.Skip("the child process of BenchmarkIdleUsers")
	}
	var n atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("http://" + ln.Addr().String())
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/count" {
			fmt.Fprintln(w, n.Load())
			return
		}
		n.Add(1)
		fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	}))
}
