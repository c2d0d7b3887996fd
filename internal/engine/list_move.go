package engine

import (
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// The list commands that touch several keys, possibly on different shards:
// LMOVE, RPOPLPUSH and LMPOP. Their cores are Engine methods called with
// every key's shard held exclusively; each shard logs its own key's effect
// (the pop on the source's shard, the push on the destination's).

// Redis's error replies of LMPOP.
var (
	errLMPopNumkeys = errorf("ERR numkeys should be greater than 0")
	errLMPopCount   = errorf("ERR count should be greater than 0")
)

// LMove pops an element from the head (fromLeft) or tail of the list at
// src, pushes it to the head (toLeft) or tail of the list at dst, creating
// dst if needed, and returns it. src and dst may be the same key (the list
// rotates). A missing src gives ErrNotFound and leaves dst untouched; dst
// holding another type gives ErrWrongType and leaves src untouched. The
// shards of both keys are held exclusively.
func (en *Engine) LMove(src, dst string, fromLeft, toLeft bool) (string, error) {
	ssh := en.ShardOf(src)
	se, err := ssh.object(src, keyspace.KindList, true)
	if err != nil {
		return "", err
	}
	if se == nil || listOf(se).Len() == 0 {
		return "", ErrNotFound
	}
	sl := listOf(se)
	dsh := en.ShardOf(dst)
	var dl *types.List
	if dst == src {
		dl = sl
	} else {
		de, err := dsh.object(dst, keyspace.KindList, true)
		if err != nil {
			return "", err
		}
		if de != nil {
			dl = listOf(de)
		}
	}
	var v string
	if fromLeft {
		v, _ = sl.PopFront()
	} else {
		v, _ = sl.PopBack()
	}
	if dst == src {
		// A rotation: log it whole, so replay neither empties the list
		// (which would drop its TTL) nor needs another shard.
		if toLeft {
			sl.PushFront(v)
			ssh.notify(ClassList, "lpush", src)
		} else {
			sl.PushBack(v)
			ssh.notify(ClassList, "rpush", src)
		}
		ssh.log("LMOVE", src, src, sideName(fromLeft), sideName(toLeft))
		if fromLeft {
			ssh.notify(ClassList, "lpop", src)
		} else {
			ssh.notify(ClassList, "rpop", src)
		}
		return v, nil
	}
	if fromLeft {
		ssh.log("LPOP", src, "1")
	} else {
		ssh.log("RPOP", src, "1")
	}
	if dl == nil {
		dl = types.NewList()
		dsh.addObject(dst, keyspace.KindList, unsafe.Pointer(dl))
		dsh.notify(ClassNew, "new", dst)
	}
	dsh.pushList(dl, dst, []string{v}, toLeft)
	if fromLeft {
		ssh.notify(ClassList, "lpop", src)
	} else {
		ssh.notify(ClassList, "rpop", src)
	}
	ssh.dropIfEmpty(se, sl.Len())
	ssh.notifyIfEmptied(sl.Len(), src)
	return v, nil
}

// LMPop pops up to count elements from the head (left) or tail of the first
// non-empty list among keys and returns its key and the elements. When all
// are missing it gives ErrNotFound; a key of another type met before a
// list gives ErrWrongType. The shards of all keys are held exclusively.
func (en *Engine) LMPop(keys []string, left bool, count int) (string, []string, error) {
	for _, k := range keys {
		sh := en.ShardOf(k)
		e, err := sh.object(k, keyspace.KindList, true)
		if err != nil {
			return "", nil, err
		}
		if e == nil || listOf(e).Len() == 0 {
			continue
		}
		return k, sh.popList(e, k, count, left), nil
	}
	return "", nil, ErrNotFound
}

func init() {
	register(
		&Command{Name: "lmove", Arity: 5, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 2, Step: 1, Run: lmoveCmd},
		&Command{Name: "rpoplpush", Arity: 3, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 2, Step: 1, Run: lmoveCmd},
		&Command{Name: "lmpop", Arity: -4, Flags: FlagWrite, Keys: lmpopKeys(1), Run: lmpopCmd},
	)
}

func lmoveCmd(c *Ctx) {
	fromLeft, toLeft := false, true // RPOPLPUSH
	if c.Cmd.Name == "lmove" {
		var ok1, ok2 bool
		fromLeft, ok1 = listSide(c.Args[3])
		toLeft, ok2 = listSide(c.Args[4])
		if !ok1 || !ok2 {
			c.err(ErrSyntax)
			return
		}
	}
	c.bulkOrNull(c.En.LMove(c.Args[1], c.Args[2], fromLeft, toLeft))
}

// lmpopKeys returns the key finder of an LMPOP-style command whose numkeys
// argument is at index at: the keys that follow it, when numkeys parses and
// leaves room for the LEFT|RIGHT argument; nil otherwise (the handler then
// replies an error without touching any key).
func lmpopKeys(at int) func(args []string) []int {
	return func(args []string) []int {
		if at >= len(args) {
			return nil
		}
		n, ok := ParseInt(args[at])
		if !ok || n < 1 || n >= int64(len(args)-at-1) {
			return nil
		}
		out := make([]int, n)
		for i := range out {
			out[i] = at + 1 + i
		}
		return out
	}
}

// lmpopArgs parses "numkeys key [key ...] LEFT|RIGHT [COUNT count]" from
// argument at on, replying Redis's errors, in Redis's order, on failure.
func (c *Ctx) lmpopArgs(at int) (keys []string, left bool, count int, ok bool) {
	return c.mpopArgs(at, listSide)
}

// mpopArgs parses "numkeys key [key ...] <end> [COUNT count]" for LMPOP,
// ZMPOP and their blocking forms; end reads the LEFT|RIGHT or MIN|MAX word.
func (c *Ctx) mpopArgs(at int, end func(string) (bool, bool)) (keys []string, flag bool, count int, ok bool) {
	n, ok := ParseInt(c.Args[at])
	if !ok || n < 1 {
		c.err(errLMPopNumkeys)
		return nil, false, 0, false
	}
	where := at + 1 + int(min(n, int64(len(c.Args))))
	if where >= len(c.Args) {
		c.err(ErrSyntax)
		return nil, false, 0, false
	}
	if flag, ok = end(c.Args[where]); !ok {
		c.err(ErrSyntax)
		return nil, false, 0, false
	}
	count = -1
	for j := where + 1; j < len(c.Args); j++ {
		if count != -1 || !eq(c.Args[j], "count") || j+1 >= len(c.Args) {
			c.err(ErrSyntax)
			return nil, false, 0, false
		}
		j++
		v, ok := ParseInt(c.Args[j])
		if !ok || v < 1 {
			c.err(errLMPopCount)
			return nil, false, 0, false
		}
		count = int(min(v, 1<<40))
	}
	if count == -1 {
		count = 1
	}
	return c.Args[at+1 : where], flag, count, true
}

func lmpopCmd(c *Ctx) {
	keys, left, count, ok := c.lmpopArgs(1)
	if !ok {
		return
	}
	key, vals, err := c.En.LMPop(keys, left, count)
	c.writeLMPop(key, vals, err)
}

// writeLMPop replies LMPOP's [key, [elements...]], a null array for
// ErrNotFound, or the error.
func (c *Ctx) writeLMPop(key string, vals []string, err error) {
	switch err {
	case nil:
		c.W.WriteArray(2)
		c.W.WriteBulk(key)
		c.strings(vals)
	case ErrNotFound:
		c.W.WriteNullArray()
	default:
		c.err(err)
	}
}

// sideName is the LEFT/RIGHT argument for an end of a list.
func sideName(left bool) string {
	if left {
		return "LEFT"
	}
	return "RIGHT"
}
