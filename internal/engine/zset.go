package engine

import (
	"math"
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// Sorted sets: the point commands (ZADD, ZINCRBY, ZREM, ZSCORE, ZMSCORE,
// ZCARD, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT) and the command table of the
// group. Ranges live in zset_range.go, pops and scans in zset_pop.go, the
// multi-key operations in zset_store.go.

// ZAddOutcome summarises a ZADD.
type ZAddOutcome struct {
	Added, Updated, Processed int
	Score                     float64 // the last member's resulting score (INCR)
}

// ZAdd adds or updates members as ZADD does with flags. Exclusive lock held.
func (sh *Shard) ZAdd(key string, entries []types.ZEntry, flags types.ZAddFlags) (ZAddOutcome, error) {
	var out ZAddOutcome
	e, err := sh.object(key, keyspace.KindZSet, true)
	if err != nil {
		return out, err
	}
	var z *types.ZSet
	if e == nil {
		if flags&types.ZAddXX != 0 {
			return out, nil
		}
		z = types.NewZSet(sh.en.zlimits)
		sh.addObject(key, keyspace.KindZSet, unsafe.Pointer(z))
		sh.notify(ClassNew, "new", key)
	} else {
		z = zsetOf(e)
	}
	if sh.borrowed {
		flags |= types.ZAddCopy // members are views of the caller's buffer
	}
	for _, ent := range entries {
		res, score := z.AddWith(ent.Member, ent.Score, flags)
		switch res {
		case types.ZAddNaN:
			return out, types.ErrScoreNaN
		case types.ZAddAdded:
			out.Added++
		case types.ZAddUpdated:
			out.Updated++
		}
		if res != types.ZAddSkipped {
			out.Processed++
			if sh.journal != nil { // log the effect: the member's resulting score
				sh.log("ZADD", key, types.FormatScore(score), ent.Member)
			}
		}
		out.Score = score
	}
	if out.Added+out.Updated > 0 {
		if flags&types.ZAddIncr != 0 {
			sh.notify(ClassZSet, "zincr", key)
		} else {
			sh.notify(ClassZSet, "zadd", key)
		}
	}
	return out, nil
}

// ZRem removes members and returns how many existed. Exclusive lock held.
func (sh *Shard) ZRem(key string, members []string) (int, error) {
	e, err := sh.object(key, keyspace.KindZSet, true)
	if e == nil || err != nil {
		return 0, err
	}
	z := zsetOf(e)
	n := 0
	for _, m := range members {
		if z.Remove(m) {
			n++
		}
	}
	if n > 0 {
		sh.logv("ZREM", key, members)
		sh.notify(ClassZSet, "zrem", key)
		sh.dropIfEmpty(e, z.Len())
		sh.notifyIfEmptied(z.Len(), key)
	}
	return n, nil
}

// zsetRead returns key's sorted set for a reader (either lock held), nil
// when the key is missing.
func (sh *Shard) zsetRead(key string) (*types.ZSet, error) {
	return readObject[types.ZSet](sh, key, keyspace.KindZSet)
}

// ZScore returns a member's score. Either lock held.
func (sh *Shard) ZScore(key, member string) (float64, error) {
	z, err := sh.zsetRead(key)
	if err != nil {
		return 0, err
	}
	if z == nil {
		return 0, ErrNotFound
	}
	s, ok := z.Score(member)
	if !ok {
		return 0, ErrNotFound
	}
	return s, nil
}

// ZMScore returns the scores of members, NaN (which no score can be) for
// the missing ones. Either lock held.
func (sh *Shard) ZMScore(key string, members []string) ([]float64, error) {
	z, err := sh.zsetRead(key)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(members))
	for i, m := range members {
		out[i] = math.NaN()
		if z != nil {
			if s, ok := z.Score(m); ok {
				out[i] = s
			}
		}
	}
	return out, nil
}

// ZCard returns the number of members. Either lock held.
func (sh *Shard) ZCard(key string) (int, error) {
	z, err := sh.zsetRead(key)
	if z == nil || err != nil {
		return 0, err
	}
	return z.Len(), nil
}

// ZRank returns member's 0-based rank, in descending order when reverse is
// set, or ErrNotFound. Either lock held.
func (sh *Shard) ZRank(key, member string, reverse bool) (int, error) {
	z, err := sh.zsetRead(key)
	if err != nil {
		return 0, err
	}
	if z == nil {
		return 0, ErrNotFound
	}
	r, ok := z.Rank(member, reverse)
	if !ok {
		return 0, ErrNotFound
	}
	return r, nil
}

// ZCount returns how many members have a score in r. Either lock held.
func (sh *Shard) ZCount(key string, r types.ScoreRange) (int, error) {
	z, err := sh.zsetRead(key)
	if z == nil || err != nil {
		return 0, err
	}
	return z.CountByScore(r), nil
}

// ZLexCount returns how many members lie in r. Either lock held.
func (sh *Shard) ZLexCount(key string, r types.LexRange) (int, error) {
	z, err := sh.zsetRead(key)
	if z == nil || err != nil {
		return 0, err
	}
	return z.CountByLex(r), nil
}

// zNumkeysKeys returns a Keys function for commands whose argument ni is a
// key count followed by that many keys, plus the fixed key positions pre
// (a destination). It returns what it can parse; the handler replies the
// errors.
func zNumkeysKeys(ni int, pre ...int) func(args []string) []int {
	return func(args []string) []int {
		out := append([]int(nil), pre...)
		if ni >= len(args) {
			return out
		}
		n, ok := ParseInt(args[ni])
		if !ok || n < 1 {
			return out
		}
		for i := ni + 1; i < len(args) && int64(i-ni) <= n; i++ {
			out = append(out, i)
		}
		return out
	}
}

func init() {
	keyed := func(name string, arity int, f Flag, run func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: f, First: 1, Last: 1, Step: 1, Run: run}
	}
	const (
		w  = FlagWrite
		r  = FlagReadOnly
		wd = FlagWrite | FlagDenyOOM
	)
	register(
		keyed("zadd", -4, wd|FlagFast, func(c *Ctx) { zaddGeneric(c, false) }),
		keyed("zincrby", 4, wd|FlagFast, func(c *Ctx) { zaddGeneric(c, true) }),
		keyed("zrem", -3, w|FlagFast, zremCmd),
		keyed("zscore", 3, r|FlagFast, zscoreCmd),
		keyed("zmscore", -3, r|FlagFast, zmscoreCmd),
		keyed("zcard", 2, r|FlagFast, zcardCmd),
		keyed("zcount", 4, r|FlagFast, zcountCmd),
		keyed("zlexcount", 4, r|FlagFast, zlexcountCmd),
		keyed("zrank", 3, r|FlagFast, func(c *Ctx) { zrankCmd(c, false) }),
		keyed("zrevrank", 3, r|FlagFast, func(c *Ctx) { zrankCmd(c, true) }),

		keyed("zrange", -4, r, func(c *Ctx) { zrangeGeneric(c, 1, false, zByAuto, zDirAuto) }),
		keyed("zrevrange", -4, r, func(c *Ctx) { zrangeGeneric(c, 1, false, ZByRank, zDirRev) }),
		keyed("zrangebyscore", -4, r, func(c *Ctx) { zrangeGeneric(c, 1, false, ZByScore, zDirFwd) }),
		keyed("zrevrangebyscore", -4, r, func(c *Ctx) { zrangeGeneric(c, 1, false, ZByScore, zDirRev) }),
		keyed("zrangebylex", -4, r, func(c *Ctx) { zrangeGeneric(c, 1, false, ZByLex, zDirFwd) }),
		keyed("zrevrangebylex", -4, r, func(c *Ctx) { zrangeGeneric(c, 1, false, ZByLex, zDirRev) }),
		&Command{Name: "zrangestore", Arity: -5, Flags: wd, First: 1, Last: 2, Step: 1,
			Run: func(c *Ctx) { zrangeGeneric(c, 2, true, zByAuto, zDirAuto) }},
		keyed("zremrangebyrank", 4, w, func(c *Ctx) { zremrangeCmd(c, ZByRank) }),
		keyed("zremrangebyscore", 4, w, func(c *Ctx) { zremrangeCmd(c, ZByScore) }),
		keyed("zremrangebylex", 4, w, func(c *Ctx) { zremrangeCmd(c, ZByLex) }),

		keyed("zpopmin", -2, w|FlagFast, func(c *Ctx) { zpopCmd(c, false) }),
		keyed("zpopmax", -2, w|FlagFast, func(c *Ctx) { zpopCmd(c, true) }),
		&Command{Name: "zmpop", Arity: -4, Flags: w, Keys: zNumkeysKeys(1), Run: zmpopCmd},
		keyed("zrandmember", -2, r|FlagRandom, zrandmemberCmd),
		keyed("zscan", -3, r|FlagRandom, zscanCmd),

		&Command{Name: "zunion", Arity: -3, Flags: r, Keys: zNumkeysKeys(1),
			Run: func(c *Ctx) { zsetOpCmd(c, ZUnion, false, false) }},
		&Command{Name: "zinter", Arity: -3, Flags: r, Keys: zNumkeysKeys(1),
			Run: func(c *Ctx) { zsetOpCmd(c, ZInter, false, false) }},
		&Command{Name: "zdiff", Arity: -3, Flags: r, Keys: zNumkeysKeys(1),
			Run: func(c *Ctx) { zsetOpCmd(c, ZDiff, false, false) }},
		&Command{Name: "zintercard", Arity: -3, Flags: r, Keys: zNumkeysKeys(1),
			Run: func(c *Ctx) { zsetOpCmd(c, ZInter, false, true) }},
		&Command{Name: "zunionstore", Arity: -4, Flags: wd, Keys: zNumkeysKeys(2, 1),
			Run: func(c *Ctx) { zsetOpCmd(c, ZUnion, true, false) }},
		&Command{Name: "zinterstore", Arity: -4, Flags: wd, Keys: zNumkeysKeys(2, 1),
			Run: func(c *Ctx) { zsetOpCmd(c, ZInter, true, false) }},
		&Command{Name: "zdiffstore", Arity: -4, Flags: wd, Keys: zNumkeysKeys(2, 1),
			Run: func(c *Ctx) { zsetOpCmd(c, ZDiff, true, false) }},
	)
}

// zaddGeneric is ZADD, and ZINCRBY when incr is set: Redis parses both the
// same way, so ZINCRBY's increment may be taken for an option.
func zaddGeneric(c *Ctx, incr bool) {
	var f types.ZAddFlags
	if incr {
		f = types.ZAddIncr
	}
	ch := false
	i := 2
options:
	for ; i < len(c.Args); i++ {
		switch o := c.Args[i]; {
		case eq(o, "nx"):
			f |= types.ZAddNX
		case eq(o, "xx"):
			f |= types.ZAddXX
		case eq(o, "ch"):
			ch = true
		case eq(o, "incr"):
			f |= types.ZAddIncr
		case eq(o, "gt"):
			f |= types.ZAddGT
		case eq(o, "lt"):
			f |= types.ZAddLT
		default:
			break options
		}
	}
	rest := c.Args[i:]
	if len(rest)%2 != 0 || len(rest) == 0 {
		c.err(ErrSyntax)
		return
	}
	switch {
	case f&types.ZAddNX != 0 && f&types.ZAddXX != 0:
		c.err(errorf("ERR XX and NX options at the same time are not compatible"))
		return
	case f&types.ZAddNX != 0 && f&(types.ZAddGT|types.ZAddLT) != 0, f&types.ZAddGT != 0 && f&types.ZAddLT != 0:
		c.err(errorf("ERR GT, LT, and/or NX options at the same time are not compatible"))
		return
	case f&types.ZAddIncr != 0 && len(rest) > 2:
		c.err(errorf("ERR INCR option supports a single increment-element pair"))
		return
	}
	entries := make([]types.ZEntry, len(rest)/2)
	for j := range entries {
		s, err := types.ParseScore(rest[2*j])
		if err != nil {
			c.err(err)
			return
		}
		entries[j] = types.ZEntry{Member: rest[2*j+1], Score: s}
	}
	out, err := c.shard(c.Args[1]).ZAdd(c.Args[1], entries, f)
	switch {
	case err != nil:
		c.err(err)
	case f&types.ZAddIncr != 0 && out.Processed > 0:
		c.W.WriteDouble(out.Score)
	case f&types.ZAddIncr != 0:
		c.W.WriteNull()
	case ch:
		c.W.WriteInt(int64(out.Added + out.Updated))
	default:
		c.W.WriteInt(int64(out.Added))
	}
}

func zremCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).ZRem(c.Args[1], c.Args[2:])
	c.intOrErr(int64(n), err)
}

// doubleOrNull writes f, a null for ErrNotFound, or the error.
func (c *Ctx) doubleOrNull(f float64, err error) {
	switch err {
	case nil:
		c.W.WriteDouble(f)
	case ErrNotFound:
		c.W.WriteNull()
	default:
		c.err(err)
	}
}

func zscoreCmd(c *Ctx) { c.doubleOrNull(c.shard(c.Args[1]).ZScore(c.Args[1], c.Args[2])) }

func zmscoreCmd(c *Ctx) {
	ss, err := c.shard(c.Args[1]).ZMScore(c.Args[1], c.Args[2:])
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteArray(len(ss))
	for _, s := range ss {
		if math.IsNaN(s) {
			c.W.WriteNull()
		} else {
			c.W.WriteDouble(s)
		}
	}
}

func zcardCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).ZCard(c.Args[1])
	c.intOrErr(int64(n), err)
}

func zcountCmd(c *Ctx) {
	r, err := types.ParseScoreRange(c.Args[2], c.Args[3])
	if err != nil {
		c.err(err)
		return
	}
	n, err := c.shard(c.Args[1]).ZCount(c.Args[1], r)
	c.intOrErr(int64(n), err)
}

func zlexcountCmd(c *Ctx) {
	r, err := types.ParseLexRange(c.Args[2], c.Args[3])
	if err != nil {
		c.err(err)
		return
	}
	n, err := c.shard(c.Args[1]).ZLexCount(c.Args[1], r)
	c.intOrErr(int64(n), err)
}

func zrankCmd(c *Ctx, reverse bool) {
	r, err := c.shard(c.Args[1]).ZRank(c.Args[1], c.Args[2], reverse)
	switch err {
	case nil:
		c.W.WriteInt(int64(r))
	case ErrNotFound:
		c.W.WriteNull()
	default:
		c.err(err)
	}
}

// writeEntries replies members, with their scores when withScores: as a
// flat array, or, when pairs is set, as an array of [member, score] arrays
// (ZRANGE WITHSCORES and friends in RESP3, ZMPOP always).
func (c *Ctx) writeEntries(ents []types.ZEntry, withScores, pairs bool) {
	if withScores && !pairs {
		c.W.WriteArray(2 * len(ents))
	} else {
		c.W.WriteArray(len(ents))
	}
	for _, e := range ents {
		if pairs {
			c.W.WriteArray(2)
		}
		c.W.WriteBulk(e.Member)
		if withScores {
			c.W.WriteDouble(e.Score)
		}
	}
}
