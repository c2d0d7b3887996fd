package kevy

import (
	"math"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/types"
)

// Z is a sorted-set member with its score.
type Z struct {
	Score  float64
	Member string
}

// Aggregate says how ZUnion and ZInter combine the scores a member has in
// several inputs.
type Aggregate int

// Aggregates.
const (
	AggregateSum Aggregate = iota // the sum of the (weighted) scores; the default
	AggregateMin                  // the lowest
	AggregateMax                  // the highest
)

// ZOpts are the WEIGHTS and AGGREGATE options of ZUnion, ZInter, ZUnionStore
// and ZInterStore. A nil *ZOpts means weights of 1 and AggregateSum.
type ZOpts struct {
	// Weights multiply each input's scores; nil means 1 for every input,
	// otherwise there must be one weight per key.
	Weights   []float64
	Aggregate Aggregate
}

// zs converts engine entries to Z values.
func zs(ents []types.ZEntry) []Z {
	if ents == nil {
		return nil
	}
	out := make([]Z, len(ents))
	for i, e := range ents {
		out[i] = Z{Score: e.Score, Member: e.Member}
	}
	return out
}

// ZAdd adds members to the sorted set at key, or updates their scores, and
// returns how many were new. Members are ordered by (score, member). A NaN
// score gives ErrNotFloat.
func (s *Store) ZAdd(key string, members ...Z) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(members) == 0 {
		return 0, engine.ArityError("zadd")
	}
	es := make([]types.ZEntry, len(members))
	for i, m := range members {
		if math.IsNaN(m.Score) {
			return 0, ErrNotFloat
		}
		es[i] = types.ZEntry{Member: m.Member, Score: m.Score}
	}
	var out engine.ZAddOutcome
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) { out, err = sh.ZAdd(key, es, 0) }); e != nil {
		return 0, e
	}
	return out.Added, err
}

// ZIncrBy adds delta to member's score (a missing member or key starts at
// 0) and returns the new score. An increment that makes the score NaN (inf
// plus -inf) is an error and changes nothing.
func (s *Store) ZIncrBy(key, member string, delta float64) (float64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if math.IsNaN(delta) {
		return 0, ErrNotFloat
	}
	var out engine.ZAddOutcome
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) {
		out, err = sh.ZAdd(key, []types.ZEntry{{Member: member, Score: delta}}, types.ZAddIncr)
	}); e != nil {
		return 0, e
	}
	return out.Score, err
}

// ZRem removes members from the sorted set at key and returns how many
// existed. A sorted set left empty is deleted.
func (s *Store) ZRem(key string, members ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	if e := s.en.Modify(key, func(sh *engine.Shard) { n, err = sh.ZRem(key, members) }); e != nil {
		return 0, e
	}
	return n, err
}

// ZScore returns member's score, or ErrNotFound.
func (s *Store) ZScore(key, member string) (float64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var f float64
	var err error
	s.en.Read(key, func(sh *engine.Shard) { f, err = sh.ZScore(key, member) })
	return f, err
}

// ZMScore returns the scores of members, in order; a member (or key) that
// does not exist gets NaN, which no score can be.
func (s *Store) ZMScore(key string, members ...string) ([]float64, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var out []float64
	var err error
	s.en.Read(key, func(sh *engine.Shard) { out, err = sh.ZMScore(key, members) })
	return out, err
}

// ZCard returns the number of members of the sorted set at key (0 when missing).
func (s *Store) ZCard(key string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	s.en.Read(key, func(sh *engine.Shard) { n, err = sh.ZCard(key) })
	return n, err
}

// ZRank returns member's 0-based position in ascending score order, or
// ErrNotFound.
func (s *Store) ZRank(key, member string) (int, error) { return s.zrank(key, member, false) }

// ZRevRank returns member's 0-based position in descending score order, or
// ErrNotFound.
func (s *Store) ZRevRank(key, member string) (int, error) { return s.zrank(key, member, true) }

func (s *Store) zrank(key, member string, rev bool) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	s.en.Read(key, func(sh *engine.Shard) { n, err = sh.ZRank(key, member, rev) })
	return n, err
}

// ZCount returns how many members have a score between min and max
// inclusive.
func (s *Store) ZCount(key string, min, max float64) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	r := types.ScoreRange{Min: min, Max: max}
	var n int
	var err error
	s.en.Read(key, func(sh *engine.Shard) { n, err = sh.ZCount(key, r) })
	return n, err
}

// ZLexCount returns how many members lie between min and max, written as in
// ZRANGEBYLEX: "[a" (inclusive), "(a" (exclusive), "-" and "+". It is
// meaningful when all members have the same score.
func (s *Store) ZLexCount(key, min, max string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	r, err := types.ParseLexRange(min, max)
	if err != nil {
		return 0, err
	}
	var n int
	s.en.Read(key, func(sh *engine.Shard) { n, err = sh.ZLexCount(key, r) })
	return n, err
}

// zrange runs a range read.
func (s *Store) zrange(key string, spec engine.ZRangeSpec) ([]Z, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var ents []types.ZEntry
	var err error
	s.en.Read(key, func(sh *engine.Shard) { ents, err = sh.ZRange(key, spec) })
	return zs(ents), err
}

// ZRange returns the members of ranks start..stop inclusive, in ascending
// score order, with their scores. Negative ranks count from the end (-1 is
// the last member); ranges beyond the set are clipped.
func (s *Store) ZRange(key string, start, stop int) ([]Z, error) {
	return s.zrange(key, engine.ZRangeSpec{By: engine.ZByRank, Start: int64(start), Stop: int64(stop)})
}

// ZRevRange is ZRange in descending score order: rank 0 is the highest.
func (s *Store) ZRevRange(key string, start, stop int) ([]Z, error) {
	return s.zrange(key, engine.ZRangeSpec{By: engine.ZByRank, Start: int64(start), Stop: int64(stop), Rev: true})
}

// ZRangeByScore returns the members with min <= score <= max in ascending
// order, skipping the first offset of them and returning at most count
// (all when count < 0), as ZRANGEBYSCORE ... LIMIT does.
func (s *Store) ZRangeByScore(key string, min, max float64, offset, count int) ([]Z, error) {
	return s.zrange(key, engine.ZRangeSpec{By: engine.ZByScore, Score: types.ScoreRange{Min: min, Max: max},
		Offset: int64(offset), Limit: int64(count)})
}

// ZRevRangeByScore is ZRangeByScore in descending order, from max down to
// min.
func (s *Store) ZRevRangeByScore(key string, max, min float64, offset, count int) ([]Z, error) {
	return s.zrange(key, engine.ZRangeSpec{By: engine.ZByScore, Score: types.ScoreRange{Min: min, Max: max},
		Rev: true, Offset: int64(offset), Limit: int64(count)})
}

// ZRangeByLex returns the members between min and max (written as for
// ZLexCount) in ascending order, with ZRangeByScore's offset and count.
func (s *Store) ZRangeByLex(key, min, max string, offset, count int) ([]string, error) {
	r, err := types.ParseLexRange(min, max)
	if err != nil {
		return nil, err
	}
	z, err := s.zrange(key, engine.ZRangeSpec{By: engine.ZByLex, Lex: r, Offset: int64(offset), Limit: int64(count)})
	if z == nil {
		return nil, err
	}
	out := make([]string, len(z))
	for i, m := range z {
		out[i] = m.Member
	}
	return out, err
}

// ZRangeStore stores the members of ranks start..stop of src (as ZRange
// selects them) in dst, replacing it, and returns how many it stored; an
// empty result deletes dst.
func (s *Store) ZRangeStore(dst, src string, start, stop int) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	if e := s.en.Batch([]string{dst, src}, true, func() {
		n, err = s.en.ZRangeStore(dst, src, engine.ZRangeSpec{By: engine.ZByRank, Start: int64(start), Stop: int64(stop)})
	}); e != nil {
		return 0, e
	}
	return n, err
}

// zremrange runs a range removal.
func (s *Store) zremrange(key string, spec engine.ZRangeSpec) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	if e := s.en.Modify(key, func(sh *engine.Shard) { n, err = sh.ZRemRange(key, spec) }); e != nil {
		return 0, e
	}
	return n, err
}

// ZRemRangeByRank removes the members of ranks start..stop (as ZRange
// selects them) and returns how many it removed. A sorted set left empty is
// deleted.
func (s *Store) ZRemRangeByRank(key string, start, stop int) (int, error) {
	return s.zremrange(key, engine.ZRangeSpec{By: engine.ZByRank, Start: int64(start), Stop: int64(stop)})
}

// ZRemRangeByScore removes the members with min <= score <= max and
// returns how many it removed.
func (s *Store) ZRemRangeByScore(key string, min, max float64) (int, error) {
	return s.zremrange(key, engine.ZRangeSpec{By: engine.ZByScore, Score: types.ScoreRange{Min: min, Max: max}})
}

// ZRemRangeByLex removes the members between min and max (written as for
// ZLexCount) and returns how many it removed.
func (s *Store) ZRemRangeByLex(key, min, max string) (int, error) {
	r, err := types.ParseLexRange(min, max)
	if err != nil {
		return 0, err
	}
	return s.zremrange(key, engine.ZRangeSpec{By: engine.ZByLex, Lex: r})
}

// ZPopMin removes and returns up to count members with the lowest scores,
// lowest first. A missing key gives none; a sorted set left empty is
// deleted.
func (s *Store) ZPopMin(key string, count int) ([]Z, error) { return s.zpop(key, count, false) }

// ZPopMax removes and returns up to count members with the highest scores,
// highest first.
func (s *Store) ZPopMax(key string, count int) ([]Z, error) { return s.zpop(key, count, true) }

func (s *Store) zpop(key string, count int, max bool) ([]Z, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if count < 0 {
		return nil, engine.ErrPositive
	}
	var ents []types.ZEntry
	var err error
	if e := s.en.Modify(key, func(sh *engine.Shard) { ents, err = sh.ZPop(key, count, max) }); e != nil {
		return nil, e
	}
	return zs(ents), err
}

// ZRandMember returns members chosen at random, with their scores: for
// count >= 0, up to count distinct members; for count < 0, -count members
// that may repeat.
func (s *Store) ZRandMember(key string, count int) ([]Z, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var ents []types.ZEntry
	var err error
	s.en.Read(key, func(sh *engine.Shard) { ents, err = sh.ZRandMember(key, int64(count)) })
	return zs(ents), err
}

// combineArgs checks and converts the inputs of a set operation.
func combineArgs(name string, op engine.ZSetOp, keys []string, o *ZOpts) (engine.ZCombineArgs, error) {
	a := engine.ZCombineArgs{Op: op, Keys: keys}
	if len(keys) == 0 {
		return a, engine.ZNumKeysError(name)
	}
	if o != nil {
		if o.Weights != nil && len(o.Weights) != len(keys) {
			return a, ErrSyntax
		}
		for _, w := range o.Weights {
			if math.IsNaN(w) {
				return a, ErrNotFloat
			}
		}
		a.Weights = o.Weights
		switch o.Aggregate {
		case AggregateSum:
			a.Agg = engine.ZAggSum
		case AggregateMin:
			a.Agg = engine.ZAggMin
		case AggregateMax:
			a.Agg = engine.ZAggMax
		default:
			return a, ErrSyntax
		}
	}
	return a, nil
}

// zcombine runs ZUNION, ZINTER or ZDIFF over keys, which may be sorted sets
// or sets (whose members score 1); missing keys are empty.
func (s *Store) zcombine(name string, op engine.ZSetOp, keys []string, o *ZOpts) ([]Z, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	a, err := combineArgs(name, op, keys, o)
	if err != nil {
		return nil, err
	}
	unlock := s.en.Lock(keys, false)
	defer unlock()
	ents, err := s.en.ZCombine(a)
	return zs(ents), err
}

// zcombineStore is zcombine storing its result in dst.
func (s *Store) zcombineStore(name, dst string, op engine.ZSetOp, keys []string, o *ZOpts) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	a, err := combineArgs(name, op, keys, o)
	if err != nil {
		return 0, err
	}
	var n int
	if e := s.en.Batch(append([]string{dst}, keys...), true, func() { n, err = s.en.ZCombineStore(dst, a) }); e != nil {
		return 0, e
	}
	return n, err
}

// ZUnion returns the union of the sorted sets (or sets) at keys in
// ascending score order; a member's score combines its weighted scores as
// o says.
func (s *Store) ZUnion(keys []string, o *ZOpts) ([]Z, error) {
	return s.zcombine("zunion", engine.ZUnion, keys, o)
}

// ZInter returns the members present in every input, scored as o says.
func (s *Store) ZInter(keys []string, o *ZOpts) ([]Z, error) {
	return s.zcombine("zinter", engine.ZInter, keys, o)
}

// ZDiff returns the members of the first input that are in none of the
// others, with their scores in the first.
func (s *Store) ZDiff(keys ...string) ([]Z, error) {
	return s.zcombine("zdiff", engine.ZDiff, keys, nil)
}

// ZUnionStore stores ZUnion's result in dst, replacing it (an empty result
// deletes dst), and returns its size.
func (s *Store) ZUnionStore(dst string, keys []string, o *ZOpts) (int, error) {
	return s.zcombineStore("zunionstore", dst, engine.ZUnion, keys, o)
}

// ZInterStore stores ZInter's result in dst; see ZUnionStore.
func (s *Store) ZInterStore(dst string, keys []string, o *ZOpts) (int, error) {
	return s.zcombineStore("zinterstore", dst, engine.ZInter, keys, o)
}

// ZDiffStore stores ZDiff's result in dst; see ZUnionStore.
func (s *Store) ZDiffStore(dst string, keys ...string) (int, error) {
	return s.zcombineStore("zdiffstore", dst, engine.ZDiff, keys, nil)
}

// ZInterCard returns the size of the intersection of keys, counting no
// further than limit when limit > 0.
func (s *Store) ZInterCard(limit int, keys ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(keys) == 0 {
		return 0, engine.ZNumKeysError("zintercard")
	}
	if limit < 0 {
		return 0, engine.ErrZLimitNegative
	}
	unlock := s.en.Lock(keys, false)
	defer unlock()
	return s.en.ZInterCard(keys, limit)
}
