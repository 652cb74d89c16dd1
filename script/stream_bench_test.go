package script

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/runner"
)

// BenchmarkStreamingUsers runs 100 and 1,000 users streaming 64-token
// answers (TTFT 200 ms, ITL 20 ms) from the simulator in a process of its
// own, and reports the client's CPU time per 1,000 streamed chunks and
// its TTFT error against the simulator's record of when it sent them.
func BenchmarkStreamingUsers(b *testing.B) {
	for _, users := range []int{100, 1000} {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) {
			url := mockProcess(b)
			for b.Loop() {
				benchStreams(b, url, users)
			}
		})
	}
}

func benchStreams(b *testing.B, url string, users int) {
	c := &collect{}
	d := llmEnv(&testing.T{}, url, c)
	classes := func() []runner.UserClass {
		p, err := LoadSource("bench.lua", []byte(fmt.Sprintf(chatTask, 64, "true", "")))
		if err != nil {
			b.Fatal(err)
		}
		cls, err := p.UserClasses(d)
		if err != nil {
			b.Fatal(err)
		}
		return cls
	}()
	r, err := runner.New(classes, runner.Options{StopTimeout: time.Minute, RunTime: 12 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	if err := r.Start(users, float64(users)); err != nil {
		b.Fatal(err)
	}
	<-r.Stopped()
	r.Quit()
	d.Daemon.Flush()
	cpu := cpuTime() - cpu0

	var chunks int
	var ttft []float64
	for _, rec := range c.llmRecords() {
		chunks += len(rec.LLM.Chunks)
		if rec.Error == "" {
			ttft = append(ttft, ms(rec.LLM.TTFT))
		}
	}
	server := serverTTFT(b, url)
	slices.Sort(ttft)
	p50, p99 := quantile(ttft, 0.5), quantile(ttft, 0.99)
	b.ReportMetric(float64(cpu.Milliseconds())/float64(chunks)*1000, "cpu-ms/1k-chunks")
	b.ReportMetric(p50-server.P50, "ttft-p50-err-ms")
	b.ReportMetric(p99-server.P99, "ttft-p99-err-ms")
	b.ReportMetric(float64(d.Daemon.Peak().Queued), "max-backlog")
	b.Logf("%d users: %d requests, %d chunks, client CPU %s; TTFT p50 %.2f ms (simulator %.2f), p99 %.2f ms (simulator %.2f)",
		users, len(ttft), chunks, cpu.Round(time.Millisecond), p50, server.P50, p99, server.P99)
}

func quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type serverFigures struct{ P50, P99 float64 }

// serverTTFT asks the simulator process for its own TTFT percentiles:
// from the request's arrival to the first token chunk leaving.
func serverTTFT(b *testing.B, url string) serverFigures {
	resp, err := http.Get(url + "/bench/ttft")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var f serverFigures
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		b.Fatal(err)
	}
	return f
}

// mockProcess runs the simulator in a child process (TestBenchMock), so
// that the CPU measured is the client's alone.
func mockProcess(b *testing.B) string {
	return childServer(b, "TestBenchMock", "LLMLOCUST_BENCH_MOCK")
}

// TestBenchMock is the child process of mockProcess; run alone it does
// nothing.
func TestBenchMock(t *testing.T) {
	if os.Getenv("LLMLOCUST_BENCH_MOCK") != "1" {
		t.Skip("the child process of BenchmarkStreamingUsers")
	}
	cfg := mock.DefaultConfig()
	cfg.TTFT, cfg.ITL, cfg.DefaultMaxTokens, cfg.RecordCapacity = 200*time.Millisecond, 20*time.Millisecond, 64, 200000
	m, err := mock.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", m)
	mux.HandleFunc("/bench/ttft", func(w http.ResponseWriter, _ *http.Request) {
		var v []float64
		for _, s := range m.Sent() {
			if len(s.Chunks) > 0 {
				v = append(v, ms(s.Chunks[0].Sub(s.Received)))
			}
		}
		slices.Sort(v)
		_ = json.NewEncoder(w).Encode(serverFigures{P50: quantile(v, 0.5), P99: quantile(v, 0.99)})
	})
	fmt.Println("http://" + ln.Addr().String())
	_ = http.Serve(ln, mux)
}
