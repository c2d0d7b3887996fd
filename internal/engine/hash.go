package engine

import (
	"math"
	"math/big"
	"strconv"

	"github.com/kevy-go/kevy/internal/glob"
	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// Hash cores. Each is called with key's shard lock held: exclusively for
// writes, either way for reads. The command handlers (hash_cmd.go) and the
// public typed API share them.

// errIncrNaNOrInf is HINCRBYFLOAT's reply for an infinite increment.
var errIncrNaNOrInf = errorf("ERR value is NaN or Infinity")

// hashRead returns the hash at key, nil when missing. Either lock held.
func (sh *Shard) hashRead(key string) (*types.Hash, error) {
	return readObject[types.Hash](sh, key, keyspace.KindHash)
}

// hashWrite returns the entry and hash at key, nil when missing. Exclusive lock held.
func (sh *Shard) hashWrite(key string) (*keyspace.Entry, *types.Hash, error) {
	return writeObject[types.Hash](sh, key, keyspace.KindHash)
}

// newHash creates key holding an empty hash. Exclusive lock held; key absent.
func (sh *Shard) newHash(key string) *types.Hash {
	return newObject(sh, key, keyspace.KindHash, types.NewHash(sh.en.limits))
}

// HSet sets field/value pairs (pairs has even length) and returns how many
// fields were new. Exclusive lock held.
func (sh *Shard) HSet(key string, pairs []string) (int, error) {
	_, h, err := sh.hashWrite(key)
	if err != nil {
		return 0, err
	}
	if h == nil {
		h = sh.newHash(key)
	}
	set := h.Set
	if sh.borrowed {
		set = h.SetCopy // fields and values are views of the caller's buffer
	}
	added := 0
	for i := 0; i+1 < len(pairs); i += 2 {
		if set(pairs[i], pairs[i+1]) {
			added++
		}
	}
	sh.logv("HSET", key, pairs)
	sh.notify(ClassHash, "hset", key)
	return added, nil
}

// HSetNX sets field only if it does not exist yet and reports whether it
// did. Exclusive lock held.
func (sh *Shard) HSetNX(key, field, value string) (bool, error) {
	_, h, err := sh.hashWrite(key)
	if err != nil {
		return false, err
	}
	if h == nil {
		h = sh.newHash(key)
	} else if h.Has(field) {
		return false, nil
	}
	if sh.borrowed {
		h.SetCopy(field, value)
	} else {
		h.Set(field, value)
	}
	sh.log("HSET", key, field, value)
	sh.notify(ClassHash, "hset", key)
	return true, nil
}

// HGet returns a field's value, ErrNotFound when the key or the field is
// missing. Either lock held.
func (sh *Shard) HGet(key, field string) (string, error) {
	h, err := sh.hashRead(key)
	if err != nil {
		return "", err
	}
	if h == nil {
		return "", ErrNotFound
	}
	v, ok := h.Get(field)
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// HMGet returns the values of fields; found[i] is false where a field (or
// the whole key) is missing. Either lock held.
func (sh *Shard) HMGet(key string, fields []string) (vals []string, found []bool, err error) {
	h, err := sh.hashRead(key)
	if err != nil {
		return nil, nil, err
	}
	vals, found = make([]string, len(fields)), make([]bool, len(fields))
	if h != nil {
		for i, f := range fields {
			vals[i], found[i] = h.Get(f)
		}
	}
	return vals, found, nil
}

// HGetAll returns fields and values, interleaved, in the hash's order:
// insertion order for a listpack hash, unspecified for a hashtable. Either
// lock held.
func (sh *Shard) HGetAll(key string) ([]string, error) {
	return sh.hashItems(key, true, true)
}

// HKeys returns the fields, in HGetAll's order. Either lock held.
func (sh *Shard) HKeys(key string) ([]string, error) { return sh.hashItems(key, true, false) }

// HVals returns the values, in HGetAll's order. Either lock held.
func (sh *Shard) HVals(key string) ([]string, error) { return sh.hashItems(key, false, true) }

func (sh *Shard) hashItems(key string, fields, values bool) ([]string, error) {
	h, err := sh.hashRead(key)
	if h == nil || err != nil {
		return nil, err
	}
	n := h.Len()
	if fields && values {
		n *= 2
	}
	out := make([]string, 0, n)
	h.All(func(f, v string) bool {
		if fields {
			out = append(out, f)
		}
		if values {
			out = append(out, v)
		}
		return true
	})
	return out, nil
}

// HLen returns the number of fields (0 when missing). Either lock held.
func (sh *Shard) HLen(key string) (int, error) {
	h, err := sh.hashRead(key)
	if h == nil || err != nil {
		return 0, err
	}
	return h.Len(), nil
}

// HExists reports whether field exists. Either lock held.
func (sh *Shard) HExists(key, field string) (bool, error) {
	h, err := sh.hashRead(key)
	if h == nil || err != nil {
		return false, err
	}
	return h.Has(field), nil
}

// HStrLen returns the length of field's value (0 when missing). Either lock
// held.
func (sh *Shard) HStrLen(key, field string) (int, error) {
	h, err := sh.hashRead(key)
	if h == nil || err != nil {
		return 0, err
	}
	v, _ := h.Get(field)
	return len(v), nil
}

// HDel deletes fields and returns how many existed; an emptied hash is
// deleted. Exclusive lock held.
func (sh *Shard) HDel(key string, fields []string) (int, error) {
	e, h, err := sh.hashWrite(key)
	if h == nil || err != nil {
		return 0, err
	}
	n := 0
	for _, f := range fields {
		if h.Delete(f) {
			n++
		}
	}
	if n > 0 {
		sh.logv("HDEL", key, fields)
		sh.notify(ClassHash, "hdel", key)
		sh.dropIfEmpty(e, h.Len())
		sh.notifyIfEmptied(h.Len(), key)
	}
	return n, nil
}

// HIncrBy adds delta to the integer in field (a missing field counts as 0)
// and returns the result: ErrHashNotInt when the value is not an integer,
// ErrOverflow past the int64 range. Exclusive lock held.
func (sh *Shard) HIncrBy(key, field string, delta int64) (int64, error) {
	_, h, err := sh.hashWrite(key)
	if err != nil {
		return 0, err
	}
	var cur int64
	if h != nil {
		if v, ok := h.Get(field); ok {
			if cur, ok = ParseInt(v); !ok {
				return 0, ErrHashNotInt
			}
		}
	}
	if (delta < 0 && cur < 0 && delta < math.MinInt64-cur) ||
		(delta > 0 && cur > 0 && delta > math.MaxInt64-cur) {
		return 0, ErrOverflow
	}
	n := cur + delta
	if h == nil {
		h = sh.newHash(key)
	}
	s := strconv.FormatInt(n, 10)
	h.Set(field, s)
	sh.log("HSET", key, field, s)
	sh.notify(ClassHash, "hincrby", key)
	return n, nil
}

// HIncrByFloat adds the decimal incr to the number in field with Redis's
// long-double arithmetic (as INCRBYFLOAT does) and returns the stored text.
// Exclusive lock held.
func (sh *Shard) HIncrByFloat(key, field, incr string) (string, error) {
	by, ok := ParseLongDouble(incr)
	if !ok {
		return "", ErrNotFloat
	}
	if by.IsInf() {
		return "", errIncrNaNOrInf
	}
	_, h, err := sh.hashWrite(key)
	if err != nil {
		return "", err
	}
	cur := new(big.Float).SetPrec(longDoublePrec)
	if h != nil {
		if v, ok := h.Get(field); ok {
			if cur, ok = ParseLongDouble(v); !ok {
				return "", ErrHashNotFloat
			}
		}
	}
	sum, err := addLongDouble(cur, by)
	if err != nil {
		return "", err
	}
	s := FormatLongDouble(sum)
	if h == nil {
		h = sh.newHash(key)
	}
	h.Set(field, s)
	sh.log("HSET", key, field, s)
	sh.notify(ClassHash, "hincrbyfloat", key)
	return s, nil
}

// HRandField returns a random field, ErrNotFound when the key is missing.
// Either lock held.
func (sh *Shard) HRandField(key string) (string, error) {
	h, err := sh.hashRead(key)
	if err != nil {
		return "", err
	}
	if h == nil {
		return "", ErrNotFound
	}
	f, _, _ := h.Random(lockedRand)
	return f, nil
}

// HRandFieldN returns random fields as HRANDFIELD with a count does: a
// positive count asks for up to count distinct fields, a negative one for
// exactly -count fields that may repeat (at most MaxRandomCount, else
// errValueRange). With withValues each field is followed by its value.
// Either lock held.
func (sh *Shard) HRandFieldN(key string, count int, withValues bool) ([]string, error) {
	h, err := sh.hashRead(key)
	if h == nil || err != nil {
		return nil, err
	}
	if count < -MaxRandomCount {
		return nil, errValueRange
	}
	n := count
	if count < 0 {
		n = -count
	} else {
		n = min(n, h.Len())
	}
	if withValues {
		n *= 2
	}
	out := make([]string, 0, n)
	h.RandomN(lockedRand, count, func(f, v string) {
		out = append(out, f)
		if withValues {
			out = append(out, v)
		}
	})
	return out, nil
}

// HScan performs one HSCAN step from cursor: the fields matching the glob
// pattern match ("" for all) with their values, interleaved, and the cursor
// to continue with (0 when done). count is a hint of how many fields and
// values to examine; a listpack hash is always reported whole. Either lock
// held.
func (sh *Shard) HScan(key string, cursor uint64, match string, count int) ([]string, uint64, error) {
	h, err := sh.hashRead(key)
	if h == nil || err != nil {
		return nil, 0, err
	}
	if count < 1 {
		count = 10
	}
	var out []string
	// Redis counts fields and values alike against COUNT.
	next := h.Scan(cursor, (count+1)/2, func(f, v string) {
		if match == "" || glob.Match(match, f) {
			out = append(out, f, v)
		}
	})
	return out, next, nil
}
