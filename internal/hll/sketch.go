package hll

// sketch is a HyperLogLog value being modified. It mirrors the Redis string
// buffer closely enough to reproduce Redis's bytes even for forged input:
// b[:n] is the value and b[n] is the byte after it, which Redis keeps as the
// string's NUL terminator and reads when an XZERO opcode ends the string.
type sketch struct {
	b []byte
	n int
}

// sketchRoom is the spare room allocated after a loaded value: a sparse
// update grows the value by at most 3 bytes.
const sketchRoom = 4

// newSketch returns an empty sparse HyperLogLog with a fresh cached
// cardinality of 0, as Redis creates it.
func newSketch() sketch {
	b := make([]byte, hdrSize+len(emptySparse), hdrSize+len(emptySparse)+sketchRoom)
	copy(b, magic)
	b[encByte] = encSparse
	copy(b[hdrSize:], emptySparse)
	sk := sketch{b: b, n: len(b)}
	sk.reserve(0)
	return sk
}

// loadSketch returns a modifiable copy of the valid value v.
func loadSketch(v string) sketch {
	b := make([]byte, len(v)+1, len(v)+sketchRoom)
	copy(b, v)
	return sketch{b: b, n: len(v)}
}

// String returns the current value.
func (sk *sketch) String() string { return string(sk.b[:sk.n]) }

// reserve makes sure the buffer holds the value, the terminator byte and
// extra more bytes.
func (sk *sketch) reserve(extra int) {
	if need := sk.n + 1 + extra; len(sk.b) < need {
		sk.b = append(sk.b, make([]byte, need-len(sk.b))...)
	}
}

// incrLen changes the value's length by d and clears the new terminator.
func (sk *sketch) incrLen(d int) {
	sk.n += d
	sk.reserve(0)
	sk.b[sk.n] = 0
}

// invalidate marks the cached cardinality as stale.
func (sk *sketch) invalidate() { sk.b[staleByte] |= staleBit }

// toDense converts a sparse sketch to the dense form; a dense one is left
// alone. It reports false, leaving the sketch unchanged, if the sparse
// registers are malformed.
func (sk *sketch) toDense() bool {
	if sk.b[encByte] == encDense {
		return true
	}
	dense, ok := sparseToDense(sk.b[:sk.n+1], sk.n)
	if !ok {
		return false
	}
	sk.b, sk.n = dense, denseSize
	return true
}

// set raises register index to count if it is lower. It returns 1 if the
// register changed, 0 if not, and -1 if the sparse encoding is malformed, in
// which case the sketch is left unchanged. A sparse sketch is converted to
// the dense form when count does not fit a VAL opcode or the value would
// grow past sparseMax bytes.
func (sk *sketch) set(index int, count uint8, sparseMax int) int {
	if sk.b[encByte] == encDense {
		return sk.denseSet(index, count)
	}
	if count <= valMaxValue {
		res, promote := sk.sparseSet(index, count, sparseMax)
		if !promote {
			return res
		}
	}
	if !sk.toDense() {
		return -1
	}
	// Redis asserts that the register changes here; it always does for
	// values that decode consistently, which toDense has just checked.
	sk.denseSet(index, count)
	return 1
}

// denseSet is set for the dense form.
func (sk *sketch) denseSet(index int, count uint8) int {
	v := sk.b[:sk.n+1]
	if denseGet(v, index) >= count {
		return 0
	}
	denseSet(v, index, count)
	return 1
}

// sparseSet is set for the sparse form. promote is true, with nothing
// changed, when the update needs the dense form.
//
// It edits the opcodes in place as Redis does, so that the bytes match: a
// VAL already high enough means no change; a ZERO or VAL covering just this
// register becomes a VAL; otherwise the covering opcode is split into up to
// three (zeros or old value before, the new VAL, zeros or old value after).
// Then equal adjacent VALs near the change are joined.
func (sk *sketch) sparseSet(index int, count uint8, sparseMax int) (res int, promote bool) {
	sk.reserve(sketchRoom - 1) // a split grows the value by at most 3 bytes
	loc, ok := sparseLocate(sk.b[:sk.n+1], sk.n, index)
	if !ok {
		return -1, false
	}
	c := sk.b[loc.p]
	switch {
	case isVal(c) && valValue(c) >= count:
		return 0, false
	case (isVal(c) || isZero(c)) && loc.span == 1:
		sk.b[loc.p] = valOp(count, 1)
	default:
		if !sk.split(loc, index, count, sparseMax) {
			return 0, true
		}
	}
	sk.joinVals(loc.prev)
	sk.invalidate()
	return 1, false
}

// split replaces the opcode at loc by the opcodes giving register index the
// value count. It reports false, changing nothing, if the value would grow
// past sparseMax bytes.
func (sk *sketch) split(loc location, index int, count uint8, sparseMax int) bool {
	end := sk.n
	c := sk.b[loc.p]
	oplen := 1
	if isXZero(c) {
		oplen = 2
	}
	next := loc.p + oplen
	if next >= end {
		next = -1
	}
	first, last := loc.first, loc.first+loc.span-1

	var seq [5]byte
	n := 0
	if isVal(c) {
		old := valValue(c)
		if index != first {
			seq[n] = valOp(old, index-first)
			n++
		}
		seq[n] = valOp(count, 1)
		n++
		if index != last {
			seq[n] = valOp(old, last-index)
			n++
		}
	} else {
		if index != first {
			n += putZeros(seq[n:], index-first)
		}
		seq[n] = valOp(count, 1)
		n++
		if index != last {
			n += putZeros(seq[n:], last-index)
		}
	}

	delta := n - oplen
	if delta > 0 && sk.n+delta > sparseMax {
		return false
	}
	if delta != 0 && next >= 0 {
		copy(sk.b[next+delta:], sk.b[next:end])
	}
	// Same order as Redis: the terminator is cleared before the new
	// opcodes are written, which matters only for a truncated final XZERO.
	sk.incrLen(delta)
	copy(sk.b[loc.p:], seq[:n])
	return true
}

// putZeros writes a ZERO, or an XZERO if n is over 64, for n registers at
// the start of b and returns its length.
func putZeros(b []byte, n int) int {
	if n > zeroMaxLen {
		putXZero(b, n)
		return 2
	}
	b[0] = byte(n - 1)
	return 1
}

// joinVals merges adjacent VAL opcodes of equal value whose runs fit one
// opcode, scanning at most five opcodes from prev (or from the first opcode
// if prev is -1), as Redis does after each update.
func (sk *sketch) joinVals(prev int) {
	p := prev
	if p < 0 {
		p = hdrSize
	}
	for scan := 5; p < sk.n && scan > 0; scan-- {
		c := sk.b[p]
		if isXZero(c) {
			p += 2
			continue
		}
		if isZero(c) {
			p++
			continue
		}
		if p+1 < sk.n && isVal(sk.b[p+1]) {
			d := sk.b[p+1]
			if n := valLen(c) + valLen(d); valValue(c) == valValue(d) && n <= valMaxLen {
				sk.b[p+1] = valOp(valValue(c), n)
				copy(sk.b[p:], sk.b[p+1:sk.n+1])
				sk.incrLen(-1)
				continue // try to join the result with the next one
			}
		}
		p++
	}
}
