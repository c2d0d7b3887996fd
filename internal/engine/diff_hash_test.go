package engine

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// bigHashKey is the only key that receives values long enough to convert a
// hash to the hashtable encoding, whose order is unspecified: its whole-hash
// replies are compared unordered. Every other hash stays a listpack, whose
// insertion order Redis reports and kevy must match exactly.
const bigHashKey = "k5"

func hashField(r *rand.Rand) string {
	if r.IntN(20) == 0 {
		return pick(r, "", "F0", "f 1", "0", "-1")
	}
	return "f" + strconv.Itoa(r.IntN(8))
}

// hashNumber returns a field value that HINCRBY and HINCRBYFLOAT may or may
// not accept.
func hashNumber(r *rand.Rand) string {
	return pick(r, "10", "-3", "0", "9223372036854775807", "-9223372036854775808", "007", "1.5", "-0.25",
		"abc", "", " 1", "1e3", "inf", "-inf", "3.0e0", "99999999999999999999", "+5", "-0", "1.")
}

func hashIncr(r *rand.Rand) string {
	return pick(r, "1", "5", "-3", "0", "100", "9223372036854775807", "-9223372036854775808", "1.5", "x", "",
		"9223372036854775808", "+1", "01", "-1")
}

func hashFloatIncr(r *rand.Rand) string {
	return pick(r, "0.1", "1.5", "-2", "1e3", "abc", "10.5", "3.0e0", "inf", "-inf", "nan", "5.0000000000000001",
		"0", "-0", "1e-20", "0.3333333333333333", "+2", " 1", "1 ", "", ".5", "5.", "1E2",
		"123456789012345678901234567890")
}

// genHash generates hash commands, plus writes of other types on the same
// keys so WRONGTYPE paths are exercised.
func genHash(r *rand.Rand) diffCmd {
	k := key(r)
	whole := cmpExact // HGETALL, HKEYS, HVALS
	if k == bigHashKey {
		whole = cmpUnordered
	}
	switch r.IntN(45) {
	case 0, 1, 2, 3, 4, 5:
		args := []string{pick(r, "HSET", "HSET", "HMSET", "hset")}
		args = append(args, k)
		for i := 1 + r.IntN(4); i > 0; i-- {
			args = append(args, hashField(r), value(r))
		}
		if r.IntN(15) == 0 {
			args = args[:len(args)-1] // odd number of arguments
		}
		return cmd(args...)
	case 6:
		return cmd("HSET", k, hashField(r), hashNumber(r))
	case 7, 8:
		return cmd("HSETNX", k, hashField(r), value(r))
	case 9, 10, 11:
		return cmd("HGET", k, hashField(r))
	case 12:
		args := []string{"HMGET", k}
		for i := 1 + r.IntN(4); i > 0; i-- {
			args = append(args, hashField(r))
		}
		return cmd(args...)
	case 13, 14:
		if whole == cmpUnordered {
			whole = cmpPairs
		}
		return diffCmd{Args: []string{"HGETALL", k}, Cmp: whole}
	case 15:
		return diffCmd{Args: []string{pick(r, "HKEYS", "HVALS"), k}, Cmp: whole}
	case 16:
		return cmd("HLEN", k)
	case 17:
		return cmd("HEXISTS", k, hashField(r))
	case 18, 19:
		args := []string{"HDEL", k}
		for i := 1 + r.IntN(3); i > 0; i-- {
			args = append(args, hashField(r))
		}
		return cmd(args...)
	case 20:
		return cmd("HSTRLEN", k, hashField(r))
	case 21, 22, 23:
		return cmd("HINCRBY", k, hashField(r), hashIncr(r))
	case 24, 25, 26:
		return cmd("HINCRBYFLOAT", k, hashField(r), hashFloatIncr(r))
	case 43:
		// Results longer than 64 bytes convert a hash to a hashtable.
		return cmd("HINCRBYFLOAT", bigHashKey, hashField(r), pick(r, "1e200", "-1e200", "1e100"))
	case 27, 28:
		return diffCmd{Args: hrandfieldArgs(r, k), Cmp: cmpShape}
	case 29:
		// HRANDFIELD whose reply is fully determined: errors, empty
		// replies, and whole listpack hashes (count >= size).
		args := []string{"HRANDFIELD", k, pick(r, "0", "x", "-9223372036854775808", "4611686018427387904", "9223372036854775808", "1.5")}
		switch r.IntN(4) {
		case 0:
			args = append(args, "WITHVALUES")
		case 1:
			args = append(args, pick(r, "withvalue", "WITHVALUES"), "x")
		}
		if r.IntN(3) == 0 {
			args = append(args[:2], pick(r, "4611686018427387903", "1000"), pick(r, "WITHVALUES", "withvalues"))
		}
		c := cmd(args...)
		if k == bigHashKey { // a hashtable's order is unspecified
			c.Cmp = cmpUnordered
			if len(args) == 4 && eq(args[3], "withvalues") {
				c.Cmp = cmpPairs
			}
		}
		return c
	case 30:
		return cmd("HRANDFIELD", k, "-4611686018427387904", "WITHVALUES")
	case 31, 32:
		c := diffCmd{Args: hscanArgs(r, k)}
		if k == bigHashKey {
			c.Cmp = cmpShape
		}
		return c
	case 33:
		// Deterministic HSCAN errors (or empty replies for missing keys).
		return cmd("HSCAN", k, pick(r, "0", "x", "1", "18446744073709551616", "-", "+", " 1", "1 ", "-18446744073709551616", "0x1"),
			pick(r, "COUNT", "MATCH", "count", "NOVALUES", "bogus"), pick(r, "0", "-1", "x", "2"), pick(r, "COUNT", "MATCH"))
	case 34:
		// Long values convert the big hash to a hashtable.
		return cmd("HSET", bigHashKey, hashField(r), strings.Repeat("x", 60+r.IntN(10)))
	case 35:
		if r.IntN(10) == 0 {
			args := []string{"HSET", bigHashKey}
			for i := 0; i < 520; i++ {
				args = append(args, "bulk"+strconv.Itoa(i), strconv.Itoa(i))
			}
			return cmd(args...)
		}
		return cmd("HSET", bigHashKey, "long-field-"+strings.Repeat("y", 60), value(r))
	case 36:
		return cmd(pick(r, "SET", "RPUSH", "SADD"), k, value(r))
	case 37:
		return cmd("DEL", k)
	case 38:
		return cmd("EXPIRE", k, pick(r, "100", "1000"))
	case 39:
		return diffCmd{Args: []string{"TTL", k}, Cmp: cmpTTL}
	case 40:
		return cmd("TYPE", k)
	case 41:
		return cmd(pick(r, "HGET", "HSET", "HSETNX", "HDEL", "HINCRBY", "HINCRBYFLOAT", "HMGET", "HLEN", "HSTRLEN", "HEXISTS", "HSCAN"), k)
	case 42:
		return cmd(pick(r, "HGETALL", "HKEYS", "HVALS", "HLEN", "HINCRBY", "HSETNX", "HSTRLEN"), k, "f0", "1", "extra")
	default:
		return cmd("EXISTS", k)
	}
}

// hrandfieldArgs returns a valid HRANDFIELD call whose reply is random.
func hrandfieldArgs(r *rand.Rand, k string) []string {
	args := []string{"HRANDFIELD", k}
	if r.IntN(4) == 0 {
		return args
	}
	args = append(args, strconv.Itoa(r.IntN(13)-6))
	if r.IntN(2) == 0 {
		args = append(args, pick(r, "WITHVALUES", "withvalues", "WithValues"))
	}
	return args
}

// hscanArgs returns an HSCAN call with valid options.
func hscanArgs(r *rand.Rand, k string) []string {
	args := []string{"HSCAN", k, pick(r, "0", "0", "0", "3", "18446744073709551615", "-1", "+2", "", "007", "-18446744073709551615")}
	for i := r.IntN(3); i > 0; i-- {
		if r.IntN(2) == 0 {
			args = append(args, pick(r, "MATCH", "match"), pick(r, "*", "f*", "f[0-3]", "x*", "?1", "*1*"))
		} else {
			args = append(args, pick(r, "COUNT", "count"), pick(r, "1", "2", "10", "1000"))
		}
	}
	return args
}

func TestDiffHash(t *testing.T) {
	n := runDiff(t, 20000, genHash)
	if n < 20000 {
		t.Errorf("compared %d commands, want at least 20000", n)
	}
}

// TestDiffHashScan checks full HSCAN iterations of hashtable hashes, whose
// cursors and order differ from Redis's: every field present for the whole
// scan is returned, with its value, and nothing else.
func TestDiffHashScan(t *testing.T) {
	d := newDiffer(t)
	r := rand.New(rand.NewPCG(uint64(len(t.Name())), 7))
	for round := 0; round < 20; round++ {
		d.reset()
		n := []int{3, 20, 100, 600, 2000}[round%5]
		args := []string{"HSET", "h"}
		for i := 0; i < n; i++ {
			v := strconv.Itoa(i)
			if round%2 == 1 {
				v = strings.Repeat("v", 70) // force a hashtable even when small
			}
			args = append(args, "field:"+strconv.Itoa(i), v)
		}
		if _, err := d.rc.Do(args...); err != nil {
			t.Fatal(err)
		}
		execRESP(t, d.en, args)
		match := pick(r, "", "*", "field:1*", "*7", "nomatch*")
		count := pick(r, "", "1", "5", "10", "100")
		want := fullScan(t, func(cur string) []string { return withOpts([]string{"HSCAN", "h", cur}, match, count) },
			func(a []string) (string, []string) { return scanReply(t, mustDo(t, d, a)) })
		got := fullScan(t, func(cur string) []string { return withOpts([]string{"HSCAN", "h", cur}, match, count) },
			func(a []string) (string, []string) { return scanReply(t, execRESP(t, d.en, a)) })
		if !slices.Equal(pairSet(want), pairSet(got)) {
			t.Fatalf("round %d (%d fields, MATCH %q COUNT %q): redis scanned %d pairs, kevy %d", round, n, match, count, len(want)/2, len(got)/2)
		}
	}
}

// pairSet returns the distinct field/value pairs of a flattened list, sorted.
func pairSet(kv []string) []string {
	var out []string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, kv[i]+"\x00"+kv[i+1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}
