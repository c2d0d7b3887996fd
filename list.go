package kevy

import "github.com/kevy-go/kevy/internal/engine"

// LPush inserts vals at the head of the list at key, one after the other
// (so the last one ends up first), and returns the list's length.
func (s *Store) LPush(key string, vals ...string) (int, error) { return s.push(key, vals, true) }

// RPush appends vals to the tail of the list at key and returns its length.
func (s *Store) RPush(key string, vals ...string) (int, error) { return s.push(key, vals, false) }

func (s *Store) push(key string, vals []string, left bool) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(vals) == 0 {
		name := "rpush"
		if left {
			name = "lpush"
		}
		return 0, engine.ArityError(name)
	}
	var n int
	var err error
	s.en.Write(key, func(sh *engine.Shard) { n, err = sh.Push(key, vals, left, false) })
	return n, err
}

// LPop removes and returns up to count elements from the head of the list at
// key. A missing key gives ErrNotFound; a list left empty is deleted.
func (s *Store) LPop(key string, count int) ([]string, error) { return s.pop(key, count, true) }

// RPop removes and returns up to count elements from the tail; see LPop.
func (s *Store) RPop(key string, count int) ([]string, error) { return s.pop(key, count, false) }

func (s *Store) pop(key string, count int, left bool) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if count < 0 {
		return nil, engine.ErrPositive
	}
	var vals []string
	var err error
	s.en.Write(key, func(sh *engine.Shard) { vals, err = sh.Pop(key, count, left) })
	return vals, err
}

// LLen returns the length of the list at key (0 when missing).
func (s *Store) LLen(key string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	s.en.Read(key, func(sh *engine.Shard) { n, err = sh.LLen(key) })
	return n, err
}
