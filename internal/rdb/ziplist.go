package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// A ziplist (the compact list of Redis 2.6 to 6.2) is laid out as
//
//	<zlbytes uint32 LE> <zltail uint32 LE> <zllen uint16 LE> <entry>... <0xff>
//
// zlbytes is the total size, zltail the offset of the last entry and zllen
// the entry count (0xffff when it no longer fits). Each entry is
//
//	<prevlen> <encoding> <data>
//
// prevlen is the size of the previous entry: one byte below 254, otherwise
// 0xfe and a uint32 LE. The encoding byte is
//
//	00pppppp                 string of up to 63 bytes
//	01pppppp qqqqqqqq        string, 14-bit big-endian length
//	10000000 <uint32 BE>     string, 32-bit length
//	11000000 int16, 11010000 int32, 11100000 int64, 11110000 int24,
//	11111110 int8 (all little endian)
//	1111xxxx                 xxxx in 0001..1101: the integer xxxx-1 (0..12)
const (
	ziplistHeaderSize = 10
	ziplistEnd        = 0xff
	ziplistBigPrevLen = 0xfe
	ziplistUnknownLen = 0xffff
)

// parseZiplist returns the entries of a ziplist as strings, integers in
// decimal. It checks the header, every entry's bounds and prevlen, the tail
// offset and the count.
func parseZiplist(b []byte) ([]string, error) {
	if len(b) < ziplistHeaderSize+1 {
		return nil, fmt.Errorf("%d bytes is too short", len(b))
	}
	if n := binary.LittleEndian.Uint32(b); uint64(n) != uint64(len(b)) {
		return nil, fmt.Errorf("header says %d bytes, blob has %d", n, len(b))
	}
	tail := int(binary.LittleEndian.Uint32(b[4:]))
	count := int(binary.LittleEndian.Uint16(b[8:]))
	if b[len(b)-1] != ziplistEnd {
		return nil, errors.New("missing end marker")
	}
	items := make([]string, 0, min(count, len(b)/2))
	p := ziplistHeaderSize
	prev, last := 0, ziplistHeaderSize
	for b[p] != ziplistEnd {
		start := p
		prevLen := int(b[p])
		if prevLen == ziplistBigPrevLen {
			if p+5 > len(b) {
				return nil, fmt.Errorf("entry at %d: truncated prevlen", start)
			}
			prevLen = int(binary.LittleEndian.Uint32(b[p+1:]))
			p += 5
		} else {
			p++
		}
		if prevLen != prev {
			return nil, fmt.Errorf("entry at %d: prevlen %d, previous entry is %d bytes", start, prevLen, prev)
		}
		item, next, err := ziplistValue(b, p)
		if err != nil {
			return nil, fmt.Errorf("entry at %d: %v", start, err)
		}
		items = append(items, item)
		prev, last, p = next-start, start, next
	}
	if p != len(b)-1 {
		return nil, fmt.Errorf("end marker at %d of %d bytes", p, len(b))
	}
	if tail != last {
		return nil, fmt.Errorf("tail offset %d, last entry at %d", tail, last)
	}
	if count != ziplistUnknownLen && count != len(items) {
		return nil, fmt.Errorf("header says %d entries, found %d", count, len(items))
	}
	return items, nil
}

// ziplistValue decodes the entry encoding at b[p] and returns its value and
// the offset just past it. The end marker is outside the range searched,
// so no entry may run into it.
func ziplistValue(b []byte, p int) (string, int, error) {
	end := len(b) - 1
	if p >= end {
		return "", 0, errors.New("truncated encoding")
	}
	c := b[p]
	var n, hdr int
	switch c >> 6 {
	case 0:
		n, hdr = int(c&0x3f), 1
	case 1:
		if p+2 > end {
			return "", 0, errors.New("truncated length")
		}
		n, hdr = int(c&0x3f)<<8|int(b[p+1]), 2
	case 2:
		if c != 0x80 {
			return "", 0, fmt.Errorf("bad encoding 0x%02x", c)
		}
		if p+5 > end {
			return "", 0, errors.New("truncated length")
		}
		n, hdr = int(binary.BigEndian.Uint32(b[p+1:])), 5
	default:
		return ziplistInt(b, p)
	}
	if n > end-p-hdr {
		return "", 0, fmt.Errorf("string of %d bytes runs past the end", n)
	}
	s := p + hdr
	return string(b[s : s+n]), s + n, nil
}

func ziplistInt(b []byte, p int) (string, int, error) {
	end := len(b) - 1
	c := b[p]
	var size int
	switch {
	case c == 0xc0:
		size = 2
	case c == 0xd0:
		size = 4
	case c == 0xe0:
		size = 8
	case c == 0xf0:
		size = 3
	case c == 0xfe:
		size = 1
	case c >= 0xf1 && c <= 0xfd:
		return strconv.Itoa(int(c&0x0f) - 1), p + 1, nil
	default:
		return "", 0, fmt.Errorf("bad encoding 0x%02x", c)
	}
	if p+1+size > end {
		return "", 0, errors.New("truncated integer")
	}
	d := b[p+1 : p+1+size]
	var v int64
	switch size {
	case 1:
		v = int64(int8(d[0]))
	case 2:
		v = int64(int16(binary.LittleEndian.Uint16(d)))
	case 3:
		v = int64(int32(uint32(d[0])<<8|uint32(d[1])<<16|uint32(d[2])<<24) >> 8)
	case 4:
		v = int64(int32(binary.LittleEndian.Uint32(d)))
	case 8:
		v = int64(binary.LittleEndian.Uint64(d))
	}
	return strconv.FormatInt(v, 10), p + 1 + size, nil
}
