package kevy

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestBitmap(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	m := must[int](t)
	m64 := must[int64](t)

	// SetBit returns the previous bit and pads the string with zero bytes.
	for _, tc := range []struct {
		off       int64
		val, want int
	}{
		{7, 1, 0}, {7, 1, 1}, {7, 0, 1}, {1, 1, 0}, {20, 1, 0},
	} {
		if got := m(s.SetBit("b", tc.off, tc.val)); got != tc.want {
			t.Errorf("SetBit(%d, %d) = %d, want %d", tc.off, tc.val, got, tc.want)
		}
	}
	if v := must[string](t)(s.Get("b")); v != "\x40\x00\x08" {
		t.Fatalf("bitmap = %q, want %q", v, "\x40\x00\x08")
	}
	for _, tc := range []struct {
		off  int64
		want int
	}{{0, 0}, {1, 1}, {20, 1}, {21, 0}, {1 << 20, 0}} {
		if got := m(s.GetBit("b", tc.off)); got != tc.want {
			t.Errorf("GetBit(%d) = %d, want %d", tc.off, got, tc.want)
		}
	}
	if got := m(s.GetBit("missing", 3)); got != 0 {
		t.Errorf("GetBit on a missing key = %d", got)
	}

	// Errors carry Redis's texts.
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"negative offset", second(s.SetBit("b", -1, 1)), ErrBitOffset},
		{"offset past 512MB", second(s.SetBit("b", 1<<32, 1)), ErrBitOffset},
		{"bit value 2", second(s.SetBit("b", 0, 2)), ErrBitValue},
		{"GetBit offset", second(s.GetBit("b", -5)), ErrBitOffset},
		{"BitPos bit 2", second(s.BitPos("b", 2)), ErrBitArg},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if ErrBitOffset.Error() != "ERR bit offset is not an integer or out of range" {
		t.Errorf("ErrBitOffset text %q", ErrBitOffset)
	}

	// Counting and searching.
	if err := s.Set("s", "foobar"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		got  int64
		want int64
	}{
		{"BitCount", m64(s.BitCount("s")), 26},
		{"BitCount missing", m64(s.BitCount("missing")), 0},
		{"BitCountRange bytes", m64(s.BitCountRange("s", 1, 1, UnitByte)), 6},
		{"BitCountRange negative", m64(s.BitCountRange("s", -2, -1, UnitByte)), 7},
		{"BitCountRange bits", m64(s.BitCountRange("s", 5, 30, UnitBit)), 17},
		{"BitPos 1", m64(s.BitPos("s", 1)), 1},
		{"BitPos 0", m64(s.BitPos("s", 0)), 0},
		{"BitPos missing 1", m64(s.BitPos("missing", 1)), -1},
		{"BitPos missing 0", m64(s.BitPos("missing", 0)), 0},
		{"BitPosRange bytes", m64(s.BitPosRange("s", 1, 2, -1, UnitByte)), 17},
		{"BitPosRange bits", m64(s.BitPosRange("s", 0, 7, 15, UnitBit)), 7},
		{"BitPosRange empty", m64(s.BitPosRange("s", 1, 3, 2, UnitByte)), -1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if err := s.Set("ones", "\xff\xff"); err != nil {
		t.Fatal(err)
	}
	if got := m64(s.BitPos("ones", 0)); got != 16 {
		t.Errorf("BitPos of 0 in all ones = %d, want 16 (past the end)", got)
	}
	if got := m64(s.BitPosRange("ones", 0, 0, -1, UnitByte)); got != -1 {
		t.Errorf("BitPosRange of 0 in all ones = %d, want -1", got)
	}

	// Wrong types.
	if _, err := s.RPush("list", "x"); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{second(s.SetBit("list", 0, 1)), second(s.GetBit("list", 0)),
		second(s.BitCount("list")), second(s.BitPos("list", 1))} {
		if !errors.Is(err, ErrWrongType) {
			t.Errorf("bitmap method on a list: %v, want ErrWrongType", err)
		}
	}
}

func TestBitmapKeepsTTL(t *testing.T) {
	s, _ := openClock(t, 1)
	if err := s.SetWithTTL("b", "x", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetBit("b", 100, 1); err != nil {
		t.Fatal(err)
	}
	if ttl := must[int64](t)(s.TTL("b")); ttl <= 0 {
		t.Errorf("TTL after SetBit = %d, want it kept", ttl)
	}
}

func TestBitOp(t *testing.T) {
	s := open(t, &Options{Shards: 8})
	m64 := must[int64](t)
	// Keys spread over shards: BitOp holds them together.
	if err := s.Set("a", "\x0f\xf0\xff"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("b", "\xff\x0f"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		op   BitOperation
		keys []string
		want string
	}{
		{BitAnd, []string{"a", "b"}, "\x0f\x00\x00"},
		{BitOr, []string{"a", "b"}, "\xff\xff\xff"},
		{BitXor, []string{"a", "b"}, "\xf0\xff\xff"},
		{BitNot, []string{"a"}, "\xf0\x0f\x00"},
		{BitOr, []string{"a", "missing"}, "\x0f\xf0\xff"},
		{BitAnd, []string{"a", "missing"}, "\x00\x00\x00"},
	} {
		if n := m64(s.BitOp(tc.op, "dst", tc.keys...)); n != int64(len(tc.want)) {
			t.Errorf("BitOp(%v, %q) = %d, want %d", tc.op, tc.keys, n, len(tc.want))
		}
		if got := must[string](t)(s.Get("dst")); got != tc.want {
			t.Errorf("BitOp(%v, %q) stored %q, want %q", tc.op, tc.keys, got, tc.want)
		}
	}
	if _, err := s.BitOp(BitNot, "dst", "a", "b"); err == nil ||
		err.Error() != "ERR BITOP NOT must be called with a single source key." {
		t.Errorf("BitNot with two keys: %v", err)
	}
	// An empty result deletes the destination.
	if n := m64(s.BitOp(BitOr, "dst", "missing", "missing2")); n != 0 {
		t.Errorf("BitOp of missing keys = %d", n)
	}
	if _, err := s.Get("dst"); !errors.Is(err, ErrNotFound) {
		t.Errorf("destination after an empty BitOp: %v, want ErrNotFound", err)
	}
}

func TestLCS(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	if err := s.Set("k1", "ohmytext"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("k2", "mynewtext"); err != nil {
		t.Fatal(err)
	}
	if got := must[string](t)(s.LCS("k1", "k2")); got != "mytext" {
		t.Errorf("LCS = %q, want mytext", got)
	}
	if got := must[int](t)(s.LCSLen("k1", "k2")); got != 6 {
		t.Errorf("LCSLen = %d, want 6", got)
	}
	if got := must[string](t)(s.LCS("k1", "missing")); got != "" {
		t.Errorf("LCS with a missing key = %q", got)
	}
	matches, n, err := s.LCSMatches("k1", "k2", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []LCSMatch{{A: [2]int{4, 7}, B: [2]int{5, 8}, Len: 4}, {A: [2]int{2, 3}, B: [2]int{0, 1}, Len: 2}}
	if n != 6 || !slices.Equal(matches, want) {
		t.Errorf("LCSMatches = %v, %d; want %v, 6", matches, n, want)
	}
	matches, _, _ = s.LCSMatches("k1", "k2", 3)
	if !slices.Equal(matches, want[:1]) {
		t.Errorf("LCSMatches minLen 3 = %v, want %v", matches, want[:1])
	}
	if _, err := s.SAdd("set", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LCS("k1", "set"); err == nil || err.Error() != "ERR The specified keys must contain string values" {
		t.Errorf("LCS with a set: %v", err)
	}
}

// TestBitmapConcurrent runs lock-free bitmap reads beside writes (for the
// race detector) and checks every set bit is counted.
func TestBitmapConcurrent(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	const writers, bits = 4, 200
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < bits; i++ {
				if _, err := s.SetBit("bm", int64(i*writers+w), 1); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.PFAdd("hll", "e"+string(rune('a'+w)), string(rune(i))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 500; i++ {
			s.GetBit("bm", int64(i))
			s.BitCount("bm")
			s.BitPos("bm", 0)
			s.PFCount("hll")
			s.PFCount("hll", "bm")
		}
	}()
	wg.Wait()
	if n := must[int64](t)(s.BitCount("bm")); n != writers*bits {
		t.Errorf("BitCount = %d, want %d", n, writers*bits)
	}
}
