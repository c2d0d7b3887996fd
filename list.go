package kevy

import "github.com/kevy-go/kevy/internal/engine"

// End names an end of a list: Left is the head (index 0), Right the tail.
type End bool

// The ends of a list.
const (
	Left  End = true
	Right End = false
)

// String returns "LEFT" or "RIGHT", as Redis spells the argument.
func (e End) String() string {
	if e == Left {
		return "LEFT"
	}
	return "RIGHT"
}

// LPush inserts vals at the head of the list at key, one after the other
// (so the last one ends up first), and returns the list's length.
func (s *Store) LPush(key string, vals ...string) (int, error) {
	return s.push("lpush", key, vals, true, false)
}

// RPush appends vals to the tail of the list at key and returns its length.
func (s *Store) RPush(key string, vals ...string) (int, error) {
	return s.push("rpush", key, vals, false, false)
}

// LPushX is LPush only when key already holds a list; otherwise nothing is
// created and it returns 0.
func (s *Store) LPushX(key string, vals ...string) (int, error) {
	return s.push("lpushx", key, vals, true, true)
}

// RPushX is RPush only when key already holds a list; otherwise nothing is
// created and it returns 0.
func (s *Store) RPushX(key string, vals ...string) (int, error) {
	return s.push("rpushx", key, vals, false, true)
}

func (s *Store) push(name, key string, vals []string, left, onlyExisting bool) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(vals) == 0 {
		return 0, engine.ArityError(name)
	}
	var n int
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) { n, err = sh.Push(key, vals, left, onlyExisting) }); e != nil {
		return 0, e
	}
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
	if e := s.en.Modify(key, func(sh *engine.Shard) { vals, err = sh.Pop(key, count, left) }); e != nil {
		return nil, e
	}
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

// LIndex returns the element at index of the list at key; a negative index
// counts from the tail (-1 is the last element). A missing key or an index
// out of range gives ErrNotFound.
func (s *Store) LIndex(key string, index int) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	var v string
	var err error
	s.en.Read(key, func(sh *engine.Shard) { v, err = sh.LIndex(key, index) })
	return v, err
}

// LSet replaces the element at index (negative counts from the tail) of the
// list at key. A missing key gives ErrNoSuchKey; an index out of range gives
// an error whose text is Redis's "ERR index out of range".
func (s *Store) LSet(key string, index int, val string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) { err = sh.LSet(key, index, val) }); e != nil {
		return e
	}
	return err
}

// LRange returns the elements of the list at key from start to stop,
// inclusive. Negative indexes count from the tail; bounds beyond the list
// are clamped, so LRange(key, 0, -1) returns the whole list. A missing key
// or an empty range gives an empty slice.
func (s *Store) LRange(key string, start, stop int) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var vals []string
	var err error
	s.en.Read(key, func(sh *engine.Shard) { vals, err = sh.LRange(key, start, stop) })
	return vals, err
}

// LTrim keeps only the elements from start to stop, inclusive, of the list
// at key, with LRange's index rules. A list left empty is deleted; a missing
// key is not an error.
func (s *Store) LTrim(key string, start, stop int) error {
	if s.closed.Load() {
		return ErrClosed
	}
	var err error
	if e := s.en.Modify(key, func(sh *engine.Shard) { err = sh.LTrim(key, start, stop) }); e != nil {
		return e
	}
	return err
}

// LInsertBefore inserts val just before the first element (from the head)
// equal to pivot in the list at key and returns the new length: -1 when
// pivot is not in the list, 0 when the key is missing.
func (s *Store) LInsertBefore(key, pivot, val string) (int, error) {
	return s.linsert(key, true, pivot, val)
}

// LInsertAfter inserts val just after the first element equal to pivot; see
// LInsertBefore.
func (s *Store) LInsertAfter(key, pivot, val string) (int, error) {
	return s.linsert(key, false, pivot, val)
}

func (s *Store) linsert(key string, before bool, pivot, val string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) { n, err = sh.LInsert(key, before, pivot, val) }); e != nil {
		return 0, e
	}
	return n, err
}

// LRem removes elements equal to val from the list at key and returns how
// many it removed: the first count from the head when count > 0, the last
// -count from the tail when count < 0, every one when count is 0. A list
// left empty is deleted.
func (s *Store) LRem(key string, count int, val string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var n int
	var err error
	if e := s.en.Modify(key, func(sh *engine.Shard) { n, err = sh.LRem(key, count, val) }); e != nil {
		return 0, e
	}
	return n, err
}

// LPosArgs refines LPos and LPosN. The zero value scans the whole list
// from the head.
type LPosArgs struct {
	// Rank r > 0 skips the first r-1 matches scanning from the head; r < 0
	// scans from the tail and skips the first -r-1 matches. 0 means 1.
	Rank int
	// MaxLen, when > 0, compares only that many elements from where the
	// scan starts.
	MaxLen int
}

// LPos returns the index (counted from the head) of the first element
// equal to elem in the list at key, as selected by args. No match, or a
// missing key, gives ErrNotFound.
func (s *Store) LPos(key, elem string, args LPosArgs) (int, error) {
	pos, err := s.lpos(key, elem, 1, args)
	if err != nil {
		return 0, err
	}
	if len(pos) == 0 {
		return 0, ErrNotFound
	}
	return pos[0], nil
}

// LPosN returns the indexes (counted from the head, in scan order) of up to
// count elements equal to elem in the list at key; count 0 means all. No
// match, or a missing key, gives an empty slice.
func (s *Store) LPosN(key, elem string, count int, args LPosArgs) ([]int, error) {
	return s.lpos(key, elem, count, args)
}

func (s *Store) lpos(key, elem string, count int, args LPosArgs) ([]int, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	rank := args.Rank
	if rank == 0 {
		rank = 1
	}
	var pos []int
	var err error
	s.en.Read(key, func(sh *engine.Shard) { pos, err = sh.LPos(key, elem, rank, count, args.MaxLen) })
	return pos, err
}

// LMove atomically pops an element from the from end of the list at src,
// pushes it to the to end of the list at dst (created if needed) and
// returns it. src and dst may live in different shards, or be the same key
// (the list rotates). A missing src gives ErrNotFound; dst holding another
// type gives ErrWrongType, and then nothing moves.
func (s *Store) LMove(src, dst string, from, to End) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	var v string
	var err error
	if e := s.en.Batch([]string{src, dst}, true, func() { v, err = s.en.LMove(src, dst, bool(from), bool(to)) }); e != nil {
		return "", e
	}
	return v, err
}

// RPopLPush is LMove(src, dst, Right, Left).
func (s *Store) RPopLPush(src, dst string) (string, error) { return s.LMove(src, dst, Right, Left) }

// LMPop pops up to count elements from the from end of the first non-empty
// list among keys, which may live in different shards, and returns that
// list's key with the elements. When every key is missing it gives
// ErrNotFound; a key of another type met before a list gives ErrWrongType.
// count must be positive.
func (s *Store) LMPop(from End, count int, keys ...string) (string, []string, error) {
	if s.closed.Load() {
		return "", nil, ErrClosed
	}
	if len(keys) == 0 {
		return "", nil, engine.ArityError("lmpop")
	}
	if count < 1 {
		return "", nil, engine.ErrPositive
	}
	var key string
	var vals []string
	var err error
	if e := s.en.Batch(keys, false, func() { key, vals, err = s.en.LMPop(keys, bool(from), count) }); e != nil {
		return "", nil, e
	}
	return key, vals, err
}
