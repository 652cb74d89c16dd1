package main

// Exit codes, as Locust's: 0 for a clean run, --exit-code-on-error (1 by
// default) when requests failed or scripts raised errors, 2 when the
// command line or the scenario is wrong and no load was sent.
const (
	exitOK    = 0
	exitUsage = 2
)

// exitCode is what a finished run returns.
func exitCode(failures, exceptions int64, onError int) int {
	if failures > 0 || exceptions > 0 {
		return onError
	}
	return exitOK
}
