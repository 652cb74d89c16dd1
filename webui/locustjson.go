package webui

import (
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/stats"
	"github.com/llmlocust/llmlocust/engine/timeline"
)

// Locust's percentile lists: the chart lines (those the timeline keeps)
// and the table columns.
var (
	percentilesToChart      = timeline.ChartPercentiles
	percentilesToStatistics = []float64{0.95, 0.99}
)

// maxRows caps the stats and errors tables, as Locust caps them so that
// the browser stays responsive.
const maxRows = 500

// percentileKey is the key of a percentile as locust-ui builds it, with
// the number printed as JavaScript prints it: 0.5, 0.95, 1.
func percentileKey(p float64) string {
	return "response_time_percentile_" + strconv.FormatFloat(p, 'f', -1, 64)
}

// roundTo rounds half away from zero to the given decimals, as Locust's
// proper_round.
func roundTo(x float64, decimals int) float64 {
	pow := math.Pow10(decimals)
	return math.Round(finite(x)*pow) / pow
}

// currentRates are the "current" request and failure rates the tables and
// the header show (see stats.Entry.ShownRates).
func currentRates(e *stats.Entry, stopped bool) (rps, fps float64) {
	rps, fps = e.ShownRates(stopped)
	return finite(rps), finite(fps)
}

// entryDict is one row of Locust's stats table; stopped says the test has
// ended (see currentRates).
func entryDict(e *stats.Entry, stopped bool) map[string]any {
	rps, fps := currentRates(e, stopped)
	d := map[string]any{
		"method":               e.Method,
		"name":                 e.Name,
		"num_requests":         e.NumRequests,
		"num_failures":         e.NumFailures,
		"min_response_time":    roundTo(e.Min(), 0),
		"max_response_time":    roundTo(e.Max(), 0),
		"current_rps":          rps,
		"current_fail_per_sec": fps,
		"avg_response_time":    finite(e.Avg()),
		"median_response_time": finite(e.Median()),
		"total_rps":            finite(e.TotalRPS()),
		"total_fail_per_sec":   finite(e.TotalFailPerSec()),
		"avg_content_length":   finite(e.AvgContentLength()),
	}
	for _, p := range percentilesToStatistics {
		d[percentileKey(p)] = e.Percentile(p)
	}
	return d
}

// statsRows are the stats table's rows, at most maxRows, then Aggregated.
func statsRows(snap *stats.Snapshot, stopped bool) []map[string]any {
	n := min(len(snap.Entries), maxRows)
	rows := make([]map[string]any, 0, n+1)
	for _, e := range snap.Entries[:n] {
		rows = append(rows, entryDict(e, stopped))
	}
	return append(rows, entryDict(snap.Total, stopped))
}

// errorRows are Locust's failures; times are Unix seconds.
func errorRows(errs []*stats.ErrorEntry) []map[string]any {
	rows := make([]map[string]any, 0, len(errs))
	for _, e := range errs {
		rows = append(rows, map[string]any{
			"method": e.Method, "name": e.Name, "error": e.Error, "occurrences": e.Occurrences,
			"first_seen": stats.UnixSeconds(e.FirstSeen), "last_seen": stats.UnixSeconds(e.LastSeen),
		})
	}
	return rows
}

// currentPercentiles are the total's percentiles of the last ten seconds,
// null when there are none; locust-ui needs the object even then.
func currentPercentiles(total *stats.Entry) map[string]any {
	out := map[string]any{}
	for _, p := range percentilesToChart {
		if v, ok := total.CurrentPercentile(p); ok {
			out[percentileKey(p)] = v
		} else {
			out[percentileKey(p)] = nil
		}
	}
	return out
}

// historyEntry is one point of Locust's charts, as its stats history.
func historyEntry(p timeline.Point) map[string]any {
	ts := p.Time.UTC().Format(isoSeconds)
	h := map[string]any{
		"current_rps":             []any{ts, finite(p.RPS)},
		"current_fail_per_sec":    []any{ts, finite(p.FailPerSec)},
		"total_avg_response_time": []any{ts, roundTo(p.AvgResponseTime, 2)},
		"user_count":              []any{ts, p.Users},
		"time":                    ts,
	}
	for i, q := range percentilesToChart {
		var v int64
		if i < len(p.ResponseTimes) {
			v = p.ResponseTimes[i]
		}
		h[percentileKey(q)] = []any{ts, v}
	}
	return h
}

// requestStats is GET /stats/requests: Locust's shape, plus the LLM
// table. locust-ui 2.43.4 charts total_rps as the current rate, so the
// top-level total_* carry the current window, as Locust's own server did
// for that UI.
func (s *Server) requestStats(c *fiber.Ctx) error {
	snap := s.cfg.Session.Snapshot()
	total := snap.Total
	stopped := s.cfg.Session.State() == runner.StateStopped
	rps, fps := currentRates(total, stopped)
	llm := llmTable(snap, snap.Time, s.cfg.Session.Percentiles())
	body := map[string]any{
		"stats":                             statsRows(snap, stopped),
		"errors":                            errorRows(snap.Errors[:min(len(snap.Errors), maxRows)]),
		"current_rps":                       rps,
		"current_fail_per_sec":              fps,
		"total_rps":                         rps,
		"total_fail_per_sec":                fps,
		"fail_ratio":                        finite(total.FailRatio()),
		"current_response_time_percentiles": currentPercentiles(total),
		"total_avg_response_time":           roundTo(total.Avg(), 2),
		"state":                             string(s.cfg.Session.State()),
		"user_count":                        s.cfg.Session.UserCount(),
		"llm":                               llm,
		"extended_stats":                    []any{map[string]any{"key": "llm", "data": llmExtendedStats(llm)}},
	}
	if workers := s.workers(); workers != nil {
		body["workers"], body["worker_count"] = workers, len(workers)
	}
	return c.JSON(body)
}

// taskRatios is Locust's task ratio of the users running now or, once
// they have stopped, of those that last ran (as the feed saw them, or as
// the class weights share them out if the test was too short for that).
func (s *Server) taskRatios() map[string]any {
	counts := s.cfg.Session.UserClassesCount()
	if s.cfg.Session.UserCount() == 0 && s.cfg.Session.State() != runner.StateReady {
		counts = s.feed.lastClasses()
		if counts == nil {
			counts = s.plan.Distribution(s.cfg.Session.TargetUserCount())
		}
	}
	return map[string]any{
		"per_class": s.plan.TaskRatios(counts, false),
		"total":     s.plan.TaskRatios(counts, true),
	}
}

func (s *Server) tasks(c *fiber.Ctx) error { return c.JSON(s.taskRatios()) }

// exceptionRows are the scripts' errors as Locust lists them.
func exceptionRows(snap *stats.Snapshot) []map[string]any {
	rows := make([]map[string]any, 0, len(snap.Exceptions))
	for _, x := range snap.Exceptions {
		rows = append(rows, map[string]any{
			"count": x.Count, "msg": x.Msg, "traceback": x.Traceback, "nodes": strings.Join(x.Nodes, ", "),
		})
	}
	return rows
}

func (s *Server) exceptions(c *fiber.Ctx) error {
	return c.JSON(map[string]any{"exceptions": exceptionRows(s.cfg.Session.Snapshot())})
}

func (s *Server) logs(c *fiber.Ctx) error {
	lines := s.cfg.Logs()
	if lines == nil {
		lines = []string{}
	}
	return c.JSON(map[string]any{"master": lines, "workers": map[string]any{}})
}

func (s *Server) workerCount(c *fiber.Ctx) error {
	return c.JSON(map[string]any{"worker_count": len(s.workers())})
}
