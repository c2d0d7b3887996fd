package hll

// The sparse form is a run-length encoding of the registers, read from the
// byte after the header to the end of the value, with three opcodes:
//
//	ZERO   00xxxxxx           xxxxxx+1 (1..64) registers set to 0
//	XZERO  01xxxxxx yyyyyyyy  xxxxxxyyyyyyyy+1 (1..16384) registers set to 0
//	VAL    1vvvvvxx           xx+1 (1..4) registers set to vvvvv+1 (1..32)
//
// A well-formed encoding covers exactly 16384 registers. Redis reads the
// second byte of an XZERO that ends the string from the terminating NUL, so
// the decoders here read 0 past the end (see byteAt).

func isZero(c byte) bool        { return c&0xc0 == 0 }
func isXZero(c byte) bool       { return c&0xc0 == 0x40 }
func isVal(c byte) bool         { return c&0x80 != 0 }
func zeroLen(c byte) int        { return int(c&0x3f) + 1 }
func valValue(c byte) uint8     { return (c>>2)&0x1f + 1 }
func valLen(c byte) int         { return int(c&3) + 1 }
func valOp(v uint8, n int) byte { return byte((int(v)-1)<<2|(n-1)) | 0x80 }

// xzeroLen decodes the run length of the XZERO opcode at v[p].
func xzeroLen[T bytesLike](v T, p int) int {
	return (int(v[p]&0x3f)<<8 | int(byteAt(v, p+1))) + 1
}

// putXZero writes an XZERO opcode for n registers at b[0:2]. Like Redis it
// does not range-check n: runs longer than 16384 only arise from forged
// input and are truncated the same way.
func putXZero(b []byte, n int) {
	b[0] = byte((n-1)>>8) | 0x40
	b[1] = byte(n - 1)
}

// opSpan returns the number of registers covered by the opcode at v[p] and
// the opcode's length in bytes.
func opSpan[T bytesLike](v T, p int) (span, oplen int) {
	c := v[p]
	switch {
	case isZero(c):
		return zeroLen(c), 1
	case isVal(c):
		return valLen(c), 1
	default:
		return xzeroLen(v, p), 2
	}
}

// location is where sparseLocate found a register.
type location struct {
	p     int // offset of the opcode covering the register
	prev  int // offset of the opcode before it, or -1
	first int // index of the first register the opcode covers
	span  int // number of registers the opcode covers
}

// sparseLocate finds the opcode of the sparse value v covering register
// index, decoding opcodes that start before end. ok is false when the
// opcodes end before reaching the register.
func sparseLocate[T bytesLike](v T, end, index int) (loc location, ok bool) {
	p, prev, first, span := hdrSize, -1, 0, 0
	for p < end {
		var oplen int
		span, oplen = opSpan(v, p)
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return location{}, false
	}
	return location{p: p, prev: prev, first: first, span: span}, true
}

// sparseHisto adds the registers of the sparse value v, decoded up to end,
// to hist and reports whether they are well formed.
func sparseHisto[T bytesLike](hist *histogram, v T, end int) bool {
	idx := 0
	for p := hdrSize; p < end; {
		c := v[p]
		switch {
		case isZero(c):
			n := zeroLen(c)
			idx += n
			hist[0] += n
			p++
		case isXZero(c):
			n := xzeroLen(v, p)
			idx += n
			hist[0] += n
			p += 2
		default:
			n := valLen(c)
			idx += n
			hist[valValue(c)] += n
			p++
		}
		if idx > numRegisters {
			return false // Redis would go on and reject the total
		}
	}
	return idx == numRegisters
}

// sparseEach calls fn for every VAL run of the sparse value v, decoded up to
// end, and reports whether the encoding is well formed. It stops early, as
// Redis does, at a VAL run that would pass the last register; fn is never
// called with registers out of range.
func sparseEach[T bytesLike](v T, end int, fn func(first, n int, val uint8)) bool {
	idx := 0
	for p := hdrSize; p < end; {
		c := v[p]
		switch {
		case isZero(c):
			idx += zeroLen(c)
			p++
		case isXZero(c):
			idx += xzeroLen(v, p)
			p += 2
		default:
			n := valLen(c)
			if idx+n > numRegisters {
				return false
			}
			fn(idx, n, valValue(c))
			idx += n
			p++
		}
		if idx > numRegisters {
			return false
		}
	}
	return idx == numRegisters
}

// mergeMax raises every entry of max to the matching register of the valid
// value v and reports whether v's registers are well formed.
func mergeMax(max *[numRegisters]uint8, v string) bool {
	if v[encByte] == encDense {
		denseMax(max, v)
		return true
	}
	return sparseEach(v, len(v), func(first, n int, val uint8) {
		for i := first; i < first+n; i++ {
			if val > max[i] {
				max[i] = val
			}
		}
	})
}

// sparseToDense decodes the sparse value v, read up to end, into a new dense
// value with v's header (cached cardinality and unused bytes included) and
// the dense encoding. The result has one spare byte after the value, as the
// sketch buffers do. ok is false if the registers are malformed.
func sparseToDense[T bytesLike](v T, end int) (dense []byte, ok bool) {
	dense = make([]byte, denseSize+1)
	for i := 0; i < hdrSize; i++ {
		dense[i] = v[i]
	}
	dense[encByte] = encDense
	ok = sparseEach(v, end, func(first, n int, val uint8) {
		for i := first; i < first+n; i++ {
			denseSet(dense, i, val)
		}
	})
	if !ok {
		return nil, false
	}
	return dense, true
}
