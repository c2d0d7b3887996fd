package engine

import (
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// HSet sets field/value pairs (pairs has even length) and returns how many
// fields were new. Exclusive lock held.
func (sh *Shard) HSet(key string, pairs []string) (int, error) {
	e, err := sh.object(key, keyspace.KindHash, true)
	if err != nil {
		return 0, err
	}
	var h *types.Hash
	if e == nil {
		h = types.NewHash(sh.en.limits)
		sh.addObject(key, keyspace.KindHash, unsafe.Pointer(h))
	} else {
		h = hashOf(e)
	}
	added := 0
	for i := 0; i+1 < len(pairs); i += 2 {
		if h.Set(pairs[i], pairs[i+1]) {
			added++
		}
	}
	sh.logv("HSET", key, pairs)
	return added, nil
}

// HGet returns a field's value. Either lock held.
func (sh *Shard) HGet(key, field string) (string, error) {
	e, err := sh.object(key, keyspace.KindHash, false)
	if err != nil {
		return "", err
	}
	if e == nil {
		return "", ErrNotFound
	}
	v, ok := hashOf(e).Get(field)
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// HDel deletes fields and returns how many existed; an emptied hash is
// deleted. Exclusive lock held.
func (sh *Shard) HDel(key string, fields []string) (int, error) {
	e, err := sh.object(key, keyspace.KindHash, true)
	if e == nil || err != nil {
		return 0, err
	}
	h := hashOf(e)
	n := 0
	for _, f := range fields {
		if h.Delete(f) {
			n++
		}
	}
	if n > 0 {
		sh.logv("HDEL", key, fields)
		sh.dropIfEmpty(e, h.Len())
	}
	return n, nil
}

func init() {
	register(
		&Command{Name: "hset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: hsetCmd},
		&Command{Name: "hmset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: hsetCmd},
		&Command{Name: "hget", Arity: 3, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: hgetCmd},
		&Command{Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: hdelCmd},
	)
}

func hsetCmd(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.err(ArityError(c.Cmd.Name))
		return
	}
	n, err := c.shard(c.Args[1]).HSet(c.Args[1], c.Args[2:])
	switch {
	case err != nil:
		c.err(err)
	case c.Cmd.Name == "hmset":
		c.ok()
	default:
		c.W.WriteInt(int64(n))
	}
}

func hgetCmd(c *Ctx) { c.bulkOrNull(c.shard(c.Args[1]).HGet(c.Args[1], c.Args[2])) }

func hdelCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).HDel(c.Args[1], c.Args[2:])
	c.intOrErr(int64(n), err)
}
