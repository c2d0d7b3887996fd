package rdb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

const farFuture = 4102444800123 // 2100-01-01T00:00:00.123Z in Unix ms

// pseudoRandom returns n deterministic incompressible bytes.
func pseudoRandom(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}

func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

// sampleEntries covers every kind, the string encodings, big and binary
// values, expiries and several databases.
func sampleEntries() []Entry {
	var es []Entry
	str := func(key, v string) { es = append(es, Entry{Key: key, Object: Object{Kind: KindString, Str: v}}) }
	for i, v := range []string{"", "hello", "0", "-1", "127", "128", "-128", "-129", "32767",
		"32768", "-32768", "-32769", "2147483647", "-2147483648", "2147483648",
		"9223372036854775807", "-9223372036854775808", "007", "+1", "-0", " 1", "1 ", "1.5",
		"\x00\xff\r\n", strings.Repeat("a", 20), strings.Repeat("a", 21),
		strings.Repeat("abcdefgh", 500)} {
		str("str:"+strconv.Itoa(i), v)
	}
	str("str:big-compressible", strings.Repeat("kevy-", 40000))
	str("str:big-random", pseudoRandom(100_000, 1))
	str("", "empty key name")
	str("\x00bin\xffkey", "binary key name")

	hashBig := make([]string, 0, 1200)
	for i := range 600 {
		hashBig = append(hashBig, "field"+strconv.Itoa(i), strconv.Itoa(i*7))
	}
	zBig := make([]ZMember, 500)
	for i := range zBig {
		zBig[i] = ZMember{"m" + strconv.Itoa(i), float64(i) / 4}
	}
	es = append(es,
		Entry{Key: "list:mixed", Object: Object{Kind: KindList, List: []string{
			"a", "", "12", "-5", "4096", "70000", "9223372036854775807", "1.5", "\x00",
			strings.Repeat("x", 5000), pseudoRandom(70_000, 2), "tail"}}},
		Entry{Key: "list:big", Object: Object{Kind: KindList, List: numbered("i", 2000)}},
		Entry{Key: "set:ints", Object: Object{Kind: KindSet, Set: []string{"1", "-5", "100000", "9223372036854775807"}}},
		Entry{Key: "set:strs", Object: Object{Kind: KindSet, Set: []string{"a", "b", "", "\xff"}}},
		Entry{Key: "set:big", Object: Object{Kind: KindSet, Set: numbered("", 1000)}},
		Entry{Key: "hash:small", Object: Object{Kind: KindHash, Hash: []string{"f1", "v1", "f2", "2", "", "empty"}}},
		Entry{Key: "hash:big", Object: Object{Kind: KindHash, Hash: hashBig}},
		Entry{Key: "hash:longval", Object: Object{Kind: KindHash, Hash: []string{"long", strings.Repeat("L", 100_000)}}},
		Entry{Key: "zset:small", Object: Object{Kind: KindZSet, ZSet: []ZMember{
			{"zero", 0}, {"negzero", math.Copysign(0, -1)}, {"one", 1}, {"half", 1.5}, {"neg", -2.25},
			{"pinf", math.Inf(1)}, {"ninf", math.Inf(-1)}, {"tiny", 1e-300}, {"denormal", 5e-324},
			{"max", math.MaxFloat64}, {"tenth", 0.1}}}},
		Entry{Key: "zset:big", Object: Object{Kind: KindZSet, ZSet: zBig}},
		Entry{Key: "exp:str", ExpireAtMs: farFuture, Object: Object{Kind: KindString, Str: "x"}},
		Entry{Key: "exp:list", ExpireAtMs: farFuture + 1, Object: Object{Kind: KindList, List: []string{"x"}}},
		Entry{Key: "exp:hash", ExpireAtMs: farFuture + 2, Object: Object{Kind: KindHash, Hash: []string{"f", "v"}}},
		Entry{DB: 1, Key: "db1:str", Object: Object{Kind: KindString, Str: "in db 1"}},
		Entry{DB: 3, Key: "db3:set", ExpireAtMs: farFuture, Object: Object{Kind: KindSet, Set: []string{"a"}}},
	)
	return es
}

// writeFile writes entries with a Writer and returns the file.
func writeFile(t testing.TB, version int, compress bool, entries []Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, version)
	if err != nil {
		t.Fatal(err)
	}
	w.SetCompression(compress)
	for _, e := range entries {
		if err := w.WriteEntry(e); err != nil {
			t.Fatalf("WriteEntry(%q): %v", e.Key, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readBytes reads every entry of an RDB file held in memory.
func readBytes(data []byte) (*Reader, []Entry, error) {
	r := NewReader(bytes.NewReader(data))
	var entries []Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return r, entries, nil
		}
		if err != nil {
			return r, entries, err
		}
		entries = append(entries, e)
	}
}

// sameEntry reports how got differs from want, or "".
func sameEntry(got, want Entry) string {
	if got.DB != want.DB || got.Key != want.Key || got.ExpireAtMs != want.ExpireAtMs ||
		got.HasLRUIdle != want.HasLRUIdle || got.LRUIdle != want.LRUIdle ||
		got.HasLFUFreq != want.HasLFUFreq || got.LFUFreq != want.LFUFreq {
		return fmt.Sprintf("entry header %+v, want %+v", headerOf(got), headerOf(want))
	}
	return sameObject(got.Object, want.Object)
}

func headerOf(e Entry) Entry {
	e.Object = Object{Kind: e.Object.Kind}
	return e
}

func TestWriterReaderRoundTrip(t *testing.T) {
	want := sampleEntries()
	for _, version := range []int{0, 8, 9, 10} {
		for _, compress := range []bool{true, false} {
			t.Run(fmt.Sprintf("v%d/compress=%v", version, compress), func(t *testing.T) {
				data := writeFile(t, version, compress, want)
				r, got, err := readBytes(data)
				if err != nil {
					t.Fatalf("reading back: %v", err)
				}
				wantVersion := version
				if version == 0 {
					wantVersion = DefaultVersion
				}
				if r.Version() != wantVersion {
					t.Errorf("Version() = %d, want %d", r.Version(), wantVersion)
				}
				if len(got) != len(want) {
					t.Fatalf("read %d entries, want %d", len(got), len(want))
				}
				for i := range want {
					if diff := sameEntry(got[i], want[i]); diff != "" {
						t.Errorf("entry %d (%q): %s", i, want[i].Key, diff)
					}
				}
			})
		}
	}
}

func TestWriterCompressionShrinksFile(t *testing.T) {
	es := []Entry{{Key: "k", Object: Object{Kind: KindString, Str: strings.Repeat("kevy-", 40000)}}}
	on, off := writeFile(t, 0, true, es), writeFile(t, 0, false, es)
	if len(on) >= len(off)/10 {
		t.Errorf("compressed file is %d bytes, uncompressed %d: want at least 10x smaller", len(on), len(off))
	}
}

func TestWriterHeaderAndAux(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"ctime", "1700000000"}, {"aof-base", "1"}, {"kevy", "yes"}} {
		if err := w.WriteAux(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.SelectDB(0, 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEntry(Entry{Key: "k", Object: Object{Kind: KindString, Str: "v"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAux("late", "field"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String()[:9]; got != "REDIS0009" {
		t.Errorf("header = %q, want %q", got, "REDIS0009")
	}
	r, entries, err := readBytes(buf.Bytes())
	if err != nil || len(entries) != 1 {
		t.Fatalf("reading back: %d entries, %v", len(entries), err)
	}
	want := map[string]string{"redis-ver": RedisVersion, "redis-bits": strconv.Itoa(strconv.IntSize),
		"ctime": "1700000000", "used-mem": "0", "aof-base": "1", "kevy": "yes", "late": "field"}
	got := r.Aux()
	if len(got) != len(want) {
		t.Errorf("Aux() = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Aux()[%q] = %q, want %q", k, got[k], v)
		}
	}
	// The trailer is the CRC64 of everything before it.
	data := buf.Bytes()
	n := len(data)
	if sum, stored := crc64Update(0, data[:n-8]), binaryLE64(data[n-8:]); sum != stored {
		t.Errorf("trailer = %x, want CRC64 %x", stored, sum)
	}
	if data[n-9] != opEOF {
		t.Errorf("byte before the trailer = %#x, want EOF opcode", data[n-9])
	}
}

func binaryLE64(p []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	return v
}

func TestWriterRejects(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
		want string
	}{
		{"empty list", Entry{Key: "k", Object: Object{Kind: KindList}}, "empty list"},
		{"empty set", Entry{Key: "k", Object: Object{Kind: KindSet, Set: []string{}}}, "empty set"},
		{"empty hash", Entry{Key: "k", Object: Object{Kind: KindHash}}, "empty hash"},
		{"empty zset", Entry{Key: "k", Object: Object{Kind: KindZSet}}, "empty zset"},
		{"odd hash", Entry{Key: "k", Object: Object{Kind: KindHash, Hash: []string{"f"}}}, "odd number"},
		{"NaN score", Entry{Key: "k", Object: Object{Kind: KindZSet, ZSet: []ZMember{{"m", math.NaN()}}}}, "NaN"},
		{"unknown kind", Entry{Key: "k", Object: Object{Kind: 9}}, "unknown kind"},
		{"negative db", Entry{DB: -1, Key: "k", Object: Object{Kind: KindString}}, "bad database"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, 0)
		if err != nil {
			t.Fatal(err)
		}
		err = w.WriteEntry(tt.e)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: WriteEntry error = %v, want one containing %q", tt.name, err, tt.want)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%s: Close after a refused entry: %v", tt.name, err)
		}
		if _, entries, err := readBytes(buf.Bytes()); err != nil || len(entries) != 0 {
			t.Errorf("%s: file after a refused entry has %d entries, error %v; want 0, nil", tt.name, len(entries), err)
		}
	}
	for _, v := range []int{-1, 7, 11, 100} {
		if _, err := NewWriter(io.Discard, v); err == nil {
			t.Errorf("NewWriter(version %d) succeeded, want an error", v)
		}
	}
	w, _ := NewWriter(io.Discard, 0)
	w.Close()
	if err := w.WriteEntry(Entry{Object: Object{Kind: KindString}}); err == nil {
		t.Error("WriteEntry after Close succeeded, want an error")
	}
	if err := w.Close(); err == nil {
		t.Error("second Close succeeded, want an error")
	}
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n < len(p) {
		return 0, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriterReportsWriteErrors(t *testing.T) {
	w, err := NewWriter(&failingWriter{n: 100}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	for i := 0; i < 100 && werr == nil; i++ {
		werr = w.WriteEntry(Entry{Key: "k", Object: Object{Kind: KindString, Str: pseudoRandom(10_000, uint64(i))}})
	}
	if werr == nil {
		werr = w.Close()
	}
	if werr == nil || !strings.Contains(werr.Error(), "disk full") {
		t.Errorf("writing 1 MB to a 100-byte writer: error = %v, want disk full", werr)
	}
}

func TestStringEncodings(t *testing.T) {
	tests := []struct {
		in   string
		want string // hex of the encoded string
	}{
		{"", "00"},
		{"a", "0161"},
		{"0", "c000"},
		{"12", "c00c"},
		{"-128", "c080"},
		{"127", "c07f"},
		{"128", "c18000"},
		{"-129", "c17fff"},
		{"1000", "c1e803"},
		{"32768", "c200800000"},
		{"-2147483648", "c200000080"},
		{"2147483647", "c2ffffff7f"},
		{"2147483648", "0a32313437343833363438"},
		{"007", "03303037"},
		{"-0", "022d30"},
		{"+1", "022b31"},
		// 21 bytes is the shortest string Redis tries to compress.
		{strings.Repeat("a", 20), "14" + strings.Repeat("61", 20)},
		{strings.Repeat("a", 21), "c3" + "05" + "15" + "0061e00b00"},
		{strings.Repeat("b", 64), "4040" + strings.Repeat("62", 64)},
	}
	for _, tt := range tests {
		var b strings.Builder
		e := encoder{w: &b, compress: true}
		if tt.in == strings.Repeat("b", 64) {
			e.compress = false
		}
		e.writeString(tt.in)
		if got := fmt.Sprintf("%x", b.String()); got != tt.want {
			t.Errorf("writeString(%.30q) = %s, want %s", tt.in, got, tt.want)
		}
		d := decoder{br: newTestReader(b.String())}
		got, err := d.readString()
		if err != nil || got != tt.in {
			t.Errorf("readString(%s) = %.30q, %v; want %.30q", tt.want, got, err, tt.in)
		}
	}
}

func TestCanonicalDecimal(t *testing.T) {
	for _, s := range []string{"", "-", "0", "-0", "00", "01", "-01", "7", "-7", "10", "+1", " 1", "1 ", "1a",
		"a1", "1.0", "2147483647", "-2147483648", "99999999999", "-9999999999", "999999999999", "--1", "0x1"} {
		want, err := strconv.ParseInt(s, 10, 64)
		wantOK := err == nil && strconv.FormatInt(want, 10) == s && len(s) <= 11
		got, ok := canonicalDecimal(s)
		if ok != wantOK || ok && got != want {
			t.Errorf("canonicalDecimal(%q) = %d, %v; want %d, %v", s, got, ok, want, wantOK)
		}
	}
}

func TestLengthEncodings(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "00"},
		{63, "3f"},
		{64, "4040"},
		{16383, "7fff"},
		{16384, "8000004000"},
		{math.MaxUint32, "80ffffffff"},
		{math.MaxUint32 + 1, "810000000100000000"},
		{math.MaxUint64, "81ffffffffffffffff"},
	}
	for _, tt := range tests {
		var b strings.Builder
		e := encoder{w: &b}
		e.writeLen(tt.n)
		if got := fmt.Sprintf("%x", b.String()); got != tt.want {
			t.Errorf("writeLen(%d) = %s, want %s", tt.n, got, tt.want)
		}
		d := decoder{br: newTestReader(b.String())}
		if got, err := d.readLen(); err != nil || got != tt.n {
			t.Errorf("readLen(%s) = %d, %v; want %d", tt.want, got, err, tt.n)
		}
	}
	d := decoder{br: newTestReader("\x82\x00")}
	if _, err := d.readLen(); err == nil || !strings.Contains(err.Error(), "bad length encoding at offset 0") {
		t.Errorf("readLen(0x82) error = %v, want bad length encoding at offset 0", err)
	}
}

func newTestReader(s string) *bufio.Reader {
	return bufio.NewReaderSize(strings.NewReader(s), 64)
}
