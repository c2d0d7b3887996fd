package rdb

import (
	"strings"
	"testing"
)

func TestLZFRoundTrip(t *testing.T) {
	inputs := []string{
		"a",
		"abc",
		strings.Repeat("a", 21),
		strings.Repeat("a", 100_000),
		strings.Repeat("abcdefgh", 500),
		strings.Repeat("kevy-redis-", 10_000),
		strings.Repeat("x", 31) + strings.Repeat("y", 32) + strings.Repeat("z", 33),
		pseudoRandom(40, 1) + pseudoRandom(40, 1),     // a repeat at distance 40
		pseudoRandom(9000, 2) + pseudoRandom(9000, 2), // a repeat beyond the 8 KiB window
		pseudoRandom(3000, 3) + strings.Repeat("q", 5000) + pseudoRandom(3000, 3),
	}
	var z lzfCompressor
	for _, in := range inputs {
		comp := z.compress(nil, in, len(in)+len(in)/32+2)
		if comp == nil {
			t.Errorf("compress(%d bytes %.20q) = nil, want output", len(in), in)
			continue
		}
		out, err := lzfDecompress(comp, len(in))
		if err != nil || string(out) != in {
			t.Errorf("decompress(compress(%d bytes %.20q)) = %d bytes, %v; want the input", len(in), in, len(out), err)
		}
	}
}

func TestLZFCompressRespectsLimit(t *testing.T) {
	var z lzfCompressor
	random := pseudoRandom(1000, 9)
	if got := z.compress(nil, random, len(random)-4); got != nil {
		t.Errorf("compress(random, limit len-4) = %d bytes, want nil", len(got))
	}
	rep := strings.Repeat("ab", 1000)
	got := z.compress(nil, rep, 40)
	if got == nil || len(got) >= 40 {
		t.Errorf("compress(%d repetitive bytes, limit 40) = %d bytes, want under 40", len(rep), len(got))
	}
	if got := z.compress(nil, rep, len(got)); got != nil {
		t.Errorf("compress with a limit equal to the compressed size = %d bytes, want nil", len(got))
	}
}

func TestLZFDecompressRedisOutput(t *testing.T) {
	// Bytes Redis 7.0's DUMP produced for a string of 21 "a"s: a literal run
	// of two bytes, then a back reference of 19 bytes at distance 1.
	out, err := lzfDecompress([]byte("\x01aa\xe0\x0a\x00"), 21)
	if err != nil || string(out) != strings.Repeat("a", 21) {
		t.Errorf("lzfDecompress(Redis's 21 a's) = %q, %v", out, err)
	}
}

func TestLZFDecompressErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"literal past end", "\x05ab", 6, "literal run past end"},
		{"truncated reference", "\x00a\x20", 4, "truncated back reference"},
		{"truncated long reference", "\x00a\xe0", 20, "truncated back reference"},
		{"reference before start", "\x00a\x20\x05", 4, "before start"},
		{"output too long", "\x02abc", 2, "longer than declared"},
		{"output too short", "\x02abc", 4, "want 4"},
		{"reference overflow", "\x00a\xe0\xff\x00", 10, "longer than declared"},
		{"impossible ratio", "\x00a", 1000, "cannot expand"},
		{"negative length", "\x00a", -1, "cannot expand"},
	}
	for _, tt := range tests {
		out, err := lzfDecompress([]byte(tt.in), tt.n)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: lzfDecompress(%q, %d) = %q, %v; want an error containing %q", tt.name, tt.in, tt.n, out, err, tt.want)
		}
	}
}

func BenchmarkLZFCompress(b *testing.B) {
	in := strings.Repeat("kevy is an in-process key-value store; ", 1000)
	var z lzfCompressor
	buf := make([]byte, 0, len(in))
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if z.compress(buf, in, len(in)) == nil {
			b.Fatal("incompressible")
		}
	}
}

func BenchmarkLZFDecompress(b *testing.B) {
	in := strings.Repeat("kevy is an in-process key-value store; ", 1000)
	var z lzfCompressor
	comp := z.compress(nil, in, len(in))
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := lzfDecompress(comp, len(in)); err != nil {
			b.Fatal(err)
		}
	}
}
