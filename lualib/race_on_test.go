//go:build race

package lualib

// raceEnabled is true under the race detector, whose slowdown would make
// a wall-clock bound meaningless; timing checks are left to the other
// pass.
const raceEnabled = true
