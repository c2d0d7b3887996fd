package types

import (
	"errors"
	"strings"
)

// Errors returned by ParseScoreRange and ParseLexRange; their texts are
// Redis's replies.
var (
	// ErrScoreRange reports a score range bound that is not a float.
	ErrScoreRange = errors.New("ERR min or max is not a float")
	// ErrLexRange reports a lex range bound not starting with '[' or '('
	// and not "-" or "+".
	ErrLexRange = errors.New("ERR min or max not valid string range item")
)

// ScoreRange is a score interval as written in ZRANGEBYSCORE and friends:
// Min and Max are inclusive unless MinEx or MaxEx is set.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// ParseScoreRange parses the min (lo) and max (hi) arguments of ZRANGEBYSCORE,
// ZCOUNT, ZREMRANGEBYSCORE and ZRANGE BYSCORE (for the REV forms, which
// take max first, pass the arguments swapped back) the way Redis 7.0's
// zslParseRange does: a leading '(' makes the bound exclusive, and the rest
// is read by C's strtod, so leading whitespace, hexadecimal, "inf",
// "-infinity" and out-of-range values (which become ±inf or 0) are
// accepted, an empty bound ("" or "(") reads as 0, and anything after the
// number (including trailing spaces) or NaN is an error (ErrScoreRange). As
// in C, the argument ends at its first NUL byte.
func ParseScoreRange(lo, hi string) (ScoreRange, error) {
	var r ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = parseScoreBound(lo); !ok {
		return ScoreRange{}, ErrScoreRange
	}
	if r.Max, r.MaxEx, ok = parseScoreBound(hi); !ok {
		return ScoreRange{}, ErrScoreRange
	}
	return r, nil
}

// parseScoreBound parses one bound of a score range.
func parseScoreBound(s string) (v float64, exclusive, ok bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if len(s) > 0 && s[0] == '(' {
		exclusive = true
		s = s[1:]
	}
	v, ok = parseStrtod(s, true)
	return v, exclusive, ok
}

// gteMin reports whether v is above the range's lower bound.
func (r *ScoreRange) gteMin(v float64) bool {
	if r.MinEx {
		return v > r.Min
	}
	return v >= r.Min
}

// lteMax reports whether v is below the range's upper bound.
func (r *ScoreRange) lteMax(v float64) bool {
	if r.MaxEx {
		return v < r.Max
	}
	return v <= r.Max
}

// Contains reports whether score lies in the range.
func (r ScoreRange) Contains(score float64) bool { return r.gteMin(score) && r.lteMax(score) }

// empty reports whether no score can lie in the range.
func (r *ScoreRange) empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// LexBound is one end of a lexicographic range.
type LexBound struct {
	// Inf is -1 for "-" (below every string), +1 for "+" (above every
	// string) and 0 for a bound given by Value.
	Inf int8
	// Value is the bound's string when Inf is 0.
	Value string
	// Exclusive is set for "(value", and for "-" and "+".
	Exclusive bool
}

// LexRange is a member interval as written in ZRANGEBYLEX and friends.
type LexRange struct {
	Min, Max LexBound
}

// ParseLexRange parses the min (lo) and max (hi) arguments of ZRANGEBYLEX,
// ZLEXCOUNT, ZREMRANGEBYLEX and ZRANGE BYLEX: "[value" (inclusive),
// "(value" (exclusive), "-" and "+". Anything else is ErrLexRange.
func ParseLexRange(lo, hi string) (LexRange, error) {
	var r LexRange
	var ok bool
	if r.Min, ok = parseLexBound(lo); !ok {
		return LexRange{}, ErrLexRange
	}
	if r.Max, ok = parseLexBound(hi); !ok {
		return LexRange{}, ErrLexRange
	}
	return r, nil
}

// parseLexBound parses one bound of a lex range. Like Redis, which checks
// the byte after '-' or '+' against the C string terminator, it accepts
// "-" or "+" followed by a NUL byte and anything after it.
func parseLexBound(s string) (LexBound, bool) {
	if s == "" {
		return LexBound{}, false
	}
	switch s[0] {
	case '-', '+':
		if len(s) > 1 && s[1] != 0 {
			return LexBound{}, false
		}
		if s[0] == '-' {
			return LexBound{Inf: -1, Exclusive: true}, true
		}
		return LexBound{Inf: 1, Exclusive: true}, true
	case '(':
		return LexBound{Value: s[1:], Exclusive: true}, true
	case '[':
		return LexBound{Value: s[1:]}, true
	}
	return LexBound{}, false
}

// compareLex compares member against bound, returning -1, 0 or +1.
func compareLex(member string, b *LexBound) int {
	switch b.Inf {
	case -1:
		return 1
	case 1:
		return -1
	}
	return strings.Compare(member, b.Value)
}

// gteMin reports whether member is above the range's lower bound.
func (r *LexRange) gteMin(member string) bool {
	c := compareLex(member, &r.Min)
	return c > 0 || (c == 0 && !r.Min.Exclusive)
}

// lteMax reports whether member is below the range's upper bound.
func (r *LexRange) lteMax(member string) bool {
	c := compareLex(member, &r.Max)
	return c < 0 || (c == 0 && !r.Max.Exclusive)
}

// Contains reports whether member lies in the range.
func (r LexRange) Contains(member string) bool { return r.gteMin(member) && r.lteMax(member) }

// empty reports whether no member can lie in the range.
func (r *LexRange) empty() bool {
	var c int
	switch {
	case r.Min.Inf == r.Max.Inf && r.Min.Inf != 0:
		c = 0
	case r.Min.Inf < 0 || r.Max.Inf > 0:
		c = -1
	case r.Min.Inf > 0 || r.Max.Inf < 0:
		c = 1
	default:
		c = strings.Compare(r.Min.Value, r.Max.Value)
	}
	return c > 0 || (c == 0 && (r.Min.Exclusive || r.Max.Exclusive))
}

// mayOverlap is Redis's zslIsInRange / zslIsInLexRange: false when the
// range is empty or lies entirely beyond either end of the set.
func (z *ZSet) mayOverlap(empty bool, gteMin, lteMax func(*slNode) bool) bool {
	return !empty && z.sl.tail != nil && gteMin(z.sl.tail) && lteMax(z.sl.first())
}

// firstIn returns the first node in a range and its 1-based rank, or nil.
// A "listpack" set scans from the head, as Redis's listpack code does.
func (z *ZSet) firstIn(empty bool, gteMin, lteMax func(*slNode) bool) (*slNode, int) {
	if !z.mayOverlap(empty, gteMin, lteMax) {
		return nil, 0
	}
	var x *slNode
	var r int
	if z.listpack {
		r = 1
		for x = z.sl.first(); x != nil && !gteMin(x); x = x.lv[0].next {
			r++
		}
	} else {
		x, r = z.sl.firstWhere(func(n *slNode) bool { return !gteMin(n) })
	}
	if x == nil || !lteMax(x) {
		return nil, 0
	}
	return x, r
}

// lastIn returns the last node in a range and its 1-based rank, or nil.
// A "listpack" set scans from the tail, as Redis's listpack code does.
func (z *ZSet) lastIn(empty bool, gteMin, lteMax func(*slNode) bool) (*slNode, int) {
	if !z.mayOverlap(empty, gteMin, lteMax) {
		return nil, 0
	}
	var x *slNode
	var r int
	if z.listpack {
		r = z.sl.length
		for x = z.sl.tail; x != nil && !lteMax(x); x = x.prev {
			r--
		}
	} else {
		x, r = z.sl.lastWhere(lteMax)
	}
	if x == nil || !gteMin(x) {
		return nil, 0
	}
	return x, r
}

// rangeIn implements RangeByScore and RangeByLex: find the first (or last)
// member in range, jump offset members by rank, then report members while
// they stay within the far bound, at most limit of them (all if negative).
func (z *ZSet) rangeIn(empty bool, gteMin, lteMax func(*slNode) bool, reverse bool, offset, limit int, fn func(string, float64) bool) {
	if offset < 0 || limit == 0 {
		return // Redis walks a negative offset off the end of the set
	}
	if !reverse {
		x, r := z.firstIn(empty, gteMin, lteMax)
		if x == nil {
			return
		}
		if offset > 0 {
			if offset > z.sl.length-r {
				return
			}
			x = z.sl.byRank(r + offset)
		}
		for ; x != nil && limit != 0 && lteMax(x); x = x.lv[0].next {
			if !fn(x.member, x.score) {
				return
			}
			limit--
		}
		return
	}
	x, r := z.lastIn(empty, gteMin, lteMax)
	if x == nil {
		return
	}
	if offset > 0 {
		if offset >= r {
			return
		}
		x = z.sl.byRank(r - offset)
	}
	for ; x != nil && limit != 0 && gteMin(x); x = x.prev {
		if !fn(x.member, x.score) {
			return
		}
		limit--
	}
}

// scoreFuncs returns r's bound tests on nodes.
func scoreFuncs(r *ScoreRange) (gteMin, lteMax func(*slNode) bool) {
	return func(x *slNode) bool { return r.gteMin(x.score) },
		func(x *slNode) bool { return r.lteMax(x.score) }
}

// lexFuncs returns r's bound tests on nodes.
func lexFuncs(r *LexRange) (gteMin, lteMax func(*slNode) bool) {
	return func(x *slNode) bool { return r.gteMin(x.member) },
		func(x *slNode) bool { return r.lteMax(x.member) }
}

// RangeByScore calls fn with the members whose scores lie in r, in
// ascending order, or descending when reverse is set (ZREVRANGEBYSCORE;
// the caller passes min and max in their usual roles). offset and limit are
// LIMIT's: skip offset members (a negative offset yields nothing, as in
// Redis) and report at most limit (all when negative). Skipping costs
// O(log n), not O(offset). Iteration stops early when fn returns false.
func (z *ZSet) RangeByScore(r ScoreRange, reverse bool, offset, limit int, fn func(member string, score float64) bool) {
	gte, lte := scoreFuncs(&r)
	z.rangeIn(r.empty(), gte, lte, reverse, offset, limit, fn)
}

// RangeByLex calls fn with the members that lie in r, with RangeByScore's
// ordering and LIMIT rules. As in Redis, the result is meaningful only when
// all members have the same score.
func (z *ZSet) RangeByLex(r LexRange, reverse bool, offset, limit int, fn func(member string, score float64) bool) {
	gte, lte := lexFuncs(&r)
	z.rangeIn(r.empty(), gte, lte, reverse, offset, limit, fn)
}

// CountByScore returns the number of members whose scores lie in r
// (ZCOUNT), in O(log n).
func (z *ZSet) CountByScore(r ScoreRange) int {
	gte, lte := scoreFuncs(&r)
	first, fr := z.firstIn(r.empty(), gte, lte)
	if first == nil {
		return 0
	}
	_, lr := z.lastIn(r.empty(), gte, lte)
	return lr - fr + 1
}

// CountByLex returns the number of members in r (ZLEXCOUNT). Over members
// with equal scores it costs O(log n) ("skiplist") or O(n) ("listpack", as
// in Redis); over mixed scores it counts as Redis's code for the current
// encoding does.
func (z *ZSet) CountByLex(r LexRange) int {
	gte, lte := lexFuncs(&r)
	first, fr := z.firstIn(r.empty(), gte, lte)
	if first == nil {
		return 0
	}
	if z.listpack {
		n := 0
		for x := first; x != nil && lte(x); x = x.lv[0].next {
			n++
		}
		return n
	}
	_, lr := z.lastIn(r.empty(), gte, lte)
	if lr == 0 {
		return z.sl.length - fr + 1
	}
	return lr - fr + 1
}

// RemoveRangeByScore removes the members whose scores lie in r
// (ZREMRANGEBYSCORE), calls fn (if not nil) for each in ascending order,
// and returns how many it removed.
func (z *ZSet) RemoveRangeByScore(r ScoreRange, fn func(member string, score float64)) int {
	return z.sl.deleteFrom(
		func(x *slNode) bool { return !r.gteMin(x.score) },
		func(x *slNode) bool { return r.lteMax(x.score) },
		z.removeNode(fn))
}

// RemoveRangeByLex removes the members in r (ZREMRANGEBYLEX), calls fn (if
// not nil) for each in ascending order, and returns how many it removed.
func (z *ZSet) RemoveRangeByLex(r LexRange, fn func(member string, score float64)) int {
	gte, lte := lexFuncs(&r)
	if z.listpack {
		// Redis's listpack code deletes from the first member in range
		// while members stay below max.
		first, _ := z.firstIn(r.empty(), gte, lte)
		if first == nil {
			return 0
		}
		var update [slMaxLevel]*slNode
		z.sl.findUpdate(first.score, first.member, &update)
		return z.sl.deleteRun(first, &update, lte, z.removeNode(fn))
	}
	return z.sl.deleteFrom(func(x *slNode) bool { return !gte(x) }, lte, z.removeNode(fn))
}
