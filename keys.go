package kevy

import (
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// Del deletes keys, which may live in different shards, and returns how many
// existed. The deletion is atomic: the shards involved are held together.
func (s *Store) Del(keys ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	n := 0
	unlock := s.en.Lock(keys, true)
	for _, k := range keys {
		if s.en.ShardOf(k).Del(k) {
			n++
		}
	}
	unlock()
	return n, nil
}

// Exists returns how many of keys exist; a key named twice counts twice, as
// in Redis.
func (s *Store) Exists(keys ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	n := 0
	unlock := s.en.Lock(keys, false)
	for _, k := range keys {
		if s.en.ShardOf(k).Exists(k) {
			n++
		}
	}
	unlock()
	return n, nil
}

// Expire sets key's time to live, rounded up to whole milliseconds and
// stored as an absolute deadline. A ttl <= 0 deletes the key, as in Redis.
// It reports whether the key exists.
func (s *Store) Expire(key string, ttl time.Duration) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	at := s.en.Now() + durationMs(ttl)
	if ttl <= 0 {
		at = s.en.Now() + int64(ttl/time.Millisecond)
	}
	var ok bool
	s.en.Write(key, func(sh *engine.Shard) { ok = sh.ExpireAt(key, at, 0) })
	return ok, nil
}

// ExpireAt sets key's deadline; a time not in the future deletes the key.
// It reports whether the key exists.
func (s *Store) ExpireAt(key string, t time.Time) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	var ok bool
	s.en.Write(key, func(sh *engine.Shard) { ok = sh.ExpireAt(key, t.UnixMilli(), 0) })
	return ok, nil
}

// Persist removes key's TTL and reports whether it had one.
func (s *Store) Persist(key string) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	var ok bool
	s.en.Write(key, func(sh *engine.Shard) { ok = sh.Persist(key) })
	return ok, nil
}

// TTL returns key's remaining time to live in seconds, rounded as Redis
// rounds it, or -2 if the key is missing and -1 if it has no TTL.
func (s *Store) TTL(key string) (int64, error) {
	ms, err := s.PTTL(key)
	if ms >= 0 {
		ms = (ms + 500) / 1000
	}
	return ms, err
}

// PTTL returns key's remaining time to live in milliseconds, or -2 if the
// key is missing and -1 if it has no TTL.
func (s *Store) PTTL(key string) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var ms int64
	s.en.Read(key, func(sh *engine.Shard) { ms = sh.PTTL(key) })
	return ms, nil
}

// Type returns the type of key's value as Redis's TYPE names it: "string",
// "list", "set", "zset", "hash", or "none" when missing.
func (s *Store) Type(key string) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	var k string
	s.en.Read(key, func(sh *engine.Shard) { k = sh.Type(key).String() })
	return k, nil
}
