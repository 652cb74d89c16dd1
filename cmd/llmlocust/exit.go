package main

// Exit codes. 0, 1 and 2 are Locust's: 0 for a clean run,
// --exit-code-on-error (1 by default) when requests failed or scripts
// raised errors, 2 when the command line or the scenario is wrong and no
// load was sent. The others are ours, so that CI can tell "nothing was
// sent" from "the tool broke": 3 when a --check failed, 4 when llmlocust
// itself failed (a bug: it says so with a stack, and writes every output
// it still can), 130 when an interrupt came before any load (128 +
// SIGINT, as shells report it). A worker exits 0 when its master said quit
// or a signal stopped it, and 1 (exitLostMaster) when it lost its master.
//
// A failed check gives 3 even when requests failed too: a gate is the
// question the run was asked to answer. A test_stop listener's
// environment.process_exit_code, as in Locust, has the last word in a
// headless run.
const (
	exitOK          = 0
	exitLostMaster  = 1
	exitUsage       = 2
	exitChecks      = 3
	exitInternal    = 4
	exitInterrupted = 130
)

// exitCode is what a finished run returns.
func exitCode(failures, exceptions int64, onError int) int {
	if failures > 0 || exceptions > 0 {
		return onError
	}
	return exitOK
}
