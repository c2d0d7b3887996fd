package engine

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// bmHas reports whether the command table has name, so generators can use
// commands other groups add without depending on them.
func bmHas(name string) bool { return Lookup(name) != nil }

// bitOffset returns a SETBIT/GETBIT offset: mostly small, sometimes large
// enough to pad the string, sometimes invalid. Writes stay far below the
// 512MB limit; reads may go up to it.
func bitOffset(r *rand.Rand, write bool) string {
	switch r.IntN(12) {
	case 0:
		return strconv.Itoa(r.IntN(2000))
	case 1:
		if write {
			return pick(r, "-1", "4294967296", "x", "1.5", "", "+3", "01")
		}
		return pick(r, "-1", "4294967296", "4294967295", "x", "99999999", "")
	default:
		return strconv.Itoa(r.IntN(80))
	}
}

// bitIndex returns a BITCOUNT/BITPOS range bound.
func bitIndex(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return pick(r, "x", "9223372036854775807", "-9223372036854775808", "1.0")
	case 1, 2:
		return strconv.Itoa(r.IntN(200) - 100)
	default:
		return strconv.Itoa(r.IntN(20) - 10)
	}
}

// bitValue returns a string value with interesting bit patterns.
func bitValue(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return value(r)
	case 1:
		return strings.Repeat("\xff", r.IntN(12))
	case 2:
		return strings.Repeat("\x00", r.IntN(12)) + string(rune('a'+r.IntN(3)))
	default:
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = pick(r, byte(0), byte(0xff), byte(r.IntN(256)), byte(1<<r.IntN(8)))
		}
		return string(b)
	}
}

// lcsText returns a string over a small alphabet so LCS finds matches.
func lcsText(r *rand.Rand) string {
	b := make([]byte, r.IntN(24))
	alpha := pick(r, "ab", "abc", "abcdefgh", "xyz0")
	for i := range b {
		b[i] = alpha[r.IntN(len(alpha))]
	}
	return string(b)
}

// fieldType returns a BITFIELD type, sometimes invalid.
func fieldType(r *rand.Rand) string {
	switch r.IntN(14) {
	case 0:
		return pick(r, "u64", "i65", "i0", "u0", "x8", "I8", "i", "", "i08", "u-1", "i8\x00x")
	case 1, 2:
		return pick(r, "i64", "u63", "i63", "u1", "i1")
	default:
		return pick(r, "i", "u") + strconv.Itoa(1+r.IntN(32))
	}
}

// fieldOffset returns a BITFIELD offset; write offsets stay small.
func fieldOffset(r *rand.Rand, write bool) string {
	switch r.IntN(10) {
	case 0:
		if write {
			// #1048576 grows a string to at most 8 MB; an offset near the
			// 512 MB limit would be valid for narrow types and make every
			// later command on the key copy hundreds of megabytes.
			return pick(r, "-1", "#-1", "#", "x", "#x", "4294967296", "#1048576")
		}
		return pick(r, "-1", "#-1", "4294967295", "4294967296", "#67108863", "#536870911",
			"#2305843009213693952", "#1152921504606846976", "#", "##1")
	case 1, 2:
		return "#" + strconv.Itoa(r.IntN(12))
	default:
		return strconv.Itoa(r.IntN(100))
	}
}

// fieldInt returns a BITFIELD SET value or INCRBY increment.
func fieldInt(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return pick(r, "9223372036854775807", "-9223372036854775808", "x", "1.5", "18446744073709551615")
	case 1:
		return strconv.FormatInt(int64(r.Uint64()), 10)
	case 2:
		return strconv.FormatInt(int64(r.Uint64())>>r.IntN(64), 10)
	default:
		return strconv.Itoa(r.IntN(600) - 300)
	}
}

func bitfieldArgs(r *rand.Rand, name, k string, readonly bool) []string {
	args := []string{name, k}
	for i := r.IntN(5); i > 0; i-- {
		n := r.IntN(12)
		if readonly && n < 8 && r.IntN(10) != 0 {
			n = 0
		}
		switch {
		case n < 3:
			args = append(args, pick(r, "GET", "get"), fieldType(r), fieldOffset(r, false))
		case n < 6:
			args = append(args, pick(r, "SET", "set"), fieldType(r), fieldOffset(r, true), fieldInt(r))
		case n < 9:
			args = append(args, pick(r, "INCRBY", "incrby"), fieldType(r), fieldOffset(r, true), fieldInt(r))
		case n < 11:
			args = append(args, "OVERFLOW", pick(r, "WRAP", "SAT", "FAIL", "sat", "fail", "bogus"))
		default:
			// Truncated or unknown subcommands.
			args = append(args, pick(r, "GET", "SET", "INCRBY", "OVERFLOW", "BOGUS"))
		}
	}
	return args
}

// genBitmap generates bitmap, BITFIELD and LCS commands on a small keyspace
// shared with other string writes and other types.
func genBitmap(r *rand.Rand) diffCmd {
	k := key(r)
	switch r.IntN(40) {
	case 0, 1, 2, 3:
		return cmd("SETBIT", k, bitOffset(r, true), pick(r, "0", "1", "1", "0", "2", "-1", "x", ""))
	case 4, 5:
		return cmd("GETBIT", k, bitOffset(r, false))
	case 6, 7:
		args := []string{"BITCOUNT", k}
		switch r.IntN(6) {
		case 0:
		case 1:
			args = append(args, bitIndex(r))
		case 2:
			args = append(args, bitIndex(r), bitIndex(r), pick(r, "BIT", "byte", "bit", "BYTE", "bogus"), "extra")
		case 3, 4:
			args = append(args, bitIndex(r), bitIndex(r), pick(r, "BIT", "byte", "bit", "BYTE", "bogus"))
		default:
			args = append(args, bitIndex(r), bitIndex(r))
		}
		return diffCmd{Args: args}
	case 8, 9, 10:
		args := []string{"BITPOS", k, pick(r, "0", "1", "0", "1", "2", "-1", "x")}
		switch r.IntN(6) {
		case 0:
		case 1:
			args = append(args, bitIndex(r))
		case 2:
			args = append(args, bitIndex(r), bitIndex(r))
		case 3, 4:
			args = append(args, bitIndex(r), bitIndex(r), pick(r, "BIT", "byte", "bit", "BYTE", "bogus"))
		default:
			args = append(args, bitIndex(r), bitIndex(r), "BIT", "extra")
		}
		return diffCmd{Args: args}
	case 11, 12, 13:
		op := pick(r, "AND", "OR", "XOR", "NOT", "and", "Or", "xor", "not", "bogus")
		args := []string{"BITOP", op, k}
		for i := 1 + r.IntN(3); i > 0; i-- {
			args = append(args, key(r))
		}
		if op == "NOT" && r.IntN(2) == 0 {
			args = args[:4]
		}
		return diffCmd{Args: args}
	case 14, 15, 16, 17:
		return diffCmd{Args: bitfieldArgs(r, "BITFIELD", k, false)}
	case 18, 19:
		return diffCmd{Args: bitfieldArgs(r, pick(r, "BITFIELD_RO", "bitfield_ro"), k, true)}
	case 20, 21, 22:
		args := []string{"LCS", k, key(r)}
		for i := r.IntN(4); i > 0; i-- {
			switch r.IntN(7) {
			case 0:
				args = append(args, "LEN")
			case 1, 2:
				args = append(args, pick(r, "IDX", "idx"))
			case 3:
				args = append(args, "WITHMATCHLEN")
			case 4, 5:
				args = append(args, "MINMATCHLEN", pick(r, "0", "1", "2", "3", "-4", "x", "5"))
			default:
				args = append(args, pick(r, "BOGUS", "MINMATCHLEN"))
			}
		}
		return diffCmd{Args: args}
	case 23, 24:
		return cmd("SET", k, lcsText(r))
	case 25, 26:
		return cmd("SET", k, bitValue(r))
	case 27:
		return cmd("GET", k)
	case 28:
		return cmd("STRLEN", k)
	case 29:
		return cmd("APPEND", k, bitValue(r))
	case 30:
		if r.IntN(2) == 0 {
			return cmd("INCR", k)
		}
		return cmd("SETRANGE", k, strconv.Itoa(r.IntN(6)), "\x01")
	case 31:
		return cmd("DEL", k)
	case 32:
		switch r.IntN(4) {
		case 0:
			return cmd("RPUSH", k, value(r))
		case 1:
			return cmd("SADD", k, member(r))
		case 2:
			return cmd("HSET", k, "f", value(r))
		default:
			return cmd("ZADD", k, "1", member(r))
		}
	case 33, 34:
		if bmHas("object") {
			return cmd("OBJECT", "ENCODING", k)
		}
		return cmd("GET", k)
	case 35:
		if bmHas("expire") {
			return cmd("EXPIRE", k, pick(r, "100", "1000"))
		}
		return cmd("EXISTS", k)
	case 36:
		if bmHas("ttl") {
			return diffCmd{Args: []string{"TTL", k}, Cmp: cmpTTL}
		}
		return cmd("EXISTS", k)
	case 37:
		return cmd("SET", k, pick(r, "123", "-5", "0", "9999999999", strconv.Itoa(r.IntN(100000))))
	case 38:
		// Arity errors.
		return cmd(pick(r, "SETBIT", "GETBIT", "BITCOUNT", "BITPOS", "BITOP", "BITFIELD", "LCS"), k)
	default:
		return cmd("GETBIT", k, strconv.Itoa(r.IntN(64)))
	}
}

func TestDiffBitmap(t *testing.T) {
	n := runDiff(t, 20000, genBitmap)
	if n < 20000 {
		t.Errorf("compared %d commands, want at least 20000", n)
	}
}

// TestBitmapRESP3 checks reply shapes that only RESP3 shows, against bytes
// captured from Redis 7.0.15: LCS IDX is a map, a failed BITFIELD INCRBY a
// null.
func TestBitmapRESP3(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"SET", "k1", "ohmytext"}, "+OK\r\n"},
		{[]string{"SET", "k2", "mynewtext"}, "+OK\r\n"},
		{[]string{"LCS", "k1", "k2", "IDX", "WITHMATCHLEN"},
			"%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n" +
				"*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
		{[]string{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100"}, "*1\r\n_\r\n"},
	} {
		w := &RESPWriter{RESP3: true}
		en.Exec(&Ctx{Args: tc.args, W: w})
		if string(w.Buf) != tc.want {
			t.Errorf("%s = %q, want %q", quoteArgs(tc.args), w.Buf, tc.want)
		}
	}
}
