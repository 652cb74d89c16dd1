//go:build race

package main

// raceEnabled is true under the race detector, whose shadow memory and
// slowdown would swamp what the soak test measures; make test runs the
// soak in its pass without it.
const raceEnabled = true
