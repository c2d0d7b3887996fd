package hll

import (
	"strings"
	"testing"
)

// fuzzSeeds returns valid, truncated, bit-flipped and forged values.
func fuzzSeeds() []string {
	small, _, _ := Add("", false, DefaultSparseMax, "a", "b", "c")
	mid, _, _ := Add("", false, DefaultSparseMax, elems("f", 300)...)
	dense, _, _ := Add("", false, DefaultSparseMax, elems("f", 4000)...)
	flip := func(v string, i int) string {
		b := []byte(v)
		b[i] ^= 0x55
		return string(b)
	}
	return []string{
		"", "HYLL", small, mid, dense,
		small[:len(small)-1], mid[:len(mid)/2], dense[:len(dense)-1],
		flip(small, hdrSize), flip(mid, len(mid)-1), flip(dense, 100), flip(small, staleByte),
		hdr(1, staleCard), hdr(1, zeroCard) + "\x7f",
		hdr(1, staleCard) + "\x7f\xff\x7f\xff", hdr(1, staleCard) + strings.Repeat("\xff", 40),
		hdr(1, staleCard) + strings.Repeat("\x40\x00", 300),
		hdr(0, staleCard) + strings.Repeat("\xff", denseSize-hdrSize),
	}
}

// FuzzCount checks that counting and merging arbitrary bytes never panics,
// and that a recomputed cache is then used as is.
func FuzzCount(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v := string(data)
		n, updated, err := Count([]string{v})
		if err == nil && updated != "" && n < 1<<63 {
			if n2, u2, err2 := Count([]string{updated}); n2 != n || u2 != "" || err2 != nil {
				t.Errorf("Count(updated) = %d, %q, %v, want %d from the cache", n2, u2, err2, n)
			}
		}
		union, uerr := CountUnion(v, v)
		if (uerr == nil) != Valid(v) && uerr != ErrCorrupt {
			t.Errorf("CountUnion(v, v) error %v, Valid(v) = %v", uerr, Valid(v))
		}
		merged, merr := Merge("", false, DefaultSparseMax, v)
		if merr != uerr {
			t.Errorf("Merge(new, v) error %v, CountUnion error %v", merr, uerr)
		}
		if merr == nil {
			if got, _, err := Count([]string{merged}); got != union || err != nil {
				t.Errorf("Count(Merge(new, v)) = %d, %v, want %d (CountUnion)", got, err, union)
			}
		}
		if _, err := Merge(v, true, DefaultSparseMax, v); err != uerr {
			t.Errorf("Merge(v, v) error %v, CountUnion error %v", err, uerr)
		}
	})
}

// FuzzAdd checks that adding elements to arbitrary bytes never panics and
// that well-formed values stay well formed.
func FuzzAdd(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add([]byte(s), "x,y,z,"+strings.Repeat("w", i), 3000)
		f.Add([]byte(s), strings.Join(elems("q", 50), ","), 30)
	}
	f.Fuzz(func(t *testing.T, data []byte, list string, sparseMax int) {
		v := string(data)
		el := strings.Split(list, ",")
		_, wellFormed := CountUnion(v)
		next, changed, err := Add(v, true, sparseMax, el...)
		switch {
		case !Valid(v):
			if err != ErrInvalid {
				t.Fatalf("Add(invalid) error %v, want %v", err, ErrInvalid)
			}
		case wellFormed == nil:
			if err != nil {
				t.Fatalf("Add(well formed) error %v", err)
			}
			if _, err := CountUnion(next); err != nil {
				t.Fatalf("Add(well formed) gave a malformed value: %v", err)
			}
			if !changed && next != v {
				t.Fatalf("Add reported no change but the value changed")
			}
		}
		if _, _, err := Add("", false, sparseMax, el...); err != nil {
			t.Fatalf("Add(new key) error %v", err)
		}
	})
}
