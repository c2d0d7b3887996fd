package types

import (
	"math"
	"testing"
)

// FuzzZSetModel explores the model test's seed space.
func FuzzZSetModel(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 1 << 40} {
		f.Add(s, uint16(300))
	}
	f.Fuzz(func(t *testing.T, seed uint64, steps uint16) {
		runModel(t, seed, int(steps%800), seed%3 == 0)
	})
}

// FuzzZSetRanges feeds arbitrary range arguments and LIMITs to a fixed set:
// parsing must not panic, and every query must agree with a plain filter.
func FuzzZSetRanges(f *testing.F) {
	f.Add("-inf", "+inf", "-", "+", 0, -1, false)
	f.Add("(1", "2", "[b", "(c", 1, 2, true)
	f.Add(" 0x1p1", "(", "(", "[", -1, 0, false)
	z := NewZSet(nil)
	same := NewZSet(nil)
	for i, m := range []string{"", "a", "b", "bb", "c", "\x00", "\xff", "ab"} {
		z.Add(m, []float64{math.Inf(-1), 0, 1, 1, 2, 2.5, math.Inf(1), 1}[i])
		same.Add(m, 0)
	}
	all := zCollect(func(fn func(string, float64) bool) { z.RangeByRank(0, z.Len()-1, false, fn) })
	allSame := zCollect(func(fn func(string, float64) bool) { same.RangeByRank(0, same.Len()-1, false, fn) })
	f.Fuzz(func(t *testing.T, lo, hi, lexMin, lexMax string, offset, limit int, reverse bool) {
		if sr, err := ParseScoreRange(lo, hi); err == nil {
			var want []ZEntry
			for _, e := range all {
				if sr.Contains(e.Score) {
					want = append(want, e)
				}
			}
			if got := z.CountByScore(sr); got != len(want) {
				t.Fatalf("CountByScore(ParseScoreRange(%q, %q)) = %d, want %d", lo, hi, got, len(want))
			}
			if reverse {
				want = zReversed(want)
			}
			want = zWindow(want, offset, limit)
			got := zCollect(func(fn func(string, float64) bool) { z.RangeByScore(sr, reverse, offset, limit, fn) })
			if !zSameEntries(got, want) {
				t.Fatalf("RangeByScore(%q, %q, %v, %d, %d) = %s, want %s", lo, hi, reverse, offset, limit, zShow(got), zShow(want))
			}
		} else if err != ErrScoreRange {
			t.Fatalf("ParseScoreRange(%q, %q) error %v", lo, hi, err)
		}
		if lr, err := ParseLexRange(lexMin, lexMax); err == nil {
			var want []ZEntry
			for _, e := range allSame {
				if lr.Contains(e.Member) {
					want = append(want, e)
				}
			}
			if got := same.CountByLex(lr); got != len(want) {
				t.Fatalf("CountByLex(ParseLexRange(%q, %q)) = %d, want %d", lexMin, lexMax, got, len(want))
			}
			if reverse {
				want = zReversed(want)
			}
			want = zWindow(want, offset, limit)
			got := zCollect(func(fn func(string, float64) bool) { same.RangeByLex(lr, reverse, offset, limit, fn) })
			if !zSameEntries(got, want) {
				t.Fatalf("RangeByLex(%q, %q, %v, %d, %d) = %s, want %s", lexMin, lexMax, reverse, offset, limit, zShow(got), zShow(want))
			}
			// Mixed scores: unspecified results, but no panic.
			z.RangeByLex(lr, reverse, offset, limit, func(string, float64) bool { return true })
			z.CountByLex(lr)
		} else if err != ErrLexRange {
			t.Fatalf("ParseLexRange(%q, %q) error %v", lexMin, lexMax, err)
		}
		z.RangeByRank(offset, limit, reverse, func(string, float64) bool { return true })
	})
}
