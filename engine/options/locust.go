package options

import "errors"

// The built-in groups, named as Locust's --help names them.
const (
	groupCommon = "Common options"
	groupWeb    = "Web UI options"
	groupMaster = "Master options"
	groupWorker = "Worker options"
	groupTags   = "Tag options"
	groupStats  = "Request statistics options"
	groupLog    = "Logging options"
	groupLLM    = "LLM options"
	groupLoad   = "Load options"
	groupOther  = "Other options"
)

// Locust returns the built-in options: Locust's names, short names,
// defaults, environment variables and help groups, plus --tokenizer and the
// web UI's --web-auth and --web-insecure. Each is bound to its field of
// Run, here and nowhere else. Unlike Locust, --web-host
// defaults to the loopback address and -f to locustfile.lua.
func Locust() []Option {
	var opts []Option
	for _, group := range [][]Option{commonOptions(), webOptions(), masterOptions(), workerOptions(), tagOptions(), statsOptions(), logOptions(), llmOptions(), loadOptions(), otherOptions()} {
		opts = append(opts, group...)
	}
	return opts
}

func commonOptions() []Option {
	return []Option{
		{Name: "help", field: func(r *Run) any { return &r.Help }, Short: "h", Kind: Bool, FlagOnly: true, Group: groupCommon, Help: "Show this help message and exit."},
		{Name: "locustfile", field: func(r *Run) any { return &r.Locustfile }, Short: "f", Kind: String, Default: "locustfile.lua", Group: groupCommon, Metavar: "<filename>",
			Help: "The Lua scenario to run: its user classes, their tasks and its options, e.g. 'chat.lua'."},
		{Name: "config", field: func(r *Run) any { return &r.Config }, Kind: String, FlagOnly: true, Group: groupCommon, Metavar: "<filename>",
			Help: "Read options from this file too. It overrides ~/.locust.conf, ./locust.conf and the [tool.locust] table of ./pyproject.toml; environment variables and the command line override it."},
		{Name: "host", field: func(r *Run) any { return &r.Host }, Short: "H", Kind: String, Group: groupCommon, Metavar: "<base url>",
			Help: "Base URL of the server under test, e.g. https://api.example.com. 'mock' starts the built-in simulated LLM server."},
		{Name: "users", field: func(r *Run) any { return &r.Users }, Short: "u", Kind: Int, Default: 1, Group: groupCommon, Metavar: "<int>", Check: notNegative,
			Help: "Peak number of concurrent users. Mostly used with --headless or --autostart."},
		{Name: "spawn-rate", field: func(r *Run) any { return &r.SpawnRate }, Short: "r", Kind: Float, Default: 1.0, Group: groupCommon, Metavar: "<float>", Check: aboveZero,
			Help: "How many users to start per second. Mostly used with --headless or --autostart."},
		{Name: "run-time", field: func(r *Run) any { return &r.RunTime }, Short: "t", Kind: Duration, Group: groupCommon, Metavar: "<time string>",
			Help: "Stop the test after this long, e.g. 300s, 20m, 3h or 1h30m. Used with --headless or --autostart; without it the test runs until it is stopped."},
		{Name: "list", field: func(r *Run) any { return &r.List }, Short: "l", Kind: Bool, Group: groupCommon, Help: "List the scenario's user classes and exit."},
	}
}

func webOptions() []Option {
	return []Option{
		{Name: "web-host", field: func(r *Run) any { return &r.WebHost }, Kind: String, Default: "127.0.0.1", Group: groupWeb, Metavar: "<ip>",
			Help: "Address the web UI listens on. Unlike Locust, which listens on every interface, the default is the loopback address only; any other address needs --web-auth, or --web-insecure."},
		{Name: "web-port", field: func(r *Run) any { return &r.WebPort }, Short: "P", Kind: Int, Default: 8089, Group: groupWeb, Metavar: "<port number>",
			Help: "Port the web UI listens on."},
		{Name: "headless", field: func(r *Run) any { return &r.Headless }, Kind: Bool, Group: groupWeb,
			Help: "Run without the web UI and start the test at once. Set the users and the run time with -u and -t."},
		{Name: "autostart", field: func(r *Run) any { return &r.Autostart }, Kind: Bool, Group: groupWeb,
			Help: "Start the test at once, like --headless, but keep the web UI."},
		{Name: "autoquit", field: func(r *Run) any { return &r.Autoquit }, Kind: Int, Default: -1, Group: groupWeb, Metavar: "<seconds>",
			Help: "With --autostart, exit this many seconds after the test has finished. The default, -1, keeps running until stopped with Ctrl+C."},
		{Name: "web-login", field: func(r *Run) any { return &r.WebLogin }, Kind: Bool, Group: groupWeb,
			Help: "Put a login page in front of the web UI."},
		{Name: "web-auth", field: func(r *Run) any { return &r.WebAuth }, Kind: String, Secret: true, Group: groupWeb, Metavar: "<username:password>",
			Help: "Protect the web UI with HTTP basic authentication."},
		{Name: "web-insecure", field: func(r *Run) any { return &r.WebInsecure }, Kind: Bool, Group: groupWeb,
			Help: "Allow the web UI on a non-loopback address without --web-login or --web-auth. Anyone who reaches it can aim load at any host."},
		{Name: "web-base-path", field: func(r *Run) any { return &r.WebBasePath }, Kind: String, Group: groupWeb, Metavar: "<path>",
			Help: "Path prefix the web UI is served under, e.g. '/locust'. Empty means the root."},
	}
}

func masterOptions() []Option {
	return []Option{
		{Name: "master", field: func(r *Run) any { return &r.Master }, Kind: Bool, Env: "LOCUST_MODE_MASTER", Group: groupMaster,
			Help: "Run as a master node that workers connect to."},
		{Name: "master-bind-host", field: func(r *Run) any { return &r.MasterBindHost }, Kind: String, Default: "*", Group: groupMaster, Metavar: "<ip>",
			Help: "Address the master listens on for workers; '*' means every interface."},
		{Name: "master-bind-port", field: func(r *Run) any { return &r.MasterBindPort }, Kind: Int, Default: 5557, Group: groupMaster, Metavar: "<port number>",
			Help: "Port the master listens on for workers."},
		{Name: "expect-workers", field: func(r *Run) any { return &r.ExpectWorkers }, Kind: Int, Default: 1, Group: groupMaster, Metavar: "<int>", Check: atLeastOne,
			Help: "With --headless or --autostart, wait for this many workers to connect before starting the test."},
		{Name: "expect-workers-max-wait", field: func(r *Run) any { return &r.ExpectWorkersMaxWait }, Kind: Int, Group: groupMaster, Metavar: "<int>",
			Help: "Seconds the master waits for the expected workers before giving up; 0 waits forever."},
	}
}

func workerOptions() []Option {
	return []Option{
		{Name: "worker", field: func(r *Run) any { return &r.Worker }, Kind: Bool, Env: "LOCUST_MODE_WORKER", Group: groupWorker,
			Help: "Run as a worker node that connects to a master."},
		{Name: "processes", field: func(r *Run) any { return &r.Processes }, Kind: Int, Group: groupWorker, Metavar: "<int>",
			Help: "Fork this many worker processes, or one per CPU core with -1. With --worker only workers start; without it a master starts as well. Experimental."},
		{Name: "master-host", field: func(r *Run) any { return &r.MasterHost }, Kind: String, Default: "127.0.0.1", Env: "LOCUST_MASTER_NODE_HOST", Group: groupWorker, Metavar: "<hostname>",
			Help: "Host name or address of the master to connect to."},
		{Name: "master-port", field: func(r *Run) any { return &r.MasterPort }, Kind: Int, Default: 5557, Env: "LOCUST_MASTER_NODE_PORT", Group: groupWorker, Metavar: "<port number>",
			Help: "Port of the master to connect to."},
	}
}

func tagOptions() []Option {
	return []Option{
		{Name: "tags", field: func(r *Run) any { return &r.Tags }, Short: "T", Kind: List, Group: groupTags, Metavar: "<tag>",
			Help: "Run only the tasks that carry at least one of these tags."},
		{Name: "exclude-tags", field: func(r *Run) any { return &r.ExcludeTags }, Short: "E", Kind: List, Group: groupTags, Metavar: "<tag>",
			Help: "Leave out the tasks that carry any of these tags."},
	}
}

func statsOptions() []Option {
	return []Option{
		{Name: "csv", field: func(r *Run) any { return &r.CSV }, Kind: String, Group: groupStats, Metavar: "<filename>",
			Help: "Write request statistics to CSV files named after this prefix: PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv and the LLM files. Folders in the prefix are created."},
		{Name: "csv-full-history", field: func(r *Run) any { return &r.CSVFullHistory }, Kind: Bool, Group: groupStats,
			Help: "Also write a row for every stats entry to PREFIX_stats_history.csv. Needs --csv."},
		{Name: "print-stats", field: func(r *Run) any { return &r.PrintStats }, Kind: Bool, Group: groupStats,
			Help: "Print request statistics periodically in web UI runs too."},
		{Name: "only-summary", field: func(r *Run) any { return &r.OnlySummary }, Kind: Bool, Group: groupStats,
			Help: "In --headless runs, print only the final summary, not the periodic statistics."},
		{Name: "reset-stats", field: func(r *Run) any { return &r.ResetStats }, Kind: Bool, Group: groupStats,
			Help: "Reset the statistics once all users have been spawned. In distributed runs, give it to the master and to the workers."},
		{Name: "html", field: func(r *Run) any { return &r.HTML }, Kind: String, Group: groupStats, Metavar: "<filename>",
			Help: "Write an HTML report to this file. {u}, {r} and {t} in the name become the user count, spawn rate and run time."},
		{Name: "json", field: func(r *Run) any { return &r.JSON }, Kind: Bool, Group: groupStats,
			Help: "Print the final statistics as JSON on standard output."},
		{Name: "json-file", field: func(r *Run) any { return &r.JSONFile }, Kind: String, Group: groupStats, Metavar: "<filename>",
			Help: "Write the final statistics as JSON to this file."},
		{Name: "requests-jsonl", field: func(r *Run) any { return &r.RequestsJSONL }, Kind: String, Group: groupStats, Metavar: "<filename>",
			Help: "Write one JSON line per request to this file: its timings, the arrival of each token chunk, its token counts and their source, its error."},
	}
}

func logOptions() []Option {
	return []Option{
		{Name: "loglevel", field: func(r *Run) any { return &r.Loglevel }, Short: "L", Kind: String, Default: "INFO", Group: groupLog, Metavar: "<level>",
			Choices: []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"},
			Help:    "How much to log."},
		{Name: "logfile", field: func(r *Run) any { return &r.Logfile }, Kind: String, Group: groupLog, Metavar: "<filename>",
			Help: "Also write the log to this file (it still goes to standard error)."},
	}
}

func llmOptions() []Option {
	return []Option{
		{Name: "tokenizer", field: func(r *Run) any { return &r.Tokenizer }, Kind: String, Default: "o200k_base", Group: groupLLM, Metavar: "<name or path>",
			Help: "Counts the tokens of LLM requests: a tiktoken encoding name such as o200k_base or cl100k_base, or the path of a Hugging Face tokenizer.json."},
		{Name: "max-event-size", field: func(r *Run) any { return &r.MaxEventSize }, Kind: String, Default: "1MiB", Group: groupLLM, Metavar: "<size>", Check: checkSize,
			Help: "Fail a streamed request, and close its connection, when one of its events or lines grows past this size, e.g. 256KiB or 4MiB."},
		{Name: "max-text-size", field: func(r *Run) any { return &r.MaxTextSize }, Kind: String, Default: "16MiB", Group: groupLLM, Metavar: "<size>", Check: checkSize,
			Help: "Fail a request, and close its connection, when the text it brings (streamed output and reasoning, or a plain response body) grows past this size."},
		{Name: "max-backlog", field: func(r *Run) any { return &r.MaxBacklog }, Kind: String, Default: "512MiB", Group: groupLLM, Metavar: "<size>", Check: checkSize,
			Help: "Bound the metrics queue: past this many bytes of chunks waiting, a streamed request fails rather than grow the queue, and the run reports the client saturated."},
	}
}

func otherOptions() []Option {
	return []Option{
		{Name: "show-task-ratio", field: func(r *Run) any { return &r.ShowTaskRatio }, Kind: Bool, Group: groupOther,
			Help: "Print a table of the task execution ratios of each user class and exit. Give -u as well when some classes have a fixed_count."},
		{Name: "show-task-ratio-json", field: func(r *Run) any { return &r.ShowTaskRatioJSON }, Kind: Bool, Group: groupOther,
			Help: "Like --show-task-ratio, printed as JSON."},
		{Name: "version", field: func(r *Run) any { return &r.Version }, Short: "V", Kind: Bool, FlagOnly: true, Group: groupOther,
			Help: "Show the version and exit."},
		{Name: "exit-code-on-error", field: func(r *Run) any { return &r.ExitCodeOnError }, Kind: Int, Default: 1, Group: groupOther, Metavar: "<int>",
			Help: "Exit status to use when the test saw any failure or error."},
		{Name: "stop-timeout", field: func(r *Run) any { return &r.StopTimeout }, Short: "s", Kind: Duration, FloatSeconds: true, Group: groupOther, Metavar: "<number>",
			Help: "How long a stopping user may take to finish its current task, e.g. 30, 0.5 or 1m; by default users stop at once. In distributed runs only the master needs it."},
		{Name: "equal-weights", field: func(r *Run) any { return &r.EqualWeights }, Kind: Bool, Group: groupOther,
			Help: "Give every task the same weight, whatever the scenario says."},
	}
}

// Checks shared by the built-in options, worded as Locust words them.
var (
	errNotAboveZero = errors.New("must be > 0")
	errNegative     = errors.New("must be >= 0")
	errBelowOne     = errors.New("must be a positive number")
)

func aboveZero(v any) error {
	if v.(float64) <= 0 {
		return errNotAboveZero
	}
	return nil
}

func notNegative(v any) error {
	if v.(int) < 0 {
		return errNegative
	}
	return nil
}

func atLeastOne(v any) error {
	if v.(int) < 1 {
		return errBelowOne
	}
	return nil
}
