//go:build race

package script

// raceEnabled is true when the race detector slows everything down, so
// that timing-accuracy tests, which need an unhindered client, run in the
// separate pass of make test without it.
const raceEnabled = true
