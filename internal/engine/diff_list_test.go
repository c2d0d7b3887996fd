package engine

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// listElem returns a list element from a small vocabulary, so that LREM,
// LPOS and LINSERT find what pushes wrote; some look like integers.
func listElem(r *rand.Rand) string {
	return pick(r, "a", "b", "c", "d", "e", "a", "b", "1", "-2", "10", "", "longer element value")
}

func listElems(r *rand.Rand, max int) []string {
	out := make([]string, 1+r.IntN(max))
	for i := range out {
		out[i] = listElem(r)
	}
	return out
}

// listIndex returns an index for LINDEX, LSET, LRANGE and LTRIM: mostly
// small, sometimes extreme or not a number.
func listIndex(r *rand.Rand) string {
	if r.IntN(12) == 0 {
		return pick(r, "x", "9223372036854775807", "-9223372036854775808", "1.5", "+1", "01", " 1", "9223372036854775808")
	}
	return strconv.Itoa(r.IntN(16) - 8)
}

func listSideArg(r *rand.Rand) string {
	if r.IntN(25) == 0 {
		return pick(r, "UP", "", "lef")
	}
	return pick(r, "LEFT", "RIGHT", "left", "Right")
}

// listCount returns a COUNT-style argument, sometimes invalid.
func listCount(r *rand.Rand) string {
	if r.IntN(8) == 0 {
		return pick(r, "0", "-1", "x", "9223372036854775807", "-9223372036854775808", "1.0")
	}
	return strconv.Itoa(1 + r.IntN(5))
}

// genList generates list commands, plus writes of other types on the same
// keys so WRONGTYPE paths are exercised.
func genList(r *rand.Rand) diffCmd {
	k := key(r)
	switch n := r.IntN(46); n {
	case 0, 1, 2, 3, 40, 41, 42, 43, 44, 45:
		return cmd(append([]string{pick(r, "LPUSH", "RPUSH")}, append([]string{k}, listElems(r, 8)...)...)...)
	case 4:
		return cmd(append([]string{pick(r, "LPUSHX", "RPUSHX", "lpushx")}, append([]string{k}, listElems(r, 3)...)...)...)
	case 5:
		return cmd(pick(r, "LPOP", "RPOP"), k)
	case 6:
		args := []string{pick(r, "LPOP", "RPOP"), k, listCount(r)}
		if r.IntN(10) == 0 {
			args = append(args, "1")
		}
		return cmd(args...)
	case 7:
		return cmd("LLEN", k)
	case 8, 9:
		return cmd("LINDEX", k, listIndex(r))
	case 10, 11:
		return cmd("LSET", k, listIndex(r), listElem(r))
	case 12, 13, 14:
		return cmd("LRANGE", k, listIndex(r), listIndex(r))
	case 15:
		if r.IntN(2) == 0 {
			return cmd("LTRIM", k, strconv.Itoa(r.IntN(3)-1), strconv.Itoa(r.IntN(12)-2))
		}
		return cmd("LTRIM", k, listIndex(r), listIndex(r))
	case 16, 17:
		return cmd("LINSERT", k, pick(r, "BEFORE", "AFTER", "before", "after", "BEFORE", "middle"), listElem(r), listElem(r))
	case 18, 19:
		return cmd("LREM", k, pick(r, "0", "1", "2", "-1", "-2", "5", "-5", "x", "-9223372036854775808", "9223372036854775807"), listElem(r))
	case 20, 21, 22:
		args := []string{"LPOS", k, pick(r, "a", "b", "c", listElem(r))}
		for i := r.IntN(4); i > 0; i-- {
			bad := r.IntN(10) == 0
			switch r.IntN(7) {
			case 0, 1:
				v := pick(r, "1", "2", "-1", "-2", "3", "-3")
				if bad {
					v = pick(r, "0", "x", "9223372036854775807", "-9223372036854775808", "-9223372036854775807")
				}
				args = append(args, pick(r, "RANK", "rank"), v)
			case 2, 3:
				v := pick(r, "0", "1", "2", "3")
				if bad {
					v = pick(r, "-1", "x", "9223372036854775807")
				}
				args = append(args, pick(r, "COUNT", "count"), v)
			case 4, 5:
				v := pick(r, "0", "1", "2", "4", "6")
				if bad {
					v = pick(r, "-1", "x", "9223372036854775807")
				}
				args = append(args, "MAXLEN", v)
			default:
				args = append(args, pick(r, "RANK", "COUNT", "MAXLEN", "BOGUS"))
			}
		}
		return cmd(args...)
	case 23, 24:
		return cmd("LMOVE", k, key(r), listSideArg(r), listSideArg(r))
	case 25:
		return cmd("LMOVE", k, k, listSideArg(r), listSideArg(r))
	case 26:
		return cmd("RPOPLPUSH", k, pick(r, k, key(r)))
	case 27, 28:
		n := 1 + r.IntN(3)
		num := strconv.Itoa(n)
		if r.IntN(15) == 0 {
			num = pick(r, "0", "-1", "x", "4", "9223372036854775807")
		}
		args := []string{"LMPOP", num}
		for i := 0; i < n; i++ {
			args = append(args, key(r))
		}
		args = append(args, listSideArg(r))
		switch r.IntN(6) {
		case 0, 1:
			args = append(args, pick(r, "COUNT", "count"), listCount(r))
		case 2:
			args = append(args, pick(r, "COUNT", "BOGUS"))
		case 3:
			args = append(args, "COUNT", "2", "COUNT", "2")
		}
		return cmd(args...)
	case 29:
		if r.IntN(2) == 0 {
			return cmd("LLEN", k)
		}
		switch r.IntN(4) {
		case 0:
			return cmd("SET", k, listElem(r))
		case 1:
			return cmd("HSET", k, "f", listElem(r))
		case 2:
			return cmd("SADD", k, listElem(r))
		default:
			return cmd("ZADD", k, "1", listElem(r))
		}
	case 30:
		return cmd("DEL", k)
	case 31:
		return cmd("TYPE", k)
	case 32:
		return cmd("EXPIRE", k, pick(r, "100", "1000"))
	case 33:
		return diffCmd{Args: []string{"TTL", k}, Cmp: cmpTTL}
	case 34:
		return cmd("EXISTS", k, key(r))
	case 35:
		// Wrong argument counts.
		return cmd(pick(r, "LPUSH", "LPOS", "LINDEX", "LSET", "LRANGE", "LMOVE", "RPOPLPUSH", "LMPOP", "LINSERT", "LREM", "LTRIM", "LLEN"), k)
	case 36:
		return cmd(pick(r, "LMPOP", "LINSERT", "LSET"), k, "1", "LEFT", "x", "y")
	default:
		return cmd("LRANGE", k, "0", "-1")
	}
}

func TestDiffList(t *testing.T) {
	n := runDiff(t, 20000, genList)
	if n < 20000 {
		t.Errorf("compared %d commands, want at least 20000", n)
	}
}

// TestDiffListShards replays list commands on a four-shard engine, so that
// LMOVE, RPOPLPUSH and LMPOP move elements between shards.
func TestDiffListShards(t *testing.T) {
	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	d := newDiffer(t)
	d.en = New(Config{Shards: 4, ManualReaper: true})
	t.Cleanup(d.en.Close)
	shards := map[int]bool{}
	for i := 0; i < 6; i++ {
		shards[d.en.ShardOf("k"+strconv.Itoa(i)).Index()] = true
	}
	if len(shards) < 2 {
		t.Fatal("the test keys all route to one shard")
	}
	r := rand.New(rand.NewPCG(seed, 0x6b657679))
	for d.cnt < 5000**diffScale {
		cmds := make([]diffCmd, 200)
		for i := range cmds {
			cmds[i] = genList(r)
		}
		if i, want, got := d.round(cmds); i >= 0 {
			t.Fatalf("seed %d: %s: redis %v, kevy %v", seed, quoteArgs(cmds[i].Args), want, got)
		}
	}
	t.Logf("seed %d: %d commands on %d shards, 0 mismatches", seed, d.cnt, len(shards))
}
