package kevy

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// Micro-benchmarks of the typed methods bench_test.go does not measure, so
// that every exported method of Store, Tx, Pipeline and Subscription has one
// (issue #8). Conventions:
//
//   - keys, members and values are built before the loop; the loop only
//     indexes them;
//   - benchmarks stay in a steady state: a method that grows a collection is
//     paired with one that shrinks it, or the collection is trimmed every
//     so many iterations (the trim is counted, amortized); a method that
//     consumes its data (pops, Persist, LTrim...) gets it back every so
//     many iterations with the timer stopped;
//   - collection reads run on a small collection (n=16, a compact
//     encoding) and a large one (n=1024, a hash table or skiplist) where
//     the difference matters;
//   - blocking methods run their non-blocking path (data present), and
//     BenchmarkBLPopPingPong measures a hand-off between two goroutines.
//
// Run only these with
//
//	go test -run '^$' -bench "^Benchmark($(grep -o '^func Benchmark[A-Za-z0-9]*' bench_methods_test.go | sed 's/func Benchmark//' | paste -sd'|'))\$" .
//
// The figures of one such run are kept in docs/perf/methods.txt.

// benchSizes are the sizes of the small and the large collection.
var benchSizes = []int{16, 1024}

// benchNames returns prefix0000, prefix0001...: sortable, so the lex
// benchmarks can name ranges of them.
func benchNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

// benchOpen opens an in-memory store and reports allocations.
func benchOpen(b *testing.B, o *Options) *Store {
	s := open(b, o)
	b.ReportAllocs()
	return s
}

func sizeName(n int) string { return "n=" + strconv.Itoa(n) }

// ck fails the benchmark on an unexpected error. It is not a t.Helper (that
// would cost more than many of the methods measured).
func ck(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

// paused runs fn with the timer stopped: a consuming benchmark restoring its
// data.
func paused(b *testing.B, fn func()) {
	b.StopTimer()
	fn()
	b.StartTimer()
}

// fillHash makes key a hash of n fields f0000... with benchValue.
func fillHash(b *testing.B, s *Store, key string, n int) []string {
	fields := benchNames("f", n)
	fv := make([]string, 0, 2*n)
	for _, f := range fields {
		fv = append(fv, f, benchValue)
	}
	_, err := s.HSet(key, fv...)
	ck(b, err)
	return fields
}

// fillList makes key a list of the given elements (replacing it).
func fillList(b *testing.B, s *Store, key string, elems []string) {
	s.Del(key)
	_, err := s.RPush(key, elems...)
	ck(b, err)
}

// fillSet adds members to the set at key.
func fillSet(b *testing.B, s *Store, key string, members []string) {
	_, err := s.SAdd(key, members...)
	ck(b, err)
}

// zmembers returns members scored 0, 1, 2... (or all 0 when lex).
func zmembers(names []string, lex bool) []Z {
	zs := make([]Z, len(names))
	for i, m := range names {
		zs[i] = Z{Member: m, Score: float64(i)}
		if lex {
			zs[i].Score = 0
		}
	}
	return zs
}

func fillZSet(b *testing.B, s *Store, key string, zs []Z) {
	_, err := s.ZAdd(key, zs...)
	ck(b, err)
}

// --- Keys (generic commands) ---

func benchTTLStore(b *testing.B) (*Store, []string) {
	s, keys := benchStore(b, 4096)
	for _, k := range keys {
		ck(b, s.SetWithTTL(k, benchValue, time.Hour))
	}
	return s, keys
}

func BenchmarkType(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		_, err := s.Type(keys[i&4095])
		ck(b, err)
	}
}

func BenchmarkTTL(b *testing.B) {
	s, keys := benchTTLStore(b)
	for i := 0; b.Loop(); i++ {
		_, err := s.TTL(keys[i&4095])
		ck(b, err)
	}
}

func BenchmarkExpireAt(b *testing.B) {
	s, keys := benchStore(b, 4096)
	at := time.Now().Add(time.Hour)
	for i := 0; b.Loop(); i++ {
		_, err := s.ExpireAt(keys[i&4095], at)
		ck(b, err)
	}
}

func BenchmarkExpireTime(b *testing.B) {
	s, keys := benchTTLStore(b)
	for i := 0; b.Loop(); i++ {
		_, err := s.ExpireTime(keys[i&4095])
		ck(b, err)
	}
}

// BenchmarkPersist removes TTLs; they are set again (timer stopped) once
// every key lost its own.
func BenchmarkPersist(b *testing.B) {
	s, keys := benchTTLStore(b)
	for i := 0; b.Loop(); i++ {
		if i&4095 == 0 && i > 0 {
			paused(b, func() {
				for _, k := range keys {
					s.Expire(k, time.Hour)
				}
			})
		}
		ok, err := s.Persist(keys[i&4095])
		ck(b, err)
		if !ok {
			b.Fatal("Persist: no TTL to remove")
		}
	}
}

func BenchmarkTouch(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		_, err := s.Touch(keys[i&4095])
		ck(b, err)
	}
}

// renamePairs returns 1024 existing keys and 1024 free names.
func renamePairs(b *testing.B) (*Store, []string, []string) {
	s, src := benchStore(b, 1024)
	return s, src, benchNames("renamed:", 1024)
}

// BenchmarkRename moves a key to a free name and, the next iteration, back.
func BenchmarkRename(b *testing.B) {
	s, src, dst := renamePairs(b)
	for i := 0; b.Loop(); i++ {
		j := (i >> 1) & 1023
		if i&1 == 0 {
			ck(b, s.Rename(src[j], dst[j]))
		} else {
			ck(b, s.Rename(dst[j], src[j]))
		}
	}
}

// BenchmarkRenameNX is BenchmarkRename with RenameNX (the target is free).
func BenchmarkRenameNX(b *testing.B) {
	s, src, dst := renamePairs(b)
	for i := 0; b.Loop(); i++ {
		j := (i >> 1) & 1023
		var ok bool
		var err error
		if i&1 == 0 {
			ok, err = s.RenameNX(src[j], dst[j])
		} else {
			ok, err = s.RenameNX(dst[j], src[j])
		}
		ck(b, err)
		if !ok {
			b.Fatal("RenameNX: not renamed")
		}
	}
}

// BenchmarkCopy copies over an existing copy (replace): a string, and a
// hash of 1024 fields (a deep copy).
func BenchmarkCopy(b *testing.B) {
	b.Run("string", func(b *testing.B) {
		s, keys := benchStore(b, 1024)
		dst := benchNames("copy:", 1024)
		for i := 0; b.Loop(); i++ {
			_, err := s.Copy(keys[i&1023], dst[i&1023], true)
			ck(b, err)
		}
	})
	b.Run("hash/n=1024", func(b *testing.B) {
		s := benchOpen(b, nil)
		fillHash(b, s, "h", 1024)
		for b.Loop() {
			_, err := s.Copy("h", "h2", true)
			ck(b, err)
		}
	})
}

// BenchmarkScan is one Scan step of COUNT 100 over 4096 keys, continuing
// from the previous cursor: with no pattern and with one matching 1/8 of
// the keys.
func BenchmarkScan(b *testing.B) {
	for _, c := range []struct{ name, match string }{{"all", ""}, {"match", "key:1*"}} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := benchStore(b, 4096)
			var cur uint64
			for b.Loop() {
				_, next, err := s.Scan(cur, c.match, 100)
				ck(b, err)
				cur = next
			}
		})
	}
}

// BenchmarkScanKeys iterates over the whole keyspace (1024 keys) per op.
func BenchmarkScanKeys(b *testing.B) {
	s, _ := benchStore(b, 1024)
	for b.Loop() {
		n := 0
		for range s.ScanKeys("") {
			n++
		}
		if n < 1024 {
			b.Fatalf("ScanKeys yielded %d keys, want >= 1024", n)
		}
	}
}

func BenchmarkRandomKey(b *testing.B) {
	s, _ := benchStore(b, 4096)
	for b.Loop() {
		_, err := s.RandomKey()
		ck(b, err)
	}
}

// BenchmarkDump serializes a string and a hash of 1024 fields.
func BenchmarkDump(b *testing.B) {
	b.Run("string", func(b *testing.B) {
		s, keys := benchStore(b, 1024)
		for i := 0; b.Loop(); i++ {
			_, err := s.Dump(keys[i&1023])
			ck(b, err)
		}
	})
	b.Run("hash/n=1024", func(b *testing.B) {
		s := benchOpen(b, nil)
		fillHash(b, s, "h", 1024)
		for b.Loop() {
			_, err := s.Dump("h")
			ck(b, err)
		}
	})
}

// BenchmarkRestore restores a Dump payload over the existing key (replace).
func BenchmarkRestore(b *testing.B) {
	b.Run("string", func(b *testing.B) {
		s, keys := benchStore(b, 1024)
		p, err := s.Dump(keys[0])
		ck(b, err)
		for i := 0; b.Loop(); i++ {
			ck(b, s.Restore(keys[i&1023], p, 0, true))
		}
	})
	b.Run("hash/n=1024", func(b *testing.B) {
		s := benchOpen(b, nil)
		fillHash(b, s, "h", 1024)
		p, err := s.Dump("h")
		ck(b, err)
		for b.Loop() {
			ck(b, s.Restore("h", p, 0, true))
		}
	})
}

func BenchmarkMemoryUsage(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		_, err := s.MemoryUsage(keys[i&4095])
		ck(b, err)
	}
}

func BenchmarkDBSize(b *testing.B) {
	s, _ := benchStore(b, 4096)
	for b.Loop() {
		_, err := s.DBSize()
		ck(b, err)
	}
}

// BenchmarkFlushAll flushes an empty store, and one of 16 keys that are
// set again after each flush (the 16 Sets are counted: refilling a larger
// store with the timer stopped would make the benchmark run for minutes).
func BenchmarkFlushAll(b *testing.B) {
	b.Run("empty", func(b *testing.B) {
		s := benchOpen(b, nil)
		for b.Loop() {
			ck(b, s.FlushAll())
		}
	})
	b.Run("n=16+refill", func(b *testing.B) {
		s, keys := benchStore(b, 16)
		for b.Loop() {
			ck(b, s.FlushAll())
			for _, k := range keys {
				s.Set(k, benchValue)
			}
		}
	})
}

// --- Strings ---

func BenchmarkIncrBy(b *testing.B) {
	s, keys := benchStore(b, 0)
	keys = benchKeys(64)
	for i := 0; b.Loop(); i++ {
		_, err := s.IncrBy(keys[i&63], 3)
		ck(b, err)
	}
}

// --- Bitmaps ---

// bitmapStore holds "bm" and "bm2", two 1 KiB strings with some bits set,
// and "zeros", 1 KiB of zero bytes ending with a one bit.
func bitmapStore(b *testing.B) *Store {
	s := benchOpen(b, nil)
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 1024)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	ck(b, s.Set("bm", string(buf)))
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	ck(b, s.Set("bm2", string(buf)))
	clear(buf)
	buf[len(buf)-1] = 1
	ck(b, s.Set("zeros", string(buf)))
	return s
}

func BenchmarkSetBit(b *testing.B) {
	s := bitmapStore(b)
	for i := 0; b.Loop(); i++ {
		_, err := s.SetBit("bm", int64(i*13)&8191, i&1)
		ck(b, err)
	}
}

func BenchmarkGetBit(b *testing.B) {
	s := bitmapStore(b)
	for i := 0; b.Loop(); i++ {
		_, err := s.GetBit("bm", int64(i*13)&8191)
		ck(b, err)
	}
}

// BenchmarkBitCount counts the bits of a 16-byte and a 64 KiB string.
func BenchmarkBitCount(b *testing.B) {
	for _, n := range []int{16, 64 << 10} {
		b.Run("bytes="+strconv.Itoa(n), func(b *testing.B) {
			s := benchOpen(b, nil)
			ck(b, s.Set("bm", strings.Repeat("\x5a", n)))
			for b.Loop() {
				_, err := s.BitCount("bm")
				ck(b, err)
			}
		})
	}
}

// BenchmarkBitCountRange counts bits 803..7204 of a 1 KiB string (bit
// offsets: partial bytes at both ends).
func BenchmarkBitCountRange(b *testing.B) {
	s := bitmapStore(b)
	for b.Loop() {
		_, err := s.BitCountRange("bm", 803, 7204, UnitBit)
		ck(b, err)
	}
}

// BenchmarkBitPos finds the only set bit, at the end of 1 KiB of zeros.
func BenchmarkBitPos(b *testing.B) {
	s := bitmapStore(b)
	for b.Loop() {
		if p, err := s.BitPos("zeros", 1); err != nil || p != 8191 {
			b.Fatalf("BitPos = %d, %v", p, err)
		}
	}
}

// BenchmarkBitPosRange is BenchmarkBitPos within bytes 100..-1.
func BenchmarkBitPosRange(b *testing.B) {
	s := bitmapStore(b)
	for b.Loop() {
		if p, err := s.BitPosRange("zeros", 1, 100, -1, UnitByte); err != nil || p != 8191 {
			b.Fatalf("BitPosRange = %d, %v", p, err)
		}
	}
}

// BenchmarkBitOp stores the AND of two 1 KiB strings.
func BenchmarkBitOp(b *testing.B) {
	s := bitmapStore(b)
	for b.Loop() {
		_, err := s.BitOp(BitAnd, "dest", "bm", "bm2")
		ck(b, err)
	}
}

// lcsStore holds "a" and "b", two related random strings of n bytes over
// a 4-letter alphabet (b is a with about one byte in 8 changed).
func lcsStore(b *testing.B, n int) *Store {
	s := benchOpen(b, nil)
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]byte, n)
	for i := range x {
		x[i] = "ACGT"[r.IntN(4)]
	}
	y := []byte(string(x))
	for i := range y {
		if r.IntN(8) == 0 {
			y[i] = "ACGT"[r.IntN(4)]
		}
	}
	ck(b, s.Set("a", string(x)))
	ck(b, s.Set("b", string(y)))
	return s
}

var lcsSizes = []int{64, 1024}

func BenchmarkLCS(b *testing.B) {
	for _, n := range lcsSizes {
		b.Run("bytes="+strconv.Itoa(n), func(b *testing.B) {
			s := lcsStore(b, n)
			for b.Loop() {
				_, err := s.LCS("a", "b")
				ck(b, err)
			}
		})
	}
}

// BenchmarkLCSLen is BenchmarkLCS/bytes=1024 returning the length only.
func BenchmarkLCSLen(b *testing.B) {
	s := lcsStore(b, 1024)
	for b.Loop() {
		_, err := s.LCSLen("a", "b")
		ck(b, err)
	}
}

// BenchmarkLCSMatches is BenchmarkLCS/bytes=1024 returning the matching
// ranges of at least 4 bytes.
func BenchmarkLCSMatches(b *testing.B) {
	s := lcsStore(b, 1024)
	for b.Loop() {
		_, _, err := s.LCSMatches("a", "b", 4)
		ck(b, err)
	}
}

// --- HyperLogLog ---

// hllStore holds "hll1" and "hll2", dense HyperLogLogs of 4096 elements
// each (half of them shared).
func hllStore(b *testing.B) (*Store, []string) {
	s := benchOpen(b, nil)
	elems := benchNames("e", 6144)
	_, err := s.PFAdd("hll1", elems[:4096]...)
	ck(b, err)
	_, err = s.PFAdd("hll2", elems[2048:]...)
	ck(b, err)
	return s, elems
}

func BenchmarkPFAdd(b *testing.B) {
	s, elems := hllStore(b)
	for i := 0; b.Loop(); i++ {
		_, err := s.PFAdd("hll1", elems[i&4095])
		ck(b, err)
	}
}

// BenchmarkPFCount counts one key (its cached estimate) and the union of two.
func BenchmarkPFCount(b *testing.B) {
	for _, c := range []struct {
		name string
		keys []string
	}{{"one", []string{"hll1"}}, {"union-2", []string{"hll1", "hll2"}}} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := hllStore(b)
			for b.Loop() {
				_, err := s.PFCount(c.keys...)
				ck(b, err)
			}
		})
	}
}

func BenchmarkPFMerge(b *testing.B) {
	s, _ := hllStore(b)
	for b.Loop() {
		ck(b, s.PFMerge("hll3", "hll1", "hll2"))
	}
}

// --- Hashes ---

// BenchmarkHSetNX sets a field that exists (nothing is written) and new
// fields (the hash is deleted, timer stopped, after 4096 of them).
func BenchmarkHSetNX(b *testing.B) {
	b.Run("existing", func(b *testing.B) {
		s := benchOpen(b, nil)
		fields := fillHash(b, s, "h", 64)
		for i := 0; b.Loop(); i++ {
			_, err := s.HSetNX("h", fields[i&63], benchValue)
			ck(b, err)
		}
	})
	b.Run("new", func(b *testing.B) {
		s := benchOpen(b, nil)
		fields := benchNames("f", 4096)
		for i := 0; b.Loop(); i++ {
			if i&4095 == 0 && i > 0 {
				paused(b, func() { s.Del("h") })
			}
			ok, err := s.HSetNX("h", fields[i&4095], benchValue)
			ck(b, err)
			if !ok {
				b.Fatal("HSetNX: field existed")
			}
		}
	})
}

// BenchmarkHMGet reads 4 fields of a hash of 16 (the size matters little:
// the 4 allocations of the result dominate).
func BenchmarkHMGet(b *testing.B) {
	s := benchOpen(b, nil)
	f := fillHash(b, s, "h", 16)
	fields := []string{f[0], f[4], f[8], f[15]}
	for b.Loop() {
		_, err := s.HMGet("h", fields...)
		ck(b, err)
	}
}

// benchHashRead runs read on a hash of each size.
func benchHashRead(b *testing.B, read func(s *Store) error) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := benchOpen(b, nil)
			fillHash(b, s, "h", n)
			for b.Loop() {
				ck(b, read(s))
			}
		})
	}
}

func BenchmarkHGetAll(b *testing.B) {
	benchHashRead(b, func(s *Store) error { _, err := s.HGetAll("h"); return err })
}

func BenchmarkHKeys(b *testing.B) {
	benchHashRead(b, func(s *Store) error { _, err := s.HKeys("h"); return err })
}

func BenchmarkHVals(b *testing.B) {
	benchHashRead(b, func(s *Store) error { _, err := s.HVals("h"); return err })
}

// BenchmarkHScan is one HScan step of COUNT 100, continuing from the
// previous cursor (a small hash comes back whole).
func BenchmarkHScan(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := benchOpen(b, nil)
			fillHash(b, s, "h", n)
			var cur uint64
			for b.Loop() {
				_, next, err := s.HScan("h", cur, "", 100)
				ck(b, err)
				cur = next
			}
		})
	}
}

// BenchmarkHRandField picks 4 distinct fields of 1024.
func BenchmarkHRandField(b *testing.B) {
	s := benchOpen(b, nil)
	fillHash(b, s, "h", 1024)
	for b.Loop() {
		_, err := s.HRandField("h", 4)
		ck(b, err)
	}
}

func BenchmarkHLen(b *testing.B) {
	s := benchOpen(b, nil)
	fillHash(b, s, "h", 64)
	for b.Loop() {
		_, err := s.HLen("h")
		ck(b, err)
	}
}

func BenchmarkHExists(b *testing.B) {
	s := benchOpen(b, nil)
	fields := fillHash(b, s, "h", 64)
	for i := 0; b.Loop(); i++ {
		_, err := s.HExists("h", fields[i&63])
		ck(b, err)
	}
}

func BenchmarkHStrLen(b *testing.B) {
	s := benchOpen(b, nil)
	fields := fillHash(b, s, "h", 64)
	for i := 0; b.Loop(); i++ {
		_, err := s.HStrLen("h", fields[i&63])
		ck(b, err)
	}
}

func BenchmarkHIncrBy(b *testing.B) {
	s := benchOpen(b, nil)
	fields := benchNames("f", 64)
	for i := 0; b.Loop(); i++ {
		_, err := s.HIncrBy("h", fields[i&63], 3)
		ck(b, err)
	}
}

func BenchmarkHIncrByFloat(b *testing.B) {
	s := benchOpen(b, nil)
	fields := benchNames("f", 64)
	for i := 0; b.Loop(); i++ {
		_, err := s.HIncrByFloat("h", fields[i&63], 0.25)
		ck(b, err)
	}
}

// --- Lists ---

// BenchmarkLPushXRPushX is one LPushX and one RPushX per op onto an
// existing list, trimmed back to 64 elements every 512 ops (the trim is
// counted).
func BenchmarkLPushXRPushX(b *testing.B) {
	s := benchOpen(b, nil)
	fillList(b, s, "l", benchNames("e", 64))
	for i := 0; b.Loop(); i++ {
		if i&511 == 511 {
			ck(b, s.LTrim("l", 0, 63))
		}
		_, err := s.LPushX("l", benchValue)
		ck(b, err)
		_, err = s.RPushX("l", benchValue)
		ck(b, err)
	}
}

func BenchmarkLIndex(b *testing.B) {
	s := benchOpen(b, nil)
	fillList(b, s, "l", benchNames("e", 1024))
	for i := 0; b.Loop(); i++ {
		_, err := s.LIndex("l", i&1023)
		ck(b, err)
	}
}

func BenchmarkLSet(b *testing.B) {
	s := benchOpen(b, nil)
	fillList(b, s, "l", benchNames("e", 1024))
	for i := 0; b.Loop(); i++ {
		ck(b, s.LSet("l", i&1023, benchValue))
	}
}

// BenchmarkLRange reads a whole list of each size, and 10 elements from
// the middle of the large one.
func BenchmarkLRange(b *testing.B) {
	for _, c := range []struct {
		name        string
		n           int
		start, stop int
	}{{"all/n=16", 16, 0, -1}, {"all/n=1024", 1024, 0, -1}, {"10/n=1024", 1024, 500, 509}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchOpen(b, nil)
			fillList(b, s, "l", benchNames("e", c.n))
			for b.Loop() {
				_, err := s.LRange("l", c.start, c.stop)
				ck(b, err)
			}
		})
	}
}

// BenchmarkLTrim drops the head of a list of 4096 elements, refilled
// (timer stopped) when half of it is gone.
func BenchmarkLTrim(b *testing.B) {
	s := benchOpen(b, nil)
	elems := benchNames("e", 4096)
	fillList(b, s, "l", elems)
	for i := 0; b.Loop(); i++ {
		if i&2047 == 0 && i > 0 {
			paused(b, func() { fillList(b, s, "l", elems) })
		}
		ck(b, s.LTrim("l", 1, -1))
	}
}

// pivotList makes "l" 64 elements with "pivot" at index 32.
func pivotList(b *testing.B, s *Store) {
	elems := benchNames("e", 64)
	elems[32] = "pivot"
	fillList(b, s, "l", elems)
}

// BenchmarkLInsertBefore inserts before the pivot of pivotList; every 64
// inserts the list is trimmed (counted) to its last 64 elements, which puts
// the pivot back at index 32: the search walks 32 to 96 elements.
func BenchmarkLInsertBefore(b *testing.B) {
	s := benchOpen(b, nil)
	pivotList(b, s)
	for i := 0; b.Loop(); i++ {
		if i&63 == 63 {
			ck(b, s.LTrim("l", -64, -1))
		}
		if n, err := s.LInsertBefore("l", "pivot", benchValue); err != nil || n < 0 {
			b.Fatalf("LInsertBefore = %d, %v", n, err)
		}
	}
}

// BenchmarkLInsertAfter inserts after the pivot of pivotList (index 32);
// every 64 inserts the list is trimmed (counted) to its first 64 elements.
func BenchmarkLInsertAfter(b *testing.B) {
	s := benchOpen(b, nil)
	pivotList(b, s)
	for i := 0; b.Loop(); i++ {
		if i&63 == 63 {
			ck(b, s.LTrim("l", 0, 63))
		}
		if n, err := s.LInsertAfter("l", "pivot", benchValue); err != nil || n < 0 {
			b.Fatalf("LInsertAfter = %d, %v", n, err)
		}
	}
}

// BenchmarkLRem removes the first "x" of a 64-element list, where it is the
// last element, and pushes it back (the RPush is counted).
func BenchmarkLRem(b *testing.B) {
	s := benchOpen(b, nil)
	fillList(b, s, "l", append(benchNames("e", 63), "x"))
	for b.Loop() {
		if n, err := s.LRem("l", 1, "x"); err != nil || n != 1 {
			b.Fatalf("LRem = %d, %v", n, err)
		}
		_, err := s.RPush("l", "x")
		ck(b, err)
	}
}

// BenchmarkLPos finds the last element of a list of each size.
func BenchmarkLPos(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := benchOpen(b, nil)
			elems := benchNames("e", n)
			fillList(b, s, "l", elems)
			last := elems[n-1]
			for b.Loop() {
				if p, err := s.LPos("l", last, LPosArgs{}); err != nil || p != n-1 {
					b.Fatalf("LPos = %d, %v", p, err)
				}
			}
		})
	}
}

// BenchmarkLPosN finds the 64 positions of "x" (every 16th element) in a
// list of 1024.
func BenchmarkLPosN(b *testing.B) {
	s := benchOpen(b, nil)
	elems := benchNames("e", 1024)
	for i := 0; i < len(elems); i += 16 {
		elems[i] = "x"
	}
	fillList(b, s, "l", elems)
	for b.Loop() {
		if p, err := s.LPosN("l", "x", 0, LPosArgs{}); err != nil || len(p) != 64 {
			b.Fatalf("LPosN = %d positions, %v", len(p), err)
		}
	}
}

// BenchmarkLMove rotates a list of 64 (source = destination), and moves
// an element between two lists and back.
func BenchmarkLMove(b *testing.B) {
	b.Run("rotate", func(b *testing.B) {
		s := benchOpen(b, nil)
		fillList(b, s, "l", benchNames("e", 64))
		for b.Loop() {
			_, err := s.LMove("l", "l", Left, Right)
			ck(b, err)
		}
	})
	b.Run("two-lists", func(b *testing.B) {
		s := benchOpen(b, nil)
		fillList(b, s, "l1", benchNames("e", 64))
		fillList(b, s, "l2", benchNames("e", 64))
		for i := 0; b.Loop(); i++ {
			var err error
			if i&1 == 0 {
				_, err = s.LMove("l1", "l2", Left, Right)
			} else {
				_, err = s.LMove("l2", "l1", Left, Right)
			}
			ck(b, err)
		}
	})
}

// BenchmarkRPopLPush rotates a list of 64.
func BenchmarkRPopLPush(b *testing.B) {
	s := benchOpen(b, nil)
	fillList(b, s, "l", benchNames("e", 64))
	for b.Loop() {
		_, err := s.RPopLPush("l", "l")
		ck(b, err)
	}
}

// BenchmarkLMPop pops 8 elements from the second of two keys (the first
// is missing); the list of 4096 is refilled (timer stopped) when half gone.
func BenchmarkLMPop(b *testing.B) {
	s := benchOpen(b, nil)
	elems := benchNames("e", 4096)
	fillList(b, s, "l", elems)
	for i := 0; b.Loop(); i++ {
		if i&255 == 0 && i > 0 {
			paused(b, func() { fillList(b, s, "l", elems) })
		}
		_, _, err := s.LMPop(Left, 8, "missing", "l")
		ck(b, err)
	}
}

// --- Blocking pops, non-blocking path (data present) ---

// benchPop runs pop after fill, calling fill again with the timer stopped
// every refill iterations.
func benchPop(b *testing.B, refill int, fill func(*Store), pop func(s *Store, ctx context.Context) error) {
	s := benchOpen(b, nil)
	ctx := context.Background()
	fill(s)
	for i := 0; b.Loop(); i++ {
		if i%refill == 0 && i > 0 {
			paused(b, func() { fill(s) })
		}
		ck(b, pop(s, ctx))
	}
}

// benchListPop pops from "l" (4096 elements, refilled every refill
// iterations).
func benchListPop(b *testing.B, refill int, pop func(s *Store, ctx context.Context) error) {
	elems := benchNames("e", 4096)
	benchPop(b, refill, func(s *Store) { fillList(b, s, "l", elems) }, pop)
}

// BenchmarkBLPopBRPop is one BLPop and one BRPop per op (the same code
// but for the end).
func BenchmarkBLPopBRPop(b *testing.B) {
	benchListPop(b, 1024, func(s *Store, ctx context.Context) error {
		if _, _, err := s.BLPop(ctx, 0, "l"); err != nil {
			return err
		}
		_, _, err := s.BRPop(ctx, 0, "l")
		return err
	})
}

// BenchmarkBLMPop pops 8 elements.
func BenchmarkBLMPop(b *testing.B) {
	benchListPop(b, 256, func(s *Store, ctx context.Context) error {
		_, _, err := s.BLMPop(ctx, 0, Left, 8, "l")
		return err
	})
}

// BenchmarkBLMoveBRPopLPush rotates a list of 64 with one BLMove and one
// BRPopLPush (which is BLMove(Right, Left)) per op.
func BenchmarkBLMoveBRPopLPush(b *testing.B) {
	s := benchOpen(b, nil)
	ctx := context.Background()
	fillList(b, s, "l", benchNames("e", 64))
	for b.Loop() {
		_, err := s.BLMove(ctx, 0, "l", "l", Left, Right)
		ck(b, err)
		_, err = s.BRPopLPush(ctx, 0, "l", "l")
		ck(b, err)
	}
}

// benchZPop pops from "z" (4096 members, refilled every refill
// iterations).
func benchZPop(b *testing.B, refill int, pop func(s *Store, ctx context.Context) error) {
	zs := zmembers(benchNames("m", 4096), false)
	benchPop(b, refill, func(s *Store) { fillZSet(b, s, "z", zs) }, pop)
}

// BenchmarkBZPopMinMax is one BZPopMin and one BZPopMax per op.
func BenchmarkBZPopMinMax(b *testing.B) {
	benchZPop(b, 1024, func(s *Store, ctx context.Context) error {
		if _, _, err := s.BZPopMin(ctx, 0, "z"); err != nil {
			return err
		}
		_, _, err := s.BZPopMax(ctx, 0, "z")
		return err
	})
}

// BenchmarkBZMPop pops the 8 lowest members.
func BenchmarkBZMPop(b *testing.B) {
	benchZPop(b, 256, func(s *Store, ctx context.Context) error {
		_, _, err := s.BZMPop(ctx, 0, false, 8, "z")
		return err
	})
}

// BenchmarkBLPopPingPong is one round trip between two goroutines, each
// blocked in BLPop until the other pushes: this one pushes "ping" and
// waits for "pong", the other waits for "ping" and pushes "pong". An op is
// two hand-offs.
func BenchmarkBLPopPingPong(b *testing.B) {
	s := benchOpen(b, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if _, _, err := s.BLPop(ctx, 0, "ping"); err != nil {
				return // cancelled
			}
			s.LPush("pong", benchValue)
		}
	}()
	for b.Loop() {
		_, err := s.LPush("ping", benchValue)
		ck(b, err)
		_, _, err = s.BLPop(ctx, 0, "pong")
		ck(b, err)
	}
	cancel()
	wg.Wait()
}

// --- Sets ---

// BenchmarkSIsMember looks members up in a set of 512 integers (an
// intset) and in one of 1024 strings.
func BenchmarkSIsMember(b *testing.B) {
	ints := make([]string, 512)
	for i := range ints {
		ints[i] = strconv.Itoa(i * 7)
	}
	for _, c := range []struct {
		name    string
		members []string
	}{{"intset/n=512", ints}, {"strings/n=1024", benchNames("m", 1024)}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchOpen(b, nil)
			fillSet(b, s, "s", c.members)
			n := len(c.members)
			for i := 0; b.Loop(); i++ {
				if ok, err := s.SIsMember("s", c.members[i%n]); err != nil || !ok {
					b.Fatalf("SIsMember = %v, %v", ok, err)
				}
			}
		})
	}
}

// BenchmarkSMIsMember looks up 4 members.
func BenchmarkSMIsMember(b *testing.B) {
	s := benchOpen(b, nil)
	m := benchNames("m", 1024)
	fillSet(b, s, "s", m)
	q := []string{m[1], m[100], m[500], "absent"}
	for b.Loop() {
		_, err := s.SMIsMember("s", q...)
		ck(b, err)
	}
}

// benchSetPop pops from "s" (4096 strings, refilled with the timer
// stopped every refill iterations).
func benchSetPop(b *testing.B, refill int, pop func(s *Store) error) {
	s := benchOpen(b, nil)
	m := benchNames("m", 4096)
	fillSet(b, s, "s", m)
	for i := 0; b.Loop(); i++ {
		if i%refill == 0 && i > 0 {
			paused(b, func() { fillSet(b, s, "s", m) })
		}
		ck(b, pop(s))
	}
}

func BenchmarkSPop(b *testing.B) {
	benchSetPop(b, 2048, func(s *Store) error { _, err := s.SPop("s"); return err })
}

// BenchmarkSPopN pops 8 members.
func BenchmarkSPopN(b *testing.B) {
	benchSetPop(b, 256, func(s *Store) error { _, err := s.SPopN("s", 8); return err })
}

func BenchmarkSRandMember(b *testing.B) {
	s := benchOpen(b, nil)
	fillSet(b, s, "s", benchNames("m", 1024))
	for b.Loop() {
		_, err := s.SRandMember("s")
		ck(b, err)
	}
}

// BenchmarkSRandMemberN picks 8 distinct members from a set of 1024.
func BenchmarkSRandMemberN(b *testing.B) {
	s := benchOpen(b, nil)
	fillSet(b, s, "s", benchNames("m", 1024))
	for b.Loop() {
		_, err := s.SRandMemberN("s", 8)
		ck(b, err)
	}
}

// BenchmarkSMove moves a member to another set and, the next iteration,
// back.
func BenchmarkSMove(b *testing.B) {
	s := benchOpen(b, nil)
	m := benchNames("m", 64)
	fillSet(b, s, "s1", m)
	fillSet(b, s, "s2", benchNames("other", 64))
	for i := 0; b.Loop(); i++ {
		var ok bool
		var err error
		if j := (i >> 1) & 63; i&1 == 0 {
			ok, err = s.SMove("s1", "s2", m[j])
		} else {
			ok, err = s.SMove("s2", "s1", m[j])
		}
		if err != nil || !ok {
			b.Fatalf("SMove = %v, %v", ok, err)
		}
	}
}

// BenchmarkSMembers reads sets of each size (BenchmarkSCardSMembers is the
// small one with SCard).
func BenchmarkSMembers(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := benchOpen(b, nil)
			fillSet(b, s, "s", benchNames("m", n))
			for b.Loop() {
				_, err := s.SMembers("s")
				ck(b, err)
			}
		})
	}
}

// BenchmarkSScan is one SScan step of COUNT 100, continuing from the
// previous cursor.
func BenchmarkSScan(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := benchOpen(b, nil)
			fillSet(b, s, "s", benchNames("m", n))
			var cur uint64
			for b.Loop() {
				_, next, err := s.SScan("s", cur, "", 100)
				ck(b, err)
				cur = next
			}
		})
	}
}

// benchSetAlgebra runs op on "s1" and "s2", two sets of n strings sharing
// half of their members, for each of sizes.
func benchSetAlgebra(b *testing.B, sizes []int, op func(s *Store) error) {
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := benchOpen(b, nil)
			m := benchNames("m", n+n/2)
			fillSet(b, s, "s1", m[:n])
			fillSet(b, s, "s2", m[n/2:])
			for b.Loop() {
				ck(b, op(s))
			}
		})
	}
}

func BenchmarkSInter(b *testing.B) {
	benchSetAlgebra(b, benchSizes, func(s *Store) error { _, err := s.SInter("s1", "s2"); return err })
}

func BenchmarkSUnion(b *testing.B) {
	benchSetAlgebra(b, benchSizes, func(s *Store) error { _, err := s.SUnion("s1", "s2"); return err })
}

func BenchmarkSDiff(b *testing.B) {
	benchSetAlgebra(b, benchSizes, func(s *Store) error { _, err := s.SDiff("s1", "s2"); return err })
}

// The *Store and *InterCard variants run on the large sets only (the
// small ones cost about what SInter/ZInter cost, plus the write).
var largeOnly = []int{1024}

func BenchmarkSInterStore(b *testing.B) {
	benchSetAlgebra(b, largeOnly, func(s *Store) error { _, err := s.SInterStore("dst", "s1", "s2"); return err })
}

func BenchmarkSUnionStore(b *testing.B) {
	benchSetAlgebra(b, largeOnly, func(s *Store) error { _, err := s.SUnionStore("dst", "s1", "s2"); return err })
}

func BenchmarkSDiffStore(b *testing.B) {
	benchSetAlgebra(b, largeOnly, func(s *Store) error { _, err := s.SDiffStore("dst", "s1", "s2"); return err })
}

func BenchmarkSInterCard(b *testing.B) {
	benchSetAlgebra(b, largeOnly, func(s *Store) error { _, err := s.SInterCard(0, "s1", "s2"); return err })
}

// --- Sorted sets ---

// zsetStore holds "z", n members m0000... scored 0..n-1.
func zsetStore(b *testing.B, n int) (*Store, []string) {
	s := benchOpen(b, nil)
	m := benchNames("m", n)
	fillZSet(b, s, "z", zmembers(m, false))
	return s, m
}

func BenchmarkZIncrBy(b *testing.B) {
	s, m := zsetStore(b, 1024)
	for i := 0; b.Loop(); i++ {
		_, err := s.ZIncrBy("z", m[i&1023], 1)
		ck(b, err)
	}
}

// BenchmarkZMScore reads 4 scores.
func BenchmarkZMScore(b *testing.B) {
	s, m := zsetStore(b, 1024)
	q := []string{m[1], m[100], m[500], "absent"}
	for b.Loop() {
		_, err := s.ZMScore("z", q...)
		ck(b, err)
	}
}

func BenchmarkZRank(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s, m := zsetStore(b, n)
			for i := 0; b.Loop(); i++ {
				_, err := s.ZRank("z", m[i%n])
				ck(b, err)
			}
		})
	}
}

func BenchmarkZRevRank(b *testing.B) {
	s, m := zsetStore(b, 1024)
	for i := 0; b.Loop(); i++ {
		_, err := s.ZRevRank("z", m[i&1023])
		ck(b, err)
	}
}

// BenchmarkZCount counts a range of 101 scores in a set of 1024.
func BenchmarkZCount(b *testing.B) {
	s, _ := zsetStore(b, 1024)
	for b.Loop() {
		_, err := s.ZCount("z", 100, 200)
		ck(b, err)
	}
}

// lexStore holds "z", n members m0000... all scored 0.
func lexStore(b *testing.B, n int) (*Store, []string) {
	s := benchOpen(b, nil)
	m := benchNames("m", n)
	fillZSet(b, s, "z", zmembers(m, true))
	return s, m
}

// BenchmarkZLexCount counts a range of 100 members in a set of 1024.
func BenchmarkZLexCount(b *testing.B) {
	s, _ := lexStore(b, 1024)
	for b.Loop() {
		_, err := s.ZLexCount("z", "[m0100", "(m0200")
		ck(b, err)
	}
}

// BenchmarkZRange reads a whole set of each size, and 10 members from the
// middle of the large one.
func BenchmarkZRange(b *testing.B) {
	for _, c := range []struct {
		name        string
		n           int
		start, stop int
	}{{"all/n=16", 16, 0, -1}, {"all/n=1024", 1024, 0, -1}, {"10/n=1024", 1024, 500, 509}} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := zsetStore(b, c.n)
			for b.Loop() {
				_, err := s.ZRange("z", c.start, c.stop)
				ck(b, err)
			}
		})
	}
}

// BenchmarkZRevRange reads 10 members from the middle of a set of 1024.
func BenchmarkZRevRange(b *testing.B) {
	s, _ := zsetStore(b, 1024)
	for b.Loop() {
		_, err := s.ZRevRange("z", 500, 509)
		ck(b, err)
	}
}

// BenchmarkZRangeByScore reads the first 10 of the 101 members scored
// 100..200 (LIMIT 0 10), and all of them.
func BenchmarkZRangeByScore(b *testing.B) {
	for _, c := range []struct {
		name  string
		count int
	}{{"limit=10", 10}, {"all=101", -1}} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := zsetStore(b, 1024)
			for b.Loop() {
				_, err := s.ZRangeByScore("z", 100, 200, 0, c.count)
				ck(b, err)
			}
		})
	}
}

// BenchmarkZRevRangeByScore is BenchmarkZRangeByScore/limit=10 descending.
func BenchmarkZRevRangeByScore(b *testing.B) {
	s, _ := zsetStore(b, 1024)
	for b.Loop() {
		_, err := s.ZRevRangeByScore("z", 200, 100, 0, 10)
		ck(b, err)
	}
}

// BenchmarkZRangeByLex reads 10 members of a lex range of 100.
func BenchmarkZRangeByLex(b *testing.B) {
	s, _ := lexStore(b, 1024)
	for b.Loop() {
		_, err := s.ZRangeByLex("z", "[m0100", "(m0200", 0, 10)
		ck(b, err)
	}
}

// BenchmarkZRangeStore stores 100 members of a set of 1024, replacing the
// previous result.
func BenchmarkZRangeStore(b *testing.B) {
	s, _ := zsetStore(b, 1024)
	for b.Loop() {
		_, err := s.ZRangeStore("dst", "z", 100, 199)
		ck(b, err)
	}
}

// benchZRem removes 8 members per iteration from a set of 4096 (the
// lowest remaining ones); the 2048 removed are added back (timer stopped)
// every 256 iterations. rm gets the iteration's index since the refill.
func benchZRem(b *testing.B, lex bool, rm func(s *Store, j int) (int, error)) {
	s := benchOpen(b, nil)
	zs := zmembers(benchNames("m", 4096), lex)
	fillZSet(b, s, "z", zs)
	for i := 0; b.Loop(); i++ {
		if i&255 == 0 && i > 0 {
			paused(b, func() { fillZSet(b, s, "z", zs[:2048]) })
		}
		if n, err := rm(s, i&255); err != nil || n != 8 {
			b.Fatalf("removed %d, %v; want 8", n, err)
		}
	}
}

func BenchmarkZRemRangeByRank(b *testing.B) {
	benchZRem(b, false, func(s *Store, _ int) (int, error) { return s.ZRemRangeByRank("z", 0, 7) })
}

func BenchmarkZRemRangeByScore(b *testing.B) {
	benchZRem(b, false, func(s *Store, j int) (int, error) {
		lo := float64(j * 8)
		return s.ZRemRangeByScore("z", lo, lo+7)
	})
}

func BenchmarkZRemRangeByLex(b *testing.B) {
	names := benchNames("m", 4096)
	lo, hi := make([]string, 256), make([]string, 256)
	for j := range lo {
		lo[j], hi[j] = "["+names[j*8], "["+names[j*8+7]
	}
	benchZRem(b, true, func(s *Store, j int) (int, error) { return s.ZRemRangeByLex("z", lo[j], hi[j]) })
}

// BenchmarkZPopMinMax is one ZPopMin and one ZPopMax (count 1) per op.
func BenchmarkZPopMinMax(b *testing.B) {
	benchZPop(b, 1024, func(s *Store, _ context.Context) error {
		if _, err := s.ZPopMin("z", 1); err != nil {
			return err
		}
		_, err := s.ZPopMax("z", 1)
		return err
	})
}

// BenchmarkZRandMember picks one member and 8 distinct ones from a set of
// 1024.
func BenchmarkZRandMember(b *testing.B) {
	for _, count := range []int{1, 8} {
		b.Run("count="+strconv.Itoa(count), func(b *testing.B) {
			s, _ := zsetStore(b, 1024)
			for b.Loop() {
				_, err := s.ZRandMember("z", count)
				ck(b, err)
			}
		})
	}
}

// benchZAlgebra runs op on "z1" and "z2", two sorted sets of n members
// sharing half of them, for each of sizes.
func benchZAlgebra(b *testing.B, sizes []int, op func(s *Store, keys []string) error) {
	keys := []string{"z1", "z2"}
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := benchOpen(b, nil)
			zs := zmembers(benchNames("m", n+n/2), false)
			fillZSet(b, s, "z1", zs[:n])
			fillZSet(b, s, "z2", zs[n/2:])
			for b.Loop() {
				ck(b, op(s, keys))
			}
		})
	}
}

func BenchmarkZUnion(b *testing.B) {
	benchZAlgebra(b, benchSizes, func(s *Store, k []string) error { _, err := s.ZUnion(k, nil); return err })
}

func BenchmarkZInter(b *testing.B) {
	benchZAlgebra(b, benchSizes, func(s *Store, k []string) error { _, err := s.ZInter(k, nil); return err })
}

func BenchmarkZDiff(b *testing.B) {
	benchZAlgebra(b, benchSizes, func(s *Store, k []string) error { _, err := s.ZDiff(k...); return err })
}

func BenchmarkZUnionStore(b *testing.B) {
	benchZAlgebra(b, largeOnly, func(s *Store, k []string) error { _, err := s.ZUnionStore("dst", k, nil); return err })
}

func BenchmarkZInterStore(b *testing.B) {
	benchZAlgebra(b, largeOnly, func(s *Store, k []string) error { _, err := s.ZInterStore("dst", k, nil); return err })
}

func BenchmarkZDiffStore(b *testing.B) {
	benchZAlgebra(b, largeOnly, func(s *Store, k []string) error { _, err := s.ZDiffStore("dst", k...); return err })
}

func BenchmarkZInterCard(b *testing.B) {
	benchZAlgebra(b, largeOnly, func(s *Store, k []string) error { _, err := s.ZInterCard(0, k...); return err })
}

// --- Pub/sub ---

// BenchmarkPublishTo publishes on a channel nobody listens to, on one a
// subscription listens to, and on one a pattern subscription matches; the
// subscription's queue is drained by another goroutine reading C.
func BenchmarkPublishTo(b *testing.B) {
	for _, c := range []struct {
		name string
		sub  func(s *Store) (*Subscription, error)
	}{
		{"0-subs", nil},
		{"1-sub", func(s *Store) (*Subscription, error) {
			return s.SubscribeWith(SubscribeOptions{QueueSize: 4096, Overflow: BlockPublisher, BlockTimeout: time.Minute}, "ch")
		}},
		{"1-psub", func(s *Store) (*Subscription, error) {
			return s.PSubscribeWith(SubscribeOptions{QueueSize: 4096, Overflow: BlockPublisher, BlockTimeout: time.Minute}, "c*")
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := benchOpen(b, nil)
			var wg sync.WaitGroup
			var sub *Subscription
			if c.sub != nil {
				var err error
				sub, err = c.sub(s)
				ck(b, err)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range sub.C() {
					}
				}()
			}
			for b.Loop() {
				_, err := s.Publish("ch", benchValue)
				ck(b, err)
			}
			if sub != nil {
				b.StopTimer()
				ck(b, sub.Err()) // not dropped
				sub.Close()      // C closes after the queued messages
				wg.Wait()
			}
		})
	}
}

// BenchmarkSubscribeClose opens a subscription to one channel (or
// pattern) and closes it.
func BenchmarkSubscribeClose(b *testing.B) {
	opts := SubscribeOptions{QueueSize: 16}
	for _, c := range []struct {
		name string
		sub  func(s *Store) (*Subscription, error)
	}{
		{"Subscribe", func(s *Store) (*Subscription, error) { return s.Subscribe("ch") }},
		{"PSubscribe", func(s *Store) (*Subscription, error) { return s.PSubscribe("c*") }},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := benchOpen(b, nil)
			for b.Loop() {
				sub, err := c.sub(s)
				ck(b, err)
				ck(b, sub.Close())
			}
		})
	}
	// With a queue of 16: one SubscribeWith and one PSubscribeWith per op.
	b.Run("SubscribeWith+PSubscribeWith", func(b *testing.B) {
		s := benchOpen(b, nil)
		for b.Loop() {
			sub, err := s.SubscribeWith(opts, "ch")
			ck(b, err)
			ck(b, sub.Close())
			sub, err = s.PSubscribeWith(opts, "c*")
			ck(b, err)
			ck(b, sub.Close())
		}
	})
}

// BenchmarkSubscription measures the methods of a Subscription holding 16
// channels and 16 patterns: adding and removing one channel (or pattern),
// and the accessors.
func BenchmarkSubscription(b *testing.B) {
	setup := func(b *testing.B) *Subscription {
		s := benchOpen(b, nil)
		sub, err := s.Subscribe(benchNames("ch", 16)...)
		ck(b, err)
		ck(b, sub.PSubscribe(benchNames("p*", 16)...))
		b.Cleanup(func() { sub.Close() })
		return sub
	}
	b.Run("Subscribe+Unsubscribe", func(b *testing.B) {
		sub := setup(b)
		for b.Loop() {
			ck(b, sub.Subscribe("extra"))
			ck(b, sub.Unsubscribe("extra"))
		}
	})
	b.Run("PSubscribe+PUnsubscribe", func(b *testing.B) {
		sub := setup(b)
		for b.Loop() {
			ck(b, sub.PSubscribe("extra*"))
			ck(b, sub.PUnsubscribe("extra*"))
		}
	})
	b.Run("Channels", func(b *testing.B) {
		sub := setup(b)
		for b.Loop() {
			if len(sub.Channels()) != 16 {
				b.Fatal("Channels: wrong count")
			}
		}
	})
	b.Run("Patterns", func(b *testing.B) {
		sub := setup(b)
		for b.Loop() {
			if len(sub.Patterns()) != 16 {
				b.Fatal("Patterns: wrong count")
			}
		}
	})
	b.Run("Err+C", func(b *testing.B) {
		sub := setup(b)
		for b.Loop() {
			ck(b, sub.Err())
			if sub.C() == nil {
				b.Fatal("C: nil")
			}
		}
	})
}

// pubsubStore has 64 subscriptions, each to one channel ch0000... and one
// pattern p0000*.
func pubsubStore(b *testing.B) *Store {
	s := benchOpen(b, nil)
	chans, pats := benchNames("ch", 64), benchNames("p", 64)
	for i := range chans {
		sub, err := s.Subscribe(chans[i])
		ck(b, err)
		ck(b, sub.PSubscribe(pats[i]+"*"))
		b.Cleanup(func() { sub.Close() })
	}
	return s
}

// BenchmarkPubSubChannels lists the channels (of 64) matching a pattern
// (10 of them).
func BenchmarkPubSubChannels(b *testing.B) {
	s := pubsubStore(b)
	for b.Loop() {
		_, err := s.PubSubChannels("ch001*")
		ck(b, err)
	}
}

// BenchmarkPubSubNumSub counts the subscribers of 4 channels.
func BenchmarkPubSubNumSub(b *testing.B) {
	s := pubsubStore(b)
	chans := []string{"ch0000", "ch0010", "ch0063", "absent"}
	for b.Loop() {
		_, err := s.PubSubNumSub(chans...)
		ck(b, err)
	}
}

func BenchmarkPubSubNumPat(b *testing.B) {
	s := pubsubStore(b)
	for b.Loop() {
		_, err := s.PubSubNumPat()
		ck(b, err)
	}
}

// BenchmarkSetNotifyKeyspaceEvents switches notifications on and off.
func BenchmarkSetNotifyKeyspaceEvents(b *testing.B) {
	s := benchOpen(b, nil)
	for i := 0; b.Loop(); i++ {
		flags := "KEA"
		if i&1 == 1 {
			flags = ""
		}
		ck(b, s.SetNotifyKeyspaceEvents(flags))
	}
}

func BenchmarkNotifyKeyspaceEvents(b *testing.B) {
	s := benchOpen(b, nil)
	ck(b, s.SetNotifyKeyspaceEvents("KEA"))
	for b.Loop() {
		if s.NotifyKeyspaceEvents() == "" {
			b.Fatal("NotifyKeyspaceEvents: empty")
		}
	}
}

// BenchmarkSetKeyspaceEvents is BenchmarkSetExisting with keyspace
// notifications off, on with no subscriber, and on with a pattern
// subscription to __keyspace@0__:* drained by another goroutine.
func BenchmarkSetKeyspaceEvents(b *testing.B) {
	for _, c := range []struct {
		name  string
		flags string
		sub   bool
	}{{"off", "", false}, {"KEA/0-subs", "KEA", false}, {"KEA/1-psub", "KEA", true}} {
		b.Run(c.name, func(b *testing.B) {
			s, keys := benchStore(b, 4096)
			ck(b, s.SetNotifyKeyspaceEvents(c.flags))
			var wg sync.WaitGroup
			var sub *Subscription
			if c.sub {
				var err error
				sub, err = s.PSubscribeWith(SubscribeOptions{QueueSize: 4096, Overflow: BlockPublisher, BlockTimeout: time.Minute}, "__keyspace@0__:*")
				ck(b, err)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range sub.C() {
					}
				}()
			}
			for i := 0; b.Loop(); i++ {
				ck(b, s.Set(keys[i&4095], benchValue))
			}
			if sub != nil {
				b.StopTimer()
				ck(b, sub.Err()) // not dropped
				sub.Close()
				wg.Wait()
			}
		})
	}
}

// --- With, Tx and Pipeline ---

// twoShardKeys returns n keys of a 4-shard store, alternately on two
// shards ({a}... and {b}... hash tags routed to different shards).
func twoShardKeys(n int) []string {
	tags := []string{}
	seen := map[int]bool{}
	for i := 0; len(tags) < 2; i++ {
		tag := "{t" + strconv.Itoa(i) + "}"
		if sh := engine.ShardIndex(tag, 4); !seen[sh] {
			seen[sh] = true
			tags = append(tags, tag)
		}
	}
	out := make([]string, n)
	for i := range out {
		out[i] = tags[i&1] + "k" + strconv.Itoa(i)
	}
	return out
}

// BenchmarkWithTx runs each method of Tx once inside a WithKey block (one
// shard of four held): the block's cost plus the method's.
func BenchmarkWithTx(b *testing.B) {
	at := time.Hour
	cases := []struct {
		name string
		fn   func(tx *Tx, i int) error
	}{
		{"Get+Exists", func(tx *Tx, _ int) error {
			if _, err := tx.Get("{u}s"); err != nil {
				return err
			}
			_, err := tx.Exists("{u}s")
			return err
		}},
		{"Set", func(tx *Tx, _ int) error { return tx.Set("{u}s", benchValue) }},
		{"SetWithTTL", func(tx *Tx, _ int) error { return tx.SetWithTTL("{u}s", benchValue, at) }},
		{"Set+Del", func(tx *Tx, _ int) error {
			if err := tx.Set("{u}d", benchValue); err != nil {
				return err
			}
			_, err := tx.Del("{u}d")
			return err
		}},
		{"Expire", func(tx *Tx, _ int) error { _, err := tx.Expire("{u}s", at); return err }},
		{"Incr+IncrBy", func(tx *Tx, _ int) error {
			if _, err := tx.Incr("{u}n"); err != nil {
				return err
			}
			_, err := tx.IncrBy("{u}n", 3)
			return err
		}},
		{"HGet", func(tx *Tx, _ int) error { _, err := tx.HGet("{u}h", "f0000"); return err }},
		{"HSet", func(tx *Tx, _ int) error { _, err := tx.HSet("{u}h", "f0001", benchValue); return err }},
		{"SAdd", func(tx *Tx, _ int) error { _, err := tx.SAdd("{u}set", "m0001"); return err }},
		// The list is trimmed back to 64 elements every 512 ops (counted).
		{"LPush+RPush", func(tx *Tx, i int) error {
			if i&511 == 511 {
				if _, err := tx.Do("LTRIM", "{u}l", "0", "63"); err != nil {
					return err
				}
			}
			if _, err := tx.LPush("{u}l", benchValue); err != nil {
				return err
			}
			_, err := tx.RPush("{u}l", benchValue)
			return err
		}},
		// Outside Store.Tx, Queue runs the command at once, as Do does.
		{"Do+Queue-GET", func(tx *Tx, _ int) error {
			if _, err := tx.Do("GET", "{u}s"); err != nil {
				return err
			}
			p, err := tx.Queue("GET", "{u}s")
			if err != nil {
				return err
			}
			_, err = p.Reply()
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			s := benchOpen(b, &Options{Shards: 4})
			ck(b, s.Set("{u}s", benchValue))
			fillHash(b, s, "{u}h", 16)
			fillSet(b, s, "{u}set", benchNames("m", 16))
			fillList(b, s, "{u}l", benchNames("e", 64))
			i := 0
			block := func(tx *Tx) error { return c.fn(tx, i) } // made once: no closure per op
			for ; b.Loop(); i++ {
				ck(b, s.WithKey("{u}", block))
			}
		})
	}
}

// BenchmarkWith runs a block holding shard 0 of 4 that sets a key there.
func BenchmarkWith(b *testing.B) {
	s := benchOpen(b, &Options{Shards: 4})
	var key string
	for _, k := range benchKeys(64) {
		if engine.ShardIndex(k, 4) == 0 {
			key = k
			break
		}
	}
	block := func(tx *Tx) error { return tx.Set(key, benchValue) }
	for b.Loop() {
		ck(b, s.With(0, block))
	}
}

// BenchmarkForEachShard runs an empty block on each of 4 shards.
func BenchmarkForEachShard(b *testing.B) {
	s := benchOpen(b, &Options{Shards: 4})
	for b.Loop() {
		ck(b, s.ForEachShard(func(int, *Tx) error { return nil }))
	}
}

// BenchmarkTx commits small transactions over keys of two shards of four:
// 8 typed writes; 8 with Do; 8 commands queued with Queue (their replies
// read back after the commit); a watched read-modify-write of 2 keys; and 4 reads with no
// write (nothing to commit).
func BenchmarkTx(b *testing.B) {
	k := twoShardKeys(8)
	hour := time.Hour
	cases := []struct {
		name  string
		watch []string
		fn    func(tx *Tx) error
	}{
		{"typed-8", nil, func(tx *Tx) error {
			tx.Set(k[0], benchValue)
			tx.Set(k[1], benchValue)
			tx.SetWithTTL(k[2], benchValue, hour)
			tx.SetWithTTL(k[3], benchValue, hour)
			tx.IncrBy(k[4], 1)
			tx.Incr(k[5])
			tx.HSet(k[6], "f", benchValue)
			_, err := tx.SAdd(k[7], "m")
			return err
		}},
		{"Do-8", nil, func(tx *Tx) error {
			for j := range 8 {
				if _, err := tx.Do("SET", k[j], benchValue); err != nil {
					return err
				}
			}
			return nil
		}},
		{"watch-2", []string{k[4], k[5]}, func(tx *Tx) error {
			v, err := tx.Get(k[4])
			if err != nil {
				return err
			}
			tx.Set(k[4], v)
			tx.Incr(k[5])
			return nil
		}},
		{"read-4", nil, func(tx *Tx) error {
			if _, err := tx.Get(k[0]); err != nil {
				return err
			}
			if _, err := tx.Exists(k[1], k[2]); err != nil {
				return err
			}
			_, err := tx.HGet(k[6], "f")
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			s := benchOpen(b, &Options{Shards: 4})
			for j := range 6 {
				ck(b, s.Set(k[j], "1"))
			}
			_, err := s.HSet(k[6], "f", benchValue)
			ck(b, err)
			for b.Loop() {
				ck(b, s.Tx(c.fn, c.watch...))
			}
		})
	}
	b.Run("Queue-8+Reply", func(b *testing.B) {
		s := benchOpen(b, &Options{Shards: 4})
		var ps [8]*Pending
		fn := func(tx *Tx) error {
			for j := range ps {
				p, err := tx.Queue("INCR", k[j])
				if err != nil {
					return err
				}
				ps[j] = p
			}
			return nil
		}
		for b.Loop() {
			ck(b, s.Tx(fn))
			for _, p := range ps {
				_, err := p.Reply()
				ck(b, err)
			}
		}
	})
	// Lists: a push and a pop of the same list in each transaction.
	b.Run("LPush+RPush+pops", func(b *testing.B) {
		s := benchOpen(b, &Options{Shards: 4})
		for b.Loop() {
			ck(b, s.Tx(func(tx *Tx) error {
				tx.LPush(k[0], benchValue)
				tx.RPush(k[1], benchValue)
				tx.Queue("RPOP", k[0])
				tx.Queue("LPOP", k[1])
				tx.Expire(k[0], hour)
				_, err := tx.Del(k[2])
				return err
			}))
		}
	})
}

// BenchmarkPipeline runs batches over keys of two shards of four: 8 Sets,
// 8 GETs with Do, and 4 Set+Del pairs (Len is read in each).
func BenchmarkPipeline(b *testing.B) {
	k := twoShardKeys(8)
	cases := []struct {
		name string
		fn   func(p *Pipeline)
	}{
		{"Set-8", func(p *Pipeline) {
			for j := range 8 {
				p.Set(k[j], benchValue)
			}
		}},
		{"Do-GET-8", func(p *Pipeline) {
			for j := range 8 {
				p.Do("GET", k[j])
			}
		}},
		{"Set+Del-4", func(p *Pipeline) {
			for j := range 4 {
				p.Set(k[j], benchValue)
				p.Del(k[j])
			}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			s := benchOpen(b, &Options{Shards: 4})
			for _, key := range k {
				ck(b, s.Set(key, benchValue))
			}
			batch := func(p *Pipeline) {
				c.fn(p)
				if p.Len() != 8 {
					b.Fatal("Pipeline: Len != 8")
				}
			}
			for b.Loop() {
				r, err := s.Pipeline(batch)
				ck(b, err)
				if len(r) != 8 {
					b.Fatal("Pipeline: wrong reply count")
				}
			}
		})
	}
}

// --- Handles, counters, persistence ---

func BenchmarkOpenClose(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := Open(nil)
		ck(b, err)
		ck(b, s.Close())
	}
}

// BenchmarkClone makes a handle and closes it.
func BenchmarkClone(b *testing.B) {
	s := benchOpen(b, nil)
	for b.Loop() {
		ck(b, s.Clone().Close())
	}
}

// BenchmarkDowngradeUpgrade makes a weak reference, upgrades it to a
// handle and closes that.
func BenchmarkDowngradeUpgrade(b *testing.B) {
	s := benchOpen(b, nil)
	for b.Loop() {
		h, ok := s.Downgrade().Upgrade()
		if !ok {
			b.Fatal("Upgrade failed")
		}
		ck(b, h.Close())
	}
}

// BenchmarkCounters reads the store's counters and settings (4 shards,
// 4096 keys, half with a TTL).
func BenchmarkCounters(b *testing.B) {
	setup := func(b *testing.B) *Store {
		s := benchOpen(b, &Options{Shards: 4})
		for i, k := range benchKeys(4096) {
			if i&1 == 0 {
				ck(b, s.SetWithTTL(k, benchValue, time.Hour))
			} else {
				ck(b, s.Set(k, benchValue))
			}
		}
		return s
	}
	for _, c := range []struct {
		name string
		fn   func(s *Store) int64
	}{
		{"Info", func(s *Store) int64 { return int64(s.Info().Keys) }},
		{"ExpirePendingCount", func(s *Store) int64 { return int64(s.ExpirePendingCount()) }},
		// Atomic loads and copies, a few ns each: measured together.
		{"UsedMemory+EvictionsTotal+ExpiredKeysTotal+ShardCount+Options+LoadStats", func(s *Store) int64 {
			return s.UsedMemory() + int64(s.EvictionsTotal()) + int64(s.ExpiredKeysTotal()) +
				int64(s.ShardCount()) + int64(s.Options().Shards) + int64(s.LoadStats().Keys)
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := setup(b)
			for b.Loop() {
				benchSink = c.fn(s)
			}
		})
	}
}

// benchSink keeps results the compiler could otherwise drop.
var benchSink int64

// persistStore opens a store with a log in a temporary directory (fsync
// every second, no automatic rewrite) holding 1024 keys.
func persistStore(b *testing.B) *Store {
	s := open(b, &Options{Dir: b.TempDir(), AppendFsync: FsyncEverySec, AutoRewritePercent: autoRewrite})
	for _, k := range benchKeys(1024) {
		ck(b, s.Set(k, benchValue))
	}
	b.ReportAllocs()
	return s
}

// BenchmarkSaveSnapshot writes a snapshot of 1024 keys (fsynced, renamed).
func BenchmarkSaveSnapshot(b *testing.B) {
	s := persistStore(b)
	for b.Loop() {
		ok, err := s.SaveSnapshot()
		ck(b, err)
		if !ok {
			b.Fatal("SaveSnapshot: no Dir")
		}
	}
}

// BenchmarkRewriteAOF rewrites the log of 1024 keys.
func BenchmarkRewriteAOF(b *testing.B) {
	s := persistStore(b)
	for b.Loop() {
		_, err := s.RewriteAOF()
		ck(b, err)
	}
}

// BenchmarkLog appends a raw SET to the log.
func BenchmarkLog(b *testing.B) {
	s := persistStore(b)
	keys := benchKeys(1024)
	for i := 0; b.Loop(); i++ {
		ck(b, s.Log("SET", keys[i&1023], benchValue))
	}
}
