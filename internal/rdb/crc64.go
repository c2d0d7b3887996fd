package rdb

// Redis checksums RDB files and DUMP payloads with CRC-64/Jones: polynomial
// 0xad93d23594c935a9, bits reflected on input and output, initial value 0
// and no final XOR. (hash/crc64 in the standard library inverts the value
// before and after, so it cannot be used as is.)

// crc64JonesReflected is the Jones polynomial with its bits reversed, the
// form a reflected table-driven implementation uses.
const crc64JonesReflected = 0x95ac9329ac4bc9b5

// crc64Tables holds the slicing-by-8 tables: crc64Tables[0] is the classic
// byte table and crc64Tables[k] advances a byte through k more zero bytes.
var crc64Tables = makeCRC64Tables()

func makeCRC64Tables() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := range 256 {
		c := uint64(i)
		for range 8 {
			if c&1 == 1 {
				c = c>>1 ^ crc64JonesReflected
			} else {
				c >>= 1
			}
		}
		t[0][i] = c
	}
	for i := range 256 {
		c := t[0][i]
		for k := 1; k < 8; k++ {
			c = t[0][c&0xff] ^ c>>8
			t[k][i] = c
		}
	}
	return t
}

// crc64Update returns the Redis CRC64 of p continued from crc; the checksum
// of a whole input is crc64Update(0, input).
func crc64Update[T ~string | ~[]byte](crc uint64, p T) uint64 {
	t := crc64Tables
	for len(p) >= 8 {
		crc ^= uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
			uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for i := 0; i < len(p); i++ {
		crc = t[0][byte(crc)^p[i]] ^ crc>>8
	}
	return crc
}

// crc64Byte continues crc over the single byte b.
func crc64Byte(crc uint64, b byte) uint64 {
	return crc64Tables[0][byte(crc)^b] ^ crc>>8
}
