package engine

import (
	"github.com/kevy-go/kevy/internal/glob"
	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// Set cores on one key. Each is called with key's shard lock held:
// exclusively for writes, either way for reads. The commands on several
// keys are in set_ops.go, the handlers in set_cmd.go.

// setRead returns the set at key, nil when missing. Either lock held.
func (sh *Shard) setRead(key string) (*types.Set, error) {
	return readObject[types.Set](sh, key, keyspace.KindSet)
}

// setWrite returns the entry and set at key, nil when missing. Exclusive lock held.
func (sh *Shard) setWrite(key string) (*keyspace.Entry, *types.Set, error) {
	return writeObject[types.Set](sh, key, keyspace.KindSet)
}

// newSet creates key holding an empty set. Exclusive lock held; key absent.
func (sh *Shard) newSet(key string) *types.Set {
	return newObject(sh, key, keyspace.KindSet, types.NewSet(sh.en.limits))
}

// setMembers returns s's members in iteration order: ascending for an
// intset, unspecified for a hashtable.
func setMembers(s *types.Set) []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, s.Len())
	s.All(func(m string) bool {
		out = append(out, m)
		return true
	})
	return out
}

// SAdd adds members and returns how many were new. Exclusive lock held.
func (sh *Shard) SAdd(key string, members []string) (int, error) {
	_, s, err := sh.setWrite(key)
	if err != nil {
		return 0, err
	}
	if s == nil {
		s = sh.newSet(key)
	}
	add := s.Add
	if sh.borrowed {
		add = s.AddCopy // members are views of the caller's buffer
	}
	n := 0
	for _, m := range members {
		if add(m) {
			n++
		}
	}
	if n > 0 {
		sh.logv("SADD", key, members)
		sh.notify(ClassSet, "sadd", key)
	}
	return n, nil
}

// SRem removes members and returns how many existed; an emptied set is
// deleted. Exclusive lock held.
func (sh *Shard) SRem(key string, members []string) (int, error) {
	e, s, err := sh.setWrite(key)
	if s == nil || err != nil {
		return 0, err
	}
	n := 0
	for _, m := range members {
		if s.Remove(m) {
			n++
		}
	}
	if n > 0 {
		sh.logv("SREM", key, members)
		sh.notify(ClassSet, "srem", key)
		sh.dropIfEmpty(e, s.Len())
		sh.notifyIfEmptied(s.Len(), key)
	}
	return n, nil
}

// SMembers returns every member (an intset in ascending order). Either lock held.
func (sh *Shard) SMembers(key string) ([]string, error) {
	s, err := sh.setRead(key)
	if err != nil {
		return nil, err
	}
	return setMembers(s), nil
}

// SCard returns the number of members. Either lock held.
func (sh *Shard) SCard(key string) (int, error) {
	s, err := sh.setRead(key)
	if s == nil || err != nil {
		return 0, err
	}
	return s.Len(), nil
}

// SIsMember reports whether m is a member. Either lock held.
func (sh *Shard) SIsMember(key, m string) (bool, error) {
	s, err := sh.setRead(key)
	if s == nil || err != nil {
		return false, err
	}
	return s.Has(m), nil
}

// SMIsMember reports, for each of ms, whether it is a member. Either lock
// held.
func (sh *Shard) SMIsMember(key string, ms []string) ([]bool, error) {
	s, err := sh.setRead(key)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(ms))
	if s != nil {
		for i, m := range ms {
			out[i] = s.Has(m)
		}
	}
	return out, nil
}

// SPop removes and returns a random member, ErrNotFound when the key is
// missing; an emptied set is deleted. It is journaled as the SREM of the
// member. Exclusive lock held.
func (sh *Shard) SPop(key string) (string, error) {
	e, s, err := sh.setWrite(key)
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", ErrNotFound
	}
	m, _ := s.Pop(lockedRand)
	sh.log("SREM", key, m)
	sh.notify(ClassSet, "spop", key)
	sh.dropIfEmpty(e, s.Len())
	sh.notifyIfEmptied(s.Len(), key)
	return m, nil
}

// SPopN removes and returns min(count, SCARD) random distinct members
// (none when the key is missing); an emptied set is deleted. It is
// journaled as the SREM of the members, or a DEL when all are popped.
// Exclusive lock held.
func (sh *Shard) SPopN(key string, count int) ([]string, error) {
	e, s, err := sh.setWrite(key)
	if s == nil || err != nil || count <= 0 {
		return nil, err
	}
	all := count >= s.Len()
	out := make([]string, 0, min(count, s.Len()))
	s.PopN(lockedRand, count, func(m string) { out = append(out, m) })
	if all {
		sh.log("DEL", key)
	} else {
		sh.logv("SREM", key, out)
	}
	sh.notify(ClassSet, "spop", key)
	sh.dropIfEmpty(e, s.Len())
	sh.notifyIfEmptied(s.Len(), key)
	return out, nil
}

// SRandMember returns a random member, ErrNotFound when the key is missing.
// Either lock held.
func (sh *Shard) SRandMember(key string) (string, error) {
	s, err := sh.setRead(key)
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", ErrNotFound
	}
	m, _ := s.Random(lockedRand)
	return m, nil
}

// SRandMemberN returns random members as SRANDMEMBER with a count does: a
// positive count asks for up to count distinct members, a negative one for
// exactly -count members that may repeat (at most MaxRandomCount, else
// errValueRange). Either lock held.
func (sh *Shard) SRandMemberN(key string, count int) ([]string, error) {
	s, err := sh.setRead(key)
	if s == nil || err != nil {
		return nil, err
	}
	if count < -MaxRandomCount {
		return nil, errValueRange
	}
	n := count
	if count < 0 {
		n = -count
	} else {
		n = min(n, s.Len())
	}
	out := make([]string, 0, n)
	s.RandomN(lockedRand, count, func(m string) { out = append(out, m) })
	return out, nil
}

// SScan performs one SSCAN step from cursor: the members matching the glob
// pattern match ("" for all) and the cursor to continue with (0 when done).
// count is a hint of how many members to examine; an intset is always
// reported whole. Either lock held.
func (sh *Shard) SScan(key string, cursor uint64, match string, count int) ([]string, uint64, error) {
	s, err := sh.setRead(key)
	if s == nil || err != nil {
		return nil, 0, err
	}
	if count < 1 {
		count = 10
	}
	var out []string
	next := s.Scan(cursor, count, func(m string) {
		if match == "" || glob.Match(match, m) {
			out = append(out, m)
		}
	})
	return out, next, nil
}
