package rdb

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The builders below write ziplists, listpacks, intsets and zipmaps from the
// format descriptions, independently of the parsers, choosing encodings the
// way Redis does (the smallest integer encoding for canonical integers).
// TestRedisLoadsZiplistFile confirms with a real Redis that they are right.

// canonicalInt reports whether s is an integer Redis would store as one.
func canonicalInt(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil && strconv.FormatInt(v, 10) == s
}

func zlBlob(items ...string) string { return zlBlobCount(-1, items...) }

// zlBlobCount builds a ziplist whose header count is count (-1: the real one).
func zlBlobCount(count int, items ...string) string {
	b := make([]byte, 10)
	prev, tail := 0, 10
	for _, s := range items {
		start := len(b)
		tail = start
		if prev < 254 {
			b = append(b, byte(prev))
		} else {
			b = append(b, 0xfe)
			b = binary.LittleEndian.AppendUint32(b, uint32(prev))
		}
		if v, ok := canonicalInt(s); ok {
			switch {
			case v >= 0 && v <= 12:
				b = append(b, 0xf1+byte(v))
			case v >= -128 && v <= 127:
				b = append(b, 0xfe, byte(v))
			case v >= -32768 && v <= 32767:
				b = binary.LittleEndian.AppendUint16(append(b, 0xc0), uint16(v))
			case v >= -1<<23 && v < 1<<23:
				b = append(b, 0xf0, byte(v), byte(v>>8), byte(v>>16))
			case v >= -1<<31 && v < 1<<31:
				b = binary.LittleEndian.AppendUint32(append(b, 0xd0), uint32(v))
			default:
				b = binary.LittleEndian.AppendUint64(append(b, 0xe0), uint64(v))
			}
		} else {
			switch n := len(s); {
			case n < 64:
				b = append(b, byte(n))
			case n < 16384:
				b = append(b, 0x40|byte(n>>8), byte(n))
			default:
				b = binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
			}
			b = append(b, s...)
		}
		prev = len(b) - start
	}
	b = append(b, 0xff)
	if count < 0 {
		count = len(items)
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint32(b[4:], uint32(tail))
	binary.LittleEndian.PutUint16(b[8:], uint16(count))
	return string(b)
}

func lpBlob(items ...string) string { return lpBlobCount(-1, items...) }

// lpBlobCount builds a listpack whose header count is count (-1: the real one).
func lpBlobCount(count int, items ...string) string {
	b := make([]byte, 6)
	for _, s := range items {
		start := len(b)
		if v, ok := canonicalInt(s); ok {
			switch {
			case v >= 0 && v <= 127:
				b = append(b, byte(v))
			case v >= -4096 && v <= 4095:
				u := uint16(v) & 0x1fff
				b = append(b, 0xc0|byte(u>>8), byte(u))
			case v >= -32768 && v <= 32767:
				b = binary.LittleEndian.AppendUint16(append(b, 0xf1), uint16(v))
			case v >= -1<<23 && v < 1<<23:
				b = append(b, 0xf2, byte(v), byte(v>>8), byte(v>>16))
			case v >= -1<<31 && v < 1<<31:
				b = binary.LittleEndian.AppendUint32(append(b, 0xf3), uint32(v))
			default:
				b = binary.LittleEndian.AppendUint64(append(b, 0xf4), uint64(v))
			}
		} else {
			switch n := len(s); {
			case n < 64:
				b = append(b, 0x80|byte(n))
			case n < 4096:
				b = append(b, 0xe0|byte(n>>8), byte(n))
			default:
				b = binary.LittleEndian.AppendUint32(append(b, 0xf0), uint32(n))
			}
			b = append(b, s...)
		}
		l := len(b) - start
		switch {
		case l <= 127:
			b = append(b, byte(l))
		case l < 16383:
			b = append(b, byte(l>>7), byte(l&127|128))
		case l < 2097151:
			b = append(b, byte(l>>14), byte(l>>7&127|128), byte(l&127|128))
		default:
			b = append(b, byte(l>>21), byte(l>>14&127|128), byte(l>>7&127|128), byte(l&127|128))
		}
	}
	b = append(b, 0xff)
	if count < 0 {
		count = len(items)
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], uint16(count))
	return string(b)
}

func intsetBlob(width int, vals ...int64) string {
	b := binary.LittleEndian.AppendUint32(nil, uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return string(b)
}

// zipmapBlob builds a zipmap from field, value pairs, giving each value two
// free bytes after it as a zipmap that was updated in place has.
func zipmapBlob(kv ...string) string {
	b := []byte{byte(len(kv) / 2)}
	zmLen := func(n int) {
		if n < 254 {
			b = append(b, byte(n))
		} else {
			b = binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(n))
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		zmLen(len(kv[i]))
		b = append(b, kv[i]...)
		zmLen(len(kv[i+1]))
		b = append(b, 2)
		b = append(b, kv[i+1]...)
		b = append(b, 0, 0)
	}
	return string(append(b, 0xff))
}

// rstr is s as a raw RDB string: a length and the bytes.
func rstr(s string) string {
	return string(appendLenTest(nil, uint64(len(s)))) + s
}

func appendLenTest(b []byte, n uint64) []byte {
	switch {
	case n < 64:
		return append(b, byte(n))
	case n < 16384:
		return append(b, 0x40|byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x81), n)
}

// compactItems holds values that exercise every ziplist and listpack
// encoding.
var compactItems = []string{
	"", "a", "0", "1", "12", "13", "127", "128", "-1", "-128", "-129", "4095", "4096",
	"-4096", "-4097", "32767", "32768", "-32768", "-32769", "8388607", "8388608",
	"-8388608", "-8388609", "2147483647", "2147483648", "-2147483648", "-2147483649",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808", "007", "+1", "-0",
	"1.5", strings.Repeat("s", 63), strings.Repeat("m", 64), strings.Repeat("x", 300),
	strings.Repeat("y", 4095), strings.Repeat("z", 4096), strings.Repeat("w", 16384), "\x00\xff",
}

func TestParseCompactRoundTrip(t *testing.T) {
	parsers := []struct {
		name  string
		build func(...string) string
		parse func([]byte) ([]string, error)
	}{
		{"ziplist", zlBlob, parseZiplist},
		{"listpack", lpBlob, parseListpack},
	}
	for _, p := range parsers {
		for _, items := range [][]string{nil, {"x"}, compactItems} {
			got, err := p.parse([]byte(p.build(items...)))
			if err != nil || !slices.Equal(got, items) && len(items)+len(got) > 0 {
				t.Errorf("%s of %d items: parse = %.100q, %v; want %.100q", p.name, len(items), got, err, items)
			}
		}
	}
	// A header count of 0xffff means "count them".
	if got, err := parseZiplist([]byte(zlBlobCount(0xffff, "a", "b"))); err != nil || len(got) != 2 {
		t.Errorf("parseZiplist with unknown count = %q, %v; want 2 items", got, err)
	}
	if got, err := parseListpack([]byte(lpBlobCount(0xffff, "a", "b"))); err != nil || len(got) != 2 {
		t.Errorf("parseListpack with unknown count = %q, %v; want 2 items", got, err)
	}
	if got, err := parseIntset([]byte(intsetBlob(8, -1<<63, -5, 0, 1<<62))); err != nil ||
		!slices.Equal(got, []string{"-9223372036854775808", "-5", "0", "4611686018427387904"}) {
		t.Errorf("parseIntset(int64) = %q, %v", got, err)
	}
	if got, err := parseIntset([]byte(intsetBlob(2, -32768, 7, 32767))); err != nil ||
		!slices.Equal(got, []string{"-32768", "7", "32767"}) {
		t.Errorf("parseIntset(int16) = %q, %v", got, err)
	}
	kv := []string{"f", "v", "", "empty", strings.Repeat("k", 300), strings.Repeat("v", 70000)}
	if got, err := parseZipmap([]byte(zipmapBlob(kv...))); err != nil || !slices.Equal(got, kv) {
		t.Errorf("parseZipmap = %.80q, %v; want %.80q", got, err, kv)
	}
}

// corrupt returns blob with byte i replaced by v.
func corrupt(blob string, i int, v byte) []byte {
	b := []byte(blob)
	b[i] = v
	return b
}

func TestParseCompactErrors(t *testing.T) {
	zl := zlBlob("a", "1000", "bb")
	lp := lpBlob("a", "1000", "bb")
	tests := []struct {
		name  string
		parse func([]byte) ([]string, error)
		in    []byte
		want  string
	}{
		{"ziplist short", parseZiplist, []byte(zl[:5]), "too short"},
		{"ziplist size", parseZiplist, []byte(zl + "\xff"), "header says"},
		{"ziplist no end", parseZiplist, corrupt(zl, len(zl)-1, 0), "missing end"},
		{"ziplist count", parseZiplist, []byte(zlBlobCount(5, "a")), "header says 5 entries"},
		{"ziplist tail", parseZiplist, corrupt(zl, 4, 11), "tail offset"},
		{"ziplist prevlen", parseZiplist, corrupt(zl, 13, 9), "prevlen"},
		{"ziplist encoding", parseZiplist, corrupt(zl, 11, 0xc1), "bad encoding"},
		{"ziplist long string", parseZiplist, corrupt(zl, 11, 0x3f), "runs past"},
		{"ziplist 32-bit string", parseZiplist, []byte("\x13\x00\x00\x00\x0a\x00\x00\x00\x01\x00\x00\x80\x00\x00\xff\xffab\xff"), "runs past"},
		{"listpack short", parseListpack, []byte(lp[:3]), "too short"},
		{"listpack size", parseListpack, []byte(lp + "\xff"), "header says"},
		{"listpack no end", parseListpack, corrupt(lp, len(lp)-1, 0), "missing end"},
		{"listpack count", parseListpack, []byte(lpBlobCount(3, "a")), "header says 3 entries"},
		{"listpack backlen", parseListpack, corrupt(lp, 8, 9), "bad backlen"},
		{"listpack encoding", parseListpack, corrupt(lp, 6, 0xf5), "bad encoding"},
		{"listpack long string", parseListpack, corrupt(lp, 6, 0xbf), "runs past"},
		{"listpack 32-bit string", parseListpack, []byte("\x0c\x00\x00\x00\x01\x00\xf0\xff\xff\xff\x7f\xff"), "runs past"},
		{"listpack truncated int", parseListpack, []byte("\x09\x00\x00\x00\x01\x00\xf4\x01\xff"), "truncated"},
		{"intset short", parseIntset, []byte("\x02\x00"), "too short"},
		{"intset width", parseIntset, []byte(intsetBlob(3)), "bad encoding 3"},
		{"intset size", parseIntset, []byte(intsetBlob(4, 1, 2))[:15], "do not fill"},
		{"intset order", parseIntset, []byte(intsetBlob(2, 5, 3)), "not ascending"},
		{"intset duplicate", parseIntset, []byte(intsetBlob(4, 3, 3)), "not ascending"},
		{"zipmap short", parseZipmap, []byte("\x00"), "too short"},
		{"zipmap no end", parseZipmap, []byte(zipmapBlob("f", "v"))[:8], "missing end"},
		{"zipmap count", parseZipmap, corrupt(zipmapBlob("f", "v"), 0, 3), "header says 3"},
		{"zipmap overrun", parseZipmap, corrupt(zipmapBlob("f", "v"), 1, 200), "run past"},
		{"zipmap end inside", parseZipmap, corrupt(zipmapBlob("f", "v"), 3, 0xff), "end marker inside"},
	}
	for _, tt := range tests {
		got, err := tt.parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: parse(%x) = %q, %v; want an error containing %q", tt.name, tt.in, got, err, tt.want)
		}
	}
}

// ziplistEntries is a file in the encodings of Redis 2.6 to 6.2, which
// Redis 7.0 still loads: zipmap and ziplist hashes, ziplist lists and
// sorted sets, intsets, a quicklist of ziplists, text sorted set scores and
// a seconds expiry.
func ziplistEntries() ([]byte, []Entry) {
	var f []byte
	f = append(f, "REDIS0009"...)
	f = append(f, opAux)
	f = append(f, rstr("redis-ver")...)
	f = append(f, rstr("6.2.0")...)
	f = append(f, opSelectDB, 0)
	key := func(t byte, k, body string) {
		f = append(f, t)
		f = append(f, rstr(k)...)
		f = append(f, body...)
	}
	key(typeHashZipmap, "zipmap", rstr(zipmapBlob("f1", "v1", "f2", "22")))
	key(typeListZiplist, "zl:list", rstr(zlBlob(compactItems...)))
	key(typeSetIntset, "intset16", rstr(intsetBlob(2, -3, 1, 2)))
	key(typeSetIntset, "intset32", rstr(intsetBlob(4, -100000, 100000)))
	key(typeSetIntset, "intset64", rstr(intsetBlob(8, 1, 1<<40)))
	key(typeZSetZiplist, "zl:zset", rstr(zlBlob("a", "1", "b", "1.5", "c", "-3", "d", "inf", "e", "-inf", "f", "100000")))
	key(typeHashZiplist, "zl:hash", rstr(zlBlob("f", "v", "n", "12", strings.Repeat("k", 300), "long key")))
	key(typeListQuicklist, "quicklist", "\x02"+rstr(zlBlob("a", "1", "b"))+rstr(zlBlob(numbered("n", 300)...)))
	key(typeZSet, "zset:text", "\x04"+rstr("a")+"\x031.5"+rstr("b")+"\xfe"+rstr("c")+"\xff"+rstr("d")+"\x091.25e-300")
	f = append(f, opExpireTime)
	f = binary.LittleEndian.AppendUint32(f, 2000000000) // 2033-05-18, seconds (a signed 32-bit field)
	key(typeString, "expiring", rstr("x"))
	f = append(f, opEOF)
	f = binary.LittleEndian.AppendUint64(f, crc64Update(0, f))

	want := []Entry{
		{Key: "zipmap", Object: Object{Kind: KindHash, Hash: []string{"f1", "v1", "f2", "22"}}},
		{Key: "zl:list", Object: Object{Kind: KindList, List: compactItems}},
		{Key: "intset16", Object: Object{Kind: KindSet, Set: []string{"-3", "1", "2"}}},
		{Key: "intset32", Object: Object{Kind: KindSet, Set: []string{"-100000", "100000"}}},
		{Key: "intset64", Object: Object{Kind: KindSet, Set: []string{"1", "1099511627776"}}},
		{Key: "zl:zset", Object: Object{Kind: KindZSet, ZSet: []ZMember{{"a", 1}, {"b", 1.5}, {"c", -3},
			{"d", math.Inf(1)}, {"e", math.Inf(-1)}, {"f", 100000}}}},
		{Key: "zl:hash", Object: Object{Kind: KindHash, Hash: []string{"f", "v", "n", "12", strings.Repeat("k", 300), "long key"}}},
		{Key: "quicklist", Object: Object{Kind: KindList, List: append([]string{"a", "1", "b"}, numbered("n", 300)...)}},
		{Key: "zset:text", Object: Object{Kind: KindZSet, ZSet: []ZMember{{"a", 1.5}, {"b", math.Inf(1)}, {"c", math.Inf(-1)}, {"d", 1.25e-300}}}},
		{Key: "expiring", ExpireAtMs: 2000000000000, Object: Object{Kind: KindString, Str: "x"}},
	}
	return f, want
}

func TestReadZiplistFile(t *testing.T) {
	data, want := ziplistEntries()
	r, got, err := readBytes(data)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	if r.Version() != 9 || r.Aux()["redis-ver"] != "6.2.0" {
		t.Errorf("Version() = %d, Aux() = %v; want 9 and redis-ver 6.2.0", r.Version(), r.Aux())
	}
	if len(got) != len(want) {
		t.Fatalf("read %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if diff := sameEntry(got[i], want[i]); diff != "" {
			t.Errorf("entry %q: %s", want[i].Key, diff)
		}
	}
}

// TestRedisLoadsZiplistFile shows that the hand-built ziplist file is what
// Redis expects: Redis 7.0 loads it with deep sanitization and serves the
// same data Reader reads.
func TestRedisLoadsZiplistFile(t *testing.T) {
	needRedis(t)
	dir := t.TempDir()
	data, want := ziplistEntries()
	if err := writeTestFile(dir, "ziplist.rdb", data); err != nil {
		t.Fatal(err)
	}
	s := startRedis(t, dir, "ziplist.rdb", "--sanitize-dump-payload", "yes")
	checkRedisHolds(t, s, want)
}

func TestReadLargeZiplistEntries(t *testing.T) {
	// An entry of 254 bytes or more makes the next entry's prevlen take
	// five bytes; a 16384-byte string takes the 32-bit length encoding.
	items := []string{strings.Repeat("a", 254), "b", strings.Repeat("c", 16384), "d"}
	got, err := parseZiplist([]byte(zlBlob(items...)))
	if err != nil || !slices.Equal(got, items) {
		t.Errorf("parseZiplist(big entries) = %d items, %v; want %d", len(got), err, len(items))
	}
}

func writeTestFile(dir, name string, data []byte) error {
	return os.WriteFile(filepath.Join(dir, name), data, 0o644)
}
