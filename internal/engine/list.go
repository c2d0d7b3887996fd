package engine

import (
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// List commands: the cores that read or modify one list, and their
// handlers. The commands that move elements between keys (LMOVE,
// RPOPLPUSH, LMPOP) are in list_move.go.

// Redis's error replies of LPOS.
var (
	errListRankZero = errorf("ERR RANK can't be zero: use 1 to start from the first match, " +
		"2 from the second ... or use negative to start from the end of the list")
	errListCountNegative  = errorf("ERR COUNT can't be negative")
	errListMaxlenNegative = errorf("ERR MAXLEN can't be negative")
)

// Push adds vals to the head (left) or tail of the list at key, creating it
// unless onlyExisting (LPUSHX/RPUSHX), and returns the new length (0 when
// onlyExisting and missing). Exclusive lock held.
func (sh *Shard) Push(key string, vals []string, left, onlyExisting bool) (int, error) {
	e, err := sh.object(key, keyspace.KindList, true)
	if err != nil {
		return 0, err
	}
	if e == nil && (onlyExisting || len(vals) == 0) {
		return 0, nil
	}
	var l *types.List
	if e == nil {
		l = types.NewList()
		sh.addObject(key, keyspace.KindList, unsafe.Pointer(l))
		sh.notify(ClassNew, "new", key)
	} else {
		l = listOf(e)
	}
	sh.pushList(l, key, vals, left)
	return l.Len(), nil
}

// pushList adds vals to l (the list at key) and logs it. Exclusive lock held.
func (sh *Shard) pushList(l *types.List, key string, vals []string, left bool) {
	if len(vals) == 0 {
		return
	}
	if left {
		l.PushFront(vals...)
		sh.logv("LPUSH", key, vals)
		sh.notify(ClassList, "lpush", key)
	} else {
		l.PushBack(vals...)
		sh.logv("RPUSH", key, vals)
		sh.notify(ClassList, "rpush", key)
	}
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
	return sh.popList(e, key, count, left), nil
}

// popList removes up to count elements from the list of entry e (key),
// logs it and deletes the key if it is left empty. Exclusive lock held.
func (sh *Shard) popList(e *keyspace.Entry, key string, count int, left bool) []string {
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
			sh.notify(ClassList, "lpop", key)
		} else {
			sh.log("RPOP", key, itoa(n))
			sh.notify(ClassList, "rpop", key)
		}
	}
	sh.dropIfEmpty(e, l.Len())
	sh.notifyIfEmptied(l.Len(), key)
	return out
}

// LLen returns the list's length (0 when missing). Either lock held.
func (sh *Shard) LLen(key string) (int, error) {
	e, err := sh.object(key, keyspace.KindList, false)
	if e == nil || err != nil {
		return 0, err
	}
	return listOf(e).Len(), nil
}

// LIndex returns the element at index (negative counts from the tail). A
// missing key or an index out of range gives ErrNotFound. Either lock held.
func (sh *Shard) LIndex(key string, index int) (string, error) {
	e, err := sh.object(key, keyspace.KindList, false)
	if err != nil {
		return "", err
	}
	if e == nil {
		return "", ErrNotFound
	}
	v, ok := listOf(e).Index(index)
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// LSet replaces the element at index. A missing key gives ErrNoSuchKey, an
// index out of range ErrOutOfRange. Exclusive lock held.
func (sh *Shard) LSet(key string, index int, val string) error {
	e, err := sh.object(key, keyspace.KindList, true)
	if err != nil {
		return err
	}
	if e == nil {
		return ErrNoSuchKey
	}
	if !listOf(e).Set(index, val) {
		return ErrOutOfRange
	}
	sh.log("LSET", key, itoa(index), val)
	sh.notify(ClassList, "lset", key)
	return nil
}

// LRange returns the elements from start to stop inclusive (negative
// indexes count from the tail; out-of-range bounds are clamped). A missing
// key gives an empty result. Either lock held.
func (sh *Shard) LRange(key string, start, stop int) ([]string, error) {
	e, err := sh.object(key, keyspace.KindList, false)
	if e == nil || err != nil {
		return nil, err
	}
	return listOf(e).Range(start, stop), nil
}

// LTrim keeps only the elements from start to stop inclusive, with
// LRANGE's index rules; a list left empty is deleted. A missing key is not
// an error. Exclusive lock held.
func (sh *Shard) LTrim(key string, start, stop int) error {
	e, err := sh.object(key, keyspace.KindList, true)
	if e == nil || err != nil {
		return err
	}
	l := listOf(e)
	before := l.Len()
	l.Trim(start, stop)
	sh.notify(ClassList, "ltrim", key)
	if l.Len() != before {
		sh.log("LTRIM", key, itoa(start), itoa(stop))
		sh.dropIfEmpty(e, l.Len())
		sh.notifyIfEmptied(l.Len(), key)
	}
	return nil
}

// LInsert inserts val before or after the first element equal to pivot and
// returns the new length: -1 when pivot is not in the list, 0 when the key
// is missing. Exclusive lock held.
func (sh *Shard) LInsert(key string, before bool, pivot, val string) (int, error) {
	e, err := sh.object(key, keyspace.KindList, true)
	if e == nil || err != nil {
		return 0, err
	}
	n := listOf(e).Insert(pivot, before, val)
	if n > 0 {
		where := "AFTER"
		if before {
			where = "BEFORE"
		}
		sh.log("LINSERT", key, where, pivot, val)
		sh.notify(ClassList, "linsert", key)
	}
	return n, nil
}

// LRem removes elements equal to val and returns how many: the first count
// from the head when count > 0, the last -count from the tail when count <
// 0, all of them when count is 0. A list left empty is deleted. Exclusive
// lock held.
func (sh *Shard) LRem(key string, count int, val string) (int, error) {
	e, err := sh.object(key, keyspace.KindList, true)
	if e == nil || err != nil {
		return 0, err
	}
	l := listOf(e)
	n := l.Remove(count, val)
	if n > 0 {
		sh.log("LREM", key, itoa(count), val)
		sh.notify(ClassList, "lrem", key)
		sh.dropIfEmpty(e, l.Len())
		sh.notifyIfEmptied(l.Len(), key)
	}
	return n, nil
}

// LPos returns the indexes of elements equal to elem, as LPOS does: rank r
// > 0 starts at the r-th match from the head, r < 0 at the -r-th match from
// the tail (rank 0 is an error); at most count indexes are returned (0:
// all); only the first maxlen elements scanned are compared (0: all). A
// missing key gives no indexes. Either lock held.
func (sh *Shard) LPos(key, elem string, rank, count, maxlen int) ([]int, error) {
	switch {
	case rank == 0:
		return nil, errListRankZero
	case count < 0:
		return nil, errListCountNegative
	case maxlen < 0:
		return nil, errListMaxlenNegative
	}
	e, err := sh.object(key, keyspace.KindList, false)
	if e == nil || err != nil {
		return nil, err
	}
	return listOf(e).Pos(elem, rank, count, maxlen), nil
}

// listLookup reports whether key holds a list, for handlers that must look
// the key up before validating an argument, as Redis does. Lock held.
func (sh *Shard) listLookup(key string, write bool) (bool, error) {
	e, err := sh.object(key, keyspace.KindList, write)
	return e != nil, err
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
		&Command{Name: "lindex", Arity: 3, Flags: FlagReadOnly, First: 1, Last: 1, Step: 1, Run: lindexCmd},
		&Command{Name: "lset", Arity: 4, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: lsetCmd},
		&Command{Name: "lrange", Arity: 4, Flags: FlagReadOnly, First: 1, Last: 1, Step: 1, Run: lrangeCmd},
		&Command{Name: "ltrim", Arity: 4, Flags: FlagWrite, First: 1, Last: 1, Step: 1, Run: ltrimCmd},
		&Command{Name: "linsert", Arity: 5, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: linsertCmd},
		&Command{Name: "lrem", Arity: 4, Flags: FlagWrite, First: 1, Last: 1, Step: 1, Run: lremCmd},
		&Command{Name: "lpos", Arity: -3, Flags: FlagReadOnly, First: 1, Last: 1, Step: 1, Run: lposCmd},
	)
}

func pushCmd(c *Ctx) {
	name := c.Cmd.Name
	n, err := c.shard(c.Args[1]).Push(c.Args[1], c.Args[2:], name[0] == 'l', name[len(name)-1] == 'x')
	c.intOrErr(int64(n), err)
}

func popCmd(c *Ctx) {
	if len(c.Args) > 3 {
		c.err(ArityError(c.Cmd.Name))
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

// listIndexArg parses argument i as an index for LINDEX and LSET, which
// look their key up first: on a bad index it replies what Redis does
// (missing, wrong type, or not an integer) and returns false.
func (c *Ctx) listIndexArg(i int, write bool, missing func()) (int, bool) {
	v, ok := ParseInt(c.Args[i])
	if ok {
		return int(v), true
	}
	exists, err := c.shard(c.Args[1]).listLookup(c.Args[1], write)
	switch {
	case err != nil:
		c.err(err)
	case !exists:
		missing()
	default:
		c.err(ErrNotInteger)
	}
	return 0, false
}

func lindexCmd(c *Ctx) {
	i, ok := c.listIndexArg(2, false, c.W.WriteNull)
	if !ok {
		return
	}
	c.bulkOrNull(c.shard(c.Args[1]).LIndex(c.Args[1], i))
}

func lsetCmd(c *Ctx) {
	i, ok := c.listIndexArg(2, true, func() { c.err(ErrNoSuchKey) })
	if !ok {
		return
	}
	if err := c.shard(c.Args[1]).LSet(c.Args[1], i, c.Args[3]); err != nil {
		c.err(err)
		return
	}
	c.ok()
}

// listRangeArgs parses the start and stop of LRANGE and LTRIM.
func (c *Ctx) listRangeArgs() (start, stop int, ok bool) {
	a, ok := c.intArg(2)
	if !ok {
		return 0, 0, false
	}
	b, ok := c.intArg(3)
	return int(a), int(b), ok
}

func lrangeCmd(c *Ctx) {
	start, stop, ok := c.listRangeArgs()
	if !ok {
		return
	}
	vals, err := c.shard(c.Args[1]).LRange(c.Args[1], start, stop)
	if err != nil {
		c.err(err)
		return
	}
	c.strings(vals)
}

func ltrimCmd(c *Ctx) {
	start, stop, ok := c.listRangeArgs()
	if !ok {
		return
	}
	if err := c.shard(c.Args[1]).LTrim(c.Args[1], start, stop); err != nil {
		c.err(err)
		return
	}
	c.ok()
}

func linsertCmd(c *Ctx) {
	var before bool
	switch {
	case eq(c.Args[2], "before"):
		before = true
	case eq(c.Args[2], "after"):
	default:
		c.err(ErrSyntax)
		return
	}
	n, err := c.shard(c.Args[1]).LInsert(c.Args[1], before, c.Args[3], c.Args[4])
	c.intOrErr(int64(n), err)
}

func lremCmd(c *Ctx) {
	count, ok := c.intArg(2)
	if !ok {
		return
	}
	n, err := c.shard(c.Args[1]).LRem(c.Args[1], int(count), c.Args[3])
	c.intOrErr(int64(n), err)
}

func lposCmd(c *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0) // count -1: no COUNT
	for j := 3; j < len(c.Args); j++ {
		opt, more := c.Args[j], j+1 < len(c.Args)
		var v int64
		var ok bool
		if more {
			v, ok = ParseInt(c.Args[j+1])
		}
		switch {
		case more && eq(opt, "rank"):
			switch {
			case !ok:
				c.err(ErrNotInteger)
				return
			case v == 0:
				c.err(errListRankZero)
				return
			}
			rank = v
		case more && eq(opt, "count"):
			if !ok || v < 0 {
				c.err(errListCountNegative)
				return
			}
			count = v
		case more && eq(opt, "maxlen"):
			if !ok || v < 0 {
				c.err(errListMaxlenNegative)
				return
			}
			maxlen = v
		default:
			c.err(ErrSyntax)
			return
		}
		j++
	}
	withCount := count >= 0
	if !withCount {
		count = 1
	}
	pos, err := c.shard(c.Args[1]).LPos(c.Args[1], c.Args[2], int(rank), int(count), int(maxlen))
	switch {
	case err != nil:
		c.err(err)
	case withCount:
		c.W.WriteArray(len(pos))
		for _, p := range pos {
			c.W.WriteInt(int64(p))
		}
	case len(pos) == 0:
		c.W.WriteNull()
	default:
		c.W.WriteInt(int64(pos[0]))
	}
}

// listSide parses LEFT or RIGHT (LMOVE, LMPOP), reporting left.
func listSide(s string) (left, ok bool) {
	switch {
	case eq(s, "left"):
		return true, true
	case eq(s, "right"):
		return false, true
	}
	return false, false
}
