package engine

import (
	"slices"
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// The set commands on several keys: SMOVE, SINTER, SUNION, SDIFF, their
// STORE forms and SINTERCARD. The keys may live on different shards; the
// cores are Engine methods called with every key's shard held (exclusively
// for the writes), and each shard journals its own key's effect.

// setOp is a combination of sets.
type setOp uint8

const (
	opInter setOp = iota
	opUnion
	opDiff
)

// SMove moves member from the set at src to the set at dst, creating dst
// if needed, and reports whether it was moved: false when src is missing or
// does not hold member. A src or dst holding another type gives
// ErrWrongType (but a missing src answers false first, as in Redis). When
// src and dst are the same key it only reports membership. The shards of
// both keys are held exclusively.
func (en *Engine) SMove(src, dst, member string) (bool, error) {
	ssh, dsh := en.ShardOf(src), en.ShardOf(dst)
	se, serr := ssh.object(src, keyspace.KindSet, true)
	de, derr := dsh.object(dst, keyspace.KindSet, true)
	switch {
	case se == nil && serr == nil:
		return false, nil
	case serr != nil:
		return false, serr
	case derr != nil:
		return false, derr
	}
	s := setOf(se)
	if src == dst {
		return s.Has(member), nil
	}
	if !s.Remove(member) {
		return false, nil
	}
	ssh.log("SREM", src, member)
	ssh.notify(ClassSet, "srem", src)
	ssh.dropIfEmpty(se, s.Len())
	ssh.notifyIfEmptied(s.Len(), src)
	var d *types.Set
	if de == nil {
		d = dsh.newSet(dst)
	} else {
		d = setOf(de)
	}
	if d.Add(member) {
		dsh.log("SADD", dst, member)
		dsh.notify(ClassSet, "sadd", dst)
	}
	return true, nil
}

// lookupSets returns the sets at keys (nil for a missing key), checking
// every key's type before anything else, as Redis does. Locks held.
func (en *Engine) lookupSets(keys []string) ([]*types.Set, bool, error) {
	sets := make([]*types.Set, len(keys))
	missing := false
	for i, k := range keys {
		s, err := en.ShardOf(k).setRead(k)
		if err != nil {
			return nil, false, err
		}
		sets[i] = s
		missing = missing || s == nil
	}
	return sets, missing, nil
}

// combine computes op over the sets at keys into a new set built as Redis
// builds its result (an intset while every member is an integer), nil when
// the result is empty. The shards of all keys are held.
func (en *Engine) combine(op setOp, keys []string) (*types.Set, error) {
	sets, missing, err := en.lookupSets(keys)
	if err != nil {
		return nil, err
	}
	res := types.NewSet(en.limits)
	switch op {
	case opInter:
		if missing {
			return nil, nil
		}
		interEach(sets, func(m string) bool { res.Add(m); return true })
	case opUnion:
		for _, s := range sets {
			if s != nil {
				s.All(func(m string) bool { res.Add(m); return true })
			}
		}
	case opDiff:
		if sets[0] == nil {
			return nil, nil
		}
		sets[0].All(func(m string) bool {
			for _, o := range sets[1:] {
				if o != nil && o.Has(m) {
					return true
				}
			}
			res.Add(m)
			return true
		})
	}
	if res.Len() == 0 {
		return nil, nil
	}
	return res, nil
}

// interEach calls fn with each member common to all of sets (none nil),
// iterating the smallest, until fn returns false.
func interEach(sets []*types.Set, fn func(m string) bool) {
	sets = slices.Clone(sets)
	slices.SortStableFunc(sets, func(a, b *types.Set) int { return a.Len() - b.Len() })
	sets[0].All(func(m string) bool {
		for _, o := range sets[1:] {
			if o != sets[0] && !o.Has(m) {
				return true
			}
		}
		return fn(m)
	})
}

// SInter returns the members common to the sets at keys (a missing key is
// an empty set). The shards of all keys are held.
func (en *Engine) SInter(keys []string) ([]string, error) {
	res, err := en.combine(opInter, keys)
	return setMembers(res), err
}

// SUnion returns the members of any of the sets at keys.
func (en *Engine) SUnion(keys []string) ([]string, error) {
	res, err := en.combine(opUnion, keys)
	return setMembers(res), err
}

// SDiff returns the members of the first set that are in none of the
// others.
func (en *Engine) SDiff(keys []string) ([]string, error) {
	res, err := en.combine(opDiff, keys)
	return setMembers(res), err
}

// SInterStore stores SInter(keys) at dst, replacing whatever dst held (an
// empty result deletes dst), and returns its size. The shards of dst and
// of all keys are held exclusively.
func (en *Engine) SInterStore(dst string, keys []string) (int, error) {
	return en.combineStore(opInter, dst, keys)
}

// SUnionStore stores SUnion(keys) at dst; see SInterStore.
func (en *Engine) SUnionStore(dst string, keys []string) (int, error) {
	return en.combineStore(opUnion, dst, keys)
}

// SDiffStore stores SDiff(keys) at dst; see SInterStore.
func (en *Engine) SDiffStore(dst string, keys []string) (int, error) {
	return en.combineStore(opDiff, dst, keys)
}

// combineStore computes op and publishes the result at dst, journaled on
// dst's shard as its deletion followed by the SADD of the members.
func (en *Engine) combineStore(op setOp, dst string, keys []string) (int, error) {
	res, err := en.combine(op, keys)
	if err != nil {
		return 0, err
	}
	sh := en.ShardOf(dst)
	old := sh.lookupWrite(dst, sh.dict.Hash(dst))
	if old != nil {
		sh.remove(old)
	}
	if res == nil {
		if old != nil {
			sh.log("DEL", dst)
			sh.notify(ClassGeneric, "del", dst)
		}
		return 0, nil
	}
	sh.addObject(dst, keyspace.KindSet, unsafe.Pointer(res))
	if old == nil {
		sh.notify(ClassNew, "new", dst)
	}
	sh.log("DEL", dst)
	sh.logv("SADD", dst, setMembers(res))
	sh.notify(ClassSet, [...]string{opInter: "sinterstore", opUnion: "sunionstore", opDiff: "sdiffstore"}[op], dst)
	return res.Len(), nil
}

// SInterCard returns the size of the intersection of the sets at keys,
// counting no further than limit when limit > 0. The shards of all keys are
// held.
func (en *Engine) SInterCard(keys []string, limit int) (int, error) {
	sets, missing, err := en.lookupSets(keys)
	if err != nil || missing {
		return 0, err
	}
	n := 0
	interEach(sets, func(string) bool {
		n++
		return limit <= 0 || n < limit
	})
	return n, nil
}
