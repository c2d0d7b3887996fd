package kevy

import (
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// Get returns the string at key, ErrNotFound if it is missing (or expired),
// or ErrWrongType if it holds another type. The returned string is the
// stored one, not a copy: strings are immutable, so this is safe and free.
func (s *Store) Get(key string) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	return s.en.Get(key)
}

// Set stores val at key, replacing any value of any type and clearing any
// TTL (Redis SET). The store keeps val and key as given.
func (s *Store) Set(key, val string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.en.Set(key, val)
}

// SetWithTTL stores val at key with a time to live (SET key val PX ms). The
// TTL is rounded up to whole milliseconds and stored as an absolute
// deadline; a ttl <= 0 is an error, as in Redis.
func (s *Store) SetWithTTL(key, val string, ttl time.Duration) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if ttl <= 0 {
		return engine.ExpireError("set")
	}
	at := s.en.Now() + durationMs(ttl)
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) {
		_, err = sh.Set(key, val, engine.SetArgs{At: at})
	}); e != nil {
		return e
	}
	return err
}

// durationMs rounds d up to whole milliseconds.
func durationMs(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// Incr adds one to the integer stored at key (a missing key counts as 0)
// and returns the new value. A value that is not a base-10 int64 gives
// ErrNotInteger; going past the int64 range gives ErrOverflow.
func (s *Store) Incr(key string) (int64, error) { return s.IncrBy(key, 1) }

// IncrBy adds delta to the integer stored at key; see Incr.
func (s *Store) IncrBy(key string, delta int64) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	n, err := s.en.IncrBy(key, delta)
	if err != nil { // as every write: no result with an error, ErrDurability included
		return 0, err
	}
	return n, nil
}
