package stats

import (
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
)

// goodCounts is the goodput of an LLM entry under the run's SLO: the good
// requests and their output tokens over the whole run, and the good and
// all requests by the second they ended, for the current rate.
type goodCounts struct {
	good, tokens int64
	goodSecs     tokenRing
	allSecs      tokenRing
}

// log counts one request that ended at end against slo; nil counts
// nothing, so that a run without SLOs pays nothing.
func (g *goodCounts) log(slo *SLO, r *record.Record, end time.Time) {
	if slo == nil {
		return
	}
	sec := end.Unix()
	g.allSecs.add(sec, 1)
	if !slo.Good(r) {
		return
	}
	g.good++
	g.tokens += int64(r.LLM.OutputTokens)
	g.goodSecs.add(sec, 1)
}

// currentGoodWindow is the window of the current goodput: the whole
// seconds from twelve to three seconds before now, as the current output
// token rate takes them, never before the start of the stats.
func currentGoodWindow(now, start time.Time) (from, to int64) {
	last := now.Unix()
	return max(last-12, start.Unix()), last - 2
}

// window counts the good and all requests that ended in the current
// window.
func (g *goodCounts) window(now, start time.Time) goodWindow {
	from, to := currentGoodWindow(now, start)
	if from >= to {
		return goodWindow{}
	}
	w := goodWindow{seconds: to - from}
	for i := range g.allSecs {
		if s := g.allSecs[i]; s.sec >= from && s.sec < to {
			w.all += s.n
		}
		if s := g.goodSecs[i]; s.sec >= from && s.sec < to {
			w.good += s.n
		}
	}
	return w
}

// goodWindow is what the current window of an entry's goodput holds.
type goodWindow struct {
	good, all, seconds int64
}

func (w goodWindow) merge(o goodWindow) goodWindow {
	return goodWindow{good: w.good + o.good, all: w.all + o.all, seconds: max(w.seconds, o.seconds)}
}

// GoodputPerSec is the good requests divided by the time from the start
// of the stats to end.
func (e *LLMEntry) GoodputPerSec(end time.Time) float64 {
	return perSecondSince(e.Good, e.Start, end)
}

// GoodOutputTokensPerSec is the good requests' output tokens divided by
// the time from the start of the stats to end.
func (e *LLMEntry) GoodOutputTokensPerSec(end time.Time) float64 {
	return perSecondSince(e.GoodOutputTokens, e.Start, end)
}

// GoodFraction is the share of the LLM requests, failures included, that
// were good; 0 without requests.
func (e *LLMEntry) GoodFraction() float64 {
	if e.Requests == 0 {
		return 0
	}
	return float64(e.Good) / float64(e.Requests)
}

// CurrentGoodput is the goodput of the recent past: the good requests per
// second over the whole seconds from twelve to three seconds before the
// snapshot, and their share of the requests that ended then; ok is false
// when none ended then.
func (e *LLMEntry) CurrentGoodput() (perSec, fraction float64, ok bool) {
	w := e.goodWindow
	if w.all == 0 || w.seconds == 0 {
		return 0, 0, false
	}
	return float64(w.good) / float64(w.seconds), float64(w.good) / float64(w.all), true
}

// SetSLO makes the stats judge every LLM request logged from now on
// against slo (nil for none). Call it before the first request.
func (s *RequestStats) SetSLO(slo *SLO) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slo = slo
}
