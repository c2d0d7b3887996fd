package hll

import (
	"flag"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"testing"
	"time"
)

var seedFlag = flag.Int64("hll.seed", 0, "seed for the randomized differential tests (0: time based)")

func testSeed(t *testing.T) int64 {
	seed := *seedFlag
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -hll.seed=%d)", seed, seed)
	return seed
}

// diff runs the same commands against a real Redis and against this package,
// keeping the key values of the package side in a map.
type diff struct {
	t         *testing.T
	rc        *respConn
	seed      int64
	step      int
	vals      map[string]string
	sparseMax int
	seen      map[string]int // coverage tally: encodings compared, errors replied
	last      string         // last command sent, for failure messages
}

func newDiff(t *testing.T, seed int64) *diff {
	d := &diff{t: t, rc: startRedis(t), seed: seed, vals: map[string]string{}, sparseMax: DefaultSparseMax, seen: map[string]int{}}
	d.redis("FLUSHALL")
	return d
}

func (d *diff) fatalf(format string, args ...any) {
	d.t.Helper()
	d.t.Fatalf("seed %d step %d, after %s: %s", d.seed, d.step, d.last, fmt.Sprintf(format, args...))
}

func (d *diff) redis(args ...string) reply {
	d.t.Helper()
	rep, err := d.rc.do(args...)
	if args[0] != "GET" {
		d.last = describe(args)
	}
	if err != nil {
		d.fatalf("redis %s: %v (did redis-server crash?)", describe(args), err)
	}
	return rep
}

// describe shortens a command for failure messages.
func describe(args []string) string {
	if len(args) > 6 {
		return fmt.Sprintf("%q ... (%d args)", args[:6], len(args))
	}
	return fmt.Sprintf("%q", args)
}

// check compares a Redis reply with this package's integer result or error.
func (d *diff) check(args []string, rep reply, n int64, err error) {
	d.t.Helper()
	if err != nil {
		if rep.kind != '-' || rep.str != err.Error() {
			d.fatalf("%s: redis = %v, we = error %q", describe(args), rep, err)
		}
		d.seen[err.Error()[:6]]++
		return
	}
	if rep.kind != ':' || rep.n != n {
		d.fatalf("%s: redis = %v, we = %d", describe(args), rep, n)
	}
}

func (d *diff) set(key, val string) {
	d.t.Helper()
	if rep := d.redis("SET", key, val); rep.str != "OK" {
		d.fatalf("SET %s = %v", key, rep)
	}
	d.vals[key] = val
}

func (d *diff) configSparseMax(n int) {
	d.t.Helper()
	if rep := d.redis("CONFIG", "SET", "hll-sparse-max-bytes", strconv.Itoa(n)); rep.str != "OK" {
		d.fatalf("CONFIG SET hll-sparse-max-bytes %d = %v", n, rep)
	}
	d.sparseMax = n
}

func (d *diff) pfadd(key string, elems ...string) {
	d.t.Helper()
	args := append([]string{"PFADD", key}, elems...)
	rep := d.redis(args...)
	cur, ok := d.vals[key]
	next, changed, err := Add(cur, ok, d.sparseMax, elems...)
	if err == ErrCorrupt || (err == nil && changed) {
		d.vals[key] = next
	}
	var n int64
	if changed {
		n = 1
	}
	d.check(args, rep, n, err)
}

func (d *diff) pfcount(keys ...string) {
	d.t.Helper()
	args := append([]string{"PFCOUNT"}, keys...)
	rep := d.redis(args...)
	var vals []string
	for _, k := range keys {
		if v, ok := d.vals[k]; ok {
			vals = append(vals, v)
		}
	}
	var n uint64
	var err error
	if len(keys) == 1 {
		var updated string
		n, updated, err = Count(vals)
		if updated != "" {
			d.vals[keys[0]] = updated
		}
	} else {
		n, err = CountUnion(vals...)
	}
	d.check(args, rep, int64(n), err)
}

func (d *diff) pfmerge(dest string, srcs ...string) {
	d.t.Helper()
	args := append([]string{"PFMERGE", dest}, srcs...)
	rep := d.redis(args...)
	var vals []string
	for _, k := range srcs {
		if v, ok := d.vals[k]; ok {
			vals = append(vals, v)
		}
	}
	cur, ok := d.vals[dest]
	next, err := Merge(cur, ok, d.sparseMax, vals...)
	if err != nil {
		if rep.kind != '-' || rep.str != err.Error() {
			d.fatalf("%s: redis = %v, we = error %q", describe(args), rep, err)
		}
		d.seen[err.Error()[:6]]++
		return
	}
	if rep.kind != '+' || rep.str != "OK" {
		d.fatalf("%s: redis = %v, we = OK", describe(args), rep)
	}
	d.vals[dest] = next
}

// compare checks that every key has the same bytes on both sides.
func (d *diff) compare(keys []string) {
	d.t.Helper()
	for _, k := range keys {
		rep := d.redis("GET", k)
		v, ok := d.vals[k]
		switch {
		case rep.null && !ok:
		case rep.null != !ok:
			d.fatalf("GET %s: redis exists=%v, we exist=%v", k, !rep.null, ok)
		case rep.str != v:
			d.fatalf("GET %s: bytes differ: redis %d bytes, we %d bytes; first difference at %d\nredis %x\nwe    %x",
				k, len(rep.str), len(v), firstDiff(rep.str, v), rep.str, v)
		case Valid(v) && v[encByte] == encDense:
			d.seen["dense"]++
		case Valid(v):
			d.seen["sparse"]++
			if endsInOpenXZero(v) {
				// Redis reads the missing second byte of this XZERO from
				// the byte after the string, which a command may have
				// left non-zero in memory; this package sees a fresh
				// value (a zero byte) on every call. Reload the value so
				// that Redis starts the next command from the same state.
				d.set(k, v)
				d.seen["resync"]++
			}
		}
	}
}

// endsInOpenXZero reports whether the sparse value v ends with the first
// byte of an XZERO opcode.
func endsInOpenXZero(v string) bool {
	p := hdrSize
	for p < len(v) {
		_, oplen := opSpan(v, p)
		if p+oplen > len(v) {
			return true
		}
		p += oplen
	}
	return false
}

func firstDiff(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// randElems returns n elements drawn from a pool, so that repeats happen.
func randElems(r *rand.Rand, n int) []string {
	pool := 1 + r.Intn(4*n+10)
	out := make([]string, n)
	for i := range out {
		out[i] = "e" + strconv.Itoa(r.Intn(pool))
	}
	return out
}

// randSize returns a PFADD size from 0 to 20000, mostly small.
func randSize(r *rand.Rand) int {
	switch x := r.Intn(100); {
	case x < 10:
		return 0
	case x < 50:
		return 1 + r.Intn(10)
	case x < 80:
		return 10 + r.Intn(300)
	case x < 95:
		return 300 + r.Intn(3000)
	default:
		return 3000 + r.Intn(17000)
	}
}

func randKeys(r *rand.Rand, keys []string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = keys[r.Intn(len(keys))]
	}
	return out
}

// TestRedisDifferential runs seeded random PFADD, PFCOUNT and PFMERGE
// sequences against a real redis-server and this package, comparing every
// reply and, after each step, the exact bytes of every key.
func TestRedisDifferential(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewSource(seed))
	d := newDiff(t, seed)
	keys := []string{"k0", "k1", "k2", "k3", "k4", "str", "missing"}
	d.set("str", "not a hyperloglog value at all")
	steps := 1500
	if testing.Short() {
		steps = 200
	}
	for d.step = 0; d.step < steps; d.step++ {
		switch x := r.Intn(100); {
		case x < 45:
			d.pfadd(keys[r.Intn(5)], randElems(r, randSize(r))...)
		case x < 48:
			d.pfadd(keys[r.Intn(len(keys))], randElems(r, r.Intn(3))...)
		case x < 65:
			d.pfcount(randKeys(r, keys, 1)...)
		case x < 80:
			d.pfcount(randKeys(r, keys, 2+r.Intn(3))...)
		case x < 92:
			dest := keys[r.Intn(len(keys))]
			if r.Intn(4) > 0 {
				dest = keys[r.Intn(5)]
			}
			d.pfmerge(dest, randKeys(r, keys[:5], r.Intn(4))...)
		case x < 94:
			d.pfmerge(keys[r.Intn(len(keys))], randKeys(r, keys, 1+r.Intn(3))...)
		case x < 94:
			d.configSparseMax([]int{0, 50, 300, 1000, DefaultSparseMax, 3000, 8000, 13000}[r.Intn(8)])
		default:
			k := keys[r.Intn(5)]
			if d.redis("DEL", k).n != 0 {
				delete(d.vals, k)
			}
		}
		d.compare(keys)
	}
	t.Logf("coverage: %v", d.seen)
	for _, what := range []string{"dense", "sparse", "WRONGT"} {
		if d.seen[what] == 0 {
			t.Errorf("seed %d: the random run never saw %q; the test is too weak", seed, what)
		}
	}
}

// TestRedisLoadsOurValues builds values with this package alone, loads them
// into Redis with SET, and checks that Redis counts them, adds to them and
// merges them exactly as this package does.
func TestRedisLoadsOurValues(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewSource(seed))
	d := newDiff(t, seed)
	sizes := []int{0, 1, 5, 100, 1000, 2000, 3000, 5000, 20000}
	var keys []string
	for i, n := range sizes {
		d.step = i
		key := "v" + strconv.Itoa(n)
		v, _, err := Add("", false, DefaultSparseMax, randElems(r, n)...)
		if err != nil {
			t.Fatalf("Add(%d elements) error %v", n, err)
		}
		d.set(key, v)
		keys = append(keys, key)
		d.pfcount(key)
		d.pfcount(key) // cached now
		d.compare(keys)
		d.pfadd(key, randElems(r, 1+r.Intn(200))...)
		d.compare(keys)
	}
	sort.Strings(keys)
	d.pfcount(keys...)
	d.pfmerge("all", keys...)
	d.pfmerge(keys[0], keys[1:3]...)
	d.pfcount("all")
	d.compare(append(keys, "all"))
}

// TestRedisSparseGrowth grows sparse HyperLogLogs a few elements at a time
// until they turn dense, under several hll-sparse-max-bytes settings, so
// that every way of editing the sparse opcodes and both reasons for
// promotion are compared byte for byte.
func TestRedisSparseGrowth(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewSource(seed))
	d := newDiff(t, seed)
	keys := []string{"a", "b", "m"}
	for _, max := range []int{DefaultSparseMax, 120, 12000} {
		d.configSparseMax(max)
		d.redis("DEL", "a", "b", "m")
		clear(d.vals)
		for d.step = 0; d.step < 3000; d.step++ {
			key := keys[r.Intn(2)]
			d.pfadd(key, randElems(r, r.Intn(8))...)
			if r.Intn(10) == 0 {
				d.pfmerge("m", keys[r.Intn(3)], keys[r.Intn(3)])
			}
			if r.Intn(10) == 0 {
				d.pfcount(key)
			}
			d.compare(keys)
			if a, b := d.vals["a"], d.vals["b"]; len(a) == denseSize && len(b) == denseSize {
				break
			}
		}
	}
	t.Logf("coverage: %v", d.seen)
}

// forge damages a HyperLogLog value the ways a forged or corrupted value
// could be: truncated, bit-flipped, extended, random opcodes, stale or
// fresh cache bits.
func forge(r *rand.Rand, v string) string {
	b := []byte(v)
	body := len(b) - hdrSize
	switch r.Intn(8) {
	case 0:
		if body > 0 {
			b = b[:hdrSize+r.Intn(body)]
		}
	case 1, 2:
		for n := 1 + r.Intn(3); n > 0 && body > 0; n-- {
			b[hdrSize+r.Intn(body)] ^= 1 << r.Intn(8)
		}
	case 3:
		b[cardByte+r.Intn(8)] ^= 1 << r.Intn(8)
	case 4:
		for n := 1 + r.Intn(4); n > 0; n-- {
			b = append(b, byte(r.Intn(256)))
		}
	case 5:
		b = b[:hdrSize]
		for n := r.Intn(40); n > 0; n-- {
			b = append(b, byte(r.Intn(256)))
		}
	case 6:
		// Opcodes that may or may not add up to 16384 registers.
		b = b[:hdrSize]
		for left := numRegisters + r.Intn(3) - 1; left > 0; {
			n := 1 + r.Intn(min(left, 16384))
			switch {
			case n > 64 || r.Intn(3) == 0:
				b = append(b, byte((n-1)>>8)|0x40, byte(n-1))
			case r.Intn(2) == 0:
				b = append(b, byte(n-1))
			default:
				n = min(n, 4)
				b = append(b, valOp(uint8(1+r.Intn(32)), n))
			}
			left -= n
		}
		if r.Intn(4) == 0 {
			b = b[:len(b)-1] // an XZERO may now end the string
		}
	case 7:
		b[5+r.Intn(3)] = byte(r.Intn(256))
		b[staleByte] |= staleBit
	}
	return string(b)
}

// denseAll returns a dense value with every register set to val.
func denseAll(val uint8) string {
	b := make([]byte, denseSize+1)
	copy(b, magic)
	b[staleByte] = staleBit
	for i := 0; i < numRegisters; i++ {
		denseSet(b, i, val)
	}
	return string(b[:denseSize])
}

// TestRedisCorruptDifferential loads forged and corrupted values into Redis
// and into this package and checks that both answer every command the same
// way (the same error, or the same result) and leave the same bytes behind.
func TestRedisCorruptDifferential(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewSource(seed))
	d := newDiff(t, seed)
	keys := []string{"c", "o"}
	var specials []string
	for _, v := range []uint8{1, 32, 33, 49, 50, 51, 52, 63} {
		specials = append(specials, denseAll(v))
	}
	rounds := 600
	if testing.Short() {
		rounds = 100
	}
	for d.step = 0; d.step < rounds; d.step++ {
		base, _, _ := Add("", false, DefaultSparseMax, randElems(r, []int{0, 1, 3, 20, 200, 2000}[r.Intn(6)])...)
		v := forge(r, base)
		if d.step < len(specials) {
			v = specials[d.step]
		}
		other, _, _ := Add("", false, DefaultSparseMax, randElems(r, r.Intn(50))...)
		d.set("c", v)
		d.set("o", other)
		d.pfcount("c")
		d.compare(keys)
		d.pfadd("c", randElems(r, r.Intn(20))...)
		d.compare(keys)
		d.pfcount("c")
		d.pfcount("c", "o")
		d.pfmerge("o", "c")
		d.compare(keys)
		d.pfmerge("c", "o")
		d.compare(keys)
		d.pfadd("c", randElems(r, 100+r.Intn(400))...)
		d.pfcount("c")
		d.compare(keys)
	}
	t.Logf("coverage: %v", d.seen)
	if d.seen["INVALI"] == 0 {
		t.Errorf("seed %d: no INVALIDOBJ reply seen; the forging is too weak", seed)
	}
}
