package types

import "slices"

// parseCanonicalInt parses s as a signed 64-bit decimal integer written
// exactly as Redis's string2ll accepts it: an optional '-', then digits with
// no leading zero (the single digit "0" aside), nothing else; "-0", "+1",
// "01" and " 1" are rejected, as are values outside int64.
func parseCanonicalInt(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	neg := len(s) > 0 && s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if len(digits) == 0 || len(digits) > 19 || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	var u uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0') // 19 digits cannot overflow uint64
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

// intset is a sorted slice of distinct integers, Redis's "intset".
type intset []int64

// find returns where v is or would be inserted, and whether it is there.
func (s intset) find(v int64) (int, bool) {
	return slices.BinarySearch(s, v)
}

// add inserts v and reports whether it was absent.
func (s *intset) add(v int64) bool {
	i, ok := s.find(v)
	if ok {
		return false
	}
	*s = slices.Insert(*s, i, v)
	return true
}

// remove deletes v and reports whether it was present.
func (s *intset) remove(v int64) bool {
	i, ok := s.find(v)
	if !ok {
		return false
	}
	s.removeAt(i)
	return true
}

// removeAt deletes the element at index i, releasing memory when the slice
// becomes mostly empty.
func (s *intset) removeAt(i int) {
	*s = slices.Delete(*s, i, i+1)
	if c := cap(*s); c > 16 && len(*s) < c/4 {
		*s = append(intset(nil), (*s)...)
	}
}
