package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSmokeEndToEnd builds the client and the baseline and runs both at
// 100 users for a few seconds against the simulator, then a small
// capacity run: the harness end to end, with figures that must hang
// together (token counts exact, timings no earlier than the simulator's).
func TestSmokeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries and runs clients for about 15 s")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bins, err := buildBinaries(ctx, root, dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &e2e{bins: bins, root: root, dir: dir, logf: t.Logf}
	run, err := e.compare(ctx, 100, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		c    Client
	}{{"ours", run.Ours}, {"baseline", run.Baseline}} {
		checkClient(t, c.name, c.c, 100)
	}
	if run.Ours.MetricsBacklog == nil {
		t.Error("no metrics backlog read from our summary")
	}
	if run.CPURatio <= 0 || run.RSSRatio <= 0 {
		t.Errorf("ratios %.2f (CPU) and %.2f (RSS)", run.CPURatio, run.RSSRatio)
	}

	c, err := e.capacity(ctx, 100, 100, 300, 100*time.Millisecond, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxStreaming != 100 || c.PeakRSSBytes <= 0 || c.Chunks <= 0 || c.Cancelled != 100 {
		t.Errorf("capacity run: %+v; want all 100 users streaming when they were cut off", c)
	}

	res := &Results{Schema: ResultsSchema, Machine: machineInfo(root, time.Now()), E2E: []Run{run}, Capacity: c}
	res.Targets = evaluate(res)
	var table strings.Builder
	if err := writeTable(&table, res); err != nil {
		t.Fatal(err)
	}
	if err := res.writeFile(filepath.Join(dir, "results.json")); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + table.String())
}

func checkClient(t *testing.T, name string, c Client, users int) {
	t.Helper()
	if c.Failures != 0 || c.Requests < int64(users) {
		t.Errorf("%s: %d requests, %d failed (%s); want at least one per user and no failure", name, c.Requests, c.Failures, c.LastError)
	}
	if c.Chunks == 0 || c.TokensCounted != c.Chunks || c.Chunks != c.Requests*simTokens {
		t.Errorf("%s: counted %d tokens in %d requests, the simulator sent %d", name, c.TokensCounted, c.Requests, c.Chunks)
	}
	if int64(c.SimRecords) != c.Requests {
		t.Errorf("%s: %d requests, the simulator recorded %d", name, c.Requests, c.SimRecords)
	}
	if c.CPUSeconds <= 0 || c.PeakRSSBytes <= 0 || c.CPUPer1kChunks <= 0 {
		t.Errorf("%s: CPU %.3f s, peak RSS %d bytes", name, c.CPUSeconds, c.PeakRSSBytes)
	}
	// A client cannot see a token before it was sent; the 0.1 % rounding
	// of our histograms allows a fraction of a millisecond below.
	if c.TTFTError.P50 < -0.5 || c.SimTTFT.P50 < float64(simTTFT.Milliseconds()) {
		t.Errorf("%s: TTFT p50 error %.2f ms against the simulator's %.2f ms", name, c.TTFTError.P50, c.SimTTFT.P50)
	}
	if c.TPOT.P50 <= 0 {
		t.Errorf("%s: TPOT p50 %.3f ms", name, c.TPOT.P50)
	}
}
