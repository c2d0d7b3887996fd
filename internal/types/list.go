package types

import (
	"math"
	"unsafe"
)

// minListCap is the smallest ring buffer a non-empty List allocates.
const minListCap = 8

// List is a Redis list: a deque of strings kept in a growable ring buffer
// whose size is a power of two. It shrinks when less than a quarter full.
// Indexes follow Redis: 0 is the head, negative indexes count from the
// tail (-1 is the last element); methods taking indexes normalize them.
//
// The zero value is an empty list ready to use.
type List struct {
	buf      []string // ring buffer; len is 0 or a power of two
	head     int      // index in buf of element 0
	n        int      // number of elements
	strBytes int      // heap bytes of the elements
}

// NewList returns an empty list.
func NewList() *List { return new(List) }

// Encoding returns "quicklist", which Redis 7.0 reports for every list.
func (l *List) Encoding() string { return EncodingQuicklist }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// at returns a pointer to element i (0 <= i < Len()).
func (l *List) at(i int) *string {
	return &l.buf[(l.head+i)&(len(l.buf)-1)]
}

// resize moves the elements to a new ring buffer of size c (a power of two
// >= Len()), starting at index 0.
func (l *List) resize(c int) {
	nb := make([]string, c)
	if l.n > 0 {
		first := copy(nb, l.buf[l.head:min(l.head+l.n, len(l.buf))])
		copy(nb[first:l.n], l.buf)
	}
	l.buf, l.head = nb, 0
}

// reserve makes room for extra more elements.
func (l *List) reserve(extra int) {
	if need := l.n + extra; need > len(l.buf) {
		l.resize(max(minListCap, ceilPow2(need)))
	}
}

// shrink releases memory when the buffer is less than a quarter full.
func (l *List) shrink() {
	if len(l.buf) > minListCap && l.n < len(l.buf)/4 {
		l.resize(max(minListCap, ceilPow2(l.n*2)))
	}
}

// PushFront inserts vals at the head one after the other, as LPUSH does:
// PushFront("a", "b") leaves "b" first.
func (l *List) PushFront(vals ...string) {
	l.reserve(len(vals))
	for _, v := range vals {
		l.head = (l.head - 1) & (len(l.buf) - 1)
		l.buf[l.head] = v
		l.n++
		l.strBytes += stringCost(len(v))
	}
}

// PushBack appends vals at the tail in order, as RPUSH does.
func (l *List) PushBack(vals ...string) {
	l.reserve(len(vals))
	for _, v := range vals {
		*l.at(l.n) = v
		l.n++
		l.strBytes += stringCost(len(v))
	}
}

// take clears element i's slot and returns the element, accounting for it.
func (l *List) take(i int) string {
	p := l.at(i)
	v := *p
	*p = ""
	l.strBytes -= stringCost(len(v))
	return v
}

// PopFront removes and returns the head element; ok is false if empty.
func (l *List) PopFront() (v string, ok bool) {
	if l.n == 0 {
		return "", false
	}
	v = l.take(0)
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
	l.shrink()
	return v, true
}

// PopBack removes and returns the tail element; ok is false if empty.
func (l *List) PopBack() (v string, ok bool) {
	if l.n == 0 {
		return "", false
	}
	v = l.take(l.n - 1)
	l.n--
	l.shrink()
	return v, true
}

// normIndex converts a Redis index (negative counts from the tail) to a
// position, reporting false when it is out of range.
func (l *List) normIndex(i int) (int, bool) {
	if i < 0 {
		i += l.n
	}
	return i, i >= 0 && i < l.n
}

// Index returns the element at Redis index i (LINDEX); ok is false when i
// is out of range.
func (l *List) Index(i int) (v string, ok bool) {
	if i, ok = l.normIndex(i); !ok {
		return "", false
	}
	return *l.at(i), true
}

// Set replaces the element at Redis index i (LSET) and reports whether i
// was in range.
func (l *List) Set(i int, v string) bool {
	i, ok := l.normIndex(i)
	if !ok {
		return false
	}
	p := l.at(i)
	l.strBytes += stringCost(len(v)) - stringCost(len(*p))
	*p = v
	return true
}

// span converts LRANGE/LTRIM bounds to positions lo..hi inclusive, with
// Redis's rules: negative bounds count from the tail, start is clamped to
// 0 and stop to the last element; ok is false when the range is empty.
func (l *List) span(start, stop int) (lo, hi int, ok bool) {
	if start < 0 {
		start += l.n
	}
	if stop < 0 {
		stop += l.n
	}
	start = max(start, 0)
	if start > stop || start >= l.n {
		return 0, -1, false
	}
	return start, min(stop, l.n-1), true
}

// RangeFunc calls fn for the elements from start to stop inclusive, with
// LRANGE's index rules, until fn returns false.
func (l *List) RangeFunc(start, stop int, fn func(v string) bool) {
	lo, hi, ok := l.span(start, stop)
	if !ok {
		return
	}
	for i := lo; i <= hi; i++ {
		if !fn(*l.at(i)) {
			return
		}
	}
}

// Range returns the elements from start to stop inclusive, with LRANGE's
// index rules; nil when the range is empty.
func (l *List) Range(start, stop int) []string {
	lo, hi, ok := l.span(start, stop)
	if !ok {
		return nil
	}
	out := make([]string, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		out = append(out, *l.at(i))
	}
	return out
}

// All calls fn for every element from head to tail until fn returns false.
func (l *List) All(fn func(v string) bool) {
	for i := 0; i < l.n; i++ {
		if !fn(*l.at(i)) {
			return
		}
	}
}

// Trim keeps only the elements from start to stop inclusive, with LTRIM's
// index rules (an empty range empties the list).
func (l *List) Trim(start, stop int) {
	lo, hi, ok := l.span(start, stop)
	if !ok {
		lo, hi = l.n, l.n-1
	}
	for i := 0; i < lo; i++ {
		l.take(i)
	}
	for i := hi + 1; i < l.n; i++ {
		l.take(i)
	}
	if l.n > 0 {
		l.head = (l.head + lo) & (len(l.buf) - 1)
	}
	l.n = hi - lo + 1
	l.shrink()
}

// insertAt inserts v so that it becomes element pos (0 <= pos <= Len()),
// shifting whichever side of pos is shorter.
func (l *List) insertAt(pos int, v string) {
	l.reserve(1)
	if pos < l.n/2 {
		l.head = (l.head - 1) & (len(l.buf) - 1)
		l.n++
		for j := 0; j < pos; j++ {
			*l.at(j) = *l.at(j + 1)
		}
	} else {
		l.n++
		for j := l.n - 1; j > pos; j-- {
			*l.at(j) = *l.at(j - 1)
		}
	}
	*l.at(pos) = v
	l.strBytes += stringCost(len(v))
}

// Insert inserts v before or after the first element (from the head) equal
// to pivot, as LINSERT does, and returns the new length, or -1 when pivot
// is not in the list.
func (l *List) Insert(pivot string, before bool, v string) int {
	for i := 0; i < l.n; i++ {
		if *l.at(i) == pivot {
			if !before {
				i++
			}
			l.insertAt(i, v)
			return l.n
		}
	}
	return -1
}

// Remove deletes elements equal to v, as LREM does, and returns how many
// it removed: the first count from the head when count > 0, the last
// -count from the tail when count < 0, and all of them when count is 0.
func (l *List) Remove(count int, v string) int {
	limit := uint(count) // matches still to remove; 0 means no limit
	fromTail := count < 0
	if fromTail {
		limit = uint(-count) // uint: -MinInt stays positive
	}
	removed := 0
	// Compact the kept elements toward the end the scan started from.
	w := 0
	for r := 0; r < l.n; r++ {
		ri, wi := r, w
		if fromTail {
			ri, wi = l.n-1-r, l.n-1-w
		}
		e := *l.at(ri)
		if e == v && (count == 0 || uint(removed) < limit) {
			removed++
			continue
		}
		*l.at(wi) = e
		w++
	}
	if removed == 0 {
		return 0
	}
	for k := 0; k < removed; k++ { // the vacated slots: the far end
		i := w + k
		if fromTail {
			i = k
		}
		p := l.at(i)
		*p = ""
	}
	l.strBytes -= removed * stringCost(len(v))
	if fromTail {
		l.head = (l.head + removed) & (len(l.buf) - 1)
	}
	l.n -= removed
	l.shrink()
	return removed
}

// Pos returns the positions (from the head, as LINDEX counts) of elements
// equal to elem, following LPOS: a positive rank r skips the first r-1
// matches scanning from the head, a negative rank -r skips r-1 matches
// scanning from the tail (rank 0 is treated as 1; the engine rejects it);
// at most count positions are returned (0: all); only the first maxlen
// elements scanned are compared (0: all). LPOS without COUNT is count 1.
// Rank math.MinInt reproduces Redis 7.0.15, where negating it overflows:
// it scans from the tail, skips nothing and ignores count.
func (l *List) Pos(elem string, rank, count, maxlen int) []int {
	var skip uint
	switch {
	case rank > 0:
		skip = uint(rank - 1)
	case rank == math.MinInt:
		count = 0
	case rank < 0:
		skip = uint(-rank - 1)
	}
	limit := l.n
	if maxlen > 0 {
		limit = min(limit, maxlen)
	}
	var out []int
	for k := 0; k < limit; k++ {
		i := k
		if rank < 0 {
			i = l.n - 1 - k
		}
		if *l.at(i) != elem {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, i)
		if count > 0 && len(out) >= count {
			break
		}
	}
	return out
}

// Clone returns an independent copy of l.
func (l *List) Clone() *List {
	c := &List{strBytes: l.strBytes}
	if l.n > 0 {
		c.resize(len(l.buf))
		c.n = l.n
		for i := 0; i < l.n; i++ {
			c.buf[i] = *l.at(i)
		}
	}
	return c
}

// MemoryUsage returns the heap bytes held by l, including its header,
// assuming each element string owns its allocation.
func (l *List) MemoryUsage() int {
	return allocSize(int(unsafe.Sizeof(*l)), true) +
		allocSize(len(l.buf)*int(unsafe.Sizeof("")), true) + l.strBytes
}
