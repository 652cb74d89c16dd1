//go:build !race

package lualib

const raceEnabled = false
