package engine

import (
	"github.com/kevy-go/kevy/internal/glob"
	"github.com/kevy-go/kevy/internal/keyspace"
)

// SCAN and RANDOMKEY: keyless commands over every shard.

// A SCAN cursor names a shard and a position in that shard's dictionary:
// cursor = dictCursor*shards + shard. Shards are visited in order, each
// from dictionary cursor 0, and the scan ends (cursor 0) after the last one.
// Each shard's dictionary scan reverses the cursor's bits to increment it,
// as Redis's dictScan does, so a key present for the whole scan is returned
// at least once even if tables are resized between calls.

// ScanOptions filters a SCAN.
type ScanOptions struct {
	Match string        // glob pattern; "" or "*" = every key
	Count int           // keys to examine per call; < 1 means 10
	Type  keyspace.Kind // KindNone = every type
	// TypeName, when set, filters by the name TYPE replies with, compared
	// case-insensitively (SCAN's TYPE option; an unknown name matches
	// nothing). It overrides Type.
	TypeName string
}

// Scan returns the live keys found from cursor on, examining at least
// opt.Count keys (fewer only when the scan ends), and the cursor to continue
// with, 0 when the scan is complete. It locks each shard it reads in turn.
func (en *Engine) Scan(cursor uint64, opt ScanOptions) ([]string, uint64) {
	c := Ctx{En: en}
	keys, next := c.scanKeys(cursor, opt)
	en.reapAll()
	return keys, next
}

// scanKeys is Scan for a command context: inside a block that holds shards
// (c.Held), only those shards are scanned.
func (c *Ctx) scanKeys(cursor uint64, opt ScanOptions) ([]string, uint64) {
	n := uint64(len(c.En.shards))
	idx, cur := int(cursor%n), cursor/n
	count := opt.Count
	if count < 1 {
		count = 10
	}
	match := opt.Match
	if match == "*" {
		match = ""
	}
	var out []string
	visited := 0
	for {
		if c.holds(idx) {
			sh := c.En.shards[idx]
			c.rlock(sh)
			now := c.En.readNow()
			cur = sh.dict.Scan(cur, count-visited, func(e *keyspace.Entry) {
				visited++
				if match != "" && !glob.Match(match, e.Key) {
					return
				}
				if opt.TypeName != "" {
					if !eq(opt.TypeName, e.Kind().String()) {
						return
					}
				} else if opt.Type != keyspace.KindNone && e.Kind() != opt.Type {
					return
				}
				if x := e.Exp(); x != 0 && now > x {
					sh.noteExpired(e.Key)
					return
				}
				out = append(out, e.Key)
			})
			c.runlock(sh)
		} else {
			cur = 0
		}
		if cur == 0 {
			idx++
			if idx == len(c.En.shards) {
				return out, 0
			}
		}
		if visited >= count {
			return out, cur*n + uint64(idx)
		}
	}
}

// holds reports whether the command may read shard i: any shard outside a
// block, only the held ones inside.
func (c *Ctx) holds(i int) bool {
	if c.Held == nil {
		return true
	}
	for _, h := range c.Held {
		if h == i {
			return true
		}
	}
	return false
}

// rlock takes sh shared unless a block already holds it.
func (c *Ctx) rlock(sh *Shard) {
	if c.Held == nil {
		sh.mu.RLock()
	}
}

func (c *Ctx) runlock(sh *Shard) {
	if c.Held == nil {
		sh.mu.RUnlock()
	}
}

// RandomKey returns a random live key, or ErrNotFound when there is none.
// It locks the shards it reads in turn.
func (en *Engine) RandomKey() (string, error) {
	c := Ctx{En: en}
	k, err := c.randomKey()
	en.reapAll()
	return k, err
}

// randomKey picks a shard with probability proportional to its size, then
// a random key in it. Expired keys are noted for reaping and skipped; after
// a number of misses it walks the shards for any live key, so it reports
// ErrNotFound only when no live key exists.
func (c *Ctx) randomKey() (string, error) {
	shards := c.En.shards
	for try := 0; try < 64; try++ {
		total := 0
		sizes := make([]int, len(shards))
		for i, sh := range shards {
			if c.holds(i) {
				c.rlock(sh)
				sizes[i] = sh.dict.Len()
				c.runlock(sh)
				total += sizes[i]
			}
		}
		if total == 0 {
			return "", ErrNotFound
		}
		r := lockedRand.IntN(total)
		i := 0
		for r >= sizes[i] {
			r -= sizes[i]
			i++
		}
		sh := shards[i]
		c.rlock(sh)
		var key string
		found := false
		if e := sh.dict.Random(); e != nil {
			if x := e.Exp(); x != 0 && c.En.readNow() > x {
				sh.noteExpired(e.Key)
			} else {
				key, found = e.Key, true
			}
		}
		c.runlock(sh)
		if found {
			return key, nil
		}
	}
	// Mostly expired keys: look for any live one.
	for i, sh := range shards {
		if !c.holds(i) {
			continue
		}
		c.rlock(sh)
		now := c.En.readNow()
		var key string
		found := false
		sh.dict.All(func(e *keyspace.Entry) bool {
			if x := e.Exp(); x != 0 && now > x {
				return true
			}
			key, found = e.Key, true
			return false
		})
		c.runlock(sh)
		if found {
			return key, nil
		}
	}
	return "", ErrNotFound
}

func init() {
	register(
		&Command{Name: "scan", Arity: -2, Flags: FlagReadOnly | FlagSelfLock | FlagRandom, Run: scanCmd},
		&Command{Name: "randomkey", Arity: 1, Flags: FlagReadOnly | FlagSelfLock | FlagRandom, Run: randomkeyCmd},
	)
}

func scanCmd(c *Ctx) {
	o, ok := c.scanArgs(1, true)
	if !ok {
		return
	}
	keys, next := c.scanKeys(o.cursor, ScanOptions{Match: o.match, Count: o.count, TypeName: o.typ})
	c.writeScan(next, keys)
}

func randomkeyCmd(c *Ctx) {
	k, err := c.randomKey()
	if err != nil {
		c.W.WriteNull()
		return
	}
	c.W.WriteBulk(k)
}
