package webui

import "testing"

// A master's UI is distributed: the page says so and counts the workers,
// and /stats/requests lists them as Locust's Workers tab reads them.
func TestMasterListsItsWorkers(t *testing.T) {
	rows := []WorkerRow{
		{ID: "a_1", State: "running", Users: 3, CPU: 12.5, Memory: 1 << 20},
		{ID: "b_2", State: "missing", Users: 0},
	}
	f := setup(t, func(c *Config) { c.Workers = func() []WorkerRow { return rows } })
	args := pageArgs(t, f.get(t, "/").body)
	if args["is_distributed"] != true || num(t, args, "worker_count") != 2 {
		t.Errorf("templateArgs is_distributed %v, worker_count %v", args["is_distributed"], args["worker_count"])
	}
	if n := num(t, f.get(t, "/worker-count").json(t), "worker_count"); n != 2 {
		t.Errorf("/worker-count %v", n)
	}
	st := f.stats(t)
	if num(t, st, "worker_count") != 2 {
		t.Errorf("/stats/requests worker_count %v", st["worker_count"])
	}
	for i, want := range rows {
		for key, v := range map[string]any{"id": want.ID, "state": want.State, "user_count": float64(want.Users),
			"cpu_usage": want.CPU, "memory_usage": float64(want.Memory)} {
			if got := at(t, st, "workers", i, key); got != v {
				t.Errorf("worker %d %s = %v, want %v", i, key, got, v)
			}
		}
	}
}

// One process is not distributed and lists no workers.
func TestOneProcessListsNoWorkers(t *testing.T) {
	f := setup(t, nil)
	if _, ok := f.stats(t)["workers"]; ok {
		t.Error("/stats/requests lists workers without a master")
	}
}
