package rdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// sink is what an encoder writes to: a *bufio.Writer or *strings.Builder.
type sink interface {
	io.Writer
	io.ByteWriter
	io.StringWriter
}

// encoder writes RDB primitives, keeping the running CRC64 of its output.
// The first write error sticks and turns later writes into no-ops.
type encoder struct {
	w        sink
	crc      uint64
	err      error
	compress bool
	lzf      *lzfCompressor // allocated on first use
	lzfBuf   []byte
	tmp      [9]byte
}

func (e *encoder) write(p []byte) {
	if e.err != nil {
		return
	}
	e.crc = crc64Update(e.crc, p)
	_, e.err = e.w.Write(p)
}

func (e *encoder) writeRaw(s string) {
	if e.err != nil {
		return
	}
	e.crc = crc64Update(e.crc, s)
	_, e.err = e.w.WriteString(s)
}

func (e *encoder) writeByte(b byte) {
	if e.err != nil {
		return
	}
	e.crc = crc64Byte(e.crc, b)
	e.err = e.w.WriteByte(b)
}

// writeLen writes n in the shortest length encoding.
func (e *encoder) writeLen(n uint64) {
	switch {
	case n < 1<<6:
		e.writeByte(byte(n))
	case n < 1<<14:
		e.tmp[0], e.tmp[1] = byte(n>>8)|len14Bit<<6, byte(n)
		e.write(e.tmp[:2])
	case n <= math.MaxUint32:
		e.tmp[0] = len32Bit
		binary.BigEndian.PutUint32(e.tmp[1:], uint32(n))
		e.write(e.tmp[:5])
	default:
		e.tmp[0] = len64Bit
		binary.BigEndian.PutUint64(e.tmp[1:], n)
		e.write(e.tmp[:9])
	}
}

func (e *encoder) writeUint64LE(v uint64) {
	binary.LittleEndian.PutUint64(e.tmp[:8], v)
	e.write(e.tmp[:8])
}

// Redis compresses strings longer than lzfMinLen bytes when compression
// saves at least lzfMinSaving bytes.
const (
	lzfMinLen    = 20
	lzfMinSaving = 4
)

// writeString writes s as Redis does: a canonical decimal integer in the
// int32 range as an integer, a long string LZF-compressed when compression
// is on and pays off, anything else raw.
func (e *encoder) writeString(s string) {
	if len(s) <= 11 && e.writeIntString(s) {
		return
	}
	if e.compress && len(s) > lzfMinLen && e.writeLZF(s) {
		return
	}
	e.writeLen(uint64(len(s)))
	e.writeRaw(s)
}

// writeIntString writes s in an integer encoding if s is the canonical
// decimal form of an integer that fits in 32 bits.
func (e *encoder) writeIntString(s string) bool {
	v, ok := canonicalDecimal(s)
	if !ok {
		return false
	}
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		e.tmp[0], e.tmp[1] = lenEncVal<<6|encInt8, byte(v)
		e.write(e.tmp[:2])
	case v >= math.MinInt16 && v <= math.MaxInt16:
		e.tmp[0] = lenEncVal<<6 | encInt16
		binary.LittleEndian.PutUint16(e.tmp[1:], uint16(v))
		e.write(e.tmp[:3])
	case v >= math.MinInt32 && v <= math.MaxInt32:
		e.tmp[0] = lenEncVal<<6 | encInt32
		binary.LittleEndian.PutUint32(e.tmp[1:], uint32(v))
		e.write(e.tmp[:5])
	default:
		return false
	}
	return true
}

func (e *encoder) writeLZF(s string) bool {
	if e.lzf == nil {
		e.lzf = new(lzfCompressor)
	}
	out := e.lzf.compress(e.lzfBuf, s, len(s)-lzfMinSaving)
	if out == nil {
		return false
	}
	e.lzfBuf = out[:0]
	if cap(e.lzfBuf) > 1<<20 {
		e.lzfBuf = nil // do not pin a buffer sized for one huge string
	}
	e.writeByte(lenEncVal<<6 | encLZF)
	e.writeLen(uint64(len(out)))
	e.writeLen(uint64(len(s)))
	e.write(out)
	return true
}

// objectType returns the RDB type byte Writer uses for a kind.
func objectType(k Kind) (byte, bool) {
	switch k {
	case KindString:
		return typeString, true
	case KindList:
		return typeList, true
	case KindSet:
		return typeSet, true
	case KindHash:
		return typeHash, true
	case KindZSet:
		return typeZSet2, true
	}
	return 0, false
}

// writeObject writes the body of o (not its type byte). Unknown kinds write
// nothing; a trailing unpaired hash element is ignored.
func (e *encoder) writeObject(o *Object) {
	switch o.Kind {
	case KindString:
		e.writeString(o.Str)
	case KindList:
		e.writeStrings(o.List)
	case KindSet:
		e.writeStrings(o.Set)
	case KindHash:
		pairs := len(o.Hash) / 2
		e.writeLen(uint64(pairs))
		for _, s := range o.Hash[:2*pairs] {
			e.writeString(s)
		}
	case KindZSet:
		e.writeLen(uint64(len(o.ZSet)))
		for _, m := range o.ZSet {
			e.writeString(m.Member)
			e.writeUint64LE(math.Float64bits(m.Score))
		}
	}
}

func (e *encoder) writeStrings(items []string) {
	e.writeLen(uint64(len(items)))
	for _, s := range items {
		e.writeString(s)
	}
}

// validateObject reports why o cannot be written, or nil. Uniqueness of
// members and fields is the caller's responsibility and is not checked.
func validateObject(o *Object) error {
	if _, ok := objectType(o.Kind); !ok {
		return fmt.Errorf("unknown kind %d", o.Kind)
	}
	if o.Kind == KindString {
		return nil
	}
	if o.Kind == KindHash && len(o.Hash)%2 != 0 {
		return fmt.Errorf("hash has an odd number of elements (%d)", len(o.Hash))
	}
	if o.Len() == 0 {
		return fmt.Errorf("empty %s", o.Kind)
	}
	if o.Kind == KindZSet {
		for _, m := range o.ZSet {
			if math.IsNaN(m.Score) {
				return fmt.Errorf("NaN score for member %q", m.Member)
			}
		}
	}
	return nil
}

// canonicalDecimal parses s if it is an integer of at most 11 bytes written
// the way Redis would print it: an optional minus sign, then digits without
// leading zeros ("0" alone; never "-0"). Unlike strconv.ParseInt it does
// not allocate when s is not a number, the common case.
func canonicalDecimal(s string) (int64, bool) {
	digits := s
	if len(s) > 0 && s[0] == '-' {
		digits = s[1:]
	}
	if len(digits) == 0 || len(s) > 11 || digits[0] == '0' && (len(digits) > 1 || len(s) > 1) {
		return 0, false
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if len(digits) < len(s) {
		v = -v
	}
	return v, true
}
