package cluster

import (
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuMeter measures the process's CPU use between samples, in percent of
// one core to a tenth as Locust's psutil reports it, and its resident
// memory.
type cpuMeter struct {
	at  time.Time
	cpu time.Duration
}

func newCPUMeter() *cpuMeter { return &cpuMeter{at: time.Now(), cpu: cpuTime()} }

func (m *cpuMeter) sample() (percent float64, rss int64) {
	now, cpu := time.Now(), cpuTime()
	if wall := now.Sub(m.at); wall > 0 {
		percent = math.Round(1000*float64(cpu-m.cpu)/float64(wall)) / 10
	}
	m.at, m.cpu = now, cpu
	return percent, residentBytes()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// residentBytes is the resident set from /proc where there is one, else
// the memory the Go runtime holds.
func residentBytes() int64 {
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			if pages, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				return pages * int64(os.Getpagesize())
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}
