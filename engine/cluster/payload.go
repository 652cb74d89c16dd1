package cluster

import "github.com/llmlocust/llmlocust/engine/stats"

// AckData answers a worker's client_ready with its place among the workers.
type AckData struct {
	Index int `msgpack:"index"`
}

// SpawnData is the master's target for one worker: how many users of each
// class to run now, the host and the options of the test. Timestamp orders
// spawns: a worker ignores one not newer than the last it acted on.
type SpawnData struct {
	Timestamp        float64        `msgpack:"timestamp"`
	UserClassesCount map[string]int `msgpack:"user_classes_count"`
	Host             *string        `msgpack:"host"`
	StopTimeout      *float64       `msgpack:"stop_timeout"`
	ParsedOptions    map[string]any `msgpack:"parsed_options"`
}

// SpawningCompleteData is what a worker says once it runs its target, and
// what the master answers with the total user count only.
type SpawningCompleteData struct {
	UserClassesCount map[string]int `msgpack:"user_classes_count,omitempty"`
	UserCount        int            `msgpack:"user_count"`
}

// HeartbeatData is a worker's heartbeat: its state, CPU use in percent of
// one core and resident memory in bytes.
type HeartbeatData struct {
	State              string  `msgpack:"state"`
	CurrentCPUUsage    float64 `msgpack:"current_cpu_usage"`
	CurrentMemoryUsage int64   `msgpack:"current_memory_usage"`
}

// ExceptionData is an error a worker's script raised.
type ExceptionData struct {
	Msg       string `msgpack:"msg"`
	Traceback string `msgpack:"traceback"`
}

// LogsData is a batch of a worker's log lines.
type LogsData struct {
	WorkerID string   `msgpack:"worker_id"`
	Logs     []string `msgpack:"logs"`
}

// ReportData is a worker's stats report: Locust's keys, the users it runs,
// and the LLM figures under a key of our own, which a Locust master keeps
// but never reads.
type ReportData struct {
	stats.Report     `msgpack:",inline"`
	UserClassesCount map[string]int `msgpack:"user_classes_count"`
	UserCount        int            `msgpack:"user_count"`
}
