package engine

import (
	"context"
	"math"
	"math/big"
	"slices"
	"time"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// The blocking commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
// BZPOPMAX, BZMPOP, and their typed engine API. Each pops with the same
// cores as its non-blocking form (Pop, LMove, ZPop), so the journal gets the
// same effects (LPOP, RPOP, LPUSH, ZREM...).
//
// The handlers lock shards themselves (FlagSelfLock): a blocked command
// must not hold a shard while it waits. Run inside a block that already
// holds shards (c.Held: EXEC, a With block, replay), they behave as their
// non-blocking forms and reply a null when every key is empty, as Redis
// does inside MULTI.

// ParseBlockTimeout parses a blocking command's timeout, in seconds, as
// Redis 7.0 does: a long double, multiplied by 1000 and rounded up to whole
// milliseconds; 0 means no timeout. Values that do not fit a long long
// (infinities, huge numbers) are "negative", as on x86. The error is the
// reply for a bad argument.
func ParseBlockTimeout(s string) (time.Duration, error) {
	z, ok := ParseLongDouble(s)
	if !ok {
		return 0, ErrTimeout
	}
	if z.IsInf() {
		return 0, errTimeoutNegative
	}
	ms := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
	ms.Mul(z, big.NewFloat(1000))
	i, acc := ms.Int(nil) // truncated toward zero
	if acc == big.Below {
		i.Add(i, big.NewInt(1)) // ceil of a positive fraction
	}
	if !i.IsInt64() || i.Sign() < 0 {
		return 0, errTimeoutNegative
	}
	v := i.Int64()
	if v > math.MaxInt64/int64(time.Millisecond) {
		return 0, nil // beyond time.Duration: as good as forever
	}
	return time.Duration(v) * time.Millisecond, nil
}

func init() {
	const (
		blk  = FlagWrite | FlagBlocking | FlagSelfLock
		blkn = blk | FlagNoScript
	)
	register(
		&Command{Name: "blpop", Arity: -3, Flags: blkn, First: 1, Last: -2, Step: 1, Run: bpopCmd},
		&Command{Name: "brpop", Arity: -3, Flags: blkn, First: 1, Last: -2, Step: 1, Run: bpopCmd},
		&Command{Name: "blmove", Arity: 6, Flags: blkn | FlagDenyOOM, First: 1, Last: 2, Step: 1, Run: blmoveCmd},
		&Command{Name: "brpoplpush", Arity: 4, Flags: blkn | FlagDenyOOM, First: 1, Last: 2, Step: 1, Run: blmoveCmd},
		&Command{Name: "blmpop", Arity: -5, Flags: blk, Keys: lmpopKeys(2), Run: blmpopCmd},
		&Command{Name: "bzpopmin", Arity: -3, Flags: blkn | FlagFast, First: 1, Last: -2, Step: 1, Run: bzpopCmd},
		&Command{Name: "bzpopmax", Arity: -3, Flags: blkn | FlagFast, First: 1, Last: -2, Step: 1, Run: bzpopCmd},
		&Command{Name: "bzmpop", Arity: -5, Flags: blk, Keys: lmpopKeys(2), Run: bzmpopCmd},
	)
}

// distinct returns keys without repeats, first occurrences in order (keys
// itself when it has none).
func distinct(keys []string) []string {
	dup := false
	for i, k := range keys {
		if slices.Contains(keys[:i], k) {
			dup = true
			break
		}
	}
	if !dup {
		return keys
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		dup := false
		for _, o := range out {
			if o == k {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

// Waiters of each command family. The pop closures write into the caller's
// variables; they run at most once, on the caller's goroutine or, for a
// blocked caller, on the serving goroutine before the caller is signalled.

func (en *Engine) listWaiter(keys []string, left bool, count int, key *string, vals *[]string) *waiter {
	return &waiter{keys: distinct(keys), kind: keyspace.KindList, pop: func(k string) error {
		v, err := en.ShardOf(k).Pop(k, count, left)
		*key, *vals = k, v
		return err
	}}
}

func (en *Engine) moveWaiter(src, dst string, fromLeft, toLeft bool, val *string) *waiter {
	return &waiter{keys: []string{src}, kind: keyspace.KindList, dst: dst, hasDst: true, pop: func(k string) error {
		v, err := en.LMove(k, dst, fromLeft, toLeft)
		*val = v
		return err
	}}
}

func (en *Engine) zsetWaiter(keys []string, max bool, count int, key *string, ents *[]types.ZEntry) *waiter {
	return &waiter{keys: distinct(keys), kind: keyspace.KindZSet, pop: func(k string) error {
		v, err := en.ShardOf(k).ZPop(k, count, max)
		*key, *ents = k, v
		return err
	}}
}

// blockResult turns block's outcome into the caller's: nil when popped
// (the pop's own error otherwise), ErrNotFound on timeout.
func blockResult(w *waiter, err error) error {
	if err != nil {
		return err
	}
	return w.err
}

// BLPop pops one element from the head (left) or tail of the first
// non-empty list among keys, blocking until one has elements, the timeout
// passes (ErrNotFound; timeout <= 0 waits without limit), ctx is done
// (context.Cause(ctx)) or the engine closes (ErrClosed). A key holding
// another type when the call starts gives ErrWrongType. No lock may be held.
func (en *Engine) BLPop(ctx context.Context, timeout time.Duration, keys []string, left bool) (key, val string, err error) {
	var vals []string
	w := en.listWaiter(keys, left, 1, &key, &vals)
	if err := blockResult(w, en.block(ctx, timeout, w, false, nil)); err != nil {
		return "", "", err
	}
	return key, vals[0], nil
}

// BLMPop is BLPop popping up to count elements (LMPOP's blocking form).
func (en *Engine) BLMPop(ctx context.Context, timeout time.Duration, keys []string, left bool, count int) (key string, vals []string, err error) {
	w := en.listWaiter(keys, left, count, &key, &vals)
	if err := blockResult(w, en.block(ctx, timeout, w, false, nil)); err != nil {
		return "", nil, err
	}
	return key, vals, nil
}

// BLMove is LMove that waits for src to have elements; see BLPop for the
// timeout and cancellation. When served, a dst of another type gives
// ErrWrongType and nothing moves, as in Redis.
func (en *Engine) BLMove(ctx context.Context, timeout time.Duration, src, dst string, fromLeft, toLeft bool) (string, error) {
	var val string
	w := en.moveWaiter(src, dst, fromLeft, toLeft, &val)
	if err := blockResult(w, en.block(ctx, timeout, w, true, nil)); err != nil {
		return "", err
	}
	return val, nil
}

// BZMPop pops up to count members with the lowest scores (or the highest
// when max) from the first non-empty sorted set among keys, waiting as
// BLPop does. BZPOPMIN and BZPOPMAX are count 1.
func (en *Engine) BZMPop(ctx context.Context, timeout time.Duration, keys []string, max bool, count int) (key string, ents []types.ZEntry, err error) {
	w := en.zsetWaiter(keys, max, count, &key, &ents)
	if err := blockResult(w, en.block(ctx, timeout, w, false, nil)); err != nil {
		return "", nil, err
	}
	return key, ents, nil
}

// runBlocking runs w for a command: the non-blocking try inside a block
// that holds shards, else a wait. It reports whether w's pop ran; err is
// the error to reply (nil with popped false: nothing, by timeout or
// because the command could not block).
func (c *Ctx) runBlocking(w *waiter, timeout time.Duration, grow bool) (popped bool, err error) {
	if c.Held != nil {
		c.measured(c.keyPositions(), func(*Ctx) { popped, err = c.En.tryPop(w) })
		return popped, err
	}
	switch err := c.En.block(c.context(), timeout, w, grow, c.Blocked); err {
	case nil:
		return true, w.err
	case ErrUnblocked, ErrClosed, ErrOOM:
		return false, err
	default:
		if isReply(err) {
			return false, err // MISCONF
		}
		return false, nil // timeout, or a cancellation that replies as one
	}
}

// isReply reports whether err is a Redis error reply (not a Go-side cause).
func isReply(err error) bool {
	_, ok := err.(*replyError)
	return ok
}

// timeoutArg parses argument i as a blocking timeout, replying the error.
func (c *Ctx) timeoutArg(i int) (time.Duration, bool) {
	d, err := ParseBlockTimeout(c.Args[i])
	if err != nil {
		c.err(err)
		return 0, false
	}
	return d, true
}

func bpopCmd(c *Ctx) {
	timeout, ok := c.timeoutArg(len(c.Args) - 1)
	if !ok {
		return
	}
	var key string
	var vals []string
	w := c.En.listWaiter(c.Args[1:len(c.Args)-1], c.Cmd.Name == "blpop", 1, &key, &vals)
	popped, err := c.runBlocking(w, timeout, false)
	switch {
	case err != nil:
		c.err(err)
	case !popped:
		c.W.WriteNullArray()
	default:
		c.W.WriteArray(2)
		c.W.WriteBulk(key)
		c.W.WriteBulk(vals[0])
	}
}

func blmoveCmd(c *Ctx) {
	fromLeft, toLeft, at := false, true, 3 // BRPOPLPUSH src dst timeout
	if c.Cmd.Name == "blmove" {
		var ok1, ok2 bool
		fromLeft, ok1 = listSide(c.Args[3])
		toLeft, ok2 = listSide(c.Args[4])
		if !ok1 || !ok2 {
			c.err(ErrSyntax)
			return
		}
		at = 5
	}
	timeout, ok := c.timeoutArg(at)
	if !ok {
		return
	}
	var val string
	w := c.En.moveWaiter(c.Args[1], c.Args[2], fromLeft, toLeft, &val)
	popped, err := c.runBlocking(w, timeout, true)
	switch {
	case err != nil:
		c.err(err)
	case !popped && c.Held != nil:
		c.W.WriteNull() // could not block: LMOVE's reply
	case !popped:
		c.W.WriteNullArray() // Redis replies a timeout with a null array
	default:
		c.W.WriteBulk(val)
	}
}

func blmpopCmd(c *Ctx) {
	keys, left, count, ok := c.lmpopArgs(2)
	if !ok {
		return
	}
	timeout, ok := c.timeoutArg(1)
	if !ok {
		return
	}
	var key string
	var vals []string
	w := c.En.listWaiter(keys, left, count, &key, &vals)
	popped, err := c.runBlocking(w, timeout, false)
	switch {
	case err != nil:
		c.err(err)
	case !popped:
		c.W.WriteNullArray()
	default:
		c.writeLMPop(key, vals, nil)
	}
}

func bzpopCmd(c *Ctx) {
	timeout, ok := c.timeoutArg(len(c.Args) - 1)
	if !ok {
		return
	}
	var key string
	var ents []types.ZEntry
	w := c.En.zsetWaiter(c.Args[1:len(c.Args)-1], c.Cmd.Name == "bzpopmax", 1, &key, &ents)
	popped, err := c.runBlocking(w, timeout, false)
	switch {
	case err != nil:
		c.err(err)
	case !popped || len(ents) == 0:
		c.W.WriteNullArray()
	default:
		c.W.WriteArray(3)
		c.W.WriteBulk(key)
		c.W.WriteBulk(ents[0].Member)
		c.W.WriteDouble(ents[0].Score)
	}
}

// zmpopArgs parses "numkeys key [key ...] MIN|MAX [COUNT count]" from
// argument at on, as ZMPOP does, replying the error on failure.
func (c *Ctx) zmpopArgs(at int) (keys []string, max bool, count int, ok bool) {
	return c.mpopArgs(at, zsetEnd)
}

// zsetEnd reads ZMPOP's MIN|MAX word: true for MAX.
func zsetEnd(w string) (max, ok bool) {
	switch {
	case eq(w, "min"):
		return false, true
	case eq(w, "max"):
		return true, true
	}
	return false, false
}

func bzmpopCmd(c *Ctx) {
	keys, max, count, ok := c.zmpopArgs(2)
	if !ok {
		return
	}
	timeout, ok := c.timeoutArg(1)
	if !ok {
		return
	}
	var key string
	var ents []types.ZEntry
	w := c.En.zsetWaiter(keys, max, count, &key, &ents)
	popped, err := c.runBlocking(w, timeout, false)
	switch {
	case err != nil:
		c.err(err)
	case !popped:
		c.W.WriteNullArray()
	default:
		c.W.WriteArray(2)
		c.W.WriteBulk(key)
		c.writeEntries(ents, true, true)
	}
}
