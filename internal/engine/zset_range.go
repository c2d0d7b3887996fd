package engine

import (
	"strconv"
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// ZRangeBy says how a sorted-set range is given.
type ZRangeBy uint8

// Kinds of ranges.
const (
	zByAuto  ZRangeBy = iota // ZRANGE before BYSCORE/BYLEX is seen
	ZByRank                  // 0-based ranks, negative from the end
	ZByScore                 // a score interval
	ZByLex                   // a member interval
)

// Directions of ZRANGE while its options are parsed.
const (
	zDirAuto = iota
	zDirFwd
	zDirRev
)

// ZRangeSpec selects the members ZRANGE and its relatives return.
type ZRangeSpec struct {
	By          ZRangeBy
	Start, Stop int64            // ZByRank: inclusive ranks, negative from the end
	Score       types.ScoreRange // ZByScore
	Lex         types.LexRange   // ZByLex
	Rev         bool             // descending order (ranks counted from the highest)
	// Offset and Limit are LIMIT's, for ZByScore and ZByLex: skip Offset
	// members (a negative Offset yields nothing) and return at most Limit
	// (all when negative).
	Offset, Limit int64
}

// ZRange returns the members spec selects, in order, with their scores.
// Either lock held.
func (sh *Shard) ZRange(key string, spec ZRangeSpec) ([]types.ZEntry, error) {
	z, err := sh.zsetRead(key)
	if z == nil || err != nil {
		return nil, err
	}
	return zrangeOf(z, &spec), nil
}

// zrangeOf collects the members spec selects from z.
func zrangeOf(z *types.ZSet, spec *ZRangeSpec) []types.ZEntry {
	var out []types.ZEntry
	add := func(m string, s float64) bool {
		out = append(out, types.ZEntry{Member: m, Score: s})
		return true
	}
	switch spec.By {
	case ZByScore, ZByLex:
		off, lim := int(spec.Offset), int(spec.Limit)
		if spec.By == ZByScore {
			z.RangeByScore(spec.Score, spec.Rev, off, lim, add)
		} else {
			z.RangeByLex(spec.Lex, spec.Rev, off, lim, add)
		}
	default:
		lo, hi := normRange(spec.Start, spec.Stop, z.Len())
		if lo < hi {
			out = make([]types.ZEntry, 0, hi-lo)
			z.RangeByRank(lo, hi-1, spec.Rev, add)
		}
	}
	return out
}

// ZRangeStore stores the members of src that spec selects in dst, replacing
// it (a result with no members deletes dst), and returns how many it stored.
// The shards of both keys are held exclusively.
func (en *Engine) ZRangeStore(dst, src string, spec ZRangeSpec) (int, error) {
	ents, err := en.ShardOf(src).ZRange(src, spec)
	if err != nil {
		return 0, err
	}
	sh := en.ShardOf(dst)
	// Redis builds a rank range of more members than a listpack holds as a
	// skiplist from the start, so even its first scores keep their sign.
	exact := spec.By == ZByRank && int64(len(ents)) > sh.en.zlimits.MaxListpackEntries.Load()
	n := sh.zstore(dst, ents, exact)
	if n > 0 {
		sh.notify(ClassZSet, "zrangestore", dst)
	}
	return n, nil
}

// zstore replaces dst with a sorted set holding ents, added in order, as
// the STORE commands do, or deletes dst when ents is empty. When exact is
// set and the result is a skiplist, -0 scores are kept as given (a listpack
// turns them into 0). Exclusive lock held. It returns len(ents).
func (sh *Shard) zstore(dst string, ents []types.ZEntry, exact bool) int {
	existed := false
	if e := sh.lookupWrite(dst, sh.dict.Hash(dst)); e != nil {
		existed = true
		sh.remove(e)
		sh.log("DEL", dst)
	}
	if len(ents) == 0 {
		if existed {
			sh.notify(ClassGeneric, "del", dst)
		}
		return 0
	}
	z := types.NewZSet(sh.en.zlimits)
	for _, e := range ents {
		z.AddWith(e.Member, e.Score, 0)
	}
	if exact && z.Encoding() == types.EncodingSkiplist {
		for _, e := range ents {
			if e.Score == 0 && isNegZero(e.Score) {
				z.Remove(e.Member)
				z.AddWith(e.Member, e.Score, 0)
			}
		}
	}
	sh.addObject(dst, keyspace.KindZSet, unsafe.Pointer(z))
	if !existed {
		sh.notify(ClassNew, "new", dst)
	}
	sh.logv("ZADD", dst, zaddArgs(z))
	return len(ents)
}

// zaddArgs renders z as ZADD's score/member pairs, for the journal.
func zaddArgs(z *types.ZSet) []string {
	out := make([]string, 0, 2*z.Len())
	for m, s := range z.All() {
		out = append(out, types.FormatScore(s), m)
	}
	return out
}

// ZRemRange removes the members spec selects (Rev, Offset and Limit are
// ignored) and returns how many it removed; an emptied set is deleted.
// Exclusive lock held.
func (sh *Shard) ZRemRange(key string, spec ZRangeSpec) (int, error) {
	e, err := sh.object(key, keyspace.KindZSet, true)
	if e == nil || err != nil {
		return 0, err
	}
	z := zsetOf(e)
	var n int
	switch spec.By {
	case ZByScore:
		n = z.RemoveRangeByScore(spec.Score, nil)
		if n > 0 {
			sh.log("ZREMRANGEBYSCORE", key, scoreBound(spec.Score.Min, spec.Score.MinEx), scoreBound(spec.Score.Max, spec.Score.MaxEx))
		}
	case ZByLex:
		n = z.RemoveRangeByLex(spec.Lex, nil)
		if n > 0 {
			sh.log("ZREMRANGEBYLEX", key, lexBound(spec.Lex.Min), lexBound(spec.Lex.Max))
		}
	default:
		lo, hi := normRange(spec.Start, spec.Stop, z.Len())
		if lo < hi {
			n = z.RemoveRangeByRank(lo, hi-1, nil)
			sh.log("ZREMRANGEBYRANK", key, strconv.Itoa(lo), strconv.Itoa(hi-1))
		}
	}
	if n > 0 {
		sh.notify(ClassZSet, [...]string{ZByRank: "zremrangebyrank", ZByScore: "zremrangebyscore", ZByLex: "zremrangebylex"}[spec.By], key)
		sh.dropIfEmpty(e, z.Len())
		sh.notifyIfEmptied(z.Len(), key)
	}
	return n, nil
}

// scoreBound renders a score range bound as ZRANGEBYSCORE reads it.
func scoreBound(v float64, ex bool) string {
	if ex {
		return "(" + types.FormatScore(v)
	}
	return types.FormatScore(v)
}

// lexBound renders a lex range bound as ZRANGEBYLEX reads it.
func lexBound(b types.LexBound) string {
	switch {
	case b.Inf < 0:
		return "-"
	case b.Inf > 0:
		return "+"
	case b.Exclusive:
		return "(" + b.Value
	}
	return "[" + b.Value
}

// zrangeGeneric implements ZRANGE, ZRANGESTORE, ZREVRANGE, ZRANGEBYSCORE,
// ZREVRANGEBYSCORE, ZRANGEBYLEX and ZREVRANGEBYLEX: the source key is
// argument at, its bounds follow, then the options. by and dir are fixed by
// the legacy commands and zByAuto/zDirAuto for ZRANGE and ZRANGESTORE.
func zrangeGeneric(c *Ctx, at int, store bool, by ZRangeBy, dir int) {
	spec := ZRangeSpec{Limit: -1}
	withScores := false
	for j := at + 3; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		switch o := c.Args[j]; {
		case !store && eq(o, "withscores"):
			withScores = true
		case eq(o, "limit") && left >= 2:
			var ok bool
			if spec.Offset, ok = c.intArg(j + 1); !ok {
				return
			}
			if spec.Limit, ok = c.intArg(j + 2); !ok {
				return
			}
			j += 2
		case dir == zDirAuto && eq(o, "rev"):
			dir = zDirRev
		case by == zByAuto && eq(o, "bylex"):
			by = ZByLex
		case by == zByAuto && eq(o, "byscore"):
			by = ZByScore
		default:
			c.err(ErrSyntax)
			return
		}
	}
	if by == zByAuto {
		by = ZByRank
	}
	spec.By, spec.Rev = by, dir == zDirRev
	if spec.Limit != -1 && by == ZByRank {
		c.err(errorf("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"))
		return
	}
	if withScores && by == ZByLex {
		c.err(errorf("ERR syntax error, WITHSCORES not supported in combination with BYLEX"))
		return
	}
	lo, hi := c.Args[at+1], c.Args[at+2]
	if spec.Rev && by != ZByRank {
		lo, hi = hi, lo
	}
	var err error
	switch by {
	case ZByRank:
		var ok bool
		if spec.Start, ok = c.intArg(at + 1); !ok {
			return
		}
		if spec.Stop, ok = c.intArg(at + 2); !ok {
			return
		}
	case ZByScore:
		spec.Score, err = types.ParseScoreRange(lo, hi)
	case ZByLex:
		spec.Lex, err = types.ParseLexRange(lo, hi)
	}
	if err != nil {
		c.err(err)
		return
	}
	src := c.Args[at]
	if store {
		n, err := c.En.ZRangeStore(c.Args[1], src, spec)
		c.intOrErr(int64(n), err)
		return
	}
	ents, err := c.shard(src).ZRange(src, spec)
	if err != nil {
		c.err(err)
		return
	}
	c.writeEntries(ents, withScores, withScores && c.W.Resp3())
}

func zremrangeCmd(c *Ctx, by ZRangeBy) {
	spec := ZRangeSpec{By: by}
	var err error
	switch by {
	case ZByRank:
		var ok bool
		if spec.Start, ok = c.intArg(2); !ok {
			return
		}
		if spec.Stop, ok = c.intArg(3); !ok {
			return
		}
	case ZByScore:
		spec.Score, err = types.ParseScoreRange(c.Args[2], c.Args[3])
	case ZByLex:
		spec.Lex, err = types.ParseLexRange(c.Args[2], c.Args[3])
	}
	if err != nil {
		c.err(err)
		return
	}
	n, err := c.shard(c.Args[1]).ZRemRange(c.Args[1], spec)
	c.intOrErr(int64(n), err)
}
