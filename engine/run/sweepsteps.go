package run

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// sweepRun is one test's sweep: its steps, each with stats of its own
// fed with the Records of the requests that started in it, however late
// they end. Step i runs from start + i × StepTime, so that a Record's
// step follows from its start alone, whatever moment the load changed.
// Its methods are safe for concurrent use.
type sweepRun struct {
	spec   Sweep
	start  time.Time
	users  int     // the test's user count: the cap of a rate step
	rate   float64 // the run's request rate in a users step; 0 closed loop
	settle time.Duration
	slo    *stats.SLO // judges each step's requests; nil without SLOs
	ps     output.Percentiles

	halted chan struct{} // closed when the test stops before the sweep's end

	mu    sync.Mutex
	steps []*sweepStep
	done  bool // the last step has ended
	// judged are the steps' figures at their ends, which rate=auto judges
	// them by: the requests that finish later would otherwise make an
	// earlier step look better each time it is compared.
	judged []output.SweepStep
	// last says a stop rule of rate=auto broke: the step under way, half
	// way between the last two rates, is the last.
	last bool
}

// sweepStep is one step; a step is created by the first of its begin and
// its first Record, which may come a moment before.
type sweepStep struct {
	value float64
	begun bool
	end   time.Time // zero while it runs
	stats *stats.RequestStats
}

func newSweepRun(spec Sweep, start time.Time, users int, rate float64, sum SummaryConfig) *sweepRun {
	return &sweepRun{spec: spec, start: start, users: users, rate: rate, settle: spec.settle(),
		slo: sum.SLO, ps: sum.Percentiles, halted: make(chan struct{})}
}

// stepStart is when step i begins (and step i−1 ends).
func (sw *sweepRun) stepStart(i int) time.Time {
	return sw.start.Add(time.Duration(i) * sw.spec.StepTime)
}

// step returns step i, made if it is the next one. sw.mu is held.
func (sw *sweepRun) step(i int) *sweepStep {
	if i < len(sw.steps) {
		return sw.steps[i]
	}
	if i > len(sw.steps) || sw.done {
		return nil
	}
	st := &sweepStep{stats: stats.New(sw.stepStart(i).Add(sw.settle))}
	st.stats.SetSLO(sw.slo)
	sw.steps = append(sw.steps, st)
	return st
}

// begin starts step i at value and returns the value.
func (sw *sweepRun) begin(i int, value float64) float64 {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if st := sw.step(i); st != nil {
		st.value, st.begun = value, true
	}
	return value
}

// end ends step i at its due time at and returns its figures then;
// ok is false when the sweep was halted meanwhile.
func (sw *sweepRun) end(i int, at time.Time) (fig output.SweepStep, ok bool) {
	sw.mu.Lock()
	if sw.done {
		sw.mu.Unlock()
		return fig, false
	}
	sw.endLocked(i, at)
	sw.mu.Unlock()
	fig, _ = sw.figures(i, at)
	sw.mu.Lock()
	sw.judged = append(sw.judged, fig)
	sw.mu.Unlock()
	return fig, true
}

func (sw *sweepRun) endLocked(i int, at time.Time) {
	if i >= len(sw.steps) || !sw.steps[i].end.IsZero() {
		return
	}
	// A step ends at its due time at the latest: a stop that comes a
	// moment after it takes nothing from the next.
	if due := sw.stepStart(i + 1); at.After(due) {
		at = due
	}
	sw.steps[i].end = at
	sw.steps[i].stats.Stop(at)
}

// halt ends the step under way at at and the sweep with it.
func (sw *sweepRun) halt(at time.Time) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.done {
		return
	}
	if n := sw.begunLocked(); n > 0 {
		sw.endLocked(n-1, at)
	}
	sw.finishLocked()
	close(sw.halted)
}

func (sw *sweepRun) finishLocked() {
	sw.done = true
	sw.steps = sw.steps[:sw.begunLocked()] // a step made by a Record, never begun
}

func (sw *sweepRun) begunLocked() int {
	n := 0
	for n < len(sw.steps) && sw.steps[n].begun {
		n++
	}
	return n
}

// over says whether the sweep has ended.
func (sw *sweepRun) over() bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return sw.done
}

// current is the index of the step under way; ok is false once the
// sweep has ended.
func (sw *sweepRun) current() (int, bool) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.done {
		return 0, false
	}
	return sw.begunLocked() - 1, true
}

// log counts r in the step it started in, unless it started while that
// step settled, or after the sweep's last step.
func (sw *sweepRun) log(r *record.Record) {
	since := r.Start.Sub(sw.start)
	if since < 0 {
		return
	}
	i := int(since / sw.spec.StepTime)
	sw.mu.Lock()
	st := sw.step(i)
	var end time.Time
	if st != nil {
		end = st.end
	}
	sw.mu.Unlock()
	switch {
	case st == nil, r.Start.Before(sw.stepStart(i).Add(sw.settle)):
		return
	case !end.IsZero() && !r.Start.Before(end):
		return // started after a stop cut the step short
	}
	st.stats.Log(r)
}

// figures are step i's figures as of now; ok is false before it begins.
func (sw *sweepRun) figures(i int, now time.Time) (output.SweepStep, bool) {
	sw.mu.Lock()
	if i >= len(sw.steps) || !sw.steps[i].begun {
		sw.mu.Unlock()
		return output.SweepStep{}, false
	}
	st := *sw.steps[i]
	sw.mu.Unlock()
	info := output.StepInfo{Value: st.value, Users: sw.users, Rate: sw.rate,
		Start: sw.stepStart(i).Sub(sw.start), Settle: sw.settle, Percentiles: sw.ps}
	if sw.spec.Mode == SweepUsers {
		info.Users = int(st.value)
	} else {
		info.Rate = st.value
	}
	end := st.end
	if end.IsZero() {
		end = now
	}
	info.Length = max(0, end.Sub(sw.stepStart(i)))
	return output.NewSweepStep(info, st.stats.Snapshot(end)), true
}

// summary is every step begun so far, as of now.
func (sw *sweepRun) summary(now time.Time) *output.Sweep {
	sw.mu.Lock()
	n := sw.begunLocked()
	sw.mu.Unlock()
	out := &output.Sweep{Mode: string(sw.spec.Mode), StepTimeS: sw.spec.StepTime.Seconds(), Steps: make([]output.SweepStep, 0, n)}
	for i := range n {
		if st, ok := sw.figures(i, now); ok {
			out.Steps = append(out.Steps, st)
		}
	}
	return out
}

// next is the value of the step after step i, which has just ended; ok
// is false when the sweep is over, which ends it. why says what a stop
// rule of rate=auto made of step i.
func (sw *sweepRun) next(i int) (value float64, why string, ok bool) {
	if !sw.spec.Auto {
		if i+1 < len(sw.spec.Values) {
			return sw.spec.Values[i+1], "", true
		}
		return 0, "", sw.finish()
	}
	sw.mu.Lock()
	last, steps := sw.last, sw.judged
	sw.mu.Unlock()
	if last || len(steps) <= i {
		return 0, "", sw.finish()
	}
	cur := steps[i].Value
	broke := autoBreak(steps[:i+1])
	switch {
	case broke == "" && i+1 >= autoMaxSteps:
		return 0, fmt.Sprintf("rate=%s was the %dth step, the most rate=auto runs", rateText(cur), autoMaxSteps), sw.finish()
	case broke == "":
		return cur * 2, "", true
	case i == 0:
		return 0, fmt.Sprintf("the first step, rate=%s, already %s", rateText(cur), broke), sw.finish()
	case i+1 >= autoMaxSteps:
		return 0, fmt.Sprintf("rate=%s %s; no step is left for the halfway rate", rateText(cur), broke), sw.finish()
	}
	sw.mu.Lock()
	sw.last = true
	sw.mu.Unlock()
	half := (steps[i-1].Value + cur) / 2
	return half, fmt.Sprintf("rate=%s %s: a last step at rate=%s, halfway from rate=%s", rateText(cur), broke, rateText(half), rateText(steps[i-1].Value)), true
}

// finish ends the sweep after its last step; it returns false, for next.
func (sw *sweepRun) finish() bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.finishLocked()
	return false
}

func rateText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
