//go:build race

package resp

// raceEnabled reports whether the race detector is on; it adds allocations of
// its own, so allocation budgets are not checked under it.
const raceEnabled = true
