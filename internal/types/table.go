package types

import (
	"hash/maphash"
	"math"
	"math/bits"
	"math/rand/v2"
	"strings"
	"unsafe"
)

// tableSeed seeds every Table's hash function; one random seed per process.
// Hashes are stable for the life of the process, which Scan relies on.
var tableSeed = maphash.MakeSeed()

// Slot tags. A live slot's tag is its key's hash with the top bit set, so it
// can never equal the empty or tombstone tags; the top bit plays no part in
// choosing a bucket because tables never have 2^63 slots.
const (
	tagEmpty = 0
	tagTomb  = 1
	tagLive  = 1 << 63
)

const (
	minTableSize = 8
	// A table shrinks when fewer than 1 in shrinkFill slots hold live
	// elements (Redis's HASHTABLE_MIN_FILL is 10%).
	shrinkFill = 10
	// Random gives up on rejection sampling after this many misses; at the
	// minimum fill of 1/10 that happens with probability 0.9^1000 < 1e-45.
	maxRandomTries = 1000
)

// slot is one entry of a Table. val sits between tag and key so that a
// zero-size V adds no trailing padding.
type slot[V any] struct {
	tag uint64
	val V
	key string
}

// Table is an open-addressing hash table keyed by strings, with linear
// probing, tombstones on delete, a power-of-two size that grows at 3/4 load
// (tombstones included) and shrinks below 10% fill. Unlike a Go map it
// supports Redis's cursor-based Scan and uniform random sampling.
//
// The zero value is an empty table ready to use. A Table is not safe for
// concurrent use, and callbacks passed to All, Scan and Sample must not
// modify it.
type Table[V any] struct {
	slots    []slot[V]
	mask     uint64
	live     int // slots holding an element
	tombs    int // slots holding a tombstone
	strBytes int // heap bytes of keys, and of values when V is string
}

// NewTable returns a table sized to hold hint elements without growing.
func NewTable[V any](hint int) *Table[V] {
	t := new(Table[V])
	t.Reserve(hint)
	return t
}

// hashKey returns the tag of key k.
func hashKey(k string) uint64 {
	return maphash.String(tableSeed, k) | tagLive
}

// valueCost returns the heap bytes behind v when V is string, else 0.
func valueCost[V any](v V) int {
	if s, ok := any(v).(string); ok {
		return stringCost(len(s))
	}
	return 0
}

// Len returns the number of elements.
func (t *Table[V]) Len() int { return t.live }

// find returns the slot index of k, whose tag is h, or -1.
func (t *Table[V]) find(k string, h uint64) int {
	if t.live == 0 {
		return -1
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.tag == h && s.key == k {
			return int(i)
		}
		if s.tag == tagEmpty {
			return -1
		}
	}
}

// Get returns the value stored under k and whether it was present.
func (t *Table[V]) Get(k string) (V, bool) {
	if i := t.find(k, hashKey(k)); i >= 0 {
		return t.slots[i].val, true
	}
	var zero V
	return zero, false
}

// Ptr returns a pointer to the value stored under k, or nil if k is absent.
// The pointer is valid until the next Set of a new key or Delete. When V is
// string, changes made through it are not seen by MemoryUsage; use Set.
func (t *Table[V]) Ptr(k string) *V {
	if i := t.find(k, hashKey(k)); i >= 0 {
		return &t.slots[i].val
	}
	return nil
}

// Set stores v under k and reports whether k was newly added.
func (t *Table[V]) Set(k string, v V) (added bool) { return t.set(k, v, false) }

// SetCopy is Set for a k the caller will reuse (a view of its buffer): a
// new key is stored as a copy.
func (t *Table[V]) SetCopy(k string, v V) (added bool) { return t.set(k, v, true) }

func (t *Table[V]) set(k string, v V, copyKey bool) (added bool) {
	h := hashKey(k)
	if t.slots == nil {
		t.resize(minTableSize)
	}
	tomb := -1
	i := h & t.mask
	for {
		s := &t.slots[i]
		if s.tag == h && s.key == k {
			t.strBytes += valueCost(v) - valueCost(s.val)
			s.val = v
			return false
		}
		if s.tag == tagEmpty {
			break
		}
		if s.tag == tagTomb && tomb < 0 {
			tomb = int(i)
		}
		i = (i + 1) & t.mask
	}
	switch {
	case tomb >= 0:
		i = uint64(tomb)
		t.tombs--
	case (t.live+t.tombs+1)*4 > len(t.slots)*3:
		if (t.live+1)*2 > len(t.slots) {
			t.resize(len(t.slots) * 2)
		} else {
			t.resize(len(t.slots)) // only tombstones to clear
		}
		i = t.freeSlot(h)
	}
	if copyKey {
		k = strings.Clone(k)
	}
	t.slots[i] = slot[V]{tag: h, val: v, key: k}
	t.live++
	t.strBytes += stringCost(len(k)) + valueCost(v)
	return true
}

// freeSlot returns the first empty or tombstone slot probing from h's home.
func (t *Table[V]) freeSlot(h uint64) uint64 {
	i := h & t.mask
	for t.slots[i].tag&tagLive != 0 {
		i = (i + 1) & t.mask
	}
	return i
}

// Delete removes k and reports whether it was present.
func (t *Table[V]) Delete(k string) bool {
	i := t.find(k, hashKey(k))
	if i < 0 {
		return false
	}
	s := &t.slots[i]
	t.strBytes -= stringCost(len(s.key)) + valueCost(s.val)
	*s = slot[V]{tag: tagTomb}
	t.live--
	t.tombs++
	// A tombstone followed by an empty slot ends every probe chain through
	// it, so it and the tombstones before it can become empty.
	for j := uint64(i); t.slots[j].tag == tagTomb && t.slots[(j+1)&t.mask].tag == tagEmpty; j = (j - 1) & t.mask {
		t.slots[j].tag = tagEmpty
		t.tombs--
	}
	if len(t.slots) > minTableSize && t.live*shrinkFill < len(t.slots) {
		t.resize(max(minTableSize, ceilPow2(t.live*2)))
	}
	return true
}

// Reserve grows the table so that it holds n elements without growing again.
// Until it is filled, a table reserved far beyond its contents is sparser
// than Random assumes, so Random may take more draws (see Random).
func (t *Table[V]) Reserve(n int) {
	size := max(minTableSize, ceilPow2(n+n/3+1))
	if size > len(t.slots) {
		t.resize(size)
	}
}

// resize rebuilds the table with size slots (a power of two holding more
// than the live elements), dropping every tombstone.
func (t *Table[V]) resize(size int) {
	old := t.slots
	t.slots = make([]slot[V], size)
	t.mask = uint64(size - 1)
	t.tombs = 0
	for i := range old {
		if old[i].tag&tagLive != 0 {
			t.slots[t.freeSlot(old[i].tag)] = old[i]
		}
	}
}

// ceilPow2 returns the smallest power of two >= n (1 for n <= 1).
func ceilPow2(n int) int {
	if n <= 1 {
		return 1
	}
	return 1 << bits.Len(uint(n-1))
}

// All calls fn for every element, in slot order, until fn returns false.
func (t *Table[V]) All(fn func(k string, v V) bool) {
	for i := range t.slots {
		s := &t.slots[i]
		if s.tag&tagLive != 0 && !fn(s.key, s.val) {
			return
		}
	}
}

// Scan performs one step of a Redis-style cursor scan: start with cursor 0
// and call again with the returned cursor until it is 0. Every element
// present for the whole scan is passed to fn at least once, even if the
// table grows or shrinks between calls; elements may be reported more than
// once. count is a hint for how many elements to report (at least 1 is
// assumed): like Redis, a call stops after reporting count elements or
// visiting 10*count buckets.
//
// The cursor walks home buckets in reverse-binary order, as Redis's
// dictScan does; visiting a bucket reports the elements whose home it is,
// found by probing forward from it to the first empty slot.
func (t *Table[V]) Scan(cursor uint64, count int, fn func(k string, v V)) (next uint64) {
	if t.live == 0 {
		return 0
	}
	count = max(count, 1)
	budget := math.MaxInt
	if count < math.MaxInt/10 {
		budget = count * 10
	}
	mask := t.mask
	reported := 0
	for {
		home := cursor & mask
		for i := home; t.slots[i].tag != tagEmpty; i = (i + 1) & mask {
			s := &t.slots[i]
			if s.tag&tagLive != 0 && s.tag&mask == home {
				fn(s.key, s.val)
				reported++
			}
		}
		// Increment the reversed cursor, as Redis does.
		cursor |= ^mask
		cursor = bits.Reverse64(bits.Reverse64(cursor) + 1)
		budget--
		if cursor == 0 || reported >= count || budget == 0 {
			return cursor
		}
	}
}

// randIndex returns a uniform random number in [0, n) from r, or from the
// process-wide source when r is nil.
func randIndex(r *rand.Rand, n int) int {
	if r == nil {
		return rand.IntN(n)
	}
	return r.IntN(n)
}

// randomSlot returns the index of a uniformly chosen live slot, or -1.
func (t *Table[V]) randomSlot(r *rand.Rand) int {
	if t.live == 0 {
		return -1
	}
	for range maxRandomTries {
		if i := randIndex(r, len(t.slots)); t.slots[i].tag&tagLive != 0 {
			return i
		}
	}
	i := uint64(randIndex(r, len(t.slots)))
	for t.slots[i].tag&tagLive == 0 {
		i = (i + 1) & t.mask
	}
	return int(i)
}

// Random returns a random element, drawn from r (or the process-wide
// source when r is nil); ok is false when the table is empty.
//
// It draws random slots until one holds an element. The table never drops
// below 10% fill (or one element in its minimum 8 slots), so this takes a
// few draws and is exactly uniform, except after 1000 consecutive misses
// (probability below 1e-45) when it falls back to walking from a random slot
// to the next element, which favours elements after long empty runs.
func (t *Table[V]) Random(r *rand.Rand) (k string, v V, ok bool) {
	i := t.randomSlot(r)
	if i < 0 {
		return "", v, false
	}
	return t.slots[i].key, t.slots[i].val, true
}

// Sample calls fn for min(n, Len()) distinct elements chosen uniformly at
// random, in no particular order. When n >= Len() it reports every element
// in slot order.
func (t *Table[V]) Sample(r *rand.Rand, n int, fn func(k string, v V)) {
	if n <= 0 || t.live == 0 {
		return
	}
	if n >= t.live {
		t.All(func(k string, v V) bool { fn(k, v); return true })
		return
	}
	if n*3 > t.live {
		// Many: a partial Fisher-Yates shuffle of the live slots.
		idx := make([]int, 0, t.live)
		for i := range t.slots {
			if t.slots[i].tag&tagLive != 0 {
				idx = append(idx, i)
			}
		}
		for i := range n {
			j := i + randIndex(r, len(idx)-i)
			idx[i], idx[j] = idx[j], idx[i]
			fn(t.slots[idx[i]].key, t.slots[idx[i]].val)
		}
		return
	}
	// Few: draw with rejection of repeats; at most 3 draws per hit on average.
	seen := make(map[int]struct{}, n)
	for len(seen) < n {
		i := t.randomSlot(r)
		if _, dup := seen[i]; dup {
			continue
		}
		seen[i] = struct{}{}
		fn(t.slots[i].key, t.slots[i].val)
	}
}

// Clone returns a copy of the table. Values are copied as by assignment.
func (t *Table[V]) Clone() *Table[V] {
	c := *t
	if t.slots != nil {
		c.slots = make([]slot[V], len(t.slots))
		copy(c.slots, t.slots)
	}
	return &c
}

// MemoryUsage returns the heap bytes held by the table: its slot array plus
// its keys, and its values when V is string, assuming each string owns its
// allocation. The Table header itself is not included.
func (t *Table[V]) MemoryUsage() int {
	var s slot[V]
	return allocSize(len(t.slots)*int(unsafe.Sizeof(s)), true) + t.strBytes
}
