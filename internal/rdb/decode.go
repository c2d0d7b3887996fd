package rdb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// Length encoding: the two high bits of the first byte select the form.
const (
	len6Bit   = 0    // 00xxxxxx
	len14Bit  = 1    // 01xxxxxx xxxxxxxx
	len32Bit  = 0x80 // 10000000 + 4 bytes big endian
	len64Bit  = 0x81 // 10000001 + 8 bytes big endian
	lenEncVal = 3    // 11xxxxxx: a specially encoded string follows
)

// Special string encodings, in the low six bits of an 11xxxxxx length byte.
const (
	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// Sizes that bound allocations driven by length fields read from input.
const (
	readChunk    = 64 << 10 // strings longer than this are read in growing chunks
	maxPrealloc  = 1024     // collections preallocate at most this many elements
	decodeBufLen = 32 << 10 // bufio buffer of a Reader
)

// FormatError describes malformed input: what was wrong and the byte offset
// (from the start of the file or payload) of the item at fault.
type FormatError struct {
	Offset int64  // where the offending item starts
	What   string // what was being read, e.g. "bad ziplist"
	Detail string // optional explanation
	Err    error  // optional underlying error, e.g. io.ErrUnexpectedEOF
}

// Error formats the error as "rdb: <what> at offset <n>[: <detail>]".
func (e *FormatError) Error() string {
	s := "rdb: " + e.What + " at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the underlying error, if any.
func (e *FormatError) Unwrap() error { return e.Err }

// decoder reads RDB primitives, keeping the offset and the running CRC64 of
// everything consumed.
type decoder struct {
	br  *bufio.Reader
	off int64
	crc uint64
}

func (d *decoder) fail(off int64, what, format string, args ...any) error {
	return &FormatError{Offset: off, What: what, Detail: fmt.Sprintf(format, args...)}
}

// ioError converts a read failure at off into a FormatError.
func (d *decoder) ioError(off int64, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &FormatError{Offset: off, What: "unexpected end of data", Err: io.ErrUnexpectedEOF}
	}
	return &FormatError{Offset: off, What: "read error", Detail: err.Error(), Err: err}
}

func (d *decoder) readByte() (byte, error) {
	b, err := d.br.ReadByte()
	if err != nil {
		return 0, d.ioError(d.off, err)
	}
	d.off++
	d.crc = crc64Byte(d.crc, b)
	return b, nil
}

// peek returns the next n bytes (n at most the buffer size) and consumes
// them; the slice is valid until the next read.
func (d *decoder) peek(n int) ([]byte, error) {
	p, err := d.br.Peek(n)
	if err != nil {
		return nil, d.ioError(d.off+int64(len(p)), err)
	}
	d.br.Discard(n) // cannot fail: the bytes are buffered
	d.off += int64(n)
	d.crc = crc64Update(d.crc, p)
	return p, nil
}

// readBytes reads n bytes into a new slice. Large reads grow the slice as
// data arrives, so a forged length cannot force a huge allocation.
func (d *decoder) readBytes(n uint64) ([]byte, error) {
	if n <= readChunk {
		buf := make([]byte, n)
		if err := d.fill(buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	if n > math.MaxInt {
		return nil, d.fail(d.off, "bad length", "%d bytes", n)
	}
	var buf []byte
	for uint64(len(buf)) < n {
		step := int(min(n-uint64(len(buf)), uint64(max(len(buf), readChunk))))
		start := len(buf)
		buf = slices.Grow(buf, step)[:start+step]
		if err := d.fill(buf[start:]); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// fill reads exactly len(p) bytes into p.
func (d *decoder) fill(p []byte) error {
	n, err := io.ReadFull(d.br, p)
	d.crc = crc64Update(d.crc, p[:n])
	d.off += int64(n)
	if err != nil {
		return d.ioError(d.off, err)
	}
	return nil
}

// skip discards n bytes.
func (d *decoder) skip(n uint64) error {
	for n > 0 {
		step := int(min(n, uint64(d.br.Size())))
		if _, err := d.peek(step); err != nil {
			return err
		}
		n -= uint64(step)
	}
	return nil
}

func (d *decoder) readUint32LE() (uint32, error) {
	p, err := d.peek(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(p), nil
}

func (d *decoder) readUint64LE() (uint64, error) {
	p, err := d.peek(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(p), nil
}

// readLength reads a length field. When the field announces a special
// string encoding, encoded is true and n is the encoding number.
func (d *decoder) readLength() (n uint64, encoded bool, err error) {
	start := d.off
	b, err := d.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case len6Bit:
		return uint64(b & 0x3f), false, nil
	case len14Bit:
		b2, err := d.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3f)<<8 | uint64(b2), false, nil
	case lenEncVal:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case len32Bit:
		p, err := d.peek(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case len64Bit:
		p, err := d.peek(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, d.fail(start, "bad length encoding", "byte 0x%02x", b)
}

// readLen reads a length field that must be a plain length.
func (d *decoder) readLen() (uint64, error) {
	start := d.off
	n, encoded, err := d.readLength()
	if err != nil {
		return 0, err
	}
	if encoded {
		return 0, d.fail(start, "bad length", "string encoding where a length was expected")
	}
	return n, nil
}

// readCount reads a collection size or node count. It is not trusted for
// allocation: callers cap preallocation with prealloc.
func (d *decoder) readCount() (uint64, error) {
	return d.readLen()
}

func prealloc(n uint64) int {
	return int(min(n, maxPrealloc))
}

// readString reads a string in any of its encodings.
func (d *decoder) readString() (string, error) {
	start := d.off
	n, encoded, err := d.readLength()
	if err != nil {
		return "", err
	}
	if encoded {
		if n == encLZF {
			b, err := d.readLZF(start)
			return string(b), err
		}
		v, err := d.readEncodedInt(start, n)
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(v, 10), nil
	}
	if n <= uint64(d.br.Size()) {
		p, err := d.peek(int(n))
		if err != nil {
			return "", err
		}
		return string(p), nil
	}
	b, err := d.readBytes(n)
	return string(b), err
}

// readBlob reads a string in any of its encodings as a new byte slice.
func (d *decoder) readBlob() ([]byte, error) {
	start := d.off
	n, encoded, err := d.readLength()
	if err != nil {
		return nil, err
	}
	if encoded {
		if n == encLZF {
			return d.readLZF(start)
		}
		v, err := d.readEncodedInt(start, n)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, v, 10), nil
	}
	return d.readBytes(n)
}

func (d *decoder) readEncodedInt(start int64, enc uint64) (int64, error) {
	switch enc {
	case encInt8:
		b, err := d.readByte()
		return int64(int8(b)), err
	case encInt16:
		p, err := d.peek(2)
		if err != nil {
			return 0, err
		}
		return int64(int16(binary.LittleEndian.Uint16(p))), nil
	case encInt32:
		p, err := d.peek(4)
		if err != nil {
			return 0, err
		}
		return int64(int32(binary.LittleEndian.Uint32(p))), nil
	}
	return 0, d.fail(start, "bad string encoding", "unknown encoding %d", enc)
}

// readLZF reads the compressed and uncompressed lengths and the compressed
// bytes of an LZF string, and expands them.
func (d *decoder) readLZF(start int64) ([]byte, error) {
	clen, err := d.readLen()
	if err != nil {
		return nil, err
	}
	ulen, err := d.readLen()
	if err != nil {
		return nil, err
	}
	if ulen/lzfMaxRatio > clen {
		return nil, d.fail(start, "bad LZF string", "%d compressed bytes cannot expand to %d", clen, ulen)
	}
	comp, err := d.readBytes(clen)
	if err != nil {
		return nil, err
	}
	out, err := lzfDecompress(comp, int(ulen))
	if err != nil {
		return nil, d.fail(start, "bad LZF string", "%v", err)
	}
	return out, nil
}

// readDoubleString reads a score in the string form of RDB_TYPE_ZSET: a
// length byte (253 NaN, 254 +inf, 255 -inf) and that many ASCII bytes.
func (d *decoder) readDoubleString() (float64, error) {
	start := d.off
	n, err := d.readByte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := d.peek(int(n))
	if err != nil {
		return 0, err
	}
	f, ok := parseScore(p)
	if !ok {
		return 0, d.fail(start, "bad score", "%q", p)
	}
	return f, nil
}

// readDoubleBinary reads a little-endian IEEE 754 double.
func (d *decoder) readDoubleBinary() (float64, error) {
	v, err := d.readUint64LE()
	return math.Float64frombits(v), err
}

// parseScore parses a sorted set score stored as text, as strtod would:
// out-of-range values become infinities.
func parseScore[T ~string | ~[]byte](s T) (float64, bool) {
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}
