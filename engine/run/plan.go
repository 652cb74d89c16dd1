package run

import (
	"slices"
	"time"

	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/secret"
)

// SimulatorHost is the host that names the built-in simulated LLM server.
const SimulatorHost = "mock"

// Plan is what a test needs of its scenario. The Lua runtime's
// script.Plan is one; the run knows nothing of how a plan makes its users.
type Plan interface {
	// UserClasses binds the scenario to a test: hosts resolved, tasks
	// filtered by tags, users ready to spawn.
	UserClasses(b *Binding) ([]runner.UserClass, error)
	// Shape is the scenario's load shape, nil when it has none; report
	// takes the errors it raises.
	Shape(report func(msg, traceback string)) runner.Shape
	FireTestStart(report func(msg, traceback string))
	// FireTestStop tells the scenario that the test stopped, with its
	// summary as the JSON summary has it. It returns the process exit
	// code the scenario asked for, nil when it asked for none.
	FireTestStop(report func(msg, traceback string), summary *output.Summary) (exitCode *int)
	// Hosts are the hosts the scenario's user classes name ("" for none).
	Hosts() []string
	// SecretOptions are the scenario's secret options, each name with the
	// zero value of its type (what a test that may not read it reads).
	SecretOptions() map[string]any
}

// Binding is what a test gives its scenario's users: where they aim,
// which tasks they may run, where Records and exceptions go, and how to
// stop the test.
type Binding struct {
	Host         string   // -H: overrides every class's host, as in Locust
	MockURL      string   // where the host "mock" points, once started
	Classes      []string // user classes named on the command line; empty runs all
	Tags         []string
	ExcludeTags  []string
	EqualWeights bool

	Values    func(name string) (any, bool)     // option values, read when used
	Records   interface{ Add(r record.Record) } // takes plain requests' Records
	Daemon    *metrics.Daemon                   // takes LLM streams; also Records in a run
	Tokenizer string                            // default tokenizer of LLM requests
	Exception func(msg, traceback string)
	StopTest  func()
	Logf      func(format string, args ...any)
	// Errorf logs an error a task raised, as Locust logs them: at ERROR,
	// so that -L WARNING still shows it. nil logs through Logf.
	Errorf  func(format string, args ...any)
	Getenv  func(string) (string, bool)
	Secrets *secret.Scrubber // learns the credentials requests send

	// OnStopTimeout bounds on_stop once a user's work has been cancelled.
	OnStopTimeout time.Duration
}

// needsSimulator reports whether a test aimed at host ("" for the
// classes' own) aims at the built-in simulator.
func needsSimulator(p Plan, host string) bool {
	if host != "" {
		return host == SimulatorHost
	}
	return slices.Contains(p.Hosts(), SimulatorHost)
}
