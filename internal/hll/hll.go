// Package hll implements Redis 7.0's HyperLogLog on plain string values,
// byte for byte.
//
// A HyperLogLog is stored the way Redis stores it: a string that starts with
// a 16-byte header ("HYLL", one encoding byte, three unused bytes and a
// little-endian cached cardinality whose top bit marks the cache as stale),
// followed by either the sparse run-length encoding (opcodes ZERO, XZERO and
// VAL) or the dense array of 16384 6-bit registers. Values produced here can
// be moved to and from a real Redis server with GET/SET, DUMP/RESTORE or RDB
// files, and PFCOUNT returns the same numbers on both sides.
//
// The functions are pure: they take the current string value of a key and
// return the new one, so the caller owns keys, expiry and locking. They never
// panic and never read out of bounds, whatever bytes they are given.
package hll

import (
	"errors"
	"strings"
)

// DefaultSparseMax is Redis's default for the hll-sparse-max-bytes setting:
// a sparse HyperLogLog that would grow past this many bytes (header included)
// is converted to the dense representation.
const DefaultSparseMax = 3000

// ErrInvalid is returned when a key holds a string that is not a
// HyperLogLog. Its text is Redis's reply.
var ErrInvalid = errors.New("WRONGTYPE Key is not a valid HyperLogLog string value.")

// ErrCorrupt is returned when a value has a valid HyperLogLog header but its
// sparse registers are malformed. Its text is Redis's reply.
var ErrCorrupt = errors.New("INVALIDOBJ Corrupted HLL object detected")

const (
	hllP         = 14                                   // bits of the hash that select a register
	hllQ         = 64 - hllP                            // bits left for the run of zeroes
	numRegisters = 1 << hllP                            // 16384 registers
	regMask      = numRegisters - 1                     // selects the register index from a hash
	regBits      = 6                                    // bits per dense register
	regMax       = 1<<regBits - 1                       // largest value a dense register holds
	hdrSize      = 16                                   // "HYLL", encoding, 3 unused, 8 card bytes
	denseSize    = hdrSize + (numRegisters*regBits+7)/8 // 12304 bytes
	encDense     = 0                                    // encoding byte of the dense form
	encSparse    = 1                                    // encoding byte of the sparse form
	encByte      = 4                                    // offset of the encoding byte
	cardByte     = 8                                    // offset of the cached cardinality
	staleByte    = 15                                   // header byte holding the stale-cache bit
	staleBit     = 0x80                                 // set when the cached cardinality is stale
	magic        = "HYLL"                               // first four bytes of every HyperLogLog
	emptySparse  = "\x7f\xff"                           // XZERO covering all 16384 registers
	valMaxValue  = 32                                   // largest register value a VAL can hold
	valMaxLen    = 4                                    // longest run a VAL opcode can hold
	zeroMaxLen   = 64                                   // longest run a ZERO opcode can hold
)

// Valid reports whether s passes Redis's HyperLogLog type check: at least a
// full header, the "HYLL" magic, a known encoding, and for the dense encoding
// the exact dense length. Like Redis, it does not decode sparse registers;
// a value can be Valid and still make Add, Count or Merge return ErrCorrupt.
func Valid(s string) bool {
	if len(s) < hdrSize || s[:len(magic)] != magic || s[encByte] > encSparse {
		return false
	}
	return s[encByte] != encDense || len(s) == denseSize
}

// Add implements PFADD on one key. cur is the key's current value and exists
// whether the key exists; sparseMax is hll-sparse-max-bytes
// (DefaultSparseMax unless configured).
//
// A missing key becomes a new sparse HyperLogLog and changed is true even
// with no elements, as Redis replies 1 when it creates the key. Otherwise
// changed reports whether any register grew, which is PFADD's reply; when it
// is false, next equals cur and nothing needs storing.
//
// An existing value that fails Valid gives ErrInvalid. A malformed sparse
// value gives ErrCorrupt; in that case next is the value Redis leaves in
// memory (elements before the offending one stay applied, without being
// propagated), which equals cur in all but forged cases.
func Add(cur string, exists bool, sparseMax int, elems ...string) (next string, changed bool, err error) {
	var sk sketch // loaded lazily: an Add that changes nothing copies nothing
	loaded := false
	if !exists {
		sk, loaded, changed = newSketch(), true, true
	} else if !Valid(cur) {
		return "", false, ErrInvalid
	}
	for _, e := range elems {
		index, count := patLen(e)
		if !loaded {
			need, ok := needsUpdate(cur, index, count)
			if !ok {
				return cur, false, ErrCorrupt
			}
			if !need {
				continue
			}
			sk, loaded = loadSketch(cur), true
		}
		switch sk.set(index, count, sparseMax) {
		case 1:
			changed = true
		case -1:
			return sk.String(), false, ErrCorrupt
		}
	}
	if !changed {
		return cur, false, nil
	}
	sk.invalidate()
	return sk.String(), true, nil
}

// Count implements PFCOUNT. vals are the values of the named keys that
// exist, in argument order.
//
// With exactly one value this is PFCOUNT of a single key: a fresh cached
// cardinality is returned as is (without decoding the registers, as Redis
// does); a stale one is recomputed and updated holds the value with the new
// cache, which the caller should store (Redis writes it back). updated is ""
// when the value does not change.
//
// With several values it is the cardinality of their union and updated is
// always "". With none it is 0. When PFCOUNT names several keys of which only
// one exists, call CountUnion instead: Redis then takes the union path, which
// neither reads nor writes the cache.
//
// n is an unsigned 64-bit number; reply with int64(n), which is what Redis
// sends for the (forged-input only) estimates of 2^63 and more.
func Count(vals []string) (n uint64, updated string, err error) {
	switch len(vals) {
	case 0:
		return 0, "", nil
	case 1:
		return countOne(vals[0])
	}
	n, err = CountUnion(vals...)
	return n, "", err
}

// CountUnion implements PFCOUNT with more than one key: the cardinality of
// the union of vals (the values of the named keys that exist, in argument
// order). No value is modified. Errors are reported for the first offending
// value, as Redis does.
func CountUnion(vals ...string) (uint64, error) {
	var max [numRegisters]uint8
	for _, v := range vals {
		if !Valid(v) {
			return 0, ErrInvalid
		}
		if !mergeMax(&max, v) {
			return 0, ErrCorrupt
		}
	}
	var hist histogram
	for _, r := range max {
		hist[r]++
	}
	return estimate(&hist), nil
}

// Merge implements PFMERGE as Redis 7.0 does. dest is the destination key's
// value and destExists whether it exists; srcs are the values of the source
// keys that exist, in argument order (a source that is also the destination
// is passed again). sparseMax is hll-sparse-max-bytes.
//
// The destination counts as a source. The result is the destination with
// every register raised to the maximum over all inputs; it is converted to
// the dense form first if any input is dense, otherwise it stays sparse
// unless it outgrows sparseMax or a register exceeds 32. The cached
// cardinality is marked stale. A missing destination with no sources still
// yields an empty HyperLogLog, which the caller stores.
func Merge(dest string, destExists bool, sparseMax int, srcs ...string) (next string, err error) {
	var max [numRegisters]uint8
	useDense := false
	merge := func(v string) error {
		if !Valid(v) {
			return ErrInvalid
		}
		if v[encByte] == encDense {
			useDense = true
		}
		if !mergeMax(&max, v) {
			return ErrCorrupt
		}
		return nil
	}
	if destExists {
		if err := merge(dest); err != nil {
			return "", err
		}
	}
	for _, s := range srcs {
		if err := merge(s); err != nil {
			return "", err
		}
	}

	var sk sketch
	if destExists {
		sk = loadSketch(dest)
	} else {
		sk = newSketch()
	}
	if useDense && !sk.toDense() {
		return "", ErrCorrupt
	}
	for i, r := range max {
		if r != 0 {
			// Like Redis, ignore a failure here: the destination was
			// already decoded successfully by mergeMax.
			sk.set(i, r, sparseMax)
		}
	}
	sk.invalidate()
	return sk.String(), nil
}

// countOne is PFCOUNT of a single existing key.
func countOne(v string) (uint64, string, error) {
	if !Valid(v) {
		return 0, "", ErrInvalid
	}
	if v[staleByte]&staleBit == 0 {
		return cachedCard(v), "", nil
	}
	var hist histogram
	if v[encByte] == encDense {
		denseHisto(&hist, v)
	} else if !sparseHisto(&hist, v, len(v)) {
		return 0, "", ErrCorrupt
	}
	n := estimate(&hist)
	var card [8]byte
	for i := range card {
		card[i] = byte(n >> (8 * i))
	}
	var b strings.Builder
	b.Grow(len(v))
	b.WriteString(v[:cardByte])
	b.Write(card[:])
	b.WriteString(v[cardByte+len(card):])
	return n, b.String(), nil
}

// cachedCard decodes the little-endian cached cardinality of a valid value.
func cachedCard(v string) uint64 {
	var n uint64
	for i := 7; i >= 0; i-- {
		n = n<<8 | uint64(v[cardByte+i])
	}
	return n
}

// needsUpdate reports, without modifying anything, whether setting register
// index of the valid value v to at least count would change v. ok is false
// when Redis would find the sparse encoding corrupt before changing anything.
func needsUpdate(v string, index int, count uint8) (need, ok bool) {
	if v[encByte] == encDense {
		return denseGet(v, index) < count, true
	}
	if count > valMaxValue {
		return true, true // conversion to dense; set reports corruption
	}
	loc, ok := sparseLocate(v, len(v), index)
	if !ok {
		return false, false
	}
	if c := v[loc.p]; isVal(c) {
		return valValue(c) < count, true
	}
	return true, true
}
