package kevy

import (
	"strconv"

	"github.com/kevy-go/kevy/internal/engine"
)

// Hashes. Small hashes keep their fields in insertion order (HGetAll,
// HKeys, HVals and HScan report that order, as Redis does); a hash with
// more than 512 fields or a field or value longer than 64 bytes switches to
// a hash table, whose order is unspecified. A hash left without fields is
// deleted.

// hread runs fn on key's shard held shared.
func (s *Store) hread(key string, fn func(sh *engine.Shard)) error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.en.Read(key, fn)
	return nil
}

// hwrite runs fn on key's shard held exclusively. It fails without running
// fn while the shard's log cannot be written, and reports a write that did
// not become durable under FsyncAlways.
func (s *Store) hwrite(key string, fn func(sh *engine.Shard)) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.en.Write(key, fn)
}

// HSet sets fields of the hash at key from field, value pairs and returns
// how many fields were new. An odd number of arguments is an error.
func (s *Store) HSet(key string, fieldValues ...string) (int, error) {
	if len(fieldValues) == 0 || len(fieldValues)%2 != 0 {
		return 0, engine.ArityError("hset")
	}
	var n int
	var err error
	if e := s.hwrite(key, func(sh *engine.Shard) { n, err = sh.HSet(key, fieldValues) }); e != nil {
		return 0, e
	}
	return n, err
}

// HSetNX sets field of the hash at key only if it does not exist yet, and
// reports whether it did.
func (s *Store) HSetNX(key, field, value string) (bool, error) {
	var ok bool
	var err error
	if e := s.hwrite(key, func(sh *engine.Shard) { ok, err = sh.HSetNX(key, field, value) }); e != nil {
		return false, e
	}
	return ok, err
}

// HGet returns a field of the hash at key, or ErrNotFound when the key or
// the field is missing.
func (s *Store) HGet(key, field string) (string, error) {
	var v string
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { v, err = sh.HGet(key, field) }); e != nil {
		return "", e
	}
	return v, err
}

// HMGet returns the values of the given fields of the hash at key, keyed
// by field; fields that do not exist are absent from the map.
func (s *Store) HMGet(key string, fields ...string) (map[string]string, error) {
	var vals []string
	var found []bool
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { vals, found, err = sh.HMGet(key, fields) }); e != nil {
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(fields))
	for i, f := range fields {
		if found[i] {
			out[f] = vals[i]
		}
	}
	return out, nil
}

// HGetAll returns every field and value of the hash at key (an empty map
// when the key is missing).
func (s *Store) HGetAll(key string) (map[string]string, error) {
	var kv []string
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { kv, err = sh.HGetAll(key) }); e != nil {
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out, nil
}

// HKeys returns the fields of the hash at key, in the hash's order.
func (s *Store) HKeys(key string) ([]string, error) {
	var out []string
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { out, err = sh.HKeys(key) }); e != nil {
		return nil, e
	}
	return out, err
}

// HVals returns the values of the hash at key, in the hash's order.
func (s *Store) HVals(key string) ([]string, error) {
	var out []string
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { out, err = sh.HVals(key) }); e != nil {
		return nil, e
	}
	return out, err
}

// HLen returns the number of fields of the hash at key (0 when missing).
func (s *Store) HLen(key string) (int, error) {
	var n int
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { n, err = sh.HLen(key) }); e != nil {
		return 0, e
	}
	return n, err
}

// HExists reports whether field exists in the hash at key.
func (s *Store) HExists(key, field string) (bool, error) {
	var ok bool
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { ok, err = sh.HExists(key, field) }); e != nil {
		return false, e
	}
	return ok, err
}

// HStrLen returns the length of field's value in the hash at key (0 when
// missing).
func (s *Store) HStrLen(key, field string) (int, error) {
	var n int
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { n, err = sh.HStrLen(key, field) }); e != nil {
		return 0, e
	}
	return n, err
}

// HDel deletes fields of the hash at key and returns how many existed. A
// hash left empty is deleted.
func (s *Store) HDel(key string, fields ...string) (int, error) {
	var n int
	var err error
	if e := s.hmodify(key, func(sh *engine.Shard) { n, err = sh.HDel(key, fields) }); e != nil {
		return 0, e
	}
	return n, err
}

// HIncrBy adds delta to the integer stored in field of the hash at key (a
// missing field counts as 0) and returns the result. A value that is not a
// base-10 int64 gives an error ("ERR hash value is not an integer"); going
// past the int64 range gives ErrOverflow.
func (s *Store) HIncrBy(key, field string, delta int64) (int64, error) {
	var n int64
	var err error
	if e := s.hwrite(key, func(sh *engine.Shard) { n, err = sh.HIncrBy(key, field, delta) }); e != nil {
		return 0, e
	}
	return n, err
}

// HIncrByFloat adds incr to the number stored in field of the hash at key
// (a missing field counts as 0), with Redis's long-double arithmetic, and
// returns the result. The field holds the result as Redis formats it, with
// up to 17 decimals ("10.6", not "10.600000000000001"). A value that is not
// a number gives an error ("ERR hash value is not a float"), as does an
// infinite or NaN incr or result. A result beyond float64's range (the
// field can hold up to about 1e4932) is returned as ±Inf.
func (s *Store) HIncrByFloat(key, field string, incr float64) (float64, error) {
	var v string
	var err error
	by := strconv.FormatFloat(incr, 'g', -1, 64)
	if e := s.hwrite(key, func(sh *engine.Shard) { v, err = sh.HIncrByFloat(key, field, by) }); e != nil {
		return 0, e
	}
	if err != nil {
		return 0, err
	}
	f, _ := strconv.ParseFloat(v, 64) // beyond float64's range: ±Inf
	return f, nil
}

// HRandField returns random fields of the hash at key. A positive count
// returns up to count distinct fields; a negative count returns exactly
// -count fields, which may repeat. A missing key returns none.
func (s *Store) HRandField(key string, count int) ([]string, error) {
	var out []string
	var err error
	if e := s.hread(key, func(sh *engine.Shard) { out, err = sh.HRandFieldN(key, count, false) }); e != nil {
		return nil, e
	}
	return out, err
}

// HScan returns one step of an incremental iteration over the hash at key:
// fields matching the glob pattern match ("" for all), each followed by its
// value, and the cursor to pass to the next call; start with cursor 0 and
// stop when the returned cursor is 0. count is a hint of how many entries
// to examine per call (<= 0: 10). A field present for the whole iteration
// is returned at least once; small hashes are returned whole in one call.
func (s *Store) HScan(key string, cursor uint64, match string, count int) (fieldValues []string, next uint64, err error) {
	if e := s.hread(key, func(sh *engine.Shard) { fieldValues, next, err = sh.HScan(key, cursor, match, count) }); e != nil {
		return nil, 0, e
	}
	return fieldValues, next, err
}

// hmodify is hwrite for writes that do not grow memory (they run even over
// maxmemory, as in Redis).
func (s *Store) hmodify(key string, fn func(sh *engine.Shard)) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.en.Modify(key, fn)
}
