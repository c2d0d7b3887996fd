package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// A listpack (the compact list of Redis 7) is laid out as
//
//	<total bytes uint32 LE> <count uint16 LE> <entry>... <0xff>
//
// count is 0xffff when it no longer fits. Each entry is an encoding, its
// data, and a "backlen": the size of encoding plus data, written in 1 to 5
// bytes of 7 bits each so that it can be read backwards. Encodings:
//
//	0xxxxxxx                   7-bit unsigned integer
//	10xxxxxx                   string of up to 63 bytes
//	110xxxxx yyyyyyyy          13-bit signed integer
//	1110xxxx yyyyyyyy          string, 12-bit length
//	11110000 <uint32 LE>       string, 32-bit length
//	11110001 / 0010 / 0011 / 0100   int16 / int24 / int32 / int64, LE
//	11111111                   end of listpack
const (
	listpackHeaderSize = 6
	listpackEnd        = 0xff
	listpackUnknownLen = 0xffff
)

// parseListpack returns the entries of a listpack as strings, integers in
// decimal. It checks the header, every entry's bounds and backlen, and the
// count.
func parseListpack(b []byte) ([]string, error) {
	if len(b) < listpackHeaderSize+1 {
		return nil, fmt.Errorf("%d bytes is too short", len(b))
	}
	if n := binary.LittleEndian.Uint32(b); uint64(n) != uint64(len(b)) {
		return nil, fmt.Errorf("header says %d bytes, blob has %d", n, len(b))
	}
	count := int(binary.LittleEndian.Uint16(b[4:]))
	if b[len(b)-1] != listpackEnd {
		return nil, errors.New("missing end marker")
	}
	items := make([]string, 0, min(count, len(b)/2))
	p := listpackHeaderSize
	for b[p] != listpackEnd {
		item, next, err := listpackValue(b, p)
		if err != nil {
			return nil, fmt.Errorf("entry at %d: %v", p, err)
		}
		size := next - p
		bl := listpackBacklenSize(size)
		if next+bl > len(b)-1 {
			return nil, fmt.Errorf("entry at %d: truncated backlen", p)
		}
		var want [5]byte
		if !bytes.Equal(b[next:next+bl], appendListpackBacklen(want[:0], size)) {
			return nil, fmt.Errorf("entry at %d: bad backlen for a %d-byte entry", p, size)
		}
		items = append(items, item)
		p = next + bl
	}
	if p != len(b)-1 {
		return nil, fmt.Errorf("end marker at %d of %d bytes", p, len(b))
	}
	if count != listpackUnknownLen && count != len(items) {
		return nil, fmt.Errorf("header says %d entries, found %d", count, len(items))
	}
	return items, nil
}

// listpackValue decodes the entry at b[p] (not the end marker) and returns
// its value and the offset of its backlen.
func listpackValue(b []byte, p int) (string, int, error) {
	end := len(b) - 1
	c := b[p]
	var n, hdr int
	switch {
	case c&0x80 == 0:
		return strconv.Itoa(int(c)), p + 1, nil
	case c&0xc0 == 0x80:
		n, hdr = int(c&0x3f), 1
	case c&0xe0 == 0xc0:
		if p+2 > end {
			return "", 0, errors.New("truncated integer")
		}
		v := int(c&0x1f)<<8 | int(b[p+1])
		if v >= 1<<12 {
			v -= 1 << 13
		}
		return strconv.Itoa(v), p + 2, nil
	case c&0xf0 == 0xe0:
		if p+2 > end {
			return "", 0, errors.New("truncated length")
		}
		n, hdr = int(c&0x0f)<<8|int(b[p+1]), 2
	case c == 0xf0:
		if p+5 > end {
			return "", 0, errors.New("truncated length")
		}
		n, hdr = int(binary.LittleEndian.Uint32(b[p+1:])), 5
	default:
		return listpackInt(b, p)
	}
	if n > end-p-hdr {
		return "", 0, fmt.Errorf("string of %d bytes runs past the end", n)
	}
	s := p + hdr
	return string(b[s : s+n]), s + n, nil
}

func listpackInt(b []byte, p int) (string, int, error) {
	var size int
	switch b[p] {
	case 0xf1:
		size = 2
	case 0xf2:
		size = 3
	case 0xf3:
		size = 4
	case 0xf4:
		size = 8
	default:
		return "", 0, fmt.Errorf("bad encoding 0x%02x", b[p])
	}
	if p+1+size > len(b)-1 {
		return "", 0, errors.New("truncated integer")
	}
	d := b[p+1 : p+1+size]
	var v int64
	switch size {
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

// listpackBacklenSize is the number of bytes the backlen of an entry of
// size bytes takes.
func listpackBacklenSize(size int) int {
	switch {
	case size <= 127:
		return 1
	case size < 16383:
		return 2
	case size < 2097151:
		return 3
	case size < 268435455:
		return 4
	}
	return 5
}

// appendListpackBacklen appends the backlen of an entry of size bytes: the
// first byte holds the high bits and every later byte, flagged with 0x80,
// seven more, so a reader walking backwards stops at the unflagged byte.
func appendListpackBacklen(dst []byte, size int) []byte {
	k := listpackBacklenSize(size)
	dst = append(dst, byte(size>>(7*(k-1))))
	for i := k - 2; i >= 0; i-- {
		dst = append(dst, byte(size>>(7*i))&0x7f|0x80)
	}
	return dst
}
