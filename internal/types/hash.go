package types

import (
	"math/rand/v2"
	"strings"
	"unsafe"
)

// Encoding names reported by OBJECT ENCODING.
const (
	EncodingListpack  = "listpack"
	EncodingHashtable = "hashtable"
	EncodingIntset    = "intset"
	EncodingQuicklist = "quicklist"
)

// fieldPair is one field of a listpack-encoded hash.
type fieldPair struct {
	field, value string
}

// Hash is a Redis hash. Like Redis 7.0 it starts "listpack"-encoded: fields
// kept in insertion order in a slice (HGETALL returns that order, updating a
// field keeps its place, deleting one keeps the order of the rest). When it
// holds more than Limits.HashMaxListpackEntries fields, or a field or value
// longer than Limits.HashMaxListpackValue bytes is stored, it converts to a
// "hashtable" (a Table) and never converts back.
//
// The zero value is an empty hash using DefaultLimits.
type Hash struct {
	lim      *Limits
	pairs    []fieldPair    // listpack encoding; nil once converted
	strBytes int            // heap bytes of the strings in pairs
	tab      *Table[string] // hashtable encoding; nil while listpack
}

// NewHash returns an empty listpack hash whose conversion thresholds are
// read from lim (DefaultLimits when nil).
func NewHash(lim *Limits) *Hash {
	return &Hash{lim: lim.orDefault()}
}

// Encoding returns "listpack" or "hashtable".
func (h *Hash) Encoding() string {
	if h.tab != nil {
		return EncodingHashtable
	}
	return EncodingListpack
}

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.tab != nil {
		return h.tab.Len()
	}
	return len(h.pairs)
}

// index returns the position of field in the listpack, or -1.
func (h *Hash) index(field string) int {
	for i := range h.pairs {
		if h.pairs[i].field == field {
			return i
		}
	}
	return -1
}

// Get returns the value of field and whether it exists.
func (h *Hash) Get(field string) (string, bool) {
	if h.tab != nil {
		return h.tab.Get(field)
	}
	if i := h.index(field); i >= 0 {
		return h.pairs[i].value, true
	}
	return "", false
}

// Set stores value under field and reports whether the field is new. A
// long field or value, or one field too many, converts a listpack hash to a
// hashtable.
func (h *Hash) Set(field, value string) (added bool) { return h.set(field, value, false) }

// SetCopy is Set for a field and value the caller will reuse (views of its
// buffer): the value, and a new field, are stored as copies.
func (h *Hash) SetCopy(field, value string) (added bool) { return h.set(field, value, true) }

func (h *Hash) set(field, value string, copyNew bool) (added bool) {
	if copyNew {
		value = strings.Clone(value)
	}
	if h.tab == nil {
		maxLen := h.lim.orDefault().HashMaxListpackValue.Load()
		if int64(len(field)) > maxLen || int64(len(value)) > maxLen {
			h.convert()
		}
	}
	if h.tab != nil {
		return h.tab.set(field, value, copyNew)
	}
	if i := h.index(field); i >= 0 {
		h.strBytes += stringCost(len(value)) - stringCost(len(h.pairs[i].value))
		h.pairs[i].value = value
		return false
	}
	if copyNew {
		field = strings.Clone(field)
	}
	h.pairs = append(h.pairs, fieldPair{field, value})
	h.strBytes += stringCost(len(field)) + stringCost(len(value))
	if int64(len(h.pairs)) > h.lim.orDefault().HashMaxListpackEntries.Load() {
		h.convert()
	}
	return true
}

// convert moves a listpack hash to the hashtable encoding.
func (h *Hash) convert() {
	t := NewTable[string](len(h.pairs))
	for _, p := range h.pairs {
		t.Set(p.field, p.value)
	}
	h.tab, h.pairs, h.strBytes = t, nil, 0
}

// Delete removes field and reports whether it existed. A listpack hash
// keeps the order of the remaining fields.
func (h *Hash) Delete(field string) bool {
	if h.tab != nil {
		return h.tab.Delete(field)
	}
	i := h.index(field)
	if i < 0 {
		return false
	}
	h.strBytes -= stringCost(len(h.pairs[i].field)) + stringCost(len(h.pairs[i].value))
	n := len(h.pairs) - 1
	copy(h.pairs[i:], h.pairs[i+1:])
	h.pairs[n] = fieldPair{}
	h.pairs = h.pairs[:n]
	if cap(h.pairs) > 8 && n < cap(h.pairs)/4 {
		h.pairs = append([]fieldPair(nil), h.pairs...)
	}
	return true
}

// All calls fn for every field until fn returns false: in insertion order
// for a listpack hash, in table order for a hashtable. fn must not modify h.
func (h *Hash) All(fn func(field, value string) bool) {
	if h.tab != nil {
		h.tab.All(fn)
		return
	}
	for _, p := range h.pairs {
		if !fn(p.field, p.value) {
			return
		}
	}
}

// Scan performs one HSCAN step (see Table.Scan). A listpack hash reports
// every field, in order, and returns cursor 0 whatever the cursor given,
// as Redis does.
func (h *Hash) Scan(cursor uint64, count int, fn func(field, value string)) (next uint64) {
	if h.tab != nil {
		return h.tab.Scan(cursor, count, fn)
	}
	for _, p := range h.pairs {
		fn(p.field, p.value)
	}
	return 0
}

// Random returns a uniformly chosen field and its value, drawn from r (the
// process-wide source when nil); ok is false when h is empty.
func (h *Hash) Random(r *rand.Rand) (field, value string, ok bool) {
	if h.tab != nil {
		return h.tab.Random(r)
	}
	if len(h.pairs) == 0 {
		return "", "", false
	}
	p := h.pairs[randIndex(r, len(h.pairs))]
	return p.field, p.value, true
}

// RandomN reports fields for HRANDFIELD with a count. A negative count
// asks for -count fields chosen independently (repeats allowed). A
// positive count asks for min(count, Len()) distinct fields; when count >=
// Len() every field is reported in All order. Otherwise, as in Redis 7.0.15,
// a listpack hash reports a small sample (3*count <= Len()) in insertion
// order and a larger one in random order, and a hashtable reports its
// sample in no particular order. The caller bounds -count.
func (h *Hash) RandomN(r *rand.Rand, count int, fn func(field, value string)) {
	switch {
	case count == 0 || h.Len() == 0:
	case count < 0:
		for n := uint(-count); n > 0; n-- { // uint: -MinInt stays positive
			f, v, _ := h.Random(r)
			fn(f, v)
		}
	case h.tab != nil:
		h.tab.Sample(r, count, fn)
	case count >= len(h.pairs):
		h.All(func(f, v string) bool { fn(f, v); return true })
	default:
		pick := func(i int) { fn(h.pairs[i].field, h.pairs[i].value) }
		if count*3 > len(h.pairs) {
			sampleShuffled(r, len(h.pairs), count, pick)
		} else {
			sampleInOrder(r, len(h.pairs), count, pick)
		}
	}
}

// sampleInOrder calls fn with min(k, n) distinct indexes of [0, n), chosen
// uniformly and reported in increasing order (Knuth's selection sampling).
func sampleInOrder(r *rand.Rand, n, k int, fn func(i int)) {
	for i := 0; i < n && k > 0; i++ {
		if randIndex(r, n-i) < k {
			fn(i)
			k--
		}
	}
}

// sampleShuffled calls fn with min(k, n) distinct indexes of [0, n), chosen
// uniformly and reported in random order (a partial Fisher-Yates shuffle).
func sampleShuffled(r *rand.Rand, n, k int, fn func(i int)) {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := 0; i < min(n, k); i++ {
		j := i + randIndex(r, n-i)
		idx[i], idx[j] = idx[j], idx[i]
		fn(idx[i])
	}
}

// Clone returns an independent copy of h with the same encoding and Limits.
func (h *Hash) Clone() *Hash {
	c := *h
	if h.tab != nil {
		c.tab = h.tab.Clone()
	} else if h.pairs != nil {
		c.pairs = append([]fieldPair(nil), h.pairs...)
	}
	return &c
}

// MemoryUsage returns the heap bytes held by h, including its header,
// assuming each field and value string owns its allocation.
func (h *Hash) MemoryUsage() int {
	n := allocSize(int(unsafe.Sizeof(*h)), true)
	if h.tab != nil {
		return n + allocSize(int(unsafe.Sizeof(*h.tab)), true) + h.tab.MemoryUsage()
	}
	return n + allocSize(cap(h.pairs)*int(unsafe.Sizeof(fieldPair{})), true) + h.strBytes
}
