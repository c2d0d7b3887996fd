package types

import "sort"

// The memory figures reported by the containers estimate what the Go heap
// really spends on them (what runtime.MemStats.HeapAlloc would grow by), so
// requests are rounded up the way the Go allocator rounds them: to a size
// class for small objects and to whole 8 KiB pages for large ones. Pointerful
// small objects bigger than 512 bytes carry an 8-byte malloc header.

// goSizeClasses lists the object sizes of the Go runtime's small size
// classes (internal/runtime/gc), smallest first.
var goSizeClasses = []int{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896,
	1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456,
	4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880,
	12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264,
	28672, 32768,
}

const (
	maxSmallAlloc    = 32768 // largest size served from a size class
	pageSize         = 8192  // granularity of large allocations
	mallocHeaderSize = 8     // header of pointerful objects above 512 bytes
	tinyAllocMax     = 16    // pointer-free objects below this are packed together
)

// allocSize returns the heap bytes the Go allocator uses for a request of n
// bytes; pointers says whether the object contains pointers.
func allocSize(n int, pointers bool) int {
	if n <= 0 {
		return 0
	}
	if n > maxSmallAlloc-mallocHeaderSize {
		return (n + pageSize - 1) / pageSize * pageSize
	}
	if pointers && n > 512 {
		n += mallocHeaderSize
	}
	if n <= smallClassMax {
		return int(smallClass[(n+7)>>3])
	}
	return goSizeClasses[sort.SearchInts(goSizeClasses, n)]
}

// smallClassMax bounds the sizes smallClass answers for.
const smallClassMax = 1024

// smallClass maps (n+7)/8 to the size class of an n-byte request, for n up
// to smallClassMax: the memory accounting asks on every write, and a table
// (as the runtime's own size_to_class8) beats a binary search.
var smallClass = func() (t [smallClassMax/8 + 1]uint16) {
	for i := range t {
		t[i] = uint16(goSizeClasses[sort.SearchInts(goSizeClasses, i*8)])
	}
	return t
}()

// stringCost returns the heap bytes behind a string of length n that owns
// its own allocation. Pointer-free objects below 16 bytes come from the tiny
// allocator, which packs them into shared 16-byte blocks; a live string keeps
// its whole block alive, and strings made one at a time among other
// short-lived allocations (as a server makes them) rarely share a block, so
// each counts as a full block.
func stringCost(n int) int {
	if n == 0 {
		return 0
	}
	if n < tinyAllocMax {
		return tinyAllocMax
	}
	return allocSize(n, false)
}
