package engine

import (
	"math"
	"slices"
	"strconv"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// ZPop removes and returns up to count members with the lowest scores
// (lowest first), or the highest when max is set (highest first); an
// emptied set is deleted. A missing key gives no members. Exclusive lock
// held.
func (sh *Shard) ZPop(key string, count int, max bool) ([]types.ZEntry, error) {
	e, err := sh.object(key, keyspace.KindZSet, true)
	if e == nil || err != nil {
		return nil, err
	}
	return sh.zpop(e, count, max), nil
}

// zpop pops from e's sorted set. Exclusive lock held.
func (sh *Shard) zpop(e *keyspace.Entry, count int, max bool) []types.ZEntry {
	z := zsetOf(e)
	var out []types.ZEntry
	if max {
		out = z.PopMax(count)
	} else {
		out = z.PopMin(count)
	}
	if len(out) > 0 {
		ms := make([]string, len(out))
		for i, p := range out {
			ms[i] = p.Member
		}
		sh.logv("ZREM", e.Key, ms)
		if max {
			sh.notify(ClassZSet, "zpopmax", e.Key)
		} else {
			sh.notify(ClassZSet, "zpopmin", e.Key)
		}
		sh.dropIfEmpty(e, z.Len())
		sh.notifyIfEmptied(z.Len(), e.Key)
	}
	return out
}

// ZMPop pops up to count members from the first of keys that holds a
// sorted set, as ZMPOP does, and returns that key; key is "" when none
// does. A key of another type before it is an error. The shards of all
// keys are held exclusively.
func (en *Engine) ZMPop(keys []string, count int, max bool) (key string, ents []types.ZEntry, err error) {
	for _, k := range keys {
		sh := en.ShardOf(k)
		e, err := sh.object(k, keyspace.KindZSet, true)
		if err != nil {
			return "", nil, err
		}
		if e != nil {
			return k, sh.zpop(e, count, max), nil
		}
	}
	return "", nil, nil
}

// ZRandMember returns members chosen at random, as ZRANDMEMBER with a count
// does: for count >= 0, min(count, Len) distinct members (all of them, in
// descending order, when count >= Len); for count < 0, -count members that
// may repeat (at most MaxRandomCount, else errValueRange). Either lock held.
func (sh *Shard) ZRandMember(key string, count int64) ([]types.ZEntry, error) {
	z, err := sh.zsetRead(key)
	if z == nil || err != nil || count == 0 {
		return nil, err
	}
	if count < -MaxRandomCount {
		return nil, errValueRange // as SRANDMEMBER and HRANDFIELD
	}
	n := z.Len()
	switch {
	case count < 0 || count == 1:
		k := count
		if k < 0 {
			k = -k
		}
		out := make([]types.ZEntry, 0, min(k, 1<<16))
		for range k {
			m, s, _ := z.Random(lockedRand)
			out = append(out, types.ZEntry{Member: m, Score: s})
		}
		return out, nil
	case count >= int64(n):
		// Redis walks the whole set from the highest member down.
		out := make([]types.ZEntry, 0, n)
		for m, s := range z.Descend() {
			out = append(out, types.ZEntry{Member: m, Score: s})
		}
		return out, nil
	}
	out := make([]types.ZEntry, 0, count)
	z.RandomN(lockedRand, int(count), func(m string, s float64) {
		out = append(out, types.ZEntry{Member: m, Score: s})
	})
	return out, nil
}

// ZScan performs one ZSCAN step over key, returning the next cursor and the
// member/score pairs as ZSCAN replies them (scores of a listpack set as the
// listpack stores them). Either lock held.
func (sh *Shard) ZScan(key string, cursor uint64, count int, match func(string) bool) (uint64, []string, error) {
	z, err := sh.zsetRead(key)
	if z == nil || err != nil {
		return 0, nil, err
	}
	var out []string
	format := types.FormatScore
	if z.Encoding() == types.EncodingListpack {
		format = listpackScore
	}
	next := z.Scan(cursor, count, func(m string, s float64) {
		if match == nil || match(m) {
			out = append(out, m, format(s))
		}
	})
	return next, out, nil
}

// listpackScore formats a score as a listpack stores it: an integer when it
// is integral and within ±2^62 (LLONG_MAX/2), else "%.17g".
func listpackScore(s float64) string {
	const lim = float64(math.MaxInt64 / 2)
	if s >= -lim && s <= lim && s == math.Trunc(s) {
		return strconv.FormatInt(int64(s), 10)
	}
	return types.FormatScore(s)
}

// zpopCmd is ZPOPMIN and ZPOPMAX.
func zpopCmd(c *Ctx, max bool) {
	if len(c.Args) > 3 {
		c.err(ErrSyntax)
		return
	}
	count := int64(-1) // absent
	if len(c.Args) == 3 {
		n, ok := ParseInt(c.Args[2])
		if !ok || n < 0 {
			c.err(ErrPositive)
			return
		}
		count = n
	}
	n := count
	if n == -1 {
		n = 1
	}
	ents, err := c.shard(c.Args[1]).ZPop(c.Args[1], int(n), max)
	if err != nil {
		c.err(err)
		return
	}
	c.writeEntries(ents, true, c.W.Resp3() && count != -1)
}

func zmpopCmd(c *Ctx) {
	keys, max, count, ok := c.zmpopArgs(1)
	if !ok {
		return
	}
	key, ents, err := c.En.ZMPop(keys, count, max)
	switch {
	case err != nil:
		c.err(err)
	case key == "" && ents == nil:
		c.W.WriteNullArray()
	default:
		c.W.WriteArray(2)
		c.W.WriteBulk(key)
		c.writeEntries(ents, true, true)
	}
}

func zrandmemberCmd(c *Ctx) {
	key := c.Args[1]
	if len(c.Args) == 2 {
		z, err := c.shard(key).zsetRead(key)
		switch {
		case err != nil:
			c.err(err)
		case z == nil:
			c.W.WriteNull()
		default:
			m, _, _ := z.Random(lockedRand)
			c.W.WriteBulk(m)
		}
		return
	}
	count, ok := c.intArg(2)
	if !ok {
		return
	}
	if count == math.MinInt64 {
		c.err(errorf("ERR value is out of range, value must between %d and %d", int64(-math.MaxInt64), int64(math.MaxInt64)))
		return
	}
	withScores := false
	if len(c.Args) > 4 || (len(c.Args) == 4 && !eq(c.Args[3], "withscores")) {
		c.err(ErrSyntax)
		return
	} else if len(c.Args) == 4 {
		withScores = true
		if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
			c.err(errorf("ERR value is out of range"))
			return
		}
	}
	ents, err := c.shard(key).ZRandMember(key, count)
	if err != nil {
		c.err(err)
		return
	}
	c.writeEntries(ents, withScores, withScores && c.W.Resp3())
}

func zscanCmd(c *Ctx) {
	cursor, ok := parseCursor(c.Args[2])
	if !ok {
		c.err(errorf("ERR invalid cursor"))
		return
	}
	key := c.Args[1]
	sh := c.shard(key)
	z, err := sh.zsetRead(key)
	switch {
	case err != nil:
		c.err(err)
		return
	case z == nil:
		c.writeScan(0, nil)
		return
	}
	// The options are parsed after the key is looked up, as in Redis; the
	// shared parser gets the cursor already read.
	args := c.Args
	c.Args = slices.Clone(args)
	c.Args[2] = "0"
	o, ok := c.scanArgs(2, false)
	c.Args = args
	if !ok {
		return
	}
	var match func(string) bool
	if o.match != "" {
		match = o.matches
	}
	next, items, err := sh.ZScan(key, cursor, o.count, match)
	if err != nil {
		c.err(err)
		return
	}
	c.writeScan(next, items)
}
