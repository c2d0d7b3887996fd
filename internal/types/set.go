package types

import (
	"math/rand/v2"
	"strconv"
	"unsafe"
)

// Set is a Redis set. Like Redis 7.0 it is "intset"-encoded while every
// member is a canonical decimal int64 (see Add) and there are at most
// Limits.SetMaxIntsetEntries members: members are kept sorted as integers
// and iterate in ascending order. Otherwise it is a "hashtable" (a Table),
// and it never converts back. Redis 7.0 has no listpack sets.
//
// The zero value is an empty set using DefaultLimits.
type Set struct {
	lim  *Limits
	ints intset           // intset encoding; unused once converted
	tab  *Table[struct{}] // hashtable encoding; nil while intset
}

// NewSet returns an empty intset whose conversion threshold is read from
// lim (DefaultLimits when nil).
func NewSet(lim *Limits) *Set {
	return &Set{lim: lim.orDefault()}
}

// Encoding returns "intset" or "hashtable".
func (s *Set) Encoding() string {
	if s.tab != nil {
		return EncodingHashtable
	}
	return EncodingIntset
}

// Len returns the number of members.
func (s *Set) Len() int {
	if s.tab != nil {
		return s.tab.Len()
	}
	return len(s.ints)
}

// Add adds m and reports whether it was new. An intset converts to a
// hashtable when m is not an integer in the canonical form Redis's
// string2ll accepts (no sign but '-', no leading zeros, no spaces, "-0"
// excluded, within int64), or when it would exceed SetMaxIntsetEntries.
func (s *Set) Add(m string) bool { return s.add(m, false) }

// AddCopy is Add for an m the caller will reuse (a view of its buffer): a
// new member is stored as a copy.
func (s *Set) AddCopy(m string) bool { return s.add(m, true) }

func (s *Set) add(m string, copyNew bool) bool {
	if s.tab != nil {
		return s.tab.set(m, struct{}{}, copyNew)
	}
	v, ok := parseCanonicalInt(m)
	if !ok {
		s.convert()
		return s.tab.set(m, struct{}{}, copyNew)
	}
	if !s.ints.add(v) {
		return false
	}
	if int64(len(s.ints)) > s.lim.orDefault().SetMaxIntsetEntries.Load() {
		s.convert()
	}
	return true
}

// convert moves an intset to the hashtable encoding.
func (s *Set) convert() {
	t := NewTable[struct{}](len(s.ints) + 1)
	for _, v := range s.ints {
		t.Set(strconv.FormatInt(v, 10), struct{}{})
	}
	s.tab, s.ints = t, nil
}

// Remove deletes m and reports whether it was a member.
func (s *Set) Remove(m string) bool {
	if s.tab != nil {
		return s.tab.Delete(m)
	}
	v, ok := parseCanonicalInt(m)
	return ok && s.ints.remove(v)
}

// Has reports whether m is a member.
func (s *Set) Has(m string) bool {
	if s.tab != nil {
		_, ok := s.tab.Get(m)
		return ok
	}
	v, ok := parseCanonicalInt(m)
	if !ok {
		return false
	}
	_, found := s.ints.find(v)
	return found
}

// All calls fn for every member until fn returns false: ascending for an
// intset, table order for a hashtable. fn must not modify s.
func (s *Set) All(fn func(m string) bool) {
	if s.tab != nil {
		s.tab.All(func(k string, _ struct{}) bool { return fn(k) })
		return
	}
	for _, v := range s.ints {
		if !fn(strconv.FormatInt(v, 10)) {
			return
		}
	}
}

// Scan performs one SSCAN step (see Table.Scan). An intset reports every
// member in ascending order and returns cursor 0 whatever the cursor given,
// as Redis does.
func (s *Set) Scan(cursor uint64, count int, fn func(m string)) (next uint64) {
	if s.tab != nil {
		return s.tab.Scan(cursor, count, func(k string, _ struct{}) { fn(k) })
	}
	for _, v := range s.ints {
		fn(strconv.FormatInt(v, 10))
	}
	return 0
}

// randomIndex returns a random intset index or table slot, or -1 if empty.
func (s *Set) randomIndex(r *rand.Rand) int {
	if s.tab != nil {
		return s.tab.randomSlot(r)
	}
	if len(s.ints) == 0 {
		return -1
	}
	return randIndex(r, len(s.ints))
}

// member returns the member at an index from randomIndex.
func (s *Set) member(i int) string {
	if s.tab != nil {
		return s.tab.slots[i].key
	}
	return strconv.FormatInt(s.ints[i], 10)
}

// Random returns a uniformly chosen member, drawn from r (the process-wide
// source when nil); ok is false when s is empty.
func (s *Set) Random(r *rand.Rand) (m string, ok bool) {
	i := s.randomIndex(r)
	if i < 0 {
		return "", false
	}
	return s.member(i), true
}

// RandomN reports members for SRANDMEMBER with a count. A negative count
// asks for -count members chosen independently (repeats allowed). A
// positive count asks for min(count, Len()) distinct members; when count >=
// Len() every member is reported in All order, otherwise in random order
// (as Redis 7.0 does, for intsets too). The caller bounds -count.
func (s *Set) RandomN(r *rand.Rand, count int, fn func(m string)) {
	switch {
	case count == 0 || s.Len() == 0:
	case count < 0:
		for n := uint(-count); n > 0; n-- { // uint: -MinInt stays positive
			fn(s.member(s.randomIndex(r)))
		}
	case s.tab != nil:
		s.tab.Sample(r, count, func(k string, _ struct{}) { fn(k) })
	case count >= len(s.ints):
		s.All(func(m string) bool { fn(m); return true })
	default:
		sampleShuffled(r, len(s.ints), count, func(i int) {
			fn(strconv.FormatInt(s.ints[i], 10))
		})
	}
}

// Pop removes and returns a uniformly chosen member (SPOP), drawn from r
// (the process-wide source when nil); ok is false when s is empty.
func (s *Set) Pop(r *rand.Rand) (m string, ok bool) {
	i := s.randomIndex(r)
	if i < 0 {
		return "", false
	}
	m = s.member(i)
	if s.tab != nil {
		s.tab.Delete(m)
	} else {
		s.ints.removeAt(i)
	}
	return m, true
}

// PopN removes min(count, Len()) distinct uniformly chosen members and
// reports each to fn (SPOP with a count). When count >= Len() the members
// are reported in All order and s is left empty.
func (s *Set) PopN(r *rand.Rand, count int, fn func(m string)) {
	if count <= 0 {
		return
	}
	if count >= s.Len() {
		// Empty s first, so that fn sees it in its final state.
		old := *s
		if s.tab != nil {
			s.tab = NewTable[struct{}](0)
		} else {
			s.ints = nil
		}
		old.All(func(m string) bool { fn(m); return true })
		return
	}
	for range count {
		m, _ := s.Pop(r)
		fn(m)
	}
}

// Clone returns an independent copy of s with the same encoding and Limits.
func (s *Set) Clone() *Set {
	c := *s
	if s.tab != nil {
		c.tab = s.tab.Clone()
	} else if s.ints != nil {
		c.ints = append(intset(nil), s.ints...)
	}
	return &c
}

// MemoryUsage returns the heap bytes held by s, including its header,
// assuming each member string owns its allocation.
func (s *Set) MemoryUsage() int {
	n := allocSize(int(unsafe.Sizeof(*s)), true)
	if s.tab != nil {
		return n + allocSize(int(unsafe.Sizeof(*s.tab)), true) + s.tab.MemoryUsage()
	}
	return n + allocSize(cap(s.ints)*8, false)
}
