package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
)

// rdbFile builds an RDB file: header, body, EOF opcode and correct CRC64.
func rdbFile(version int, body string) []byte {
	f := fmt.Appendf(nil, "REDIS%04d", version)
	f = append(f, body...)
	f = append(f, opEOF)
	return binary.LittleEndian.AppendUint64(f, crc64Update(0, f))
}

// key is the body of one key: type byte, key name, object body.
func key(t byte, name, body string) string {
	return string([]byte{t}) + rstr(name) + body
}

func le64(v uint64) string { return string(binary.LittleEndian.AppendUint64(nil, v)) }

func lenStr(n uint64) string { return string(appendLenTest(nil, n)) }

func TestReaderErrors(t *testing.T) {
	valid := rdbFile(10, key(typeString, "k", rstr("v")))
	badCRC := bytes.Clone(valid)
	badCRC[len(badCRC)-8] ^= 1
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty file", nil, "unexpected end of data at offset 0"},
		{"not rdb", []byte("REDIX0010\xff"), "bad header at offset 0"},
		{"bad version", []byte("REDIS00a1\xff"), "bad header at offset 5"},
		{"signed version", []byte("REDIS+001\xff"), "bad header at offset 5"},
		{"version 0", []byte("REDIS0000\xff"), "bad header at offset 5"},
		{"version 12", rdbFile(12, ""), "unsupported RDB version 12 at offset 5"},
		{"no EOF", valid[:len(valid)-9], "unexpected end of data at offset 14"},
		{"short checksum", valid[:len(valid)-3], "unexpected end of data"},
		{"checksum", badCRC, fmt.Sprintf("rdb: checksum mismatch: file says %x, computed %x",
			binary.LittleEndian.Uint64(badCRC[len(badCRC)-8:]), crc64Update(0, valid[:len(valid)-8]))},
		{"stream", rdbFile(10, key(typeStreamListpacks, "s", "")), "rdb: unsupported RDB type 15 (stream) at offset 9"},
		{"stream 2", rdbFile(10, key(typeStreamListpacks2, "s", "")), "unsupported RDB type 19 (stream) at offset 9"},
		{"stream 3", rdbFile(11, key(typeStreamListpacks3, "s", "")), "unsupported RDB type 21 (stream) at offset 9"},
		{"module pre-GA", rdbFile(10, key(typeModulePreGA, "m", "")), "unsupported RDB type 6 (module) at offset 9"},
		{"module", rdbFile(10, key(typeModule2, "m", lenStr(moduleID("kevymod01", 3)))),
			`rdb: unsupported RDB type 7 (module) at offset 9: module type "kevymod01"`},
		{"hash field expiry", rdbFile(11, key(typeHashMetadata, "h", "")), "unsupported RDB type 24 (hash with field expiry) at offset 9"},
		{"unknown type", rdbFile(10, "\x00"+rstr("k")+rstr("v")+key(99, "x", "")), "rdb: unknown RDB type 99 at offset 14"},
		{"function pre-GA", rdbFile(10, "\xf6"), "unsupported RDB opcode 246"},
		{"bad module aux", rdbFile(10, "\xf7\x01\x05\x00"), "bad module aux data at offset 11: when opcode 5"},
		{"bad module opcode", rdbFile(10, "\xf7\x01\x02\x00\x09"), "bad module data at offset 13: opcode 9"},
		{"huge db", rdbFile(10, "\xfe"+lenStr(1<<40)), "bad database number at offset 9"},
		{"encoded length", rdbFile(10, "\xfe\xc0\x01"), "bad length at offset 10"},
		{"bad length byte", rdbFile(10, key(typeList, "l", "\x82")), "bad length encoding at offset 12"},
		{"bad string encoding", rdbFile(10, key(typeString, "s", "\xc5")), "bad string encoding at offset 12: unknown encoding 5"},
		{"duplicate set member", rdbFile(10, key(typeSet, "s", "\x02"+rstr("a")+rstr("a"))), `duplicate set member at offset 12: "a"`},
		{"duplicate intset", rdbFile(10, key(typeSetIntset, "s", rstr(intsetBlob(2, 1, 1)))), "bad intset at offset 12: value 1 after 1"},
		{"duplicate hash field", rdbFile(10, key(typeHash, "h", "\x02"+rstr("f")+rstr("1")+rstr("f")+rstr("2"))), `duplicate hash field at offset 12: "f"`},
		{"duplicate listpack field", rdbFile(10, key(typeHashListpack, "h", rstr(lpBlob("f", "1", "f", "2")))), `duplicate hash field at offset 12: "f"`},
		{"duplicate zset member", rdbFile(10, key(typeZSet2, "z", "\x02"+rstr("m")+le64(0)+rstr("m")+le64(0))), `duplicate sorted set member at offset 12: "m"`},
		{"odd hash", rdbFile(10, key(typeHashZiplist, "h", rstr(zlBlob("f", "v", "g")))), "bad hash at offset 12: odd number of elements (3)"},
		{"odd zset", rdbFile(10, key(typeZSetListpack, "z", rstr(lpBlob("m")))), "bad listpack at offset 12: odd number"},
		{"NaN text score", rdbFile(10, key(typeZSet, "z", "\x01"+rstr("m")+"\xfd")), `bad score at offset 15: NaN for member "m"`},
		{"NaN binary score", rdbFile(10, key(typeZSet2, "z", "\x01"+rstr("m")+le64(math.Float64bits(math.NaN())))), "bad score at offset 15"},
		{"NaN listpack score", rdbFile(10, key(typeZSetListpack, "z", rstr(lpBlob("m", "nan")))), `bad listpack at offset 12: score "nan"`},
		{"bad text score", rdbFile(10, key(typeZSet, "z", "\x01"+rstr("m")+"\x03abc")), `bad score at offset 15: "abc"`},
		{"bad ziplist", rdbFile(10, key(typeListZiplist, "l", rstr("\x01\x02\x03"))), "bad ziplist at offset 12: 3 bytes is too short"},
		{"bad zipmap", rdbFile(10, key(typeHashZipmap, "h", rstr("\x01"))), "bad zipmap at offset 12"},
		{"bad quicklist node", rdbFile(10, key(typeListQuicklist2, "l", "\x01\x07"+rstr("x"))), "bad quicklist node at offset 13: container type 7"},
		{"bad quicklist listpack", rdbFile(10, key(typeListQuicklist2, "l", "\x01\x02"+rstr("xxxxxxx"))), "bad listpack at offset 14"},
		{"bad quicklist ziplist", rdbFile(10, key(typeListQuicklist, "l", "\x01"+rstr("xxxxxxx"))), "bad ziplist at offset 13"},
		{"bad LZF", rdbFile(10, key(typeString, "s", "\xc3\x02\x05\x01a")), "bad LZF string at offset 12"},
		{"LZF ratio", rdbFile(10, key(typeString, "s", "\xc3\x02"+lenStr(1<<40)+"\x01a")), "bad LZF string at offset 12: 2 compressed bytes cannot expand"},
		{"truncated string", []byte("REDIS0010" + key(typeString, "s", "\x05ab")), "unexpected end of data at offset 15"},
		{"huge string", rdbFile(10, key(typeString, "s", lenStr(1<<40)+"abc")), "unexpected end of data"},
		{"huge 64-bit string", rdbFile(10, key(typeString, "s", "\x81\xff\xff\xff\xff\xff\xff\xff\xff")), "bad length at offset 21"},
		{"huge list", []byte("REDIS0010" + key(typeList, "l", lenStr(1<<60)+rstr("a"))), "unexpected end of data at offset 23"},
		{"huge hash", rdbFile(10, key(typeHash, "h", lenStr(math.MaxUint64))), "bad length"},
		{"huge LZF", rdbFile(10, key(typeString, "s", "\xc3"+lenStr(1<<40)+lenStr(1<<41)+"abc")), "unexpected end of data"},
		{"huge quicklist", []byte("REDIS0010" + key(typeListQuicklist2, "l", lenStr(1<<62)+"\x01"+rstr("x"))), "unexpected end of data at offset 24"},
	}
	for _, tt := range tests {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, entries, err := readBytes(tt.file)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: read %d entries, error %v; want an error containing %q", tt.name, len(entries), err, tt.want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("%s: reading allocated %d bytes, want under 8 MiB", tt.name, alloc)
		}
	}
}

// moduleID packs a nine-character module type name and an encoding
// version the way Redis does.
func moduleID(name string, encver uint64) uint64 {
	const charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var id uint64
	for i := 0; i < 9; i++ {
		id = id<<6 | uint64(strings.IndexByte(charset, name[i]))
	}
	return id<<10 | encver
}

func TestReaderErrorTypes(t *testing.T) {
	_, _, err := readBytes([]byte("REDIS0010\x00\x01k"))
	var fe *FormatError
	if !errors.As(err, &fe) || !errors.Is(err, io.ErrUnexpectedEOF) || fe.Offset != 12 {
		t.Errorf("truncated file: error %#v, want a *FormatError at offset 12 wrapping io.ErrUnexpectedEOF", err)
	}
	f := rdbFile(10, "")
	f[len(f)-1] ^= 0x80
	_, _, err = readBytes(f)
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Computed != crc64Update(0, f[:len(f)-8]) {
		t.Errorf("bad checksum: error %#v, want a *ChecksumError", err)
	}
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("REDIS0010\x00"), iotestErrReader{boom}))
	if _, err := r.Next(); !errors.Is(err, boom) || !strings.Contains(err.Error(), "read error at offset 10") {
		t.Errorf("failing reader: error %v, want a read error at offset 10 wrapping boom", err)
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

func TestReaderAcceptsMissingChecksum(t *testing.T) {
	body := key(typeString, "k", rstr("v"))
	zero := append([]byte("REDIS0010"+body+"\xff"), make([]byte, 8)...)
	old := []byte("REDIS0004" + body + "\xff")
	for name, f := range map[string][]byte{"zero checksum": zero, "version 4, no checksum": old} {
		_, entries, err := readBytes(f)
		if err != nil || len(entries) != 1 || entries[0].Object.Str != "v" {
			t.Errorf("%s: read %+v, %v; want one entry k=v", name, entries, err)
		}
	}
}

func TestReaderOpcodes(t *testing.T) {
	body := "\xfa" + rstr("redis-ver") + rstr("7.0.0") +
		"\xfa" + rstr("used-mem") + "\xc2\x00\x00\x00\x01" + // integer-encoded aux value
		// Module aux data, with a value of every module opcode, is skipped.
		"\xf7" + lenStr(moduleID("kevymod01", 1)) + "\x02\x02" +
		"\x01\x05" + "\x02\x81\x00\x00\x00\x00\x00\x00\x00\x01" + "\x03abcd" + "\x04abcdefgh" +
		"\x05" + rstr("str") + "\x05\xc0\x01" + "\x05\xc3\x04\x05\x00a\x40\x00" + "\x05\xc1\x01\x00" + "\x05\xc2\x01\x02\x03\x04" + "\x00" +
		"\xf5" + rstr("#!lua name=lib\nredis.register_function('f', function() return 1 end)") +
		"\xfe\x00\xfb\x02\x01" +
		"\xfc" + le64(farFuture) + "\xf8\x81\x00\x00\x00\x01\x00\x00\x00\x00" + key(typeString, "a", rstr("1")) +
		"\xfd" + "\x00\x94\x35\x77" + "\xf9\x07" + key(typeString, "b", rstr("2")) +
		"\xfc" + le64(0) + key(typeString, "c", rstr("3")) +
		"\xfc" + le64(uint64(1<<64-5)) + key(typeString, "d", rstr("4")) +
		key(typeList, "empty", "\x00") + key(typeSetIntset, "empty2", rstr(intsetBlob(2))) +
		key(typeHashListpack, "empty3", rstr(lpBlob())) + key(typeListQuicklist2, "empty4", "\x01\x02"+rstr(lpBlob())) +
		"\xfe\x05" + key(typeString, "e", rstr("5"))
	r, entries, err := readBytes(rdbFile(10, body))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Key: "a", ExpireAtMs: farFuture, HasLRUIdle: true, LRUIdle: 1 << 32, Object: Object{Kind: KindString, Str: "1"}},
		{Key: "b", ExpireAtMs: 2000000000000, HasLFUFreq: true, LFUFreq: 7, Object: Object{Kind: KindString, Str: "2"}},
		{Key: "c", ExpireAtMs: 1, Object: Object{Kind: KindString, Str: "3"}},
		{Key: "d", ExpireAtMs: 1, Object: Object{Kind: KindString, Str: "4"}},
		{DB: 5, Key: "e", Object: Object{Kind: KindString, Str: "5"}},
	}
	if len(entries) != len(want) {
		t.Fatalf("read %d entries, want %d", len(entries), len(want))
	}
	for i := range want {
		if diff := sameEntry(entries[i], want[i]); diff != "" {
			t.Errorf("entry %q: %s", want[i].Key, diff)
		}
	}
	if got := r.Aux(); len(got) != 2 || got["redis-ver"] != "7.0.0" || got["used-mem"] != "16777216" {
		t.Errorf("Aux() = %v, want redis-ver 7.0.0 and used-mem 16777216", got)
	}
	if fns := r.Functions(); len(fns) != 1 || !strings.HasPrefix(fns[0], "#!lua name=lib") {
		t.Errorf("Functions() = %q, want the one library", fns)
	}
	if n := r.EmptyKeysSkipped(); n != 4 {
		t.Errorf("EmptyKeysSkipped() = %d, want 4", n)
	}
	if got := moduleTypeName(moduleID("ReJSON-RL", 3)); got != "ReJSON-RL" {
		t.Errorf("moduleTypeName(ReJSON-RL id) = %q", got)
	}
}

// TestReaderTruncatedAndCorrupted cuts a small file at every length and
// flips every byte: each must produce an error, never a panic or success.
func TestReaderTruncatedAndCorrupted(t *testing.T) {
	entries := []Entry{
		{Key: "s", ExpireAtMs: farFuture, Object: Object{Kind: KindString, Str: strings.Repeat("ab", 40)}},
		{Key: "i", Object: Object{Kind: KindString, Str: "-7000"}},
		{Key: "l", Object: Object{Kind: KindList, List: []string{"a", "1"}}},
		{DB: 2, Key: "h", Object: Object{Kind: KindHash, Hash: []string{"f", "v"}}},
		{Key: "z", Object: Object{Kind: KindZSet, ZSet: []ZMember{{"m", 1.5}}}},
		{Key: "set", Object: Object{Kind: KindSet, Set: []string{"x", "y"}}},
	}
	data := writeFile(t, 0, true, entries)
	if _, got, err := readBytes(data); err != nil || len(got) != len(entries) {
		t.Fatalf("intact file: %d entries, %v", len(got), err)
	}
	for n := range len(data) {
		if _, _, err := readBytes(data[:n]); err == nil {
			t.Errorf("file cut to %d of %d bytes read without error", n, len(data))
		}
	}
	for i := range data {
		f := bytes.Clone(data)
		f[i] ^= 0xff
		if _, _, err := readBytes(f); err == nil {
			t.Errorf("file with byte %d flipped read without error", i)
		}
	}
}

func BenchmarkReader(b *testing.B) {
	data := writeFile(b, 0, true, sampleEntries())
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := readBytes(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriter(b *testing.B) {
	entries := sampleEntries()
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewWriter(io.Discard, 0)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range entries {
			if err := w.WriteEntry(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
