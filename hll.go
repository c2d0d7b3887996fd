package kevy

import (
	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/hll"
)

// HyperLogLog errors, with Redis's reply texts.
var (
	// ErrNotHLL: "WRONGTYPE Key is not a valid HyperLogLog string value."
	// (a string key that does not hold a HyperLogLog).
	ErrNotHLL = hll.ErrInvalid
	// ErrCorruptHLL: "INVALIDOBJ Corrupted HLL object detected".
	ErrCorruptHLL = hll.ErrCorrupt
)

// PFAdd adds elements to the HyperLogLog at key, creating it when missing,
// and reports whether its estimate may have changed: true when a register
// grew or the key was created (even with no elements). The value is Redis's
// own HyperLogLog string, readable with Get and portable to Redis.
func (s *Store) PFAdd(key string, elems ...string) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	var changed bool
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) { changed, err = sh.PFAdd(key, elems) }); e != nil {
		return false, e
	}
	return changed, err
}

// PFCount returns the estimated number of distinct elements added to the
// HyperLogLogs at keys: of one key, or of the union of several (missing
// keys count as empty). Counting one key caches the estimate in its value,
// as Redis does.
func (s *Store) PFCount(keys ...string) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int64
	var err error
	switch len(keys) {
	case 0:
		return 0, engine.ArityError("pfcount")
	case 1:
		if e := s.en.Write(keys[0], func(sh *engine.Shard) { n, err = sh.PFCountOne(keys[0]) }); e != nil {
			return 0, e
		}
	default:
		unlock := s.en.Lock(keys, false)
		n, err = s.en.PFCountUnion(keys)
		unlock()
	}
	return n, err
}

// PFMerge stores at dest the union of the HyperLogLogs at dest and srcs
// (missing keys count as empty), creating dest when missing and keeping its
// TTL otherwise. The keys may live in different shards: the merge is atomic.
func (s *Store) PFMerge(dest string, srcs ...string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	var err error
	if e := s.en.Batch(append([]string{dest}, srcs...), true, func() { err = s.en.PFMerge(dest, srcs) }); e != nil {
		return e
	}
	return err
}
