package engine

import (
	"strconv"

	"github.com/kevy-go/kevy/internal/types"
)

// Helpers that command handlers share.

func (c *Ctx) shard(key string) *Shard { return c.En.ShardOf(key) }

func (c *Ctx) ok() { c.W.WriteSimple("OK") }

func (c *Ctx) err(e error) { c.W.WriteError(e) }

// reply writes v or err, err first.
func (c *Ctx) intOrErr(v int64, err error) {
	if err != nil {
		c.W.WriteError(err)
		return
	}
	c.W.WriteInt(v)
}

// bulkOrNull writes s, a null for ErrNotFound, or the error.
func (c *Ctx) bulkOrNull(s string, err error) {
	switch err {
	case nil:
		c.W.WriteBulk(s)
	case ErrNotFound:
		c.W.WriteNull()
	default:
		c.W.WriteError(err)
	}
}

// strings writes an array of bulk strings.
func (c *Ctx) strings(vs []string) {
	c.W.WriteArray(len(vs))
	for _, v := range vs {
		c.W.WriteBulk(v)
	}
}

// intArg parses argument i as Redis's string2ll, replying the standard
// error on failure.
func (c *Ctx) intArg(i int) (int64, bool) {
	v, ok := ParseInt(c.Args[i])
	if !ok {
		c.W.WriteError(ErrNotInteger)
	}
	return v, ok
}

// floatArg parses argument i as a double, replying the standard error.
func (c *Ctx) floatArg(i int) (float64, bool) {
	v, ok := ParseFloat(c.Args[i])
	if !ok {
		c.W.WriteError(ErrNotFloat)
	}
	return v, ok
}

// eq compares ignoring ASCII case, as Redis compares option names.
func eq(a, b string) bool { return types.EqualFold(a, b) }

// normRange converts Redis's inclusive [start, stop] with negative indexes
// over n elements into a half-open [lo, hi); empty when lo >= hi.
func normRange(start, stop int64, n int) (lo, hi int) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	if start < 0 {
		start = 0
	}
	if stop >= ln {
		stop = ln - 1
	}
	if start > stop || start >= ln {
		return 0, 0
	}
	return int(start), int(stop) + 1
}

func itoa(n int) string { return strconv.Itoa(n) }

// eachShard calls fn for every shard a keyless command covers: all shards,
// each locked in turn (exclusively when write), or, inside a block that
// holds shards (c.Held), just those, already locked.
func (c *Ctx) eachShard(write bool, fn func(sh *Shard) bool) {
	if c.Held != nil {
		for _, i := range c.Held {
			if !fn(c.En.shards[i]) {
				return
			}
		}
		return
	}
	for _, sh := range c.En.shards {
		if write {
			sh.mu.Lock()
		} else {
			sh.mu.RLock()
		}
		more := fn(sh)
		if write {
			evs := sh.takeEvents(nil)
			sh.mu.Unlock()
			c.En.deliver(evs)
		} else {
			sh.mu.RUnlock()
		}
		if !more {
			return
		}
	}
}
