//go:build race

package mock

// raceEnabled is true under the race detector, whose slowdown would swamp
// the few milliseconds that the timing tests assert; make test runs them
// in its pass without it.
const raceEnabled = true
