package rdb

import (
	"hash/crc64"
	"testing"
)

func TestCRC64KnownValues(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"", 0},
		// The check value Redis's crc64.c tests against.
		{"123456789", 0xe9c6d914c4b8d9ca},
		// The body of a DUMP payload from Redis 7.0 and the CRC it carried.
		{"\x0b\x0e\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00\x0a\x00", 0x1b4d6e6de25c02a5},
	}
	for _, tt := range tests {
		if got := crc64Update(0, tt.in); got != tt.want {
			t.Errorf("crc64Update(0, %q) = %#x, want %#x", tt.in, got, tt.want)
		}
		if got := crc64Update(0, []byte(tt.in)); got != tt.want {
			t.Errorf("crc64Update(0, []byte(%q)) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}

// TestCRC64MatchesStdlib checks the slicing-by-8 code against hash/crc64
// with the same polynomial. The standard library inverts the CRC before and
// after each update; Redis does not, so the states are complements.
func TestCRC64MatchesStdlib(t *testing.T) {
	table := crc64.MakeTable(crc64JonesReflected)
	data := []byte(pseudoRandom(5000, 7))
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 65, 1000, 2047, 2048, 5000} {
		want := ^crc64.Update(^uint64(0), table, data[:n])
		if got := crc64Update(0, data[:n]); got != want {
			t.Errorf("crc64Update(%d bytes) = %#x, want %#x", n, got, want)
		}
	}
}

func TestCRC64Incremental(t *testing.T) {
	data := pseudoRandom(1000, 3)
	whole := crc64Update(0, data)
	for _, split := range []int{0, 1, 5, 8, 13, 500, 999, 1000} {
		if got := crc64Update(crc64Update(0, data[:split]), data[split:]); got != whole {
			t.Errorf("CRC64 split at %d = %#x, want %#x", split, got, whole)
		}
	}
	c := uint64(0)
	for i := 0; i < len(data); i++ {
		c = crc64Byte(c, data[i])
	}
	if c != whole {
		t.Errorf("CRC64 byte by byte = %#x, want %#x", c, whole)
	}
}

func BenchmarkCRC64(b *testing.B) {
	data := []byte(pseudoRandom(64<<10, 1))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		crc64Update(0, data)
	}
}
