package options

import (
	"errors"
	"time"
)

// Load holds the options of open-loop arrivals, sweeps, SLOs and gates.
type Load struct {
	RequestRate    float64
	Arrival        string
	Burstiness     float64
	Seed           int
	RateRamp       time.Duration
	Warmup         time.Duration
	WarmupRequests int
	Trace          string
	TraceSpeed     float64
	Sweep          string
	StepTime       time.Duration
	SLO            []string
	Check          []string
	Percentiles    string
}

func loadOptions() []Option {
	return []Option{
		{Name: "request-rate", field: func(r *Run) any { return &r.RequestRate }, Kind: Float, Group: groupLoad, Metavar: "<float>", Check: notNegativeFloat,
			Help: "Send this many requests per second for the whole test, open loop: arrivals follow a schedule from the test's start whatever the server's latency, and -u caps the requests in flight. 0 (the default) runs closed-loop users."},
		{Name: "arrival", field: func(r *Run) any { return &r.Arrival }, Kind: String, Default: "poisson", Group: groupLoad, Metavar: "<kind>",
			Choices: []string{"constant", "poisson", "gamma"},
			Help:    "How arrivals are spaced at --request-rate: evenly, as a Poisson process, or with gamma-distributed gaps of shape --burstiness."},
		{Name: "burstiness", field: func(r *Run) any { return &r.Burstiness }, Kind: Float, Default: 1.0, Group: groupLoad, Metavar: "<float>", Check: aboveZero,
			Help: "Shape of the gamma-distributed gaps between arrivals: 1 is Poisson, below 1 burstier, above 1 more even."},
		{Name: "seed", field: func(r *Run) any { return &r.Seed }, Kind: Int, Group: groupLoad, Metavar: "<int>",
			Help: "Seed of the arrival schedule, so that two runs send at the same offsets."},
		{Name: "rate-ramp", field: func(r *Run) any { return &r.RateRamp }, Kind: Duration, FloatSeconds: true, Group: groupLoad, Metavar: "<time string>",
			Help: "Raise the request rate linearly from 0 over this long, e.g. 30s."},
		{Name: "warmup", field: func(r *Run) any { return &r.Warmup }, Kind: Duration, FloatSeconds: true, Group: groupLoad, Metavar: "<time string>",
			Help: "Leave the requests that start in the test's first stretch, e.g. 10s, out of every reported statistic; the charts still draw them, shaded."},
		{Name: "warmup-requests", field: func(r *Run) any { return &r.WarmupRequests }, Kind: Int, Group: groupLoad, Metavar: "<int>", Check: notNegative,
			Help: "Leave the test's first N requests out of every reported statistic; the charts still draw them, shaded."},
		{Name: "trace", field: func(r *Run) any { return &r.Trace }, Kind: String, Group: groupLoad, Metavar: "<filename>",
			Help: "Replay a trace: a JSONL file of one request per line with a timestamp (ms from the start) and input_length/output_length, hash_ids or a prompt, as the Mooncake trace format."},
		{Name: "trace-speed", field: func(r *Run) any { return &r.TraceSpeed }, Kind: Float, Default: 1.0, Group: groupLoad, Metavar: "<float>", Check: aboveZero,
			Help: "Replay the trace this many times faster: 2 sends each request at half its offset."},
		{Name: "sweep", field: func(r *Run) any { return &r.Sweep }, Kind: String, Group: groupLoad, Metavar: "<users=…|rate=…>",
			Help: "Run one step per value and report each: users=1,2,4,8 (closed loop), rate=1,2,4,8 (requests/s), or rate=auto (raise the rate until an SLO breaks or the throughput stops growing)."},
		{Name: "step-time", field: func(r *Run) any { return &r.StepTime }, Kind: Duration, FloatSeconds: true, Default: 60 * time.Second, Group: groupLoad, Metavar: "<time string>",
			Help: "How long each step of a --sweep lasts."},
		{Name: "slo", field: func(r *Run) any { return &r.SLO }, Kind: List, Group: groupLoad, Metavar: "<metric<ms>",
			Help: "A per-request service level objective, repeatable: ttft_ms<500, tpot_ms<50, itl_ms<100, e2e_ms<10000. A request is good when it succeeded and met every one; goodput counts good requests."},
		{Name: "check", field: func(r *Run) any { return &r.Check }, Kind: List, Group: groupLoad, Metavar: "<expression>",
			Help: "A gate on the run's summary, repeatable, e.g. 'ttft_ms.p95 < 500' or 'fail_ratio < 0.01'. Checked at the end; any failed check exits with code 3."},
		{Name: "percentiles", field: func(r *Run) any { return &r.Percentiles }, Kind: String, Default: "50,90,95,99", Group: groupLoad, Metavar: "<list>",
			Help: "The percentiles of the LLM timings in every output, e.g. 50,90,95,99,99.9. Locust's own CSV columns keep Locust's."},
	}
}

var errNegativeFloat = errors.New("must be >= 0")

func notNegativeFloat(v any) error {
	if v.(float64) < 0 {
		return errNegativeFloat
	}
	return nil
}
