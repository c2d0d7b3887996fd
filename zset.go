package kevy

import (
	"math"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/types"
)

// Z is a sorted-set member with its score.
type Z struct {
	Score  float64
	Member string
}

// ZAdd adds members to the sorted set at key, or updates their scores, and
// returns how many were new. Members are ordered by (score, member). A NaN
// score gives ErrNotFloat.
func (s *Store) ZAdd(key string, members ...Z) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(members) == 0 {
		return 0, engine.ArityError("zadd")
	}
	es := make([]types.ZEntry, len(members))
	for i, m := range members {
		if math.IsNaN(m.Score) {
			return 0, ErrNotFloat
		}
		es[i] = types.ZEntry{Member: m.Member, Score: m.Score}
	}
	var out engine.ZAddOutcome
	var err error
	s.en.Write(key, func(sh *engine.Shard) { out, err = sh.ZAdd(key, es, 0) })
	return out.Added, err
}

// ZRem removes members from the sorted set at key and returns how many
// existed. A sorted set left empty is deleted.
func (s *Store) ZRem(key string, members ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	s.en.Write(key, func(sh *engine.Shard) { n, err = sh.ZRem(key, members) })
	return n, err
}

// ZScore returns member's score, or ErrNotFound.
func (s *Store) ZScore(key, member string) (float64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var f float64
	var err error
	s.en.Read(key, func(sh *engine.Shard) { f, err = sh.ZScore(key, member) })
	return f, err
}

// ZCard returns the number of members of the sorted set at key (0 when missing).
func (s *Store) ZCard(key string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	s.en.Read(key, func(sh *engine.Shard) { n, err = sh.ZCard(key) })
	return n, err
}
