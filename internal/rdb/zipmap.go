package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A zipmap (the compact hash of Redis before 2.6) is laid out as
//
//	<count byte> (<len> <key> <len> <free byte> <value> <free bytes>)... <0xff>
//
// where count is exact below 254, and each len is one byte below 254 or
// 0xfe followed by a uint32 LE.
const (
	zipmapEnd    = 0xff
	zipmapBigLen = 0xfe
)

// parseZipmap returns a zipmap's pairs as field, value, field, value...
func parseZipmap(b []byte) ([]string, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("%d bytes is too short", len(b))
	}
	count := int(b[0])
	var items []string
	p := 1
	// str reads a length and that many bytes, skipping free bytes after
	// values.
	str := func(value bool) (string, error) {
		if p >= len(b) {
			return "", errors.New("truncated")
		}
		n := int(b[p])
		p++
		switch n {
		case zipmapEnd:
			return "", errors.New("end marker inside an entry")
		case zipmapBigLen:
			if p+4 > len(b) {
				return "", errors.New("truncated length")
			}
			n = int(binary.LittleEndian.Uint32(b[p:]))
			p += 4
		}
		free := 0
		if value {
			if p >= len(b) {
				return "", errors.New("truncated")
			}
			free = int(b[p])
			p++
		}
		if n > len(b)-p || free > len(b)-p-n {
			return "", fmt.Errorf("%d bytes run past the end", n+free)
		}
		s := string(b[p : p+n])
		p += n + free
		return s, nil
	}
	for {
		if p >= len(b) {
			return nil, errors.New("missing end marker")
		}
		if b[p] == zipmapEnd {
			break
		}
		start := p
		k, err := str(false)
		if err != nil {
			return nil, fmt.Errorf("entry at %d: %v", start, err)
		}
		v, err := str(true)
		if err != nil {
			return nil, fmt.Errorf("entry at %d: %v", start, err)
		}
		items = append(items, k, v)
	}
	if p != len(b)-1 {
		return nil, fmt.Errorf("end marker at %d of %d bytes", p, len(b))
	}
	if count < zipmapBigLen && count != len(items)/2 {
		return nil, fmt.Errorf("header says %d entries, found %d", count, len(items)/2)
	}
	return items, nil
}
