package engine

import (
	"strconv"
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

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
	} else {
		z = zsetOf(e)
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
			// Log the effect: the member's resulting score.
			sh.log("ZADD", key, strconv.FormatFloat(score, 'g', 17, 64), ent.Member)
		}
		out.Score = score
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
		sh.dropIfEmpty(e, z.Len())
	}
	return n, nil
}

// ZScore returns a member's score. Either lock held.
func (sh *Shard) ZScore(key, member string) (float64, error) {
	e, err := sh.object(key, keyspace.KindZSet, false)
	if err != nil {
		return 0, err
	}
	if e == nil {
		return 0, ErrNotFound
	}
	s, ok := zsetOf(e).Score(member)
	if !ok {
		return 0, ErrNotFound
	}
	return s, nil
}

// ZCard returns the number of members. Either lock held.
func (sh *Shard) ZCard(key string) (int, error) {
	e, err := sh.object(key, keyspace.KindZSet, false)
	if e == nil || err != nil {
		return 0, err
	}
	return zsetOf(e).Len(), nil
}

func init() {
	register(
		&Command{Name: "zadd", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: zaddCmd},
		&Command{Name: "zincrby", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: zincrbyCmd},
		&Command{Name: "zrem", Arity: -3, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: zremCmd},
		&Command{Name: "zscore", Arity: 3, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: zscoreCmd},
		&Command{Name: "zcard", Arity: 2, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: zcardCmd},
	)
}

func zaddCmd(c *Ctx) {
	var f types.ZAddFlags
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

func zincrbyCmd(c *Ctx) {
	s, err := types.ParseScore(c.Args[2])
	if err != nil {
		c.err(err)
		return
	}
	out, err := c.shard(c.Args[1]).ZAdd(c.Args[1], []types.ZEntry{{Member: c.Args[3], Score: s}}, types.ZAddIncr)
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteDouble(out.Score)
}

func zremCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).ZRem(c.Args[1], c.Args[2:])
	c.intOrErr(int64(n), err)
}

func zscoreCmd(c *Ctx) {
	s, err := c.shard(c.Args[1]).ZScore(c.Args[1], c.Args[2])
	switch err {
	case nil:
		c.W.WriteDouble(s)
	case ErrNotFound:
		c.W.WriteNull()
	default:
		c.err(err)
	}
}

func zcardCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).ZCard(c.Args[1])
	c.intOrErr(int64(n), err)
}
