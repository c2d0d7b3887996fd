package engine

import (
	"math"
	"strconv"

	"github.com/kevy-go/kevy/internal/glob"
	"github.com/kevy-go/kevy/internal/keyspace"
)

// Del deletes key and reports whether it existed. Exclusive lock held.
func (sh *Shard) Del(key string) bool {
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	if e == nil {
		return false
	}
	sh.remove(e)
	sh.log("DEL", key)
	sh.notify(ClassGeneric, "del", key)
	return true
}

// lookupQuiet is lookupRead without refreshing the key's access stamp:
// Redis's LOOKUP_NOTOUCH, for commands that inspect a key without using it
// (EXISTS, TYPE, TTL, OBJECT). Either lock held.
func (sh *Shard) lookupQuiet(key string) *keyspace.Entry {
	e := sh.dict.Lookup(key, sh.dict.Hash(key))
	if e == nil {
		return nil
	}
	if x := e.Exp(); x != 0 && sh.en.readNow() > x {
		sh.noteExpired(key)
		return nil
	}
	return e
}

// Exists reports whether key is present, without counting as an access.
// Either lock held.
func (sh *Shard) Exists(key string) bool { return sh.lookupQuiet(key) != nil }

// Touch reports whether key is present and records an access to it (for
// OBJECT IDLETIME and eviction), as TOUCH does. Either lock held.
func (sh *Shard) Touch(key string) bool { return sh.lookupRead(key) != nil }

// Type returns key's type, KindNone when missing. Either lock held.
func (sh *Shard) Type(key string) keyspace.Kind {
	if e := sh.lookupQuiet(key); e != nil {
		return e.Kind()
	}
	return keyspace.KindNone
}

// ExpireFlags are EXPIRE's NX/XX/GT/LT conditions.
type ExpireFlags uint8

// EXPIRE conditions.
const (
	ExpireNX ExpireFlags = 1 << iota // only if the key has no TTL
	ExpireXX                         // only if it has one
	ExpireGT                         // only if the new deadline is later (no TTL = infinite)
	ExpireLT                         // only if it is earlier
)

// ExpireAt sets key's deadline to at (Unix ms) under the conditions in f.
// A deadline not in the future deletes the key, as Redis does. It reports
// whether the deadline was set. Exclusive lock held.
func (sh *Shard) ExpireAt(key string, at int64, f ExpireFlags) bool {
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	if e == nil {
		return false
	}
	cur := e.Exp()
	switch {
	case f&ExpireNX != 0 && cur != 0,
		f&ExpireXX != 0 && cur == 0,
		f&ExpireGT != 0 && (cur == 0 || at <= cur),
		f&ExpireLT != 0 && cur != 0 && at >= cur:
		return false
	}
	if at <= sh.en.Now() {
		sh.remove(e)
		sh.log("DEL", key)
		sh.notify(ClassGeneric, "del", key)
		return true
	}
	sh.dict.SetExpire(e, at)
	if sh.journal != nil {
		sh.log("PEXPIREAT", key, strconv.FormatInt(at, 10))
	}
	sh.notify(ClassGeneric, "expire", key)
	return true
}

// Persist removes key's TTL and reports whether it had one. Exclusive lock held.
func (sh *Shard) Persist(key string) bool {
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	if e == nil || e.Exp() == 0 {
		return false
	}
	sh.dict.SetExpire(e, 0)
	sh.log("PERSIST", key)
	sh.notify(ClassGeneric, "persist", key)
	return true
}

// PTTL returns key's remaining time in ms, -2 if missing, -1 without TTL.
// Either lock held.
func (sh *Shard) PTTL(key string) int64 {
	e := sh.lookupQuiet(key)
	switch {
	case e == nil:
		return -2
	case e.Exp() == 0:
		return -1
	}
	return max(e.Exp()-sh.en.Now(), 0)
}

// ExpireTime returns key's deadline in Unix ms, -2 if missing, -1 without TTL.
func (sh *Shard) ExpireTime(key string) int64 {
	e := sh.lookupQuiet(key)
	switch {
	case e == nil:
		return -2
	case e.Exp() == 0:
		return -1
	}
	return e.Exp()
}

// Flush deletes every key of the shard. Exclusive lock held.
func (sh *Shard) Flush() {
	sh.dict.Clear()
	sh.used.Store(0)
	sh.log("FLUSHALL")
}

// DBSize counts the keys of every shard.
func (en *Engine) DBSize() int {
	c := Ctx{En: en}
	return c.dbsize()
}

func (c *Ctx) dbsize() int {
	n := 0
	c.eachShard(false, func(sh *Shard) bool { n += sh.dict.Len(); return true })
	return n
}

// FlushAll empties every shard.
func (en *Engine) FlushAll() {
	c := Ctx{En: en}
	c.eachShard(true, func(sh *Shard) bool { sh.Flush(); return true })
}

// Keys returns up to limit (<= 0: all) live keys matching the glob pattern,
// across every shard.
func (en *Engine) Keys(pattern string, limit int) []string {
	c := Ctx{En: en}
	return c.keys(pattern, limit)
}

func (c *Ctx) keys(pattern string, limit int) []string {
	var out []string
	all := pattern == "*"
	c.eachShard(false, func(sh *Shard) bool {
		now := c.En.readNow()
		sh.dict.All(func(e *keyspace.Entry) bool {
			if x := e.Exp(); x != 0 && now > x {
				return true
			}
			if all || glob.Match(pattern, e.Key) {
				out = append(out, e.Key)
			}
			return limit <= 0 || len(out) < limit
		})
		return limit <= 0 || len(out) < limit
	})
	return out
}

func init() {
	keyed := func(name string, arity int, f Flag, run func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: f, First: 1, Last: 1, Step: 1, Run: run}
	}
	register(
		&Command{Name: "del", Arity: -2, Flags: FlagWrite, First: 1, Last: -1, Step: 1, Run: delCmd},
		&Command{Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast, First: 1, Last: -1, Step: 1, Run: delCmd},
		&Command{Name: "exists", Arity: -2, Flags: FlagReadOnly | FlagFast, First: 1, Last: -1, Step: 1, Run: existsCmd},
		&Command{Name: "touch", Arity: -2, Flags: FlagReadOnly | FlagFast, First: 1, Last: -1, Step: 1, Run: touchCmd},
		keyed("type", 2, FlagReadOnly|FlagFast, typeCmd),
		keyed("expire", -3, FlagWrite|FlagFast, expireCmd),
		keyed("pexpire", -3, FlagWrite|FlagFast, expireCmd),
		keyed("expireat", -3, FlagWrite|FlagFast, expireCmd),
		keyed("pexpireat", -3, FlagWrite|FlagFast, expireCmd),
		keyed("ttl", 2, FlagReadOnly|FlagFast|FlagRandom, ttlCmd),
		keyed("pttl", 2, FlagReadOnly|FlagFast|FlagRandom, ttlCmd),
		keyed("expiretime", 2, FlagReadOnly|FlagFast, expiretimeCmd),
		keyed("pexpiretime", 2, FlagReadOnly|FlagFast, expiretimeCmd),
		keyed("persist", 2, FlagWrite|FlagFast, persistCmd),
		&Command{Name: "dbsize", Arity: 1, Flags: FlagReadOnly | FlagFast | FlagSelfLock, Run: dbsizeCmd},
		&Command{Name: "flushall", Arity: -1, Flags: FlagWrite | FlagSelfLock, Run: flushCmd},
		&Command{Name: "flushdb", Arity: -1, Flags: FlagWrite | FlagSelfLock, Run: flushCmd},
		&Command{Name: "keys", Arity: 2, Flags: FlagReadOnly | FlagSelfLock, Run: keysCmd},
	)
}

func delCmd(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if c.shard(k).Del(k) {
			n++
		}
	}
	c.W.WriteInt(n)
}

func existsCmd(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if c.shard(k).Exists(k) {
			n++
		}
	}
	c.W.WriteInt(n)
}

func touchCmd(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if c.shard(k).Touch(k) {
			n++
		}
	}
	c.W.WriteInt(n)
}

func typeCmd(c *Ctx) { c.W.WriteSimple(c.shard(c.Args[1]).Type(c.Args[1]).String()) }

func expireCmd(c *Ctx) {
	var f ExpireFlags
	for _, opt := range c.Args[3:] {
		switch {
		case eq(opt, "nx"):
			f |= ExpireNX
		case eq(opt, "xx"):
			f |= ExpireXX
		case eq(opt, "gt"):
			f |= ExpireGT
		case eq(opt, "lt"):
			f |= ExpireLT
		default:
			c.err(errorf("ERR Unsupported option %s", opt))
			return
		}
	}
	if f&ExpireNX != 0 && f&(ExpireXX|ExpireGT|ExpireLT) != 0 {
		c.err(errorf("ERR NX and XX, GT or LT options at the same time are not compatible"))
		return
	}
	if f&ExpireGT != 0 && f&ExpireLT != 0 {
		c.err(errorf("ERR GT and LT options at the same time are not compatible"))
		return
	}
	when, ok := c.intArg(2)
	if !ok {
		return
	}
	seconds := c.Cmd.Name == "expire" || c.Cmd.Name == "expireat"
	relative := c.Cmd.Name == "expire" || c.Cmd.Name == "pexpire"
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.err(ExpireError(c.Cmd.Name))
			return
		}
		when *= 1000
	}
	if relative {
		now := c.En.Now()
		if (when > 0 && now > math.MaxInt64-when) || (when < 0 && now < math.MinInt64-when) {
			c.err(ExpireError(c.Cmd.Name))
			return
		}
		when += now
	}
	c.W.WriteInt(b2i(c.shard(c.Args[1]).ExpireAt(c.Args[1], when, f)))
}

func ttlCmd(c *Ctx) {
	ms := c.shard(c.Args[1]).PTTL(c.Args[1])
	if ms >= 0 && c.Cmd.Name == "ttl" {
		ms = (ms + 500) / 1000
	}
	c.W.WriteInt(ms)
}

func expiretimeCmd(c *Ctx) {
	at := c.shard(c.Args[1]).ExpireTime(c.Args[1])
	if at >= 0 && c.Cmd.Name == "expiretime" {
		at = (at + 500) / 1000
	}
	c.W.WriteInt(at)
}

func persistCmd(c *Ctx) { c.W.WriteInt(b2i(c.shard(c.Args[1]).Persist(c.Args[1]))) }

func dbsizeCmd(c *Ctx) { c.W.WriteInt(int64(c.dbsize())) }

func flushCmd(c *Ctx) {
	if len(c.Args) > 2 || (len(c.Args) == 2 && !eq(c.Args[1], "async") && !eq(c.Args[1], "sync")) {
		c.err(ErrSyntax)
		return
	}
	if c.Held != nil && len(c.Held) != len(c.En.shards) {
		c.err(ErrCrossShard) // a block holding some shards cannot flush them all
		return
	}
	c.eachShard(true, func(sh *Shard) bool { sh.Flush(); return true })
	c.ok()
}

func keysCmd(c *Ctx) { c.strings(c.keys(c.Args[1], 0)) }

// moveValue creates dst on shard to holding a copy of e's value and deadline.
// Exclusive locks held on both shards.
func moveValue(to *Shard, dst string, e *keyspace.Entry) *keyspace.Entry {
	k, p, s := cloneValue(e)
	var ne *keyspace.Entry
	h := to.dict.Hash(dst)
	if k == keyspace.KindString {
		ne = keyspace.NewEntry(dst, h, s)
		ne.Flags = e.Flags &^ keyspace.FlagOwned // the copy shares the bytes
	} else {
		ne = keyspace.NewObjectEntry(dst, h, k, p)
	}
	to.dict.Insert(ne)
	if x := e.Exp(); x != 0 {
		to.dict.SetExpire(ne, x)
	}
	return ne
}
