package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Usage is what a child process used, measured from outside it.
type Usage struct {
	CPU  time.Duration // user + system, from its rusage
	User time.Duration
	Sys  time.Duration
	// MaxRSS is its peak resident set size, in bytes (rusage ru_maxrss).
	MaxRSS int64
	Wall   time.Duration
	// FDLimit is the "Max open files" line of its /proc/<pid>/limits,
	// read while it ran; empty where there is no /proc.
	FDLimit string
	Exit    int
}

// measure runs cmd to its end and measures it. during, when given, runs
// while the process lives and is cancelled when it ends. A process still
// running at the deadline is killed.
func measure(ctx context.Context, cmd *exec.Cmd, deadline time.Duration, during func(ctx context.Context, pid int)) (Usage, error) {
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Usage{}, fmt.Errorf("starting %s: %w", filepath.Base(cmd.Path), err)
	}
	pid := cmd.Process.Pid
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if during != nil {
			during(runCtx, pid)
		}
	}()
	limit := make(chan string, 1)
	go func() { limit <- fdLimitOf(pid) }()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	var err error
	select {
	case err = <-waited:
	case <-time.After(deadline):
		_ = cmd.Process.Kill()
		<-waited
		err = fmt.Errorf("%s still running after %s: killed", filepath.Base(cmd.Path), deadline)
	case <-ctx.Done():
		_ = cmd.Process.Signal(os.Interrupt)
		err = <-waited
	}
	stop()
	<-done
	u := usageOf(cmd.ProcessState, time.Since(start))
	u.FDLimit = <-limit
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		err = nil // the exit code is reported; the caller judges it
	}
	return u, err
}

func usageOf(ps *os.ProcessState, wall time.Duration) Usage {
	u := Usage{Wall: wall}
	if ps == nil {
		return u
	}
	u.User, u.Sys = ps.UserTime(), ps.SystemTime()
	u.CPU = u.User + u.Sys
	u.Exit = ps.ExitCode()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		u.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return u
}

// fdLimitOf reads the open-file limit a process runs with. Go programs
// raise their soft limit to the hard one at start, so it is read a little
// after the start, and again should the first read come too early.
func fdLimitOf(pid int) string {
	var last string
	for range 3 {
		time.Sleep(300 * time.Millisecond)
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
		if err != nil {
			return last
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(line, "Max open files") {
				f := strings.Fields(strings.TrimPrefix(line, "Max open files"))
				if len(f) >= 2 {
					last = f[0] + " soft, " + f[1] + " hard"
				}
			}
		}
	}
	return last
}

// machineBusy is the CPU time all processes of the machine have used
// since boot (user, nice, system, irq, softirq, steal), from /proc/stat;
// false where there is none. Taken before and after a run, it shows how
// much CPU other processes took meanwhile.
func machineBusy() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system [idle iowait] irq softirq steal
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	// /proc/stat counts in USER_HZ, 100 on every Linux architecture Go runs on.
	return time.Duration(ticks) * 10 * time.Millisecond, true
}

// simulator is `llmlocust mock` running as a child process.
type simulator struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

var listeningURL = regexp.MustCompile(`http://\S+`)

// startSimulator starts the simulator on a free loopback port and waits
// for the line that says where it listens.
func startSimulator(bin string, args ...string) (*simulator, error) {
	cmd := exec.Command(bin, append([]string{"mock", "--host", "127.0.0.1", "--port", "0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("starting the simulator: %w", err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the simulator: %w", err)
	}
	s := &simulator{cmd: cmd, done: make(chan error, 1)}
	line := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		l, _ := r.ReadString('\n')
		line <- l
		_, _ = io.Copy(io.Discard, r)
		s.done <- cmd.Wait()
	}()
	select {
	case l := <-line:
		if s.url = listeningURL.FindString(l); s.url == "" {
			s.stop()
			return nil, fmt.Errorf("the simulator did not say where it listens: %q", l)
		}
		return s, nil
	case <-time.After(15 * time.Second):
		s.stop()
		return nil, errors.New("the simulator did not start within 15 s")
	}
}

// stop interrupts the simulator and waits for it, killing it if it takes
// too long; it returns the CPU time the simulator used. Later calls only
// return it again.
func (s *simulator) stop() time.Duration {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	if ps := s.cmd.ProcessState; ps != nil {
		return ps.UserTime() + ps.SystemTime()
	}
	return 0
}
