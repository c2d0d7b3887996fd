package rdb

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// An intset (a small set of integers) is laid out as
//
//	<encoding uint32 LE> <length uint32 LE> <value>...
//
// where encoding is the byte width of every value (2, 4 or 8) and the
// values are signed little-endian integers in ascending order.
const intsetHeaderSize = 8

// parseIntset returns the members of an intset in decimal. It checks the
// size against the header and that the values strictly ascend, as Redis
// requires.
func parseIntset(b []byte) ([]string, error) {
	if len(b) < intsetHeaderSize {
		return nil, fmt.Errorf("%d bytes is too short", len(b))
	}
	width := binary.LittleEndian.Uint32(b)
	count := binary.LittleEndian.Uint32(b[4:])
	if width != 2 && width != 4 && width != 8 {
		return nil, fmt.Errorf("bad encoding %d", width)
	}
	if uint64(len(b)-intsetHeaderSize) != uint64(width)*uint64(count) {
		return nil, fmt.Errorf("%d values of %d bytes do not fill %d bytes", count, width, len(b))
	}
	items := make([]string, 0, count)
	var prev int64
	for i := 0; i < int(count); i++ {
		d := b[intsetHeaderSize+i*int(width):]
		var v int64
		switch width {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(d)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(d)))
		default:
			v = int64(binary.LittleEndian.Uint64(d))
		}
		if i > 0 && v <= prev {
			return nil, fmt.Errorf("value %d after %d: not ascending", v, prev)
		}
		prev = v
		items = append(items, strconv.FormatInt(v, 10))
	}
	return items, nil
}
