package kevy

import "github.com/kevy-go/kevy/internal/engine"

// Sets. A set of at most 512 integers keeps them sorted, so its members
// come back in ascending order, as from Redis; otherwise the order is
// unspecified. A set left without members is deleted. Commands on several
// keys hold all their shards together, so they are atomic.

// SAdd adds members to the set at key and returns how many were new.
func (s *Store) SAdd(key string, members ...string) (int, error) {
	if len(members) == 0 {
		return 0, engine.ArityError("sadd")
	}
	var n int
	var err error
	if e := s.hwrite(key, func(sh *engine.Shard) { n, err = sh.SAdd(key, members) }); e != nil {
		return 0, e
	}
	return n, err
}

// SRem removes members from the set at key and returns how many existed. A
// set left empty is deleted.
func (s *Store) SRem(key string, members ...string) (int, error) {
	var n int
	var err error
	if e := s.hmodify(key, func(sh *engine.Shard) { n, err = sh.SRem(key, members) }); e != nil {
		return 0, e
	}
	return n, err
}

// SMembers returns the members of the set at key (none when missing).
func (s *Store) SMembers(key string) ([]string, error) {
	var ms []string
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { ms, err = sh.SMembers(key) }); e != nil {
		return nil, e
	}
	return ms, err
}

// SCard returns the number of members of the set at key (0 when missing).
func (s *Store) SCard(key string) (int, error) {
	var n int
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { n, err = sh.SCard(key) }); e != nil {
		return 0, e
	}
	return n, err
}

// SIsMember reports whether member belongs to the set at key.
func (s *Store) SIsMember(key, member string) (bool, error) {
	var ok bool
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { ok, err = sh.SIsMember(key, member) }); e != nil {
		return false, e
	}
	return ok, err
}

// SMIsMember reports, for each of members, whether it belongs to the set at
// key.
func (s *Store) SMIsMember(key string, members ...string) ([]bool, error) {
	var out []bool
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { out, err = sh.SMIsMember(key, members) }); e != nil {
		return nil, e
	}
	return out, err
}

// SPop removes and returns a random member of the set at key, or
// ErrNotFound when the key is missing.
func (s *Store) SPop(key string) (string, error) {
	var m string
	var err error
	if e := s.hmodify(key, func(sh *engine.Shard) { m, err = sh.SPop(key) }); e != nil {
		return "", e
	}
	return m, err
}

// SPopN removes and returns up to count random distinct members of the set
// at key (none when missing). A negative count is an error.
func (s *Store) SPopN(key string, count int) ([]string, error) {
	if count < 0 {
		return nil, engine.ErrPositive
	}
	var ms []string
	var err error
	if e := s.hmodify(key, func(sh *engine.Shard) { ms, err = sh.SPopN(key, count) }); e != nil {
		return nil, e
	}
	return ms, err
}

// SRandMember returns a random member of the set at key, or ErrNotFound
// when the key is missing.
func (s *Store) SRandMember(key string) (string, error) {
	var m string
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { m, err = sh.SRandMember(key) }); e != nil {
		return "", e
	}
	return m, err
}

// SRandMemberN returns random members of the set at key without removing
// them. A positive count returns up to count distinct members; a negative
// count returns exactly -count members, which may repeat (at most
// 16777216). A missing key returns none.
func (s *Store) SRandMemberN(key string, count int) ([]string, error) {
	var ms []string
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { ms, err = sh.SRandMemberN(key, count) }); e != nil {
		return nil, e
	}
	return ms, err
}

// SMove moves member from the set at src to the set at dst (created if
// needed) and reports whether it was moved: false when src is missing or
// does not hold member.
func (s *Store) SMove(src, dst, member string) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	var ok bool
	var err error
	if e := s.en.Batch([]string{src, dst}, false, func() { ok, err = s.en.SMove(src, dst, member) }); e != nil {
		return false, e
	}
	return ok, err
}

// setRead runs fn with the shards of keys held shared.
func (s *Store) setRead(name string, keys []string, fn func() ([]string, error)) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if len(keys) == 0 {
		return nil, engine.ArityError(name)
	}
	unlock := s.en.Lock(keys, false)
	defer unlock()
	return fn()
}

// SInter returns the members common to the sets at keys; a missing key is
// an empty set.
func (s *Store) SInter(keys ...string) ([]string, error) {
	return s.setRead("sinter", keys, func() ([]string, error) { return s.en.SInter(keys) })
}

// SUnion returns the members of any of the sets at keys.
func (s *Store) SUnion(keys ...string) ([]string, error) {
	return s.setRead("sunion", keys, func() ([]string, error) { return s.en.SUnion(keys) })
}

// SDiff returns the members of the set at the first key that are in none
// of the sets at the other keys.
func (s *Store) SDiff(keys ...string) ([]string, error) {
	return s.setRead("sdiff", keys, func() ([]string, error) { return s.en.SDiff(keys) })
}

// setStore runs fn with the shards of dst and keys held exclusively.
func (s *Store) setStore(name, dst string, keys []string, fn func() (int, error)) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(keys) == 0 {
		return 0, engine.ArityError(name)
	}
	var n int
	var err error
	if e := s.en.Batch(append([]string{dst}, keys...), true, func() { n, err = fn() }); e != nil {
		return 0, e
	}
	return n, err
}

// SInterStore stores the intersection of the sets at keys at dst,
// replacing what dst held (an empty result deletes dst), and returns its
// size.
func (s *Store) SInterStore(dst string, keys ...string) (int, error) {
	return s.setStore("sinterstore", dst, keys, func() (int, error) { return s.en.SInterStore(dst, keys) })
}

// SUnionStore stores the union of the sets at keys at dst; see SInterStore.
func (s *Store) SUnionStore(dst string, keys ...string) (int, error) {
	return s.setStore("sunionstore", dst, keys, func() (int, error) { return s.en.SUnionStore(dst, keys) })
}

// SDiffStore stores SDiff(keys...) at dst; see SInterStore.
func (s *Store) SDiffStore(dst string, keys ...string) (int, error) {
	return s.setStore("sdiffstore", dst, keys, func() (int, error) { return s.en.SDiffStore(dst, keys) })
}

// SInterCard returns the size of the intersection of the sets at keys,
// counting no further than limit when limit > 0 (limit <= 0: no limit).
func (s *Store) SInterCard(limit int, keys ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(keys) == 0 {
		return 0, engine.ArityError("sintercard")
	}
	unlock := s.en.Lock(keys, false)
	defer unlock()
	return s.en.SInterCard(keys, limit)
}

// SScan returns one step of an incremental iteration over the set at key:
// members matching the glob pattern match ("" for all) and the cursor to
// pass to the next call; start with cursor 0 and stop when the returned
// cursor is 0. count is a hint of how many members to examine per call
// (<= 0: 10). A member present for the whole iteration is returned at
// least once; small integer sets are returned whole in one call.
func (s *Store) SScan(key string, cursor uint64, match string, count int) (members []string, next uint64, err error) {
	if e := s.hread(key, func(sh *engine.Shard) { members, next, err = sh.SScan(key, cursor, match, count) }); e != nil {
		return nil, 0, e
	}
	return members, next, err
}
