package engine

import (
	"math"
	"slices"
	"strings"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// ErrZLimitNegative is ZINTERCARD's reply to a negative LIMIT.
var ErrZLimitNegative = errorf("ERR LIMIT can't be negative")

// ZNumKeysError is the reply of ZUNION, ZINTER, ZDIFF, ZINTERCARD and the
// STORE forms (name, lowercase) given no input key.
func ZNumKeysError(name string) error {
	return errorf("ERR at least 1 input key is needed for '%s' command", name)
}

// ZSetOp is the operation of ZUNION, ZINTER and ZDIFF and their STORE forms.
type ZSetOp uint8

// Sorted-set operations.
const (
	ZUnion ZSetOp = iota
	ZInter
	ZDiff
)

// ZAggregate is ZUNION's and ZINTER's AGGREGATE option.
type ZAggregate uint8

// Aggregates.
const (
	ZAggSum ZAggregate = iota
	ZAggMin
	ZAggMax
)

// ZCombineArgs describes a ZUNION, ZINTER or ZDIFF.
type ZCombineArgs struct {
	Op      ZSetOp
	Keys    []string  // sorted sets or sets (whose members score 1)
	Weights []float64 // nil or one per key (not for ZDiff)
	Agg     ZAggregate
}

// zsrc is one input of a sorted-set operation.
type zsrc struct {
	z      *types.ZSet
	s      *types.Set
	weight float64
}

func (s *zsrc) length() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.s != nil:
		return s.s.Len()
	}
	return 0
}

// each calls fn for every member: a sorted set from the highest down, as
// Redis iterates them, a set in its own order with score 1.
func (s *zsrc) each(fn func(m string, score float64) bool) {
	switch {
	case s.z != nil:
		for m, sc := range s.z.Descend() {
			if !fn(m, sc) {
				return
			}
		}
	case s.s != nil:
		s.s.All(func(m string) bool { return fn(m, 1) })
	}
}

func (s *zsrc) find(m string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.s != nil:
		return 1, s.s.Has(m)
	}
	return 0, false
}

// zsources looks up the inputs of a sorted-set operation: sorted sets, sets
// (members score 1) or missing keys (empty). Any other type is WRONGTYPE.
// The keys' shards are held.
func (en *Engine) zsources(keys []string) ([]zsrc, error) {
	src := make([]zsrc, len(keys))
	for i, k := range keys {
		src[i].weight = 1
		e := en.ShardOf(k).lookupRead(k)
		if e == nil {
			continue
		}
		switch e.Kind() {
		case keyspace.KindZSet:
			src[i].z = zsetOf(e)
		case keyspace.KindSet:
			src[i].s = setOf(e)
		default:
			return nil, ErrWrongType
		}
	}
	return src, nil
}

// aggregate folds v into *t as Redis's zunionInterAggregate does: a NaN sum
// becomes 0, and MIN and MAX ignore a NaN v.
func aggregate(t *float64, v float64, agg ZAggregate) {
	switch agg {
	case ZAggSum:
		*t += v
		if math.IsNaN(*t) {
			*t = 0
		}
	case ZAggMin:
		if v < *t {
			*t = v
		}
	case ZAggMax:
		if v > *t {
			*t = v
		}
	}
}

// ZCombine computes a ZUNION, ZINTER or ZDIFF and returns the result in
// ascending order. The shards of all keys are held.
func (en *Engine) ZCombine(a ZCombineArgs) ([]types.ZEntry, error) {
	src, err := en.zsources(a.Keys)
	if err != nil {
		return nil, err
	}
	for i, w := range a.Weights {
		src[i].weight = w
	}
	return zcombine(src, a.Op, a.Agg), nil
}

// ZInterCard returns the size of the intersection of keys, counting at most
// limit members when limit > 0. The shards of all keys are held.
func (en *Engine) ZInterCard(keys []string, limit int) (int, error) {
	src, err := en.zsources(keys)
	if err != nil {
		return 0, err
	}
	return zinterCard(src, limit), nil
}

// zinterCard counts the intersection of src, stopping at limit when > 0.
func zinterCard(src []zsrc, limit int) int {
	n := 0
	zinter(src, ZAggSum, func(string, float64) bool {
		n++
		return limit <= 0 || n < limit
	})
	return n
}

// ZCombineStore computes a ZUNIONSTORE, ZINTERSTORE or ZDIFFSTORE: the
// result replaces dst (an empty result deletes it) and its size is
// returned. The shards of dst and all keys are held exclusively.
func (en *Engine) ZCombineStore(dst string, a ZCombineArgs) (int, error) {
	ents, err := en.ZCombine(a)
	if err != nil {
		return 0, err
	}
	sh := en.ShardOf(dst)
	n := sh.zstore(dst, ents, true)
	if n > 0 {
		sh.notify(ClassZSet, zstoreEvents[a.Op], dst)
	}
	return n, nil
}

// zcombine runs op over src. The result is sorted by (score, member).
func zcombine(src []zsrc, op ZSetOp, agg ZAggregate) []types.ZEntry {
	var out []types.ZEntry
	switch op {
	case ZInter:
		zinter(src, agg, func(m string, s float64) bool {
			out = append(out, types.ZEntry{Member: m, Score: s})
			return true
		})
	case ZUnion:
		// Redis sorts the inputs by size (a stable sort in glibc), which
		// fixes the order scores are summed in.
		slices.SortStableFunc(src, bySize)
		acc := make(map[string]int)
		for i := range src {
			w := src[i].weight
			src[i].each(func(m string, s float64) bool {
				v := w * s
				if math.IsNaN(v) {
					v = 0
				}
				if j, ok := acc[m]; ok {
					aggregate(&out[j].Score, v, agg)
				} else {
					acc[m] = len(out)
					out = append(out, types.ZEntry{Member: m, Score: v})
				}
				return true
			})
		}
	case ZDiff:
		if src[0].length() == 0 {
			return nil
		}
		src[0].each(func(m string, s float64) bool {
			for j := 1; j < len(src); j++ {
				if _, ok := src[j].find(m); ok {
					return true
				}
			}
			out = append(out, types.ZEntry{Member: m, Score: s})
			return true
		})
	}
	slices.SortFunc(out, func(a, b types.ZEntry) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return strings.Compare(a.Member, b.Member)
	})
	return out
}

// bySize orders inputs by size.
func bySize(a, b zsrc) int { return a.length() - b.length() }

// zinter calls fn with each member of the intersection of src and its
// aggregated score until fn returns false. It sorts src by size.
func zinter(src []zsrc, agg ZAggregate, fn func(m string, s float64) bool) {
	slices.SortStableFunc(src, bySize)
	if src[0].length() == 0 {
		return
	}
	src[0].each(func(m string, s float64) bool {
		score := src[0].weight * s
		if math.IsNaN(score) {
			score = 0
		}
		for j := 1; j < len(src); j++ {
			v, ok := src[j].find(m)
			if !ok {
				return true
			}
			aggregate(&score, v*src[j].weight, agg)
		}
		return fn(m, score)
	})
}

// isNegZero reports whether f is -0.
func isNegZero(f float64) bool { return f == 0 && math.Signbit(f) }

// zsetOpCmd implements ZUNION, ZINTER, ZDIFF, ZINTERCARD (card) and the
// STORE forms (store: the destination is argument 1).
func zsetOpCmd(c *Ctx, op ZSetOp, store, card bool) {
	ni := 1
	if store {
		ni = 2
	}
	setnum, ok := c.intArg(ni)
	if !ok {
		return
	}
	if setnum < 1 {
		c.err(ZNumKeysError(c.Cmd.Name))
		return
	}
	if setnum > int64(len(c.Args)-(ni+1)) {
		c.err(ErrSyntax)
		return
	}
	keys := c.Args[ni+1 : ni+1+int(setnum)]
	src, err := c.En.zsources(keys)
	if err != nil {
		c.err(err)
		return
	}
	agg := ZAggSum
	withScores := false
	limit := int64(0)
	for j := ni + 1 + int(setnum); j < len(c.Args); {
		left := len(c.Args) - j
		switch o := c.Args[j]; {
		case op != ZDiff && !card && left >= int(setnum)+1 && eq(o, "weights"):
			j++
			for i := range src {
				w, err := types.ParseScore(c.Args[j])
				if err != nil {
					c.err(errorf("ERR weight value is not a float"))
					return
				}
				src[i].weight = w
				j++
			}
		case op != ZDiff && !card && left >= 2 && eq(o, "aggregate"):
			switch a := c.Args[j+1]; {
			case eq(a, "sum"):
				agg = ZAggSum
			case eq(a, "min"):
				agg = ZAggMin
			case eq(a, "max"):
				agg = ZAggMax
			default:
				c.err(ErrSyntax)
				return
			}
			j += 2
		case !store && !card && eq(o, "withscores"):
			withScores = true
			j++
		case card && left >= 2 && eq(o, "limit"):
			n, ok := ParseInt(c.Args[j+1])
			if !ok || n < 0 {
				c.err(ErrZLimitNegative)
				return
			}
			limit = n
			j += 2
		default:
			c.err(ErrSyntax)
			return
		}
	}
	if card {
		c.W.WriteInt(int64(zinterCard(src, int(limit))))
		return
	}
	ents := zcombine(src, op, agg)
	if store {
		dsh := c.shard(c.Args[1])
		n := dsh.zstore(c.Args[1], ents, true)
		if n > 0 {
			dsh.notify(ClassZSet, zstoreEvents[op], c.Args[1])
		}
		c.W.WriteInt(int64(n))
		return
	}
	c.writeEntries(ents, withScores, withScores && c.W.Resp3())
}
