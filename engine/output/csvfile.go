package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/llmlocust/llmlocust/engine/secret"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// CSVWriter keeps the CSV files of a run (--csv PREFIX) up to date:
// Locust's four and the two LLM files. PREFIX_stats.csv,
// PREFIX_failures.csv, PREFIX_exceptions.csv and PREFIX_llm_stats.csv are
// rewritten on every Tick; PREFIX_stats_history.csv and
// PREFIX_llm_stats_history.csv gain rows. The LLM files exist even in a run
// without LLM requests, with only their headers, so that scripts can rely
// on them. Every Tick writes straight to the files, so a run that dies
// leaves them as of its last second. A CSVWriter is not safe for
// concurrent use.
type CSVWriter struct {
	fullHistory bool
	percentiles Percentiles // of the LLM timings
	goodput     bool        // the LLM stats file has the goodput columns
	stats       rewritable
	failures    rewritable
	exceptions  rewritable
	history     rewritable // only ever appended to
	llmStats    rewritable
	llmHistory  rewritable // only ever appended to
	lastStamp   int64      // Unix second of the newest history rows
	// lastRows is where the newest history rows of each history file
	// begin, so that the final rows can take their place.
	lastRows [2]int64
}

// rewritable is a file whose header stays while the rows after it are
// replaced.
type rewritable struct {
	f         *os.File
	dataStart int64
	secrets   *secret.Scrubber // masks the rows; nil masks nothing
}

// NewCSVWriter creates the six files (and the folder of prefix) and
// writes their header lines. With fullHistory, the history files get a row
// per entry as well as the total, as with Locust's --csv-full-history.
// The LLM stats file has the default percentiles and no goodput columns.
func NewCSVWriter(prefix string, fullHistory bool) (*CSVWriter, error) {
	return NewCSVFiles(prefix, CSVConfig{FullHistory: fullHistory})
}

// CSVConfig is what a run's options choose of its CSV files.
type CSVConfig struct {
	// FullHistory is --csv-full-history.
	FullHistory bool
	// Percentiles are those of the LLM timings; nil for the default.
	Percentiles Percentiles
	// Goodput adds the goodput columns to the LLM stats file: the run
	// sets SLOs.
	Goodput bool
}

// NewCSVFiles is NewCSVWriter with the LLM columns that cfg chooses.
func NewCSVFiles(prefix string, cfg CSVConfig) (*CSVWriter, error) {
	fullHistory := cfg.FullHistory
	if dir := filepath.Dir(prefix); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating csv folder: %w", err)
		}
	}
	w := &CSVWriter{fullHistory: fullHistory, percentiles: cfg.Percentiles, goodput: cfg.Goodput}
	for _, c := range []struct {
		dst    *rewritable
		suffix string
		header []string
	}{
		{&w.stats, "_stats.csv", statsColumns},
		{&w.history, "_stats_history.csv", historyColumns},
		{&w.failures, "_failures.csv", failuresColumns},
		{&w.exceptions, "_exceptions.csv", exceptionsColumns},
		{&w.llmStats, "_llm_stats.csv", llmStatsColumns(cfg.Percentiles, cfg.Goodput)},
		{&w.llmHistory, "_llm_stats_history.csv", llmHistoryColumns},
	} {
		f, err := createCSV(prefix+c.suffix, c.header)
		if err != nil {
			return nil, errors.Join(err, w.closeFiles())
		}
		*c.dst = f
	}
	return w, nil
}

func createCSV(path string, header []string) (rewritable, error) {
	f, err := os.Create(path)
	if err != nil {
		return rewritable{}, fmt.Errorf("creating csv file: %w", err)
	}
	var buf bytes.Buffer
	_ = writeCSVRow(&buf, header...) // a bytes.Buffer does not fail
	if _, err := f.Write(buf.Bytes()); err != nil {
		return rewritable{}, errors.Join(fmt.Errorf("writing header of %s: %w", path, err), f.Close())
	}
	return rewritable{f: f, dataStart: int64(buf.Len())}, nil
}

// Start implements Output; the files were made by NewCSVWriter.
func (w *CSVWriter) Start(Sample) error { return nil }

// Tick implements Output. The tick after a test stopped is left to
// Close, which writes the final figures.
func (w *CSVWriter) Tick(s Sample) error {
	if s.Stopped {
		return nil
	}
	if err := w.Write(s.Stats, s.Users); err != nil {
		return fmt.Errorf("writing CSV files: %w", err)
	}
	return nil
}

// Close implements Output.
func (w *CSVWriter) Close(s Sample) error {
	if err := w.Finish(s.Stats, s.Users); err != nil {
		return fmt.Errorf("writing CSV files: %w", err)
	}
	return nil
}

// Write brings the files up to snap, a snapshot taken now; the caller
// calls it once a second. userCount is the number of running users, for
// the history file.
func (w *CSVWriter) Write(snap *stats.Snapshot, userCount int) error {
	if err := w.rewriteTables(snap); err != nil {
		return err
	}
	return w.appendHistory(snap, userCount)
}

// Finish writes the final snapshot and closes the files. The history always
// ends on the run's final totals, the same as PREFIX_stats.csv: when final
// falls in the second of the newest history rows, its rows replace them,
// so that no second is repeated.
func (w *CSVWriter) Finish(final *stats.Snapshot, userCount int) error {
	err := w.rewriteTables(final)
	if err == nil && w.lastStamp != 0 && final.Time.Unix() <= w.lastStamp {
		err = errors.Join(w.history.truncate(w.lastRows[0]), w.llmHistory.truncate(w.lastRows[1]))
	}
	if err == nil {
		err = w.appendHistory(final, userCount)
	}
	return errors.Join(err, w.closeFiles())
}

func (w *CSVWriter) rewriteTables(snap *stats.Snapshot) error {
	if err := w.stats.rewrite(func(b io.Writer) error { return writeStatsRows(b, snap) }); err != nil {
		return err
	}
	if err := w.failures.rewrite(func(b io.Writer) error { return writeFailureRows(b, snap) }); err != nil {
		return err
	}
	if err := w.exceptions.rewrite(func(b io.Writer) error { return writeExceptionRows(b, snap) }); err != nil {
		return err
	}
	return w.llmStats.rewrite(func(b io.Writer) error { return writeLLMStatsRows(b, snap, w.percentiles, w.goodput) })
}

func (w *CSVWriter) appendHistory(snap *stats.Snapshot, userCount int) error {
	var buf, llm bytes.Buffer
	_ = writeHistoryRows(&buf, snap, userCount, w.fullHistory) // a bytes.Buffer does not fail
	_ = writeLLMHistoryRows(&llm, snap, userCount, w.fullHistory)
	var err error
	if w.lastRows[0], err = w.history.append(buf.Bytes()); err != nil {
		return err
	}
	if w.lastRows[1], err = w.llmHistory.append(llm.Bytes()); err != nil {
		return err
	}
	w.lastStamp = snap.Time.Unix()
	return nil
}

// append writes b at the end of the file and says where it begins.
func (r rewritable) append(b []byte) (int64, error) {
	b, _ = r.secrets.Bytes(b)
	at, err := r.f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = r.f.Write(b)
	}
	if err != nil {
		return 0, fmt.Errorf("appending to %s: %w", r.f.Name(), err)
	}
	return at, nil
}

// truncate drops what the file holds from offset at on.
func (r rewritable) truncate(at int64) error {
	if err := r.f.Truncate(at); err != nil {
		return fmt.Errorf("truncating %s: %w", r.f.Name(), err)
	}
	return nil
}

// rewrite replaces the rows after the header by what fill writes. The rows
// are built in memory first so that the file is never left half-written
// by a formatting error.
func (r rewritable) rewrite(fill func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := fill(&buf); err != nil {
		return err
	}
	rows, _ := r.secrets.Bytes(buf.Bytes())
	if _, err := r.f.WriteAt(rows, r.dataStart); err != nil {
		return fmt.Errorf("rewriting %s: %w", r.f.Name(), err)
	}
	if err := r.f.Truncate(r.dataStart + int64(len(rows))); err != nil {
		return fmt.Errorf("truncating %s: %w", r.f.Name(), err)
	}
	return nil
}

// MaskSecrets makes every row written from now on pass through secrets.
// The tables are rewritten on every Tick, so a key learnt late leaves them
// too; history rows written before it was learnt stay as they were.
func (w *CSVWriter) MaskSecrets(secrets *secret.Scrubber) {
	for _, r := range []*rewritable{&w.stats, &w.history, &w.failures, &w.exceptions, &w.llmStats, &w.llmHistory} {
		r.secrets = secrets
	}
}

func (w *CSVWriter) closeFiles() error {
	var errs []error
	for _, f := range []*os.File{w.stats.f, w.history.f, w.failures.f, w.exceptions.f, w.llmStats.f, w.llmHistory.f} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing %s: %w", f.Name(), err))
		}
	}
	return errors.Join(errs...)
}
