package engine

import (
	"strconv"

	"github.com/kevy-go/kevy/internal/rdb"
)

// DUMP and RESTORE: values travel as Redis's DUMP payload (see package rdb),
// so a payload DUMPed by kevy restores into Redis 7.0 and the reverse.

// ErrBusyKey is RESTORE's reply when the key exists and REPLACE was not given.
var ErrBusyKey = errorf("BUSYKEY Target key name already exists.")

// Dump returns the DUMP payload of key's value, or ErrNotFound. Either lock
// held.
func (sh *Shard) Dump(key string) (string, error) {
	e := sh.lookupRead(key)
	if e == nil {
		return "", ErrNotFound
	}
	return dumpEntry(e), nil
}

// Restore creates key from a DUMP payload with deadline at (Unix ms, 0 for
// none). An existing key is an ErrBusyKey unless replace. A bad payload is
// rdb.ErrDumpPayload (footer) or rdb.ErrBadDataFormat (body), both Redis's
// replies. A deadline already past creates nothing, but still deletes the
// replaced key, as Redis does. Exclusive lock held.
func (sh *Shard) Restore(key, payload string, at int64, replace bool) error {
	h := sh.dict.Hash(key)
	if !replace && sh.lookupWrite(key, h) != nil {
		return ErrBusyKey
	}
	obj, err := rdb.DecodeDump(payload)
	if err != nil {
		return err
	}
	deleted := false
	if replace {
		if old := sh.lookupWrite(key, h); old != nil {
			sh.remove(old)
			deleted = true
		}
	}
	if at != 0 && at <= sh.en.Now() {
		if deleted {
			sh.log("DEL", key)
			sh.notify(ClassGeneric, "del", key)
		}
		return nil
	}
	sh.restoreObject(key, obj, at)
	sh.notify(ClassNew, "new", key)
	if sh.journal != nil {
		sh.log("RESTORE", key, strconv.FormatInt(at, 10), payload, "REPLACE", "ABSTTL")
	}
	sh.notify(ClassGeneric, "restore", key)
	return nil
}

// SetAccess applies RESTORE's IDLETIME (seconds, < 0: not given) or FREQ
// (0-255, < 0: not given) to key's access stamp, as Redis does: FREQ under
// an LFU policy, IDLETIME under any other. Exclusive lock held.
func (sh *Shard) SetAccess(key string, idle, freq int64) {
	e := sh.dict.Lookup(key, sh.dict.Hash(key))
	if e == nil {
		return
	}
	en := sh.en
	if en.LFUPolicy() {
		if freq >= 0 {
			e.Access.Store(en.lfuMinutes()<<8 | uint32(freq))
		}
		return
	}
	if idle >= 0 {
		e.Access.Store(en.lruClock() - uint32(min(idle, 1<<31/1000)*1000)) // wraps
	}
}

func init() {
	register(
		&Command{Name: "dump", Arity: 2, Flags: FlagReadOnly | FlagRandom, First: 1, Last: 1, Step: 1, Run: dumpCmd},
		&Command{Name: "restore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: restoreCmd},
	)
}

func dumpCmd(c *Ctx) { c.bulkOrNull(c.shard(c.Args[1]).Dump(c.Args[1])) }

func restoreCmd(c *Ctx) {
	var replace, absTTL bool
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(c.Args); j++ {
		more := j+1 < len(c.Args)
		switch a := c.Args[j]; {
		case eq(a, "replace"):
			replace = true
		case eq(a, "absttl"):
			absTTL = true
		case eq(a, "idletime") && more && freq == -1:
			v, ok := c.intArg(j + 1)
			if !ok {
				return
			}
			if v < 0 {
				c.err(errorf("ERR Invalid IDLETIME value, must be >= 0"))
				return
			}
			idle = v
			j++
		case eq(a, "freq") && more && idle == -1:
			v, ok := c.intArg(j + 1)
			if !ok {
				return
			}
			if v < 0 || v > 255 {
				c.err(errorf("ERR Invalid FREQ value, must be >= 0 and <= 255"))
				return
			}
			freq = v
			j++
		default:
			c.err(ErrSyntax)
			return
		}
	}
	key := c.Args[1]
	sh := c.shard(key)
	if !replace && sh.lookupWrite(key, sh.dict.Hash(key)) != nil {
		c.err(ErrBusyKey)
		return
	}
	ttl, ok := c.intArg(2)
	if !ok {
		return
	}
	if ttl < 0 {
		c.err(errorf("ERR Invalid TTL value, must be >= 0"))
		return
	}
	if ttl != 0 && !absTTL {
		ttl += c.En.Now() // wraps on overflow, as in Redis: then already expired
	}
	if err := sh.Restore(key, c.Args[3], ttl, replace); err != nil {
		c.err(err)
		return
	}
	sh.SetAccess(key, idle, freq)
	c.ok()
}
