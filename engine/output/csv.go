// Package output renders a run's stats for people and for other tools:
// Locust's CSV files, the console tables and live line, and the JSON
// summary. It only formats snapshots; it keeps no stats of its own.
package output

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/stats"
)

// percentiles are Locust's PERCENTILES_TO_REPORT: the percentile columns of
// its CSV files and of its console percentile table.
var percentiles = []float64{0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0}

// Column titles, in Locust's order.
var (
	statsColumns = withPercentiles([]string{
		"Type", "Name", "Request Count", "Failure Count",
		"Median Response Time", "Average Response Time",
		"Min Response Time", "Max Response Time", "Average Content Size",
		"Requests/s", "Failures/s",
	}, nil)
	historyColumns = withPercentiles([]string{
		"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s",
	}, []string{
		"Total Request Count", "Total Failure Count", "Total Median Response Time",
		"Total Average Response Time", "Total Min Response Time",
		"Total Max Response Time", "Total Average Content Size",
	})
	failuresColumns   = []string{"Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"}
	exceptionsColumns = []string{"Count", "Message", "Traceback", "Nodes"}
)

func withPercentiles(before, after []string) []string {
	cols := slices.Clone(before)
	for _, p := range percentiles {
		cols = append(cols, percentileLabel(p))
	}
	return append(cols, after...)
}

// WriteStatsCSV writes Locust's requests table (the _stats.csv file): one
// row per entry, sorted by name and method, then the Aggregated row.
func WriteStatsCSV(w io.Writer, s *stats.Snapshot) error {
	err := writeCSVRow(w, statsColumns...)
	if err == nil {
		err = writeStatsRows(w, s)
	}
	if err != nil {
		return fmt.Errorf("writing stats csv: %w", err)
	}
	return nil
}

func writeStatsRows(w io.Writer, s *stats.Snapshot) error {
	for _, e := range append(slices.Clone(s.Entries), s.Total) {
		row := []string{
			e.Method, e.Name,
			strconv.FormatInt(e.NumRequests, 10), strconv.FormatInt(e.NumFailures, 10),
			medianField(e), pyFloat(e.Avg()), pyNumber(e.Min()), pyNumber(e.Max()),
			avgSizeField(e), pyFloat(e.TotalRPS()), pyFloat(e.TotalFailPerSec()),
		}
		row = append(row, percentileFields(e, false)...)
		if err := writeCSVRow(w, row...); err != nil {
			return err
		}
	}
	return nil
}

// writeHistoryRows appends one _stats_history.csv row for the total, and
// before it one per entry when fullHistory is set. As in Locust, the total
// row of a plain history carries whole-run percentiles, while a full
// history carries current-window percentiles in every row.
func writeHistoryRows(w io.Writer, s *stats.Snapshot, userCount int, fullHistory bool) error {
	rows := []*stats.Entry{s.Total}
	if fullHistory {
		rows = append(slices.Clone(s.Entries), s.Total)
	}
	stamp := strconv.FormatInt(s.Time.Unix(), 10)
	for _, e := range rows {
		row := []string{
			stamp, strconv.Itoa(userCount), e.Method, e.Name,
			fmt.Sprintf("%f", e.CurrentRPS()), fmt.Sprintf("%f", e.CurrentFailPerSec()),
		}
		row = append(row, percentileFields(e, fullHistory)...)
		row = append(row,
			strconv.FormatInt(e.NumRequests, 10), strconv.FormatInt(e.NumFailures, 10),
			medianField(e), pyFloat(e.Avg()), pyNumber(e.Min()), pyNumber(e.Max()),
			avgSizeField(e),
		)
		if err := writeCSVRow(w, row...); err != nil {
			return err
		}
	}
	return nil
}

// WriteFailuresCSV writes Locust's failures table (the _failures.csv file).
func WriteFailuresCSV(w io.Writer, s *stats.Snapshot) error {
	err := writeCSVRow(w, failuresColumns...)
	if err == nil {
		err = writeFailureRows(w, s)
	}
	if err != nil {
		return fmt.Errorf("writing failures csv: %w", err)
	}
	return nil
}

func writeFailureRows(w io.Writer, s *stats.Snapshot) error {
	for _, e := range locustErrorOrder(s.Errors) {
		err := writeCSVRow(w, e.Method, e.Name, e.Error,
			strconv.FormatInt(e.Occurrences, 10), utcSecond(e.FirstSeen), utcSecond(e.LastSeen))
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteExceptionsCSV writes Locust's exceptions table (the _exceptions.csv
// file), highest count first.
func WriteExceptionsCSV(w io.Writer, s *stats.Snapshot) error {
	err := writeCSVRow(w, exceptionsColumns...)
	if err == nil {
		err = writeExceptionRows(w, s)
	}
	if err != nil {
		return fmt.Errorf("writing exceptions csv: %w", err)
	}
	return nil
}

func writeExceptionRows(w io.Writer, s *stats.Snapshot) error {
	for _, x := range s.Exceptions {
		err := writeCSVRow(w, strconv.FormatInt(x.Count, 10), x.Msg, x.Traceback, strings.Join(x.Nodes, ", "))
		if err != nil {
			return err
		}
	}
	return nil
}

// medianField prints the median as Locust does: an integer histogram key,
// or the exact float minimum or maximum it was clamped to.
func medianField(e *stats.Entry) string {
	m := e.Median()
	if m == float64(e.Percentile(0.5)) {
		return strconv.FormatInt(int64(m), 10)
	}
	return pyFloat(m)
}

// avgSizeField is Locust's average content size: the int 0 without
// requests, else a float from true division, even when it is 0.0.
func avgSizeField(e *stats.Entry) string {
	if e.NumRequests == 0 {
		return "0"
	}
	return pyFloat(e.AvgContentLength())
}

func percentileFields(e *stats.Entry, current bool) []string {
	out := make([]string, len(percentiles))
	for i, p := range percentiles {
		switch {
		case e.NumRequests == 0:
			out[i] = "N/A"
		case current:
			ms, _ := e.CurrentPercentile(p) // Locust writes 0 when it has none
			out[i] = strconv.FormatInt(ms, 10)
		default:
			out[i] = strconv.FormatInt(e.Percentile(p), 10)
		}
	}
	return out
}

// utcSecond formats a time as Locust's format_utc_timestamp does.
func utcSecond(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// locustErrorOrder sorts failures as Locust's CSV does: by the hex SHA-256
// of "method.name.repr(error)", its key for the error table. The order
// looks arbitrary but lets the two tools' files be compared row by row.
func locustErrorOrder(errs []*stats.ErrorEntry) []*stats.ErrorEntry {
	type keyed struct {
		key string
		e   *stats.ErrorEntry
	}
	rows := make([]keyed, len(errs))
	for i, e := range errs {
		sum := sha256.Sum256([]byte(e.Method + "." + e.Name + "." + pyRepr(e.Error)))
		rows[i] = keyed{hex.EncodeToString(sum[:]), e}
	}
	slices.SortFunc(rows, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	out := make([]*stats.ErrorEntry, len(rows))
	for i, r := range rows {
		out[i] = r.e
	}
	return out
}
