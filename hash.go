package kevy

import (
	"github.com/kevy-go/kevy/internal/engine"
)

// HSet sets fields of the hash at key from field, value pairs and returns
// how many fields were new. An odd number of arguments is an error.
func (s *Store) HSet(key string, fieldValues ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(fieldValues) == 0 || len(fieldValues)%2 != 0 {
		return 0, engine.ArityError("hset")
	}
	var n int
	var err error
	s.en.Write(key, func(sh *engine.Shard) { n, err = sh.HSet(key, fieldValues) })
	return n, err
}

// HGet returns a field of the hash at key, or ErrNotFound when the key or
// the field is missing.
func (s *Store) HGet(key, field string) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	var v string
	var err error
	s.en.Read(key, func(sh *engine.Shard) { v, err = sh.HGet(key, field) })
	return v, err
}

// HDel deletes fields of the hash at key and returns how many existed. A
// hash left empty is deleted.
func (s *Store) HDel(key string, fields ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	s.en.Write(key, func(sh *engine.Shard) { n, err = sh.HDel(key, fields) })
	return n, err
}
