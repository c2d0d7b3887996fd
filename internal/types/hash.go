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

// Hash is a Redis hash. Like Redis 7.0 it starts "listpack"-encoded: the
// fields and values packed, in insertion order, into one pointer-free byte
// slice (each string as a List entry: length, bytes, length), so that
// HGETALL returns that order, updating a field keeps its place and deleting
// one keeps the order of the rest. When it holds more than
// Limits.HashMaxListpackEntries fields, or a field or value longer than
// Limits.HashMaxListpackValue bytes is stored, it converts to a
// "hashtable" (a Table) and never converts back. The strings it returns
// are copies: they stay valid whatever happens to the hash.
//
// The zero value is an empty hash using DefaultLimits.
type Hash struct {
	lim *Limits
	lp  []byte         // listpack encoding: field, value, field, value...
	n   int            // fields in lp
	tab *Table[string] // hashtable encoding; nil while listpack
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
	return h.n
}

// lpPair is a field and value in the listpack: the field's and the
// value's bytes are lp[fs:fe] and lp[vs:ve]; the value's entry starts at
// voff and the next pair at next.
type lpPair struct{ fs, fe, voff, vs, ve, next int }

func (h *Hash) pairAt(off int) lpPair {
	var p lpPair
	p.fs, p.fe, p.voff = entryAt(h.lp, off)
	p.vs, p.ve, p.next = entryAt(h.lp, p.voff)
	return p
}

// find returns the offset of field's pair in the listpack and the pair,
// or -1. Short entries (the common case) are skipped without decoding.
func (h *Hash) find(field string) (int, lpPair) {
	lp, n := h.lp, len(field)
	for off := 0; off < len(lp); {
		fl := int(lp[off])
		if fl >= entryLong { // a long field: decode it in full
			p := h.pairAt(off)
			if p.fe-p.fs == n && string(lp[p.fs:p.fe]) == field {
				return off, p
			}
			off = p.next
			continue
		}
		if fl == n && string(lp[off+1:off+1+fl]) == field {
			return off, h.pairAt(off)
		}
		voff := off + fl + 2
		if vl := int(lp[voff]); vl < entryLong {
			off = voff + vl + 2
		} else {
			_, _, off = entryAt(lp, voff)
		}
	}
	return -1, lpPair{}
}

// Get returns the value of field and whether it exists.
func (h *Hash) Get(field string) (string, bool) {
	if h.tab != nil {
		return h.tab.Get(field)
	}
	if off, p := h.find(field); off >= 0 {
		return string(h.lp[p.vs:p.ve]), true
	}
	return "", false
}

// Has reports whether field exists (without copying its value).
func (h *Hash) Has(field string) bool {
	if h.tab != nil {
		_, ok := h.tab.Get(field)
		return ok
	}
	off, _ := h.find(field)
	return off >= 0
}

// Set stores value under field and reports whether the field is new. A
// long field or value, or one field too many, converts a listpack hash to a
// hashtable.
func (h *Hash) Set(field, value string) (added bool) { return h.set(field, value, false) }

// SetCopy is Set for a field and value the caller will reuse (views of its
// buffer): the value, and a new field, are stored as copies (a listpack
// hash copies bytes in any case).
func (h *Hash) SetCopy(field, value string) (added bool) { return h.set(field, value, true) }

func (h *Hash) set(field, value string, copyNew bool) (added bool) {
	if h.tab == nil {
		maxLen := h.lim.orDefault().HashMaxListpackValue.Load()
		if int64(len(field)) > maxLen || int64(len(value)) > maxLen {
			h.convert()
		}
	}
	if h.tab != nil {
		if copyNew {
			value = strings.Clone(value)
		}
		return h.tab.set(field, value, copyNew)
	}
	if off, p := h.find(field); off >= 0 {
		if p.ve-p.vs == len(value) {
			copy(h.lp[p.vs:p.ve], value)
		} else {
			h.splice(p.voff, p.next, entrySize(len(value)))
			putEntry(h.lp[p.voff:], value)
		}
		return false
	}
	fn, vn := entrySize(len(field)), entrySize(len(value))
	at := len(h.lp)
	h.resize(at + fn + vn)
	putEntry(h.lp[at:], field)
	putEntry(h.lp[at+fn:], value)
	h.n++
	if int64(h.n) > h.lim.orDefault().HashMaxListpackEntries.Load() {
		h.convert()
	}
	return true
}

// resize sets len(lp) to n, reallocating when the capacity is short (with
// a quarter to spare, rounded to the allocator's size class) or when n
// uses less than a quarter of a buffer of more than 64 bytes.
func (h *Hash) resize(n int) {
	switch {
	case n > cap(h.lp):
		nb := make([]byte, n, allocSize(n+n/4, false))
		copy(nb, h.lp)
		h.lp = nb
	case cap(h.lp) > 64 && n < cap(h.lp)/4:
		nb := make([]byte, n, allocSize(n, false))
		copy(nb, h.lp[:n])
		h.lp = nb
	default:
		h.lp = h.lp[:n]
	}
}

// splice replaces lp[from:to] by size bytes for the caller to fill,
// moving what follows.
func (h *Hash) splice(from, to, size int) {
	old := len(h.lp)
	tail := old - to
	if grow := size - (to - from); grow > 0 {
		h.resize(old + grow)
		copy(h.lp[from+size:], h.lp[to:old])
	} else {
		copy(h.lp[from+size:], h.lp[to:old])
		h.resize(from + size + tail)
	}
}

// convert moves a listpack hash to the hashtable encoding.
func (h *Hash) convert() {
	t := NewTable[string](h.n)
	for off := 0; off < len(h.lp); {
		p := h.pairAt(off)
		t.Set(string(h.lp[p.fs:p.fe]), string(h.lp[p.vs:p.ve])) // each string its own
		off = p.next
	}
	h.tab, h.lp, h.n = t, nil, 0
}

// Delete removes field and reports whether it existed. A listpack hash
// keeps the order of the remaining fields.
func (h *Hash) Delete(field string) bool {
	if h.tab != nil {
		return h.tab.Delete(field)
	}
	off, p := h.find(field)
	if off < 0 {
		return false
	}
	h.splice(off, p.next, 0)
	h.n--
	return true
}

// each calls fn for the listpack's pairs, in order, until fn returns
// false. The strings share one copy of the listpack.
func (h *Hash) each(fn func(field, value string) bool) {
	if len(h.lp) == 0 {
		return
	}
	s := string(h.lp)
	for off := 0; off < len(s); {
		p := h.pairAt(off)
		if !fn(s[p.fs:p.fe], s[p.vs:p.ve]) {
			return
		}
		off = p.next
	}
}

// All calls fn for every field until fn returns false: in insertion order
// for a listpack hash, in table order for a hashtable. fn must not modify h.
func (h *Hash) All(fn func(field, value string) bool) {
	if h.tab != nil {
		h.tab.All(fn)
		return
	}
	h.each(fn)
}

// Scan performs one HSCAN step (see Table.Scan). A listpack hash reports
// every field, in order, and returns cursor 0 whatever the cursor given,
// as Redis does.
func (h *Hash) Scan(cursor uint64, count int, fn func(field, value string)) (next uint64) {
	if h.tab != nil {
		return h.tab.Scan(cursor, count, fn)
	}
	h.each(func(f, v string) bool { fn(f, v); return true })
	return 0
}

// pairs returns the listpack's pairs, head first, as strings sharing one
// copy of it.
func (h *Hash) pairs() [][2]string {
	out := make([][2]string, 0, h.n)
	h.each(func(f, v string) bool { out = append(out, [2]string{f, v}); return true })
	return out
}

// Random returns a uniformly chosen field and its value, drawn from r (the
// process-wide source when nil); ok is false when h is empty.
func (h *Hash) Random(r *rand.Rand) (field, value string, ok bool) {
	if h.tab != nil {
		return h.tab.Random(r)
	}
	if h.n == 0 {
		return "", "", false
	}
	i := randIndex(r, h.n)
	h.each(func(f, v string) bool {
		if i == 0 {
			field, value = f, v
			return false
		}
		i--
		return true
	})
	return field, value, true
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
	case count < 0 && h.tab != nil:
		for n := uint(-count); n > 0; n-- { // uint: -MinInt stays positive
			f, v, _ := h.tab.Random(r)
			fn(f, v)
		}
	case h.tab != nil:
		h.tab.Sample(r, count, fn)
	case count >= h.n:
		h.All(func(f, v string) bool { fn(f, v); return true })
	default:
		ps := h.pairs()
		if count < 0 {
			for n := uint(-count); n > 0; n-- {
				p := ps[randIndex(r, len(ps))]
				fn(p[0], p[1])
			}
			return
		}
		pick := func(i int) { fn(ps[i][0], ps[i][1]) }
		if count*3 > len(ps) {
			sampleShuffled(r, len(ps), count, pick)
		} else {
			sampleInOrder(r, len(ps), count, pick)
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
	} else if h.lp != nil {
		c.lp = make([]byte, len(h.lp), allocSize(len(h.lp), false))
		copy(c.lp, h.lp)
	}
	return &c
}

// MemoryUsage returns the heap bytes held by h, including its header; a
// hashtable's strings are assumed to own their allocations.
func (h *Hash) MemoryUsage() int {
	n := allocSize(int(unsafe.Sizeof(*h)), true)
	if h.tab != nil {
		return n + allocSize(int(unsafe.Sizeof(*h.tab)), true) + h.tab.MemoryUsage()
	}
	return n + allocSize(cap(h.lp), false)
}
