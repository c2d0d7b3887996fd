package engine

import (
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// Push adds vals to the head (left) or tail of the list at key, creating it
// unless onlyExisting (LPUSHX/RPUSHX), and returns the new length (0 when
// onlyExisting and missing). Exclusive lock held.
func (sh *Shard) Push(key string, vals []string, left, onlyExisting bool) (int, error) {
	e, err := sh.object(key, keyspace.KindList, true)
	if err != nil {
		return 0, err
	}
	var l *types.List
	if e == nil {
		if onlyExisting {
			return 0, nil
		}
		l = types.NewList()
		sh.addObject(key, keyspace.KindList, unsafe.Pointer(l))
	} else {
		l = listOf(e)
	}
	if left {
		l.PushFront(vals...)
		sh.logv("LPUSH", key, vals)
	} else {
		l.PushBack(vals...)
		sh.logv("RPUSH", key, vals)
	}
	return l.Len(), nil
}

// Pop removes up to count elements from the head (left) or tail. A missing
// key gives ErrNotFound; an emptied list is deleted. Exclusive lock held.
func (sh *Shard) Pop(key string, count int, left bool) ([]string, error) {
	e, err := sh.object(key, keyspace.KindList, true)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, ErrNotFound
	}
	l := listOf(e)
	n := min(count, l.Len())
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		var v string
		if left {
			v, _ = l.PopFront()
		} else {
			v, _ = l.PopBack()
		}
		out = append(out, v)
	}
	if n > 0 {
		if left {
			sh.log("LPOP", key, itoa(n))
		} else {
			sh.log("RPOP", key, itoa(n))
		}
	}
	sh.dropIfEmpty(e, l.Len())
	return out, nil
}

// LLen returns the list's length (0 when missing). Either lock held.
func (sh *Shard) LLen(key string) (int, error) {
	e, err := sh.object(key, keyspace.KindList, false)
	if e == nil || err != nil {
		return 0, err
	}
	return listOf(e).Len(), nil
}

func init() {
	register(
		&Command{Name: "lpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: pushCmd},
		&Command{Name: "rpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: pushCmd},
		&Command{Name: "lpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: pushCmd},
		&Command{Name: "rpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: pushCmd},
		&Command{Name: "lpop", Arity: -2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: popCmd},
		&Command{Name: "rpop", Arity: -2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: popCmd},
		&Command{Name: "llen", Arity: 2, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: llenCmd},
	)
}

func pushCmd(c *Ctx) {
	name := c.Cmd.Name
	n, err := c.shard(c.Args[1]).Push(c.Args[1], c.Args[2:], name[0] == 'l', name[len(name)-1] == 'x')
	c.intOrErr(int64(n), err)
}

func popCmd(c *Ctx) {
	if len(c.Args) > 3 {
		c.err(ErrSyntax)
		return
	}
	count, withCount := 1, len(c.Args) == 3
	if withCount {
		v, ok := ParseInt(c.Args[2])
		if !ok || v < 0 {
			c.err(ErrPositive)
			return
		}
		count = int(min(v, 1<<40))
	}
	vals, err := c.shard(c.Args[1]).Pop(c.Args[1], count, c.Cmd.Name == "lpop")
	switch {
	case err == ErrNotFound && withCount:
		c.W.WriteNullArray()
	case err == ErrNotFound:
		c.W.WriteNull()
	case err != nil:
		c.err(err)
	case withCount:
		c.strings(vals)
	case len(vals) == 0:
		c.W.WriteNull()
	default:
		c.W.WriteBulk(vals[0])
	}
}

func llenCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).LLen(c.Args[1])
	c.intOrErr(int64(n), err)
}
