package types

import (
	"errors"
	"iter"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"unsafe"
)

// EncodingSkiplist is the OBJECT ENCODING of a large sorted set.
const EncodingSkiplist = "skiplist"

// Redis 7.0's default sorted-set encoding thresholds.
const (
	// DefaultZSetMaxListpackEntries is the default zset-max-listpack-entries.
	DefaultZSetMaxListpackEntries = 128
	// DefaultZSetMaxListpackValue is the default zset-max-listpack-value.
	DefaultZSetMaxListpackValue = 64
)

// ErrScoreNaN is Redis's reply when an increment makes a score NaN
// (for example +inf plus -inf).
var ErrScoreNaN = errors.New("ERR resulting score is not a number (NaN)")

// ZSetLimits holds the zset-max-listpack-entries and zset-max-listpack-value
// settings. Sorted sets read them on every insertion of a new member, so a
// CONFIG SET takes effect for existing keys, as in Redis. The fields are
// atomic and may be changed while sorted sets that refer to them are in use.
type ZSetLimits struct {
	// MaxListpackEntries is the largest member count of a listpack sorted set.
	MaxListpackEntries atomic.Int64
	// MaxListpackValue is the longest member of a listpack sorted set.
	MaxListpackValue atomic.Int64
}

// NewZSetLimits returns ZSetLimits holding Redis 7.0's defaults.
func NewZSetLimits() *ZSetLimits {
	l := new(ZSetLimits)
	l.MaxListpackEntries.Store(DefaultZSetMaxListpackEntries)
	l.MaxListpackValue.Store(DefaultZSetMaxListpackValue)
	return l
}

// DefaultZSetLimits is used by sorted sets created with nil ZSetLimits.
// Changing it affects every such sorted set in the process.
var DefaultZSetLimits = NewZSetLimits()

// ZEntry is a member of a sorted set with its score.
type ZEntry struct {
	Member string
	Score  float64
}

// ZSet is a Redis sorted set: a skiplist with spans, ordered by (score,
// member) with members compared bytewise, plus a Table from member to score,
// as in Redis's t_zset.c. Ranks, rank lookups and the start of every range
// cost O(log n).
//
// Only the skiplist representation exists; the "listpack" encoding is
// emulated in what it makes observable. OBJECT ENCODING reports "listpack"
// until the set first holds more than ZSetLimits.MaxListpackEntries members
// or gains a member longer than ZSetLimits.MaxListpackValue bytes, then
// "skiplist" for good (ConvertToListpackIfFits is the exception Redis makes
// for sets built by the STORE commands and loaded from RDB). While
// "listpack", scores are stored as a listpack stores them, so -0 reads back
// as 0; lex queries scan linearly as Redis's listpack code does, which
// matters only for the (unspecified) results of lex ranges over members with
// different scores; and Scan returns every member in one call.
//
// A ZSet retains the member strings it is given; callers must not pass
// strings that alias mutable memory. The zero value is not usable; create
// sorted sets with NewZSet. A ZSet is not safe for concurrent use and must
// not be copied.
type ZSet struct {
	sl       skiplist
	dict     Table[float64]
	lim      *ZSetLimits
	listpack bool
}

// NewZSet returns an empty sorted set whose encoding thresholds are read
// from lim (DefaultZSetLimits when nil).
func NewZSet(lim *ZSetLimits) *ZSet {
	if lim == nil {
		lim = DefaultZSetLimits
	}
	z := &ZSet{lim: lim, listpack: true}
	z.sl.init()
	return z
}

// Len returns the number of members.
func (z *ZSet) Len() int { return z.sl.length }

// Encoding returns "listpack" or "skiplist".
func (z *ZSet) Encoding() string {
	if z.listpack {
		return EncodingListpack
	}
	return EncodingSkiplist
}

// Score returns the score of member and whether it is present.
func (z *ZSet) Score(member string) (float64, bool) {
	return z.dict.Get(member)
}

// ZAddFlags selects ZADD's conditional behaviour for AddWith. Combinations
// Redis rejects (NX with XX, GT or LT; GT with LT) are the caller's to
// refuse; AddWith applies whatever it is given.
type ZAddFlags uint8

// ZADD options.
const (
	// ZAddNX only adds new members.
	ZAddNX ZAddFlags = 1 << iota
	// ZAddXX only updates existing members.
	ZAddXX
	// ZAddGT only updates an existing member when its score increases.
	ZAddGT
	// ZAddLT only updates an existing member when its score decreases.
	ZAddLT
	// ZAddIncr adds the score to the current one (0 for a new member).
	ZAddIncr
	// ZAddCopy says the member is a view of a buffer the caller will reuse:
	// a new member is stored as a copy.
	ZAddCopy
)

// ZAddResult says what AddWith did.
type ZAddResult uint8

// Outcomes of AddWith.
const (
	// ZAddUnchanged: the member existed and its score stayed the same.
	ZAddUnchanged ZAddResult = iota
	// ZAddAdded: the member was new.
	ZAddAdded
	// ZAddUpdated: the member existed and its score changed.
	ZAddUpdated
	// ZAddSkipped: NX, XX, GT or LT prevented the operation (ZADD ... INCR
	// replies nil).
	ZAddSkipped
	// ZAddNaN: the score, or the incremented score, is NaN; nothing changed.
	ZAddNaN
)

// AddWith adds or updates member as Redis's zsetAdd does and returns what
// happened and the member's resulting score (for ZADD INCR and ZINCRBY). A
// score that compares equal to the current one (0 and -0 included) leaves
// the stored score as it was.
func (z *ZSet) AddWith(member string, score float64, flags ZAddFlags) (ZAddResult, float64) {
	if math.IsNaN(score) {
		return ZAddNaN, score
	}
	if cur := z.dict.Ptr(member); cur != nil {
		if flags&ZAddNX != 0 {
			return ZAddSkipped, *cur
		}
		old := *cur
		if flags&ZAddIncr != 0 {
			score += old
			if math.IsNaN(score) {
				return ZAddNaN, score
			}
		}
		if (flags&ZAddLT != 0 && score >= old) || (flags&ZAddGT != 0 && score <= old) {
			return ZAddSkipped, old
		}
		if score == old {
			return ZAddUnchanged, score
		}
		stored := z.storable(score)
		*cur = stored
		z.sl.updateScore(old, member, stored)
		return ZAddUpdated, score
	}
	if flags&ZAddXX != 0 {
		return ZAddSkipped, 0
	}
	if z.listpack && (int64(z.sl.length)+1 > z.lim.MaxListpackEntries.Load() ||
		int64(len(member)) > z.lim.MaxListpackValue.Load()) {
		z.listpack = false
	}
	if flags&ZAddCopy != 0 {
		member = strings.Clone(member)
	}
	stored := z.storable(score)
	z.dict.Set(member, stored)
	z.sl.insert(stored, member)
	return ZAddAdded, score
}

// storable returns score as the current encoding stores it: a listpack
// keeps integral scores as integers, turning -0 into 0.
func (z *ZSet) storable(score float64) float64 {
	if z.listpack && score == 0 {
		return 0
	}
	return score
}

// Add sets the score of member, adding it if needed, and reports whether
// it was added and whether an existing member's score changed. A NaN score
// is ignored (neither flag is set); parse scores with ParseScore.
func (z *ZSet) Add(member string, score float64) (added, changed bool) {
	res, _ := z.AddWith(member, score, 0)
	return res == ZAddAdded, res == ZAddUpdated
}

// Incr adds delta to the score of member (0 if absent, which adds it) and
// returns the new score, as ZINCRBY does. It returns ErrScoreNaN, changing
// nothing, when the result would be NaN.
func (z *ZSet) Incr(member string, delta float64) (float64, error) {
	res, score := z.AddWith(member, delta, ZAddIncr)
	if res == ZAddNaN {
		return 0, ErrScoreNaN
	}
	return score, nil
}

// Remove deletes member and reports whether it was present.
func (z *ZSet) Remove(member string) bool {
	score, ok := z.dict.Get(member)
	if !ok {
		return false
	}
	z.dict.Delete(member)
	z.sl.delete(score, member)
	return true
}

// Rank returns the 0-based rank of member in ascending order, or in
// descending order when reverse is set, and whether member is present.
func (z *ZSet) Rank(member string, reverse bool) (int, bool) {
	score, ok := z.dict.Get(member)
	if !ok {
		return 0, false
	}
	r := z.sl.rank(score, member)
	if r == 0 {
		return 0, false // cannot happen while the dictionary and skiplist agree
	}
	if reverse {
		return z.sl.length - r, true
	}
	return r - 1, true
}

// ElementAt returns the member and score at 0-based rank i in ascending
// order; ok is false when i is out of range.
func (z *ZSet) ElementAt(i int) (member string, score float64, ok bool) {
	n := z.sl.byRank(i + 1)
	if n == nil {
		return "", 0, false
	}
	return n.member, n.score, true
}

// clampRanks limits start..stop to valid 0-based ranks and reports whether
// any remain.
func (z *ZSet) clampRanks(start, stop int) (int, int, bool) {
	start = max(start, 0)
	stop = min(stop, z.sl.length-1)
	return start, stop, start <= stop
}

// RangeByRank calls fn with the members of 0-based ranks start..stop
// inclusive, in ascending order or, when reverse is set, in descending order
// with ranks counted from the highest score (ZRANGE ... REV). The caller
// normalises negative indexes; ranks outside the set are ignored. Iteration
// stops early when fn returns false. It costs O(log n + stop-start).
func (z *ZSet) RangeByRank(start, stop int, reverse bool, fn func(member string, score float64) bool) {
	start, stop, ok := z.clampRanks(start, stop)
	if !ok {
		return
	}
	if reverse {
		x := z.sl.byRank(z.sl.length - start)
		for k := stop - start; x != nil && k >= 0 && fn(x.member, x.score); k-- {
			x = x.prev
		}
		return
	}
	x := z.sl.byRank(start + 1)
	for k := stop - start; x != nil && k >= 0 && fn(x.member, x.score); k-- {
		x = x.lv[0].next
	}
}

// All returns an iterator over the members in ascending order. The set
// must not be modified during iteration.
func (z *ZSet) All() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		for x := z.sl.first(); x != nil; x = x.lv[0].next {
			if !yield(x.member, x.score) {
				return
			}
		}
	}
}

// Descend returns an iterator over the members in descending order. The
// set must not be modified during iteration.
func (z *ZSet) Descend() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		for x := z.sl.tail; x != nil; x = x.prev {
			if !yield(x.member, x.score) {
				return
			}
		}
	}
}

// removeNode is the skiplist callback that drops a removed node from the
// dictionary and reports it to fn.
func (z *ZSet) removeNode(fn func(member string, score float64)) func(*slNode) {
	return func(x *slNode) {
		z.dict.Delete(x.member)
		if fn != nil {
			fn(x.member, x.score)
		}
	}
}

// RemoveRangeByRank removes the members of 0-based ranks start..stop
// inclusive (ascending order; the caller normalises negative indexes),
// calls fn (if not nil) for each, in ascending order, and returns how many
// it removed.
func (z *ZSet) RemoveRangeByRank(start, stop int, fn func(member string, score float64)) int {
	start, stop, ok := z.clampRanks(start, stop)
	if !ok {
		return 0
	}
	return z.sl.deleteRanks(start+1, stop+1, z.removeNode(fn))
}

// PopMin removes and returns up to count members with the lowest scores,
// lowest first, as ZPOPMIN does. count <= 0 returns nil.
func (z *ZSet) PopMin(count int) []ZEntry {
	count = min(count, z.sl.length)
	if count <= 0 {
		return nil
	}
	out := make([]ZEntry, 0, count)
	z.RemoveRangeByRank(0, count-1, func(m string, s float64) {
		out = append(out, ZEntry{m, s})
	})
	return out
}

// PopMax removes and returns up to count members with the highest scores,
// highest first, as ZPOPMAX does. count <= 0 returns nil.
func (z *ZSet) PopMax(count int) []ZEntry {
	count = min(count, z.sl.length)
	if count <= 0 {
		return nil
	}
	out := make([]ZEntry, count)
	i := count
	z.RemoveRangeByRank(z.sl.length-count, z.sl.length-1, func(m string, s float64) {
		i--
		out[i] = ZEntry{m, s}
	})
	return out
}

// Random returns a uniformly chosen member and its score, drawn from r (or
// the process-wide source when r is nil); ok is false when the set is empty.
func (z *ZSet) Random(r *rand.Rand) (member string, score float64, ok bool) {
	return z.dict.Random(r)
}

// RandomN calls fn for min(count, Len()) distinct members chosen uniformly
// at random, in no particular order (ZRANDMEMBER with a positive count).
// For a negative count ZRANDMEMBER allows repeats: call Random repeatedly.
func (z *ZSet) RandomN(r *rand.Rand, count int, fn func(member string, score float64)) {
	z.dict.Sample(r, count, fn)
}

// Scan performs one step of ZSCAN: start with cursor 0 and call again with
// the returned cursor until it is 0. A "listpack" set reports every member
// in ascending order and returns 0, as Redis does; a "skiplist" set scans
// its dictionary with Redis's guarantees (see Table.Scan).
func (z *ZSet) Scan(cursor uint64, count int, fn func(member string, score float64)) (next uint64) {
	if z.listpack {
		for x := z.sl.first(); x != nil; x = x.lv[0].next {
			fn(x.member, x.score)
		}
		return 0
	}
	return z.dict.Scan(cursor, count, fn)
}

// ConvertToListpackIfFits makes a "skiplist" set report "listpack" again
// when it fits the current limits (no more than MaxListpackEntries members,
// none longer than MaxListpackValue), normalising -0 scores to 0 as the
// conversion does in Redis. Redis does this only for the destination of
// ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and ZRANGESTORE and for sorted sets
// loaded from RDB; callers mirror that. It reports whether the set is now
// "listpack".
func (z *ZSet) ConvertToListpackIfFits() bool {
	if z.listpack {
		return true
	}
	if int64(z.sl.length) > z.lim.MaxListpackEntries.Load() {
		return false
	}
	maxLen := z.lim.MaxListpackValue.Load()
	for x := z.sl.first(); x != nil; x = x.lv[0].next {
		if int64(len(x.member)) > maxLen {
			return false
		}
	}
	z.listpack = true
	for x := z.sl.first(); x != nil; x = x.lv[0].next {
		if x.score == 0 && math.Signbit(x.score) {
			x.score = 0
			z.dict.Set(x.member, 0)
		}
	}
	return true
}

// Clone returns an independent copy of z with the same encoding and limits.
// The copy shares the (immutable) member strings with z, but each set's
// MemoryUsage counts them.
func (z *ZSet) Clone() *ZSet {
	c := &ZSet{lim: z.lim, listpack: z.listpack}
	c.sl.init()
	c.dict.Reserve(z.sl.length)
	// Inserting from the highest down keeps every insertion at the head.
	for x := z.sl.tail; x != nil; x = x.prev {
		c.dict.Set(x.member, x.score)
		c.sl.insert(x.score, x.member)
	}
	return c
}

// MemoryUsage returns the heap bytes held by the set: the ZSet itself, the
// skiplist head and nodes, the dictionary and the member strings (counted
// once: the skiplist and the dictionary share them).
func (z *ZSet) MemoryUsage() int {
	n := allocSize(int(unsafe.Sizeof(ZSet{})), true) + z.sl.nodeBytes + z.dict.MemoryUsage()
	if len(z.sl.head.lv) > slHeadInline {
		n += allocSize(len(z.sl.head.lv)*int(unsafe.Sizeof(slLevel{})), true)
	}
	return n
}
