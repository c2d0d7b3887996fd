package kevy

import "github.com/kevy-go/kevy/internal/engine"

// SAdd adds members to the set at key and returns how many were new.
func (s *Store) SAdd(key string, members ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(members) == 0 {
		return 0, engine.ArityError("sadd")
	}
	var n int
	var err error
	s.en.Write(key, func(sh *engine.Shard) { n, err = sh.SAdd(key, members) })
	return n, err
}

// SRem removes members from the set at key and returns how many existed. A
// set left empty is deleted.
func (s *Store) SRem(key string, members ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	s.en.Write(key, func(sh *engine.Shard) { n, err = sh.SRem(key, members) })
	return n, err
}

// SMembers returns the members of the set at key (none when missing). Sets
// of small integers come back in ascending order, as from Redis; otherwise
// the order is unspecified.
func (s *Store) SMembers(key string) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var ms []string
	var err error
	s.en.Read(key, func(sh *engine.Shard) { ms, err = sh.SMembers(key) })
	return ms, err
}

// SCard returns the number of members of the set at key (0 when missing).
func (s *Store) SCard(key string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	s.en.Read(key, func(sh *engine.Shard) { n, err = sh.SCard(key) })
	return n, err
}
