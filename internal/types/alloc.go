package types

// StringCost returns the heap bytes behind a string of length n that owns
// its own allocation (see stringCost); the engine uses it for keys and
// string values so that all memory figures share one model.
func StringCost(n int) int { return stringCost(n) }

// AllocSize returns the heap bytes the Go allocator uses for an object of n
// bytes; pointers says whether it contains pointers.
func AllocSize(n int, pointers bool) int { return allocSize(n, pointers) }
