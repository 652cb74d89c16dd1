package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/locusttest"
)

// locustfileOfChat is a Locust master's side of scenarios/openai_chat.lua:
// a user class of the same name, whose tasks the master never runs.
const locustfileOfChat = `from locust import User, task


class ChatUser(User):
    @task
    def chat(self):
        pass
`

// A real Locust master drives two of our workers against the simulator:
// its CSV counts every request our workers made, as many as the simulator
// answered in full.
func TestWorkersUnderARealLocustMaster(t *testing.T) {
	py := locusttest.Python(t)
	m, url := startMock(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "chat.py"), []byte(locustfileOfChat), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	master := exec.CommandContext(ctx, py, "-m", "locust", "-f", "chat.py", "--master", "--headless",
		"--master-bind-host", "127.0.0.1", "--master-bind-port", fmt.Sprint(port), "--expect-workers", "2",
		"-u", "10", "-r", "10", "-t", "12s", "--csv", "m", "-H", url)
	master.Dir = dir
	var masterOut strings.Builder
	master.Stdout, master.Stderr = &masterOut, &masterOut
	if err := master.Start(); err != nil {
		t.Fatal(err)
	}
	workers := make(chan result, 2)
	for range 2 {
		go func() {
			workers <- runCLI(t, ctx, nil, "-f", "../../scenarios/openai_chat.lua", "--worker",
				"--master-port", fmt.Sprint(port), "--max-tokens", "8")
		}()
	}
	if err := master.Wait(); err != nil {
		t.Fatalf("the Locust master: %v\n%s", err, masterOut.String())
	}
	for range 2 {
		r := <-workers
		if r.code != 0 || !strings.Contains(r.stderr, `All users spawned: {"ChatUser": 5}`) {
			t.Errorf("a worker exited %d:\n%s", r.code, r.stderr)
		}
	}
	requests, failures := aggregatedRow(t, filepath.Join(dir, "m_stats.csv"))
	tot := m.Totals()
	if requests == 0 || requests != tot.Completed || failures != 0 {
		t.Errorf("the master counted %d requests (%d failed); the simulator answered %d in full (%+v)\n%s",
			requests, failures, tot.Completed, tot, masterOut.String())
	}
}

// aggregatedRow is the request and failure counts of a Locust stats CSV's
// Aggregated row.
func aggregatedRow(t *testing.T, path string) (requests, failures int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if len(row) > 3 && row[1] == "Aggregated" {
			requests, _ = strconv.ParseInt(row[2], 10, 64)
			failures, _ = strconv.ParseInt(row[3], 10, 64)
			return requests, failures
		}
	}
	t.Fatalf("%s has no Aggregated row", path)
	return 0, 0
}
