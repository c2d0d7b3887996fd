package engine

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// hllForged are hand-made values around the HyperLogLog format: valid ones
// with a fresh or a stale cache, and invalid or corrupt ones.
var hllForged = []string{
	// Empty sparse, stale cache.
	"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff",
	// Empty sparse with a fresh cache claiming 5.
	"HYLL\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x7f\xff",
	// Sparse: a VAL covering one register, then nothing (too few registers).
	"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x80",
	// Sparse covering too many registers.
	"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x80",
	// Sparse: register 0 set to 3, the rest zero.
	"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x88\x7f\xfe",
	// Dense with the wrong length.
	"HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00",
	// Unknown encoding.
	"HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff",
	// Too short, wrong magic.
	"HYLL", "HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff", "",
}

// hllElem returns an element from a pool small enough that PFADDs often
// change nothing.
func hllElem(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return "e" + strconv.Itoa(r.IntN(1_000_000))
	}
	return "e" + strconv.Itoa(r.IntN(60))
}

// genHLL generates HyperLogLog commands on a small keyspace shared with
// plain strings, forged values and other types. GET compares the stored
// bytes, so every representation change must match Redis exactly.
func genHLL(r *rand.Rand) diffCmd {
	k := key(r)
	switch r.IntN(24) {
	case 0, 1, 2, 3, 4:
		args := []string{"PFADD", k}
		for i := r.IntN(5); i > 0; i-- {
			args = append(args, hllElem(r))
		}
		return diffCmd{Args: args}
	case 5:
		// Enough elements to outgrow the sparse encoding sooner or later.
		args := []string{"PFADD", k}
		n := 100 + r.IntN(400)
		if r.IntN(3) == 0 {
			n = 1200 + r.IntN(1000) // usually past the sparse limit
		}
		for i := n; i > 0; i-- {
			args = append(args, "big"+strconv.Itoa(r.IntN(1_000_000)))
		}
		return diffCmd{Args: args}
	case 6, 7, 8:
		return cmd("PFCOUNT", k)
	case 9, 10:
		args := []string{"PFCOUNT", k}
		for i := 1 + r.IntN(3); i > 0; i-- {
			args = append(args, key(r))
		}
		return diffCmd{Args: args}
	case 11, 12:
		args := []string{"PFMERGE", k}
		for i := r.IntN(4); i > 0; i-- {
			args = append(args, key(r))
		}
		return diffCmd{Args: args}
	case 13, 14:
		return cmd("GET", k)
	case 15:
		return cmd("SET", k, pick(r, hllForged...))
	case 16:
		return cmd("SET", k, value(r))
	case 17:
		// Not XZERO first bytes (0x40-0x7f): a truncated final XZERO makes
		// Redis read past the string (see the report on forged HLL values).
		return cmd("APPEND", k, pick(r, "\x80", "\x81", "\x00", "\x3f"))
	case 18:
		return cmd("SETRANGE", k, strconv.Itoa(r.IntN(20)), pick(r, "\x80", "\x01", "\x88", "\xff"))
	case 19:
		return cmd("DEL", k)
	case 20:
		switch r.IntN(3) {
		case 0:
			return cmd("RPUSH", k, value(r))
		case 1:
			return cmd("SADD", k, member(r))
		default:
			return cmd("HSET", k, "f", value(r))
		}
	case 21:
		if bmHas("object") {
			return cmd("OBJECT", "ENCODING", k)
		}
		return cmd("STRLEN", k)
	case 22:
		if bmHas("expire") && r.IntN(2) == 0 {
			return cmd("EXPIRE", k, "1000")
		}
		if bmHas("ttl") {
			return diffCmd{Args: []string{"TTL", k}, Cmp: cmpTTL}
		}
		return cmd("STRLEN", k)
	default:
		return cmd(pick(r, "PFADD", "PFCOUNT", "PFMERGE"))
	}
}

func TestDiffHLL(t *testing.T) {
	n := runDiff(t, 20000, genHLL)
	if n < 20000 {
		t.Errorf("compared %d commands, want at least 20000", n)
	}
}
