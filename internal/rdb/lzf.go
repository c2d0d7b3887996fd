package rdb

import (
	"errors"
	"fmt"
)

// LZF, the compression Redis applies to long strings in RDB files, is a
// byte-oriented LZ77 variant. The compressed stream is a sequence of runs
// introduced by a control byte c:
//
//   - c < 32: a literal run; the next c+1 bytes are copied to the output.
//   - otherwise a back reference: n = c>>5, and when n == 7 the next byte is
//     added to it; the byte after that, with the low five bits of c as its
//     high bits, gives a distance d. n+2 bytes are copied from d+1 bytes
//     before the end of the output produced so far (the source may overlap
//     the bytes being written).
const (
	lzfMaxLiteral = 32      // longest literal run
	lzfMaxOffset  = 1 << 13 // back references reach at most this far
	lzfMaxMatch   = 264     // longest back reference: 7+255+2
	lzfHashLog    = 13      // the compressor's hash table has 1<<lzfHashLog slots

	// lzfMaxRatio bounds the expansion of valid LZF data: three input bytes
	// produce at most lzfMaxMatch output bytes.
	lzfMaxRatio = lzfMaxMatch/3 + 1
)

var errLZFOverflow = errors.New("lzf: output longer than declared")

// lzfDecompress expands in, which must produce exactly outLen bytes.
func lzfDecompress(in []byte, outLen int) ([]byte, error) {
	if outLen < 0 || outLen/lzfMaxRatio > len(in) {
		return nil, fmt.Errorf("lzf: %d compressed bytes cannot expand to %d", len(in), outLen)
	}
	out := make([]byte, 0, outLen)
	for i := 0; i < len(in); {
		c := int(in[i])
		i++
		if c < lzfMaxLiteral {
			n := c + 1
			if i+n > len(in) {
				return nil, errors.New("lzf: literal run past end of input")
			}
			if len(out)+n > outLen {
				return nil, errLZFOverflow
			}
			out = append(out, in[i:i+n]...)
			i += n
			continue
		}
		n := c >> 5
		if n == 7 {
			if i >= len(in) {
				return nil, errors.New("lzf: truncated back reference")
			}
			n += int(in[i])
			i++
		}
		n += 2
		if i >= len(in) {
			return nil, errors.New("lzf: truncated back reference")
		}
		ref := len(out) - (c&0x1f)<<8 - int(in[i]) - 1
		i++
		if ref < 0 {
			return nil, errors.New("lzf: back reference before start of output")
		}
		if len(out)+n > outLen {
			return nil, errLZFOverflow
		}
		for k := range n {
			out = append(out, out[ref+k])
		}
	}
	if len(out) != outLen {
		return nil, fmt.Errorf("lzf: output is %d bytes, want %d", len(out), outLen)
	}
	return out, nil
}

// lzfCompressor holds the hash table of a compressor so it can be reused.
// Stale slots left by earlier inputs are harmless: every candidate match is
// verified against the current input before it is used.
type lzfCompressor struct {
	table [1 << lzfHashLog]int32 // position+1 of the last 3-byte sequence with each hash
}

func lzfHash(a, b, c byte) uint32 {
	v := uint32(a)<<16 | uint32(b)<<8 | uint32(c)
	return (v * 2654435761) >> (32 - lzfHashLog)
}

// compress appends the LZF form of in to dst[:0] and returns it, or returns
// nil when the result would not be shorter than maxOut bytes.
func (z *lzfCompressor) compress(dst []byte, in string, maxOut int) []byte {
	if maxOut < 2 || len(in) == 0 {
		return nil
	}
	out := append(dst[:0], 0) // control byte of the first literal run
	lit := 0                  // bytes in the open literal run
	ip := 0
	// emitLiteral appends in[ip] to the open run; false when out of room.
	emitLiteral := func() bool {
		if len(out) >= maxOut {
			return false
		}
		out = append(out, in[ip])
		ip++
		lit++
		if lit == lzfMaxLiteral {
			out[len(out)-lit-1] = lzfMaxLiteral - 1
			lit = 0
			if len(out) >= maxOut {
				return false
			}
			out = append(out, 0)
		}
		return true
	}
	for ip+2 < len(in) {
		h := lzfHash(in[ip], in[ip+1], in[ip+2])
		ref := int(z.table[h]) - 1
		z.table[h] = int32(ip + 1)
		off := ip - ref - 1
		if ref < 0 || ref >= ip || off >= lzfMaxOffset ||
			in[ref] != in[ip] || in[ref+1] != in[ip+1] || in[ref+2] != in[ip+2] {
			if !emitLiteral() {
				return nil
			}
			continue
		}
		m := 3
		for m < lzfMaxMatch && ip+m < len(in) && in[ref+m] == in[ip+m] {
			m++
		}
		// Close the literal run, or drop its unused control byte.
		if lit > 0 {
			out[len(out)-lit-1] = byte(lit - 1)
		} else {
			out = out[:len(out)-1]
		}
		lit = 0
		if len(out)+4 > maxOut {
			return nil
		}
		if n := m - 2; n < 7 {
			out = append(out, byte(n<<5|off>>8))
		} else {
			out = append(out, byte(7<<5|off>>8), byte(n-7))
		}
		out = append(out, byte(off), 0) // distance, then the next run's control byte
		for k := ip + 1; k < ip+m && k+2 < len(in); k++ {
			z.table[lzfHash(in[k], in[k+1], in[k+2])] = int32(k + 1)
		}
		ip += m
	}
	for ip < len(in) {
		if !emitLiteral() {
			return nil
		}
	}
	if lit > 0 {
		out[len(out)-lit-1] = byte(lit - 1)
	} else {
		out = out[:len(out)-1]
	}
	if len(out) >= maxOut {
		return nil
	}
	return out
}
