//go:build race

package metrics

// raceEnabled is true under the race detector, whose slowdown would swamp
// the milliseconds that the timing tests assert; make test runs them in its
// pass without it.
const raceEnabled = true
