package engine

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// The sorted-set generator works on two key families. Keys "k0".."k4" only
// ever hold short members, so they stay listpack-encoded and ZSCAN replies
// are compared exactly. Keys "z0".."z3" also get members longer than
// zset-max-listpack-value and bulk additions past zset-max-listpack-entries,
// so they exercise the skiplist encoding; their ZSCAN order is the hash
// table's, which differs, so only its shape is compared. A command only
// names keys of one family, so long members never reach the "k" keys.
//
// Lex ranges over members with different scores are unspecified, and over
// a skiplist Redis's answer depends on the random levels of its nodes, so
// lex commands on the "z" keys are replaced by commands on the "x" keys,
// whose members all keep score 0 (genZLex).

type zfam struct {
	keys    []string
	members []string
}

var (
	zfamShort = zfam{
		keys:    []string{"k0", "k1", "k2", "k3"},
		members: []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "a", "b", "c", "1", "-2", "10"},
	}
	zfamLex = zfam{
		keys: []string{"x0", "x1", "x2"},
		members: []string{"a", "b", "c", "d", "e", "aa", "ab", "b0", "b1", "",
			strings.Repeat("a", 70), strings.Repeat("b", 66)},
	}
	zfamLong = zfam{
		keys: []string{"z0", "z1", "z2", "z3"},
		members: []string{"m0", "m1", "m2", "m3", "m4", "m5", "a", "b", "7",
			strings.Repeat("L", 65), strings.Repeat("L", 70) + "x", strings.Repeat("M", 64)},
	}
)

func (f *zfam) key(r *rand.Rand) string    { return f.keys[r.IntN(len(f.keys))] }
func (f *zfam) member(r *rand.Rand) string { return f.members[r.IntN(len(f.members))] }

// zscore returns a ZADD score: mostly small integers, some floats, the
// infinities, -0, big values and invalid ones.
func zscore(r *rand.Rand) string {
	switch r.IntN(40) {
	case 0:
		return pick(r, "inf", "-inf", "+inf", "-INF", "Infinity")
	case 1:
		return pick(r, "-0", "0.0", "0x10", "1e18", "-1e18", "1e300", "4e-320", "0.1", ".5", "5.")
	case 2:
		return pick(r, "x", "nan", "", " 1", "1 ", "1e400", "--1", "1e-400")
	case 3, 4:
		return strconv.FormatFloat(float64(r.IntN(40)-20)/4, 'f', -1, 64)
	}
	return strconv.Itoa(r.IntN(14) - 3)
}

// zbound returns a ZRANGEBYSCORE bound.
func zbound(r *rand.Rand) string {
	switch r.IntN(12) {
	case 0:
		return pick(r, "-inf", "+inf", "(-inf", "(+inf", "inf")
	case 1:
		return pick(r, "x", "(", "", "((1", "1x", " 2", "nan", "(nan")
	case 2:
		return pick(r, "1.5", "(2.5", "0", "(0", "-0", "1e18", "(-1e18")
	}
	s := strconv.Itoa(r.IntN(14) - 3)
	if r.IntN(3) == 0 {
		s = "(" + s
	}
	return s
}

// zlex returns a ZRANGEBYLEX bound.
func zlex(r *rand.Rand, f *zfam) string {
	switch r.IntN(10) {
	case 0:
		return pick(r, "-", "+")
	case 1:
		return pick(r, "m1", "", "(", "[", "-x", "+x", "*")
	case 2:
		return pick(r, "[m", "(m", "[a", "(b", "[z", "(1")
	}
	return pick(r, "[", "(") + f.member(r)
}

// zidx returns a rank, often negative or out of range.
func zidx(r *rand.Rand) string {
	if r.IntN(25) == 0 {
		return pick(r, "x", "1.5", "9223372036854775807", "-9223372036854775808", "")
	}
	return strconv.Itoa(r.IntN(24) - 12)
}

// zcount returns a count argument.
func zcount(r *rand.Rand) string {
	if r.IntN(12) == 0 {
		return pick(r, "x", "-1", "-5", "0", "1.5", "9223372036854775807")
	}
	return strconv.Itoa(r.IntN(8))
}

// zkeys returns numkeys and that many keys, sometimes with a wrong numkeys.
func zkeys(r *rand.Rand, f *zfam) []string {
	n := 1 + r.IntN(3)
	ks := make([]string, n)
	for i := range ks {
		ks[i] = f.key(r)
	}
	num := strconv.Itoa(n)
	if r.IntN(20) == 0 {
		num = pick(r, "0", "-1", "x", strconv.Itoa(n+2), "")
	}
	return append([]string{num}, ks...)
}

// zrangeOpts returns ZRANGE-style options.
func zrangeOpts(r *rand.Rand, legacy bool) []string {
	var out []string
	for i := r.IntN(4); i > 0; i-- {
		switch r.IntN(14) {
		case 0, 1, 8, 9:
			out = append(out, pick(r, "WITHSCORES", "withscores"))
		case 2, 3, 10, 11, 12:
			out = append(out, "LIMIT", strconv.Itoa(r.IntN(6)-1), strconv.Itoa(r.IntN(7)-2))
		case 4:
			if !legacy {
				out = append(out, pick(r, "REV", "rev"))
			}
		case 5:
			if !legacy {
				out = append(out, pick(r, "BYSCORE", "BYLEX"))
			}
		case 6:
			out = append(out, pick(r, "LIMIT", "LIMIT 1", "BOGUS", "REV", "BYSCORE"))
		default:
			out = append(out, "LIMIT", pick(r, "x", "0"), pick(r, "1", "y"))
		}
	}
	return out
}

// genZSet generates sorted-set commands.
func genZSet(r *rand.Rand) diffCmd {
	f := &zfamShort
	if r.IntN(3) == 0 {
		f = &zfamLong
	}
	k := f.key(r)
	n := r.IntN(54)
	if n >= 46 {
		n = 0 // more ZADDs
	}
	switch n {
	case 0, 1, 2, 3:
		args := []string{"ZADD", k}
		if r.IntN(3) == 0 {
			for i := r.IntN(3); i >= 0; i-- {
				args = append(args, pick(r, "NX", "XX", "CH", "INCR", "GT", "LT", "ch", "gt"))
			}
		}
		same := r.IntN(4) == 0 // one score, for lex ranges
		for i := r.IntN(6); i >= 0; i-- {
			if same {
				args = append(args, "1", f.member(r))
			} else {
				args = append(args, zscore(r), f.member(r))
			}
		}
		if r.IntN(30) == 0 {
			args = args[:len(args)-1]
		}
		return cmd(args...)
	case 4:
		if f == &zfamLong && r.IntN(2) == 0 {
			// Grow past zset-max-listpack-entries.
			args := []string{"ZADD", k}
			for i := range 100 + r.IntN(60) {
				args = append(args, strconv.Itoa(r.IntN(50)), "b"+strconv.Itoa(i))
			}
			return cmd(args...)
		}
		return cmd("ZINCRBY", k, pick(r, "1", "-2", "0.5", "inf", "-inf", "x", "nx", "incr", zscore(r)), f.member(r))
	case 5:
		return cmd("ZINCRBY", k, zscore(r), f.member(r))
	case 6:
		return cmd(append([]string{"ZREM", k}, f.member(r), f.member(r), f.member(r))[:3+r.IntN(2)]...)
	case 7:
		return cmd("ZSCORE", k, f.member(r))
	case 8:
		return cmd("ZMSCORE", k, f.member(r), f.member(r), f.member(r))
	case 9:
		return cmd("ZCARD", k)
	case 10:
		return cmd("ZCOUNT", k, zbound(r), zbound(r))
	case 11:
		if f == &zfamLong {
			return genZLex(r)
		}
		return cmd("ZLEXCOUNT", k, zlex(r, f), zlex(r, f))
	case 12:
		return cmd(pick(r, "ZRANK", "ZREVRANK"), k, f.member(r))
	case 13, 14, 15:
		args := []string{"ZRANGE", k}
		switch r.IntN(3) {
		case 0:
			args = append(args, zidx(r), zidx(r))
		case 1:
			args = append(args, zbound(r), zbound(r), "BYSCORE")
		default:
			if f == &zfamLong {
				return genZLex(r)
			}
			args = append(args, zlex(r, f), zlex(r, f), "BYLEX")
		}
		if r.IntN(2) == 0 {
			args = append(args, pick(r, "REV", "rev"))
		}
		args = append(args, zrangeOpts(r, false)...)
		if r.IntN(3) == 0 {
			rest := args[4:]
			r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
		}
		return cmd(args...)
	case 16, 17:
		args := []string{"ZRANGESTORE", f.key(r), k}
		switch r.IntN(3) {
		case 0:
			args = append(args, zidx(r), zidx(r))
		case 1:
			args = append(args, zbound(r), zbound(r), "BYSCORE")
		default:
			if f == &zfamLong {
				return genZLex(r)
			}
			args = append(args, zlex(r, f), zlex(r, f), "BYLEX")
		}
		if r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		if r.IntN(3) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(r.IntN(4)), strconv.Itoa(r.IntN(5)-1))
		}
		if r.IntN(15) == 0 {
			args = append(args, "WITHSCORES")
		}
		return cmd(args...)
	case 18:
		return cmd(append([]string{"ZREVRANGE", k, zidx(r), zidx(r)}, zrangeOpts(r, true)...)...)
	case 19, 20:
		c := pick(r, "ZRANGEBYSCORE", "ZREVRANGEBYSCORE")
		return cmd(append([]string{c, k, zbound(r), zbound(r)}, zrangeOpts(r, true)...)...)
	case 21, 22:
		if f == &zfamLong {
			return genZLex(r)
		}
		c := pick(r, "ZRANGEBYLEX", "ZREVRANGEBYLEX")
		return cmd(append([]string{c, k, zlex(r, f), zlex(r, f)}, zrangeOpts(r, true)...)...)
	case 23:
		return cmd("ZREMRANGEBYRANK", k, zidx(r), zidx(r))
	case 24:
		return cmd("ZREMRANGEBYSCORE", k, zbound(r), zbound(r))
	case 25:
		if f == &zfamLong {
			return genZLex(r)
		}
		return cmd("ZREMRANGEBYLEX", k, zlex(r, f), zlex(r, f))
	case 26, 27:
		args := []string{pick(r, "ZPOPMIN", "ZPOPMAX"), k}
		if r.IntN(2) == 0 {
			args = append(args, zcount(r))
		}
		if r.IntN(30) == 0 {
			args = append(args, "1")
		}
		return cmd(args...)
	case 28:
		args := append([]string{"ZMPOP"}, zkeys(r, f)...)
		args = append(args, pick(r, "MIN", "MAX", "min", "max", "mid"))
		if r.IntN(2) == 0 {
			args = append(args, "COUNT", zcount(r))
		}
		if r.IntN(20) == 0 {
			args = append(args, pick(r, "COUNT", "BOGUS"))
		}
		return cmd(args...)
	case 29, 30:
		switch r.IntN(6) {
		case 0:
			return diffCmd{Args: []string{"ZRANDMEMBER", k}, Cmp: cmpShape}
		case 1:
			// All members (every test set is smaller): deterministic.
			return cmd("ZRANDMEMBER", k, pick(r, "200", "1000"), pick(r, "WITHSCORES", "withscores"))
		case 2:
			return cmd("ZRANDMEMBER", k, pick(r, "0", "200", "x", "1 ", "5 WITHSCORES", "-9223372036854775808", "4611686018427387904", "-4611686018427387904"),
				pick(r, "WITHSCORES", "BOGUS", "withscores"))
		case 3:
			return diffCmd{Args: append([]string{"ZRANDMEMBER", k, zcount(r), "WITHSCORES"}, "x")[:3+r.IntN(3)], Cmp: cmpShape}
		default:
			args := []string{"ZRANDMEMBER", k, strconv.Itoa(r.IntN(14) - 7)}
			if r.IntN(2) == 0 {
				args = append(args, "WITHSCORES")
			}
			return diffCmd{Args: args, Cmp: cmpShape}
		}
	case 31, 32, 33, 34, 35:
		var name string
		var args []string
		switch r.IntN(7) {
		case 0:
			name = "ZUNION"
		case 1:
			name = "ZINTER"
		case 2:
			name = "ZDIFF"
		case 3:
			name = "ZINTERCARD"
		default:
			name = pick(r, "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE")
			args = append(args, f.key(r))
		}
		ks := zkeys(r, f)
		args = append(append([]string{name}, args...), ks...)
		n := len(ks) - 1
		for i := r.IntN(3); i > 0; i-- {
			switch r.IntN(6) {
			case 0, 1:
				args = append(args, "WEIGHTS")
				for range n + r.IntN(8)/7 {
					args = append(args, pick(r, "1", "2", "-1", "0", "0.5", "inf", "-inf", "x", "1e308"))
				}
			case 2:
				args = append(args, "AGGREGATE", pick(r, "SUM", "MIN", "MAX", "max", "avg"))
			case 3:
				args = append(args, pick(r, "WITHSCORES", "withscores"))
			case 4:
				args = append(args, "LIMIT", pick(r, "0", "1", "2", "-1", "x"))
			default:
				args = append(args, pick(r, "BOGUS", "WEIGHTS", "AGGREGATE", "LIMIT"))
			}
		}
		return cmd(args...)
	case 36, 37:
		args := []string{"ZSCAN", k, pick(r, "0", "0", "0", "1", "x", "-1", "18446744073709551615")}
		for i := r.IntN(3); i > 0; i-- {
			switch r.IntN(4) {
			case 0:
				args = append(args, "MATCH", pick(r, "m*", "*", "[ab]", "L*", "?", "x*"))
			case 1:
				args = append(args, "COUNT", pick(r, "1", "5", "100", "0", "x"))
			case 2:
				args = append(args, pick(r, "TYPE", "NOVALUES", "COUNT"))
			default:
				args = append(args, "MATCH")
			}
		}
		if f == &zfamLong {
			return diffCmd{Args: args, Cmp: cmpShape}
		}
		return cmd(args...)
	case 38:
		if Lookup("sadd") == nil { // not registered yet
			return cmd("ZADD", k, "1", f.member(r))
		}
		if r.IntN(2) == 0 {
			return cmd("SADD", k, f.member(r), f.member(r), f.member(r))
		}
		return cmd("SADD", k, pick(r, "1", "2", "3", "7", "10", "-2"))
	case 39:
		return cmd(pick(r, "ZRANK", "ZREVRANK"), k, f.member(r))
	case 40:
		if r.IntN(2) == 0 {
			return cmd("ZSCORE", k, f.member(r))
		}
		// Other types, for WRONGTYPE (only commands registered so far).
		switch r.IntN(3) {
		case 1:
			if Lookup("hset") != nil {
				return cmd("HSET", k, "f", "v")
			}
		case 2:
			if Lookup("rpush") != nil {
				return cmd("RPUSH", k, "v", "w")
			}
		}
		return cmd("SET", k, "v")
	case 41:
		if r.IntN(2) == 0 {
			return cmd("ZREVRANGE", k, "0", "-1", "WITHSCORES")
		}
		return cmd("DEL", k)
	case 42:
		if Lookup("object") != nil {
			return cmd("OBJECT", "ENCODING", k)
		}
		return cmd("ZCARD", k)
	case 43:
		return cmd(pick(r, "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), k, pick(r, "0", "-inf"), pick(r, "-1", "+inf"), "WITHSCORES")
	case 44:
		// Arity errors.
		c := pick(r, "ZADD", "ZINCRBY", "ZREM", "ZSCORE", "ZMSCORE", "ZCARD", "ZCOUNT", "ZRANK", "ZRANGE",
			"ZRANGESTORE", "ZPOPMIN", "ZMPOP", "ZUNION", "ZUNIONSTORE", "ZINTERCARD", "ZSCAN", "ZREMRANGEBYLEX")
		return cmd(c, k)
	default:
		return cmd("ZRANGE", k, "0", "-1", "WITHSCORES")
	}
}

// genZLex generates commands on the "x" keys that keep every score 0, so
// lex ranges are well defined on both encodings.
func genZLex(r *rand.Rand) diffCmd {
	f := &zfamLex
	k := f.key(r)
	switch r.IntN(16) {
	case 0, 1:
		args := []string{"ZADD", k}
		if r.IntN(3) == 0 {
			args = append(args, pick(r, "NX", "XX", "CH", "GT", "LT"))
		}
		for i := r.IntN(3); i >= 0; i-- {
			args = append(args, pick(r, "0", "-0", "0.0"), f.member(r))
		}
		return cmd(args...)
	case 2:
		args := []string{"ZADD", k}
		for i := range 100 + r.IntN(60) {
			args = append(args, "0", "c"+strconv.Itoa(i))
		}
		return cmd(args...)
	case 3:
		return cmd("ZREM", k, f.member(r), f.member(r))
	case 4:
		return cmd("ZLEXCOUNT", k, zlex(r, f), zlex(r, f))
	case 5, 6:
		args := []string{"ZRANGE", k, zlex(r, f), zlex(r, f), "BYLEX"}
		if r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		if r.IntN(2) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(r.IntN(5)-1), strconv.Itoa(r.IntN(7)-2))
		}
		return cmd(args...)
	case 7, 8:
		args := []string{pick(r, "ZRANGEBYLEX", "ZREVRANGEBYLEX"), k, zlex(r, f), zlex(r, f)}
		if r.IntN(2) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(r.IntN(5)-1), strconv.Itoa(r.IntN(7)-2))
		}
		return cmd(args...)
	case 9:
		return cmd("ZREMRANGEBYLEX", k, zlex(r, f), zlex(r, f))
	case 10:
		args := []string{"ZRANGESTORE", f.key(r), k, zlex(r, f), zlex(r, f), "BYLEX"}
		if r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		return cmd(args...)
	case 11:
		return cmd(pick(r, "ZRANK", "ZREVRANK", "ZSCORE"), k, f.member(r))
	case 12:
		return cmd(pick(r, "ZPOPMIN", "ZPOPMAX"), k, zcount(r))
	case 13:
		return cmd(pick(r, "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"), f.key(r), "2", k, f.key(r))
	case 14:
		return diffCmd{Args: []string{"ZSCAN", k, "0"}, Cmp: cmpShape}
	default:
		return cmd("ZRANGE", k, "0", "-1", "WITHSCORES")
	}
}

func TestDiffZSet(t *testing.T) {
	n := runDiff(t, 20000, genZSet)
	if n < 20000 {
		t.Errorf("compared %d commands, want at least 20000", n)
	}
}

// TestDiffZSetRESP3 compares the RESP3 shapes of the group's replies:
// [member, score] pairs and doubles.
func TestDiffZSetRESP3(t *testing.T) {
	srv := redistest.Start(t)
	rc := srv.Dial(t)
	if _, err := rc.Do("HELLO", "3"); err != nil {
		t.Fatal(err)
	}
	en := New(Config{ManualReaper: true})
	defer en.Close()
	long := strings.Repeat("x", 80)
	script := [][]string{
		{"ZADD", "z", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0", "e"},
		{"ZADD", "s", "1", long, "-0", "n", "2", "p"},
		{"SADD", "set", "a", "b", "q"},
		{"ZADD", "z", "INCR", "1.5", "a"},
		{"ZADD", "z", "NX", "INCR", "1", "a"},
		{"ZINCRBY", "z", "0.25", "b"},
		{"ZSCORE", "z", "b"},
		{"ZSCORE", "z", "nope"},
		{"ZMSCORE", "z", "a", "nope", "d"},
		{"ZRANK", "z", "b"},
		{"ZRANK", "z", "nope"},
		{"ZRANGE", "z", "0", "-1"},
		{"ZRANGE", "z", "0", "-1", "WITHSCORES"},
		{"ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "WITHSCORES", "LIMIT", "1", "2"},
		{"ZRANGE", "missing", "0", "-1", "WITHSCORES"},
		{"ZREVRANGE", "s", "0", "-1", "WITHSCORES"},
		{"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"},
		{"ZREVRANGEBYSCORE", "z", "+inf", "(0", "WITHSCORES"},
		{"ZRANGEBYLEX", "z", "-", "+"},
		{"ZRANDMEMBER", "z", "100", "WITHSCORES"},
		{"ZRANDMEMBER", "z", "100"},
		{"ZRANDMEMBER", "missing"},
		{"ZRANDMEMBER", "missing", "3"},
		{"ZUNION", "3", "z", "s", "set", "WITHSCORES"},
		{"ZINTER", "2", "z", "set", "WITHSCORES", "AGGREGATE", "MAX"},
		{"ZDIFF", "2", "z", "set", "WITHSCORES"},
		{"ZUNION", "2", "z", "s"},
		{"ZSCAN", "z", "0"},
		{"ZPOPMIN", "z"},
		{"ZPOPMIN", "z", "2"},
		{"ZPOPMAX", "z", "1"},
		{"ZPOPMAX", "missing"},
		{"ZPOPMAX", "missing", "2"},
		{"ZPOPMIN", "z", "0"},
		{"ZMPOP", "2", "missing", "s", "MAX", "COUNT", "2"},
		{"ZMPOP", "1", "missing", "MIN"},
		{"ZMPOP", "1", "s", "MIN"},
		{"ZRANGESTORE", "dst", "z", "0", "-1"},
		{"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
	}
	for _, args := range script {
		want, err := rc.Do(args...)
		if err != nil {
			t.Fatal(err)
		}
		w := &RESPWriter{RESP3: true}
		en.Exec(&Ctx{Args: slices.Clone(args), W: w})
		got, err := resp.NewReader(bytes.NewReader(w.Buf)).ReadValue()
		if err != nil {
			t.Fatalf("%s: malformed reply %q: %v", quoteArgs(args), w.Buf, err)
		}
		if !got.Equal(want) {
			t.Errorf("%s:\nredis: %v\nkevy:  %v", quoteArgs(args), want, got)
		}
	}
}
