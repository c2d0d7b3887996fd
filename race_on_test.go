//go:build race

package kevy

// raceOn reports whether the race detector is on: heavy tests scale down.
const raceOn = true
