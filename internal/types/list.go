package types

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// List is a Redis list: a deque of strings packed, like Redis's quicklist,
// into nodes of at most listNodeMax bytes (an element longer than that gets
// a node of its own). A node is one pointer-free byte slice, so a list of a
// million short elements is a few hundred allocations that the garbage
// collector never scans, instead of a million strings it must.
//
// An element is stored as a length header, its bytes and a length trailer,
// so a node can be walked from either end: lengths below 128 take one byte
// each side; longer ones are entryLong followed by 4 bytes (or entryHuge and
// 8 bytes) before the bytes, and the same bytes followed by the marker after.
// A node's entries occupy buf[lo:hi]; a node grown by pushes at the head
// keeps its free space in front, one grown at the tail behind.
//
// Indexes follow Redis: 0 is the head, negative indexes count from the tail
// (-1 is the last element); methods taking indexes normalize them. Strings
// returned are copies, valid after the list changes.
//
// The zero value is an empty list ready to use.
type List struct {
	ring  []listNode // the nodes, head first, in ring[first : first+k]
	first int
	k     int
	n     int // elements
	bytes int // heap bytes of the nodes' buffers
}

// listNode is a run of packed elements.
type listNode struct {
	buf    []byte // len(buf) is the whole allocation
	lo, hi int    // the entries are buf[lo:hi]
	count  int    // elements
}

// listNodeMax is the most bytes of entries a node collects (Redis's
// list-max-listpack-size default is 8 KB). A variable so tests can make
// nodes small.
var listNodeMax = 4096

// listNodeMin is the smallest buffer a node starts with.
const listNodeMin = 32

// Markers of the long length forms (see List).
const (
	entryLong = 0x80
	entryHuge = 0x81
)

// entrySize returns the bytes an element of n bytes takes in a node.
func entrySize(n int) int {
	switch {
	case n < entryLong:
		return n + 2
	case uint64(n) <= math.MaxUint32:
		return n + 10
	default:
		return n + 18
	}
}

// putEntry encodes v at the start of dst, which has entrySize(len(v)) bytes.
func putEntry(dst []byte, v string) {
	n := len(v)
	switch {
	case n < entryLong:
		dst[0] = byte(n)
		copy(dst[1:], v)
		dst[1+n] = byte(n)
	case uint64(n) <= math.MaxUint32:
		dst[0] = entryLong
		binary.LittleEndian.PutUint32(dst[1:], uint32(n))
		copy(dst[5:], v)
		binary.LittleEndian.PutUint32(dst[5+n:], uint32(n))
		dst[9+n] = entryLong
	default:
		dst[0] = entryHuge
		binary.LittleEndian.PutUint64(dst[1:], uint64(n))
		copy(dst[9:], v)
		binary.LittleEndian.PutUint64(dst[9+n:], uint64(n))
		dst[17+n] = entryHuge
	}
}

// entryAt returns the bounds of the bytes of the entry starting at off and
// the offset of the next entry.
func entryAt(b []byte, off int) (vs, ve, next int) {
	switch h := b[off]; h {
	case entryLong:
		vs = off + 5
		ve = vs + int(binary.LittleEndian.Uint32(b[off+1:]))
		return vs, ve, ve + 5
	case entryHuge:
		vs = off + 9
		ve = vs + int(binary.LittleEndian.Uint64(b[off+1:]))
		return vs, ve, ve + 9
	default:
		vs = off + 1
		ve = vs + int(h)
		return vs, ve, ve + 1
	}
}

// entryBefore returns the start of the entry ending at end and the bounds
// of its bytes.
func entryBefore(b []byte, end int) (start, vs, ve int) {
	switch t := b[end-1]; t {
	case entryLong:
		ve = end - 5
		vs = ve - int(binary.LittleEndian.Uint32(b[ve:]))
		return vs - 5, vs, ve
	case entryHuge:
		ve = end - 9
		vs = ve - int(binary.LittleEndian.Uint64(b[ve:]))
		return vs - 9, vs, ve
	default:
		ve = end - 1
		vs = ve - int(t)
		return vs - 1, vs, ve
	}
}

// view returns b[vs:ve] as a string sharing b's memory: valid only while
// the bytes are not changed.
func view(b []byte, vs, ve int) string {
	if vs == ve {
		return ""
	}
	return unsafe.String(&b[vs], ve-vs)
}

// NewList returns an empty list.
func NewList() *List { return new(List) }

// Encoding returns "quicklist", which Redis 7.0 reports for every list.
func (l *List) Encoding() string { return EncodingQuicklist }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// node returns node i (0 <= i < k), the head's node being 0.
func (l *List) node(i int) *listNode { return &l.ring[l.first+i] }

// newBuf allocates a node buffer of at least size bytes, accounting for it.
func (l *List) newBuf(size int) []byte {
	b := make([]byte, allocSize(size, false))
	l.bytes += len(b)
	return b
}

// openGap makes room for m nodes before node at (0 <= at <= k); the caller
// fills node(at) .. node(at+m-1).
func (l *List) openGap(at, m int) {
	r, f := l.ring, l.first
	switch {
	case at == 0 && f >= m:
		l.first -= m
	case at > 0 && f+l.k+m <= len(r):
		copy(r[f+at+m:], r[f+at:f+l.k])
	case at < l.k && f >= m:
		copy(r[f-m:], r[f:f+at])
		l.first -= m
	default: // a new ring, twice what is needed, the nodes centered
		size := l.k + m
		if l.k > 0 {
			size *= 2
		}
		nr := make([]listNode, size)
		nf := (size - l.k - m) / 2
		copy(nr[nf:], r[f:f+at])
		copy(nr[nf+at+m:], r[f+at:f+l.k])
		l.ring, l.first = nr, nf
	}
	l.k += m
}

// removeNodes drops nodes at .. at+m-1 and their buffers.
func (l *List) removeNodes(at, m int) {
	r, f := l.ring, l.first
	for i := at; i < at+m; i++ {
		l.bytes -= len(r[f+i].buf)
	}
	if at < l.k-at-m { // fewer nodes before the gap: move them
		copy(r[f+m:], r[f:f+at])
		clear(r[f : f+m])
		l.first += m
	} else {
		copy(r[f+at:], r[f+at+m:f+l.k])
		clear(r[f+l.k-m : f+l.k])
	}
	l.k -= m
	switch {
	case l.k == 0:
		l.ring, l.first = nil, 0
	case len(r) > 4 && l.k < len(r)/4:
		size := 2 * l.k
		nr := make([]listNode, size)
		nf := (size - l.k) / 2
		copy(nr[nf:], r[l.first:l.first+l.k])
		l.ring, l.first = nr, nf
	}
}

// room makes space for need more bytes at the head (front) or tail of nd,
// moving its entries or growing its buffer up to listNodeMax; false when
// the entries would exceed listNodeMax.
func (l *List) room(nd *listNode, need int, front bool) bool {
	used := nd.hi - nd.lo
	if used+need > listNodeMax {
		return false
	}
	if front && nd.lo >= need || !front && len(nd.buf)-nd.hi >= need {
		return true
	}
	// A bigger buffer gets the entries at its far end: the pushes come
	// from this side. Within the buffer, half of what is spare is left on
	// the other side, as pushes then come from both.
	nb, lo := nd.buf, 0
	if used+need > len(nb) {
		nb = l.newBuf(max(used+need, min(2*len(nb), listNodeMax)))
		l.bytes -= len(nd.buf)
		if front {
			lo = len(nb) - used
		}
	} else if spare := (len(nb) - used - need) / 2; front {
		lo = need + spare
	} else {
		lo = spare
	}
	copy(nb[lo:], nd.buf[nd.lo:nd.hi])
	nd.buf, nd.lo, nd.hi = nb, lo, lo+used
	return true
}

// freshNode returns an empty node for an entry of need bytes next to
// neighbour (nil if none): a full-sized buffer when the neighbour is a
// full regular node, as the list is then long, a small one otherwise.
func (l *List) freshNode(need int, neighbour *listNode, front bool) listNode {
	size := max(need, listNodeMin)
	if neighbour != nil {
		if used := neighbour.hi - neighbour.lo; used <= listNodeMax && 2*used >= listNodeMax {
			size = max(need, listNodeMax)
		}
	}
	nd := listNode{buf: l.newBuf(size)}
	if front {
		nd.lo, nd.hi = len(nd.buf), len(nd.buf)
	}
	return nd
}

// PushFront inserts vals at the head one after the other, as LPUSH does:
// PushFront("a", "b") leaves "b" first. The list copies the bytes.
func (l *List) PushFront(vals ...string) {
	for _, v := range vals {
		need := entrySize(len(v))
		if l.k == 0 || !l.room(l.node(0), need, true) {
			var next *listNode
			if l.k > 0 {
				next = l.node(0)
			}
			nd := l.freshNode(need, next, true)
			l.openGap(0, 1)
			*l.node(0) = nd
		}
		nd := l.node(0)
		nd.lo -= need
		putEntry(nd.buf[nd.lo:], v)
		nd.count++
		l.n++
	}
}

// PushBack appends vals at the tail in order, as RPUSH does. The list
// copies the bytes.
func (l *List) PushBack(vals ...string) {
	for _, v := range vals {
		need := entrySize(len(v))
		if l.k == 0 || !l.room(l.node(l.k-1), need, false) {
			var prev *listNode
			if l.k > 0 {
				prev = l.node(l.k - 1)
			}
			nd := l.freshNode(need, prev, false)
			l.openGap(l.k, 1)
			*l.node(l.k - 1) = nd
		}
		nd := l.node(l.k - 1)
		putEntry(nd.buf[nd.hi:], v)
		nd.hi += need
		nd.count++
		l.n++
	}
}

// PopFront removes and returns the head element; ok is false if empty.
func (l *List) PopFront() (v string, ok bool) {
	if l.n == 0 {
		return "", false
	}
	nd := l.node(0)
	vs, ve, next := entryAt(nd.buf, nd.lo)
	v = string(nd.buf[vs:ve])
	nd.lo = next
	l.dropped(0, 1)
	return v, true
}

// PopBack removes and returns the tail element; ok is false if empty.
func (l *List) PopBack() (v string, ok bool) {
	if l.n == 0 {
		return "", false
	}
	nd := l.node(l.k - 1)
	start, vs, ve := entryBefore(nd.buf, nd.hi)
	v = string(nd.buf[vs:ve])
	nd.hi = start
	l.dropped(l.k-1, 1)
	return v, true
}

// dropped records that m elements left node i, removing it if empty.
func (l *List) dropped(i, m int) {
	nd := l.node(i)
	nd.count -= m
	l.n -= m
	if nd.count == 0 {
		l.removeNodes(i, 1)
	}
}

// normIndex converts a Redis index (negative counts from the tail) to a
// position, reporting false when it is out of range.
func (l *List) normIndex(i int) (int, bool) {
	if i < 0 {
		i += l.n
	}
	return i, i >= 0 && i < l.n
}

// locate returns the node holding position i (0 <= i < Len()) and the
// offset of its entry there, walking from the nearer end.
func (l *List) locate(i int) (ni, off int) {
	if i < l.n/2 {
		for i >= l.node(ni).count {
			i -= l.node(ni).count
			ni++
		}
	} else {
		back := l.n - 1 - i
		ni = l.k - 1
		for back >= l.node(ni).count {
			back -= l.node(ni).count
			ni--
		}
		i = l.node(ni).count - 1 - back
	}
	nd := l.node(ni)
	if i <= nd.count/2 {
		off = nd.lo
		for ; i > 0; i-- {
			_, _, off = entryAt(nd.buf, off)
		}
		return ni, off
	}
	off = nd.hi
	for j := nd.count - i; j > 0; j-- {
		off, _, _ = entryBefore(nd.buf, off)
	}
	return ni, off
}

// Index returns the element at Redis index i (LINDEX); ok is false when i
// is out of range.
func (l *List) Index(i int) (v string, ok bool) {
	if i, ok = l.normIndex(i); !ok {
		return "", false
	}
	ni, off := l.locate(i)
	b := l.node(ni).buf
	vs, ve, _ := entryAt(b, off)
	return string(b[vs:ve]), true
}

// Set replaces the element at Redis index i (LSET) and reports whether i
// was in range.
func (l *List) Set(i int, v string) bool {
	i, ok := l.normIndex(i)
	if !ok {
		return false
	}
	ni, off := l.locate(i)
	nd := l.node(ni)
	if vs, ve, _ := entryAt(nd.buf, off); ve-vs == len(v) {
		copy(nd.buf[vs:ve], v)
		return true
	}
	vals := nd.views(nil)
	vals[nd.indexOf(off)] = v
	l.rewrite(ni, vals)
	return true
}

// indexOf returns which entry of nd starts at off.
func (nd *listNode) indexOf(off int) int {
	j := 0
	for o := nd.lo; o < off; j++ {
		_, _, o = entryAt(nd.buf, o)
	}
	return j
}

// views appends nd's elements, head first, to dst as strings sharing nd's
// buffer (see view).
func (nd *listNode) views(dst []string) []string {
	for off := nd.lo; off < nd.hi; {
		vs, ve, next := entryAt(nd.buf, off)
		dst = append(dst, view(nd.buf, vs, ve))
		off = next
	}
	return dst
}

// rewrite replaces node ni by freshly packed nodes holding vals (none when
// vals is empty). vals may be views of node ni's buffer, which is left
// unchanged. The caller keeps n up to date.
func (l *List) rewrite(ni int, vals []string) {
	total := 0
	for _, v := range vals {
		total += entrySize(len(v))
	}
	// Split into parts of about equal size, none above listNodeMax (unless
	// one element is).
	parts := max(1, (total+listNodeMax-1)/listNodeMax)
	target := (total + parts - 1) / parts
	var nodes []listNode
	for i := 0; i < len(vals); {
		size, j := 0, i
		for j < len(vals) {
			need := entrySize(len(vals[j]))
			if j > i && (size >= target || size+need > listNodeMax) {
				break
			}
			size += need
			j++
		}
		nd := listNode{buf: l.newBuf(size), hi: size, count: j - i}
		off := 0
		for _, v := range vals[i:j] {
			putEntry(nd.buf[off:], v)
			off += entrySize(len(v))
		}
		nodes = append(nodes, nd)
		i = j
	}
	if len(nodes) == 0 {
		l.removeNodes(ni, 1)
		return
	}
	l.bytes -= len(l.node(ni).buf)
	*l.node(ni) = nodes[0]
	if len(nodes) > 1 {
		l.openGap(ni+1, len(nodes)-1)
		for j, nd := range nodes[1:] {
			*l.node(ni + 1 + j) = nd
		}
	}
}

// mergeSmall joins neighbouring nodes whose entries together take at most
// half of listNodeMax, so deletions in the middle leave no trail of tiny
// nodes.
func (l *List) mergeSmall() {
	for i := 0; i+1 < l.k; {
		a, b := l.node(i), l.node(i+1)
		ua, ub := a.hi-a.lo, b.hi-b.lo
		if 2*(ua+ub) > listNodeMax {
			i++
			continue
		}
		nb := l.newBuf(ua + ub)
		copy(nb, a.buf[a.lo:a.hi])
		copy(nb[ua:], b.buf[b.lo:b.hi])
		l.bytes -= len(a.buf)
		*a = listNode{buf: nb, hi: ua + ub, count: a.count + b.count}
		l.removeNodes(i+1, 1)
	}
}

// fit gives node i a smaller buffer when it uses less than a quarter of it.
func (l *List) fit(i int) {
	nd := l.node(i)
	used := nd.hi - nd.lo
	if len(nd.buf) <= listNodeMin || 4*used >= len(nd.buf) {
		return
	}
	nb := l.newBuf(used)
	copy(nb, nd.buf[nd.lo:nd.hi])
	l.bytes -= len(nd.buf)
	nd.buf, nd.lo, nd.hi = nb, 0, used
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

// each calls fn for cnt elements from position pos on, head to tail, until
// fn returns false. Each node's elements handed to fn share one new
// allocation, so they stay valid after the list changes.
func (l *List) each(pos, cnt int, fn func(v string) bool) {
	if cnt <= 0 {
		return
	}
	ni, off := l.locate(pos)
	for ; cnt > 0; ni++ {
		nd := l.node(ni)
		// Size the copy of this node's part, then fill it.
		size, m := 0, 0
		for o := off; o < nd.hi && m < cnt; m++ {
			vs, ve, next := entryAt(nd.buf, o)
			size += ve - vs
			o = next
		}
		var s string
		if size > 0 {
			b := make([]byte, 0, size)
			for o, j := off, 0; j < m; j++ {
				vs, ve, next := entryAt(nd.buf, o)
				b = append(b, nd.buf[vs:ve]...)
				o = next
			}
			s = unsafe.String(&b[0], size)
		}
		for o, at, j := off, 0, 0; j < m; j++ {
			vs, ve, next := entryAt(nd.buf, o)
			if !fn(s[at : at+ve-vs]) {
				return
			}
			at += ve - vs
			o = next
		}
		cnt -= m
		if ni+1 < l.k {
			off = l.node(ni + 1).lo
		}
	}
}

// RangeFunc calls fn for the elements from start to stop inclusive, with
// LRANGE's index rules, until fn returns false.
func (l *List) RangeFunc(start, stop int, fn func(v string) bool) {
	if lo, hi, ok := l.span(start, stop); ok {
		l.each(lo, hi-lo+1, fn)
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
	l.each(lo, hi-lo+1, func(v string) bool { out = append(out, v); return true })
	return out
}

// All calls fn for every element from head to tail until fn returns false.
func (l *List) All(fn func(v string) bool) { l.each(0, l.n, fn) }

// Trim keeps only the elements from start to stop inclusive, with LTRIM's
// index rules (an empty range empties the list).
func (l *List) Trim(start, stop int) {
	lo, hi, ok := l.span(start, stop)
	if !ok {
		*l = List{}
		return
	}
	for back := l.n - 1 - hi; back > 0; {
		nd := l.node(l.k - 1)
		if nd.count <= back {
			back -= nd.count
			l.dropped(l.k-1, nd.count)
			continue
		}
		for j := 0; j < back; j++ {
			nd.hi, _, _ = entryBefore(nd.buf, nd.hi)
		}
		l.dropped(l.k-1, back)
		l.fit(l.k - 1)
		break
	}
	for front := lo; front > 0; {
		nd := l.node(0)
		if nd.count <= front {
			front -= nd.count
			l.dropped(0, nd.count)
			continue
		}
		for j := 0; j < front; j++ {
			_, _, nd.lo = entryAt(nd.buf, nd.lo)
		}
		l.dropped(0, front)
		l.fit(0)
		break
	}
}

// find returns the node and offset of the first element (from the head)
// equal to v; ok is false when there is none.
func (l *List) find(v string) (ni, off int, ok bool) {
	for ni = 0; ni < l.k; ni++ {
		nd := l.node(ni)
		for off = nd.lo; off < nd.hi; {
			vs, ve, next := entryAt(nd.buf, off)
			if string(nd.buf[vs:ve]) == v {
				return ni, off, true
			}
			off = next
		}
	}
	return 0, 0, false
}

// Insert inserts v before or after the first element (from the head) equal
// to pivot, as LINSERT does, and returns the new length, or -1 when pivot
// is not in the list.
func (l *List) Insert(pivot string, before bool, v string) int {
	ni, off, ok := l.find(pivot)
	if !ok {
		return -1
	}
	nd := l.node(ni)
	j := nd.indexOf(off)
	if !before {
		j++
	}
	vals := nd.views(make([]string, 0, nd.count+1))
	vals = append(vals, "")
	copy(vals[j+1:], vals[j:])
	vals[j] = v
	l.rewrite(ni, vals)
	l.n++
	return l.n
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
	var vals []string
	for step := 0; step < l.k && (count == 0 || uint(removed) < limit); step++ {
		ni := step
		if fromTail {
			ni = l.k - 1 - step
		}
		nd := l.node(ni)
		vals = nd.views(vals[:0])
		var kept []string
		was := removed
		if fromTail { // compact toward the tail, scanning from it
			w := len(vals)
			for j := len(vals) - 1; j >= 0; j-- {
				if vals[j] == v && uint(removed) < limit {
					removed++
					continue
				}
				w--
				vals[w] = vals[j]
			}
			kept = vals[w:]
		} else {
			kept = vals[:0]
			for _, e := range vals {
				if e == v && (count == 0 || uint(removed) < limit) {
					removed++
					continue
				}
				kept = append(kept, e)
			}
		}
		if removed == was {
			continue
		}
		l.n -= removed - was
		l.rewrite(ni, kept)
		if len(kept) == 0 {
			step-- // the node is gone: the next one to scan is one step closer
		}
	}
	if removed > 0 {
		l.mergeSmall()
	}
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
	match := func(i int, b []byte) bool { // false: stop
		if string(b) != elem {
			return true
		}
		if skip > 0 {
			skip--
			return true
		}
		out = append(out, i)
		return count == 0 || len(out) < count
	}
	scanned := 0
	if rank >= 0 {
		for ni := 0; ni < l.k; ni++ {
			nd := l.node(ni)
			for off := nd.lo; off < nd.hi; scanned++ {
				if scanned == limit {
					return out
				}
				vs, ve, next := entryAt(nd.buf, off)
				if !match(scanned, nd.buf[vs:ve]) {
					return out
				}
				off = next
			}
		}
		return out
	}
	for ni := l.k - 1; ni >= 0; ni-- {
		nd := l.node(ni)
		for end := nd.hi; end > nd.lo; scanned++ {
			if scanned == limit {
				return out
			}
			start, vs, ve := entryBefore(nd.buf, end)
			if !match(l.n-1-scanned, nd.buf[vs:ve]) {
				return out
			}
			end = start
		}
	}
	return out
}

// Clone returns an independent copy of l.
func (l *List) Clone() *List {
	c := &List{n: l.n}
	if l.k == 0 {
		return c
	}
	c.ring = make([]listNode, l.k)
	c.k = l.k
	for i := range l.k {
		nd := l.node(i)
		used := nd.hi - nd.lo
		b := c.newBuf(used)
		copy(b, nd.buf[nd.lo:nd.hi])
		c.ring[i] = listNode{buf: b, hi: used, count: nd.count}
	}
	return c
}

// MemoryUsage returns the heap bytes held by l, including its header.
func (l *List) MemoryUsage() int {
	return allocSize(int(unsafe.Sizeof(*l)), true) +
		allocSize(len(l.ring)*int(unsafe.Sizeof(listNode{})), true) + l.bytes
}
