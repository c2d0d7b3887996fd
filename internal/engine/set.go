package engine

import (
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// SAdd adds members and returns how many were new. Exclusive lock held.
func (sh *Shard) SAdd(key string, members []string) (int, error) {
	e, err := sh.object(key, keyspace.KindSet, true)
	if err != nil {
		return 0, err
	}
	var s *types.Set
	if e == nil {
		s = types.NewSet(sh.en.limits)
		sh.addObject(key, keyspace.KindSet, unsafe.Pointer(s))
	} else {
		s = setOf(e)
	}
	n := 0
	for _, m := range members {
		if s.Add(m) {
			n++
		}
	}
	if n > 0 {
		sh.logv("SADD", key, members)
	}
	return n, nil
}

// SRem removes members and returns how many existed; an emptied set is
// deleted. Exclusive lock held.
func (sh *Shard) SRem(key string, members []string) (int, error) {
	e, err := sh.object(key, keyspace.KindSet, true)
	if e == nil || err != nil {
		return 0, err
	}
	s := setOf(e)
	n := 0
	for _, m := range members {
		if s.Remove(m) {
			n++
		}
	}
	if n > 0 {
		sh.logv("SREM", key, members)
		sh.dropIfEmpty(e, s.Len())
	}
	return n, nil
}

// SMembers returns every member (an intset in ascending order). Either lock held.
func (sh *Shard) SMembers(key string) ([]string, error) {
	e, err := sh.object(key, keyspace.KindSet, false)
	if e == nil || err != nil {
		return nil, err
	}
	s := setOf(e)
	out := make([]string, 0, s.Len())
	s.All(func(m string) bool {
		out = append(out, m)
		return true
	})
	return out, nil
}

// SCard returns the number of members. Either lock held.
func (sh *Shard) SCard(key string) (int, error) {
	e, err := sh.object(key, keyspace.KindSet, false)
	if e == nil || err != nil {
		return 0, err
	}
	return setOf(e).Len(), nil
}

func init() {
	register(
		&Command{Name: "sadd", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: saddCmd},
		&Command{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: sremCmd},
		&Command{Name: "smembers", Arity: 2, Flags: FlagReadOnly, First: 1, Last: 1, Step: 1, Run: smembersCmd},
		&Command{Name: "scard", Arity: 2, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: scardCmd},
	)
}

func saddCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).SAdd(c.Args[1], c.Args[2:])
	c.intOrErr(int64(n), err)
}

func sremCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).SRem(c.Args[1], c.Args[2:])
	c.intOrErr(int64(n), err)
}

func smembersCmd(c *Ctx) {
	ms, err := c.shard(c.Args[1]).SMembers(c.Args[1])
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteSet(len(ms))
	for _, m := range ms {
		c.W.WriteBulk(m)
	}
}

func scardCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).SCard(c.Args[1])
	c.intOrErr(int64(n), err)
}
