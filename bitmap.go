package kevy

import (
	"github.com/kevy-go/kevy/internal/engine"
)

// BitUnit says what the offsets of a bitmap range count.
type BitUnit int

// Bitmap range units (Redis's BYTE and BIT).
const (
	UnitByte BitUnit = iota // offsets are byte indexes (the default)
	UnitBit                 // offsets are bit indexes
)

// BitOperation is an operation of BitOp.
type BitOperation = engine.BitOperation

// BitOp operations.
const (
	BitAnd = engine.BitAnd
	BitOr  = engine.BitOr
	BitXor = engine.BitXor
	BitNot = engine.BitNot // takes exactly one source
)

// Bitmap errors, with Redis's reply texts.
var (
	// ErrBitOffset: "ERR bit offset is not an integer or out of range" (an
	// offset that is negative or addresses a byte at or past 512MB).
	ErrBitOffset = engine.ErrBitOffset
	// ErrBitValue: "ERR bit is not an integer or out of range" (a bit other
	// than 0 or 1 given to SetBit).
	ErrBitValue = engine.ErrBitValue
	// ErrBitArg: "ERR The bit argument must be 1 or 0." (BitPos).
	ErrBitArg = engine.ErrBitArg
)

// SetBit sets (value 1) or clears (value 0) the bit at offset of the string
// at key and returns the bit's previous value. Bit 0 is the most significant
// bit of the first byte. A missing key is created and a short string is
// padded with zero bytes up to the bit; the key's TTL is kept.
func (s *Store) SetBit(key string, offset int64, value int) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var old int
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) { old, err = sh.SetBit(key, offset, value) }); e != nil {
		return 0, e
	}
	return old, err
}

// GetBit returns the bit at offset of the string at key: 0 past the end of
// the string or when the key is missing.
func (s *Store) GetBit(key string, offset int64) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	return s.en.GetBit(key, offset)
}

// getBitmap reads key's string for the read-only bitmap methods; a missing
// key reads as "" with found false.
func (s *Store) getBitmap(key string) (v string, found bool, err error) {
	if s.closed.Load() {
		return "", false, ErrClosed
	}
	v, err = s.en.Get(key)
	if err == ErrNotFound {
		return "", false, nil
	}
	return v, err == nil, err
}

// BitCount returns the number of set bits in the string at key (0 when the
// key is missing).
func (s *Store) BitCount(key string) (int64, error) {
	v, _, err := s.getBitmap(key)
	if err != nil {
		return 0, err
	}
	return engine.BitCountRange(v, 0, -1, false), nil
}

// BitCountRange counts the set bits between start and end inclusive, byte
// or bit offsets according to unit; negative offsets count from the end of
// the string, as in Redis's BITCOUNT key start end BYTE|BIT.
func (s *Store) BitCountRange(key string, start, end int64, unit BitUnit) (int64, error) {
	v, _, err := s.getBitmap(key)
	if err != nil {
		return 0, err
	}
	return engine.BitCountRange(v, start, end, unit == UnitBit), nil
}

// BitPos returns the position of the first bit equal to bit (0 or 1) in the
// string at key. The string counts as padded with zeros on the right: a
// search for 0 in an all-ones string returns the first bit past its end.
// A search for 1 that finds none returns -1; a missing key returns -1 for 1
// and 0 for 0.
func (s *Store) BitPos(key string, bit int) (int64, error) {
	return s.bitPos(key, bit, 0, -1, false, UnitByte)
}

// BitPosRange is BitPos within start and end inclusive (byte or bit offsets
// according to unit, negative ones counting from the end), as Redis's BITPOS
// key bit start end BYTE|BIT: it returns -1 when the range holds no such
// bit.
func (s *Store) BitPosRange(key string, bit int, start, end int64, unit BitUnit) (int64, error) {
	return s.bitPos(key, bit, start, end, true, unit)
}

func (s *Store) bitPos(key string, bit int, start, end int64, endGiven bool, unit BitUnit) (int64, error) {
	if bit != 0 && bit != 1 {
		return 0, ErrBitArg
	}
	v, found, err := s.getBitmap(key)
	if err != nil {
		return 0, err
	}
	if !found {
		return int64(-bit), nil
	}
	return engine.BitPos(v, bit, start, end, endGiven, unit == UnitBit), nil
}

// BitOp stores at dest the bitwise AND, OR or XOR of the strings at keys, or
// the NOT of the single key, and returns the length of the result: that of
// the longest source, shorter ones counting as zero-padded and missing ones
// as empty. A result of length 0 deletes dest; otherwise dest loses any TTL.
// The keys may live in different shards: the operation is atomic.
func (s *Store) BitOp(op BitOperation, dest string, keys ...string) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int64
	var err error
	if e := s.en.Batch(append([]string{dest}, keys...), true, func() { n, err = s.en.BitOp(op, dest, keys) }); e != nil {
		return 0, e
	}
	return n, err
}

// LCSMatch is one matching range of LCSMatches: bytes A[0]..A[1] of the first
// string equal bytes B[0]..B[1] of the second (inclusive), Len bytes long.
type LCSMatch struct {
	A, B [2]int
	Len  int
}

// LCS returns the longest common subsequence of the strings at key1 and
// key2 (missing keys are empty strings), the same one Redis's LCS returns
// when several are equally long.
func (s *Store) LCS(key1, key2 string) (string, error) {
	r, err := s.lcs(key1, key2, true, false, 0)
	return r.Str, err
}

// LCSLen returns the length of the longest common subsequence of the
// strings at key1 and key2.
func (s *Store) LCSLen(key1, key2 string) (int, error) {
	r, err := s.lcs(key1, key2, false, false, 0)
	return r.Len, err
}

// LCSMatches returns the ranges of the longest common subsequence of the
// strings at key1 and key2 that are at least minLen bytes long, from the end
// of the strings backwards (Redis's LCS IDX MINMATCHLEN WITHMATCHLEN), and
// the subsequence's length.
func (s *Store) LCSMatches(key1, key2 string, minLen int) ([]LCSMatch, int, error) {
	r, err := s.lcs(key1, key2, false, true, int64(minLen))
	if err != nil {
		return nil, 0, err
	}
	out := make([]LCSMatch, len(r.Matches))
	for i, m := range r.Matches {
		out[i] = LCSMatch{A: [2]int{m.AStart, m.AEnd}, B: [2]int{m.BStart, m.BEnd}, Len: m.Len}
	}
	return out, r.Len, nil
}

func (s *Store) lcs(key1, key2 string, str, idx bool, minLen int64) (engine.LCSResult, error) {
	if s.closed.Load() {
		return engine.LCSResult{}, ErrClosed
	}
	unlock := s.en.Lock([]string{key1, key2}, false)
	a, b, err := s.en.LCSValues(key1, key2)
	unlock()
	if err != nil {
		return engine.LCSResult{}, err
	}
	return engine.LCS(a, b, str, idx, max(minLen, 0))
}
