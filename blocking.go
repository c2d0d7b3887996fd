package kevy

import (
	"context"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// Blocking pops: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
// BZPOPMAX and BZMPOP.
//
// Each pops at once when one of its keys has elements; otherwise it waits
// until a push (from any goroutine, on any shard, or a transaction's
// commit) fills one of them, the timeout passes, or ctx is done. Callers
// blocked on the same key are served in the order they blocked, each with
// the element a push made available, as in Redis. The keys may live in
// different shards.
//
// A timeout <= 0 waits without limit (until ctx is done). When the timeout
// passes the methods return ErrNotFound, Redis's null reply; when ctx is
// done, context.Cause(ctx); when the store is closed meanwhile, ErrClosed.
// A key holding another type when the call starts gives ErrWrongType; one
// that takes another type while the caller waits is ignored (the caller
// keeps waiting for a list or sorted set there, as in Redis).

// BLPop removes and returns the first element of the first non-empty list
// among keys, with that list's key, waiting as described above.
func (s *Store) BLPop(ctx context.Context, timeout time.Duration, keys ...string) (key, val string, err error) {
	return s.bpop(ctx, timeout, keys, true)
}

// BRPop is BLPop taking the last element.
func (s *Store) BRPop(ctx context.Context, timeout time.Duration, keys ...string) (key, val string, err error) {
	return s.bpop(ctx, timeout, keys, false)
}

func (s *Store) bpop(ctx context.Context, timeout time.Duration, keys []string, left bool) (string, string, error) {
	if err := s.blockCheck(len(keys), "blpop"); err != nil {
		return "", "", err
	}
	return s.en.BLPop(ctx, timeout, keys, left)
}

// blockCheck returns the error a blocking call gets before it starts.
func (s *Store) blockCheck(nkeys int, name string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if nkeys == 0 {
		return engine.ArityError(name)
	}
	return nil
}

// BLMove pops an element from the from end of the list at src, pushes it
// to the to end of the list at dst and returns it, waiting while src is
// empty. When served, a dst of another type gives ErrWrongType and nothing
// moves.
func (s *Store) BLMove(ctx context.Context, timeout time.Duration, src, dst string, from, to End) (string, error) {
	if err := s.blockCheck(1, "blmove"); err != nil {
		return "", err
	}
	return s.en.BLMove(ctx, timeout, src, dst, bool(from), bool(to))
}

// BRPopLPush is BLMove(ctx, timeout, src, dst, Right, Left).
func (s *Store) BRPopLPush(ctx context.Context, timeout time.Duration, src, dst string) (string, error) {
	return s.BLMove(ctx, timeout, src, dst, Right, Left)
}

// BLMPop pops up to count elements from the from end of the first
// non-empty list among keys and returns its key with the elements, waiting
// while every list is empty. count must be positive.
func (s *Store) BLMPop(ctx context.Context, timeout time.Duration, from End, count int, keys ...string) (string, []string, error) {
	if err := s.blockCheck(len(keys), "blmpop"); err != nil {
		return "", nil, err
	}
	if count < 1 {
		return "", nil, engine.ErrPositive
	}
	return s.en.BLMPop(ctx, timeout, keys, bool(from), count)
}

// BZPopMin removes and returns the member with the lowest score of the
// first non-empty sorted set among keys, with that set's key, waiting
// while every set is empty.
func (s *Store) BZPopMin(ctx context.Context, timeout time.Duration, keys ...string) (string, Z, error) {
	return s.bzpop(ctx, timeout, keys, false)
}

// BZPopMax is BZPopMin taking the member with the highest score.
func (s *Store) BZPopMax(ctx context.Context, timeout time.Duration, keys ...string) (string, Z, error) {
	return s.bzpop(ctx, timeout, keys, true)
}

func (s *Store) bzpop(ctx context.Context, timeout time.Duration, keys []string, max bool) (string, Z, error) {
	key, zs, err := s.BZMPop(ctx, timeout, max, 1, keys...)
	if err != nil {
		return "", Z{}, err
	}
	return key, zs[0], nil
}

// BZMPop pops up to count members from the first non-empty sorted set
// among keys, the lowest scores first (or the highest when max), and
// returns its key with the members, waiting while every set is empty.
// count must be positive.
func (s *Store) BZMPop(ctx context.Context, timeout time.Duration, max bool, count int, keys ...string) (string, []Z, error) {
	if err := s.blockCheck(len(keys), "bzmpop"); err != nil {
		return "", nil, err
	}
	if count < 1 {
		return "", nil, engine.ErrPositive
	}
	key, ents, err := s.en.BZMPop(ctx, timeout, keys, max, count)
	if err != nil {
		return "", nil, err
	}
	return key, zs(ents), nil
}
