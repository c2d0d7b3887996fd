package engine

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// maxStringLen is Redis's default proto-max-bulk-len, the largest string a
// write may produce.
const maxStringLen = 512 << 20

// Get returns key's string value: lock-free unless a multi-key write is
// being applied to the key's shard.
func (en *Engine) Get(key string) (string, error) {
	sh := en.ShardOf(key)
	var v string
	var err error
	if sh.multi.Load() != 0 {
		sh.mu.RLock()
		v, err = sh.get(key)
		sh.mu.RUnlock()
	} else {
		v, err = sh.get(key)
	}
	if err == ErrNotFound {
		sh.reapNoted()
	}
	return v, err
}

// get reads a string without taking the lock; see Shard.
func (sh *Shard) get(key string) (string, error) {
	d := sh.dict
	e := d.Lookup(key, d.Hash(key))
	if e == nil {
		return "", ErrNotFound
	}
	s := e.Snapshot()
	if s.Exp != 0 && sh.en.readNow() > s.Exp {
		sh.noteExpired(key)
		return "", ErrNotFound
	}
	if s.Kind() != keyspace.KindString {
		return "", ErrWrongType
	}
	sh.en.touchAccess(e)
	return s.Str(), nil
}

// getLocked reads a string under a held lock: the caller may be inside a
// transaction, where the lock-free path's multi check would deadlock.
func (c *Ctx) get(key string) (string, error) {
	if c.Held != nil {
		return c.shard(key).get(key)
	}
	return c.En.Get(key)
}

// putString stores val at key, keeping the TTL if keepTTL, else clearing it.
// Exclusive lock held.
func (sh *Shard) putString(key, val string, keepTTL bool) *keyspace.Entry {
	h := sh.dict.Hash(key)
	return sh.storeString(sh.lookupWrite(key, h), key, h, val, keepTTL)
}

// storeString is putString for a caller that has looked key up already:
// e is lookupWrite(key, h).
func (sh *Shard) storeString(e *keyspace.Entry, key string, h uint64, val string, keepTTL bool) *keyspace.Entry {
	d := sh.dict
	if e != nil {
		e.SetStr(val, keepTTL, d)
		e.Flags = 0
		return e
	}
	if sh.borrowed {
		key = strings.Clone(key)
	}
	e = keyspace.NewEntry(key, h, val)
	d.Insert(e)
	sh.notify(ClassNew, "new", key)
	return e
}

// SetArgs are SET's options.
type SetArgs struct {
	NX, XX, KeepTTL, Get bool
	At                   int64 // absolute deadline in Unix ms; 0 = none
}

// SetResult is what SET did.
type SetResult struct {
	Old    string // previous value (with Get)
	HadOld bool
	Done   bool // false when NX/XX prevented the write
}

// Set is the SET command's core. Exclusive lock held.
func (sh *Shard) Set(key, val string, a SetArgs) (SetResult, error) {
	var r SetResult
	h := sh.dict.Hash(key)
	e := sh.lookupWrite(key, h)
	if e != nil && a.Get {
		if e.Kind() != keyspace.KindString {
			return r, ErrWrongType
		}
		r.Old, r.HadOld = e.Str(), true
	}
	if (a.NX && e != nil) || (a.XX && e == nil) {
		return r, nil
	}
	e = sh.storeString(e, key, h, val, a.KeepTTL)
	r.Done = true
	sh.notify(ClassString, "set", key)
	if a.At != 0 {
		sh.dict.SetExpire(e, a.At)
		if sh.journal != nil {
			sh.log("SET", key, val, "PXAT", strconv.FormatInt(a.At, 10))
		}
		sh.notify(ClassGeneric, "expire", key)
	} else if a.KeepTTL {
		sh.log("SET", key, val, "KEEPTTL")
	} else {
		sh.logSet(key, val)
	}
	return r, nil
}

// GetDel returns key's string and deletes it. Exclusive lock held.
func (sh *Shard) GetDel(key string) (string, error) {
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	if e == nil {
		return "", ErrNotFound
	}
	if e.Kind() != keyspace.KindString {
		return "", ErrWrongType
	}
	v := e.Str()
	sh.remove(e)
	sh.log("DEL", key)
	sh.notify(ClassGeneric, "del", key)
	return v, nil
}

// IncrBy adds delta to the integer at key. Exclusive lock held.
func (sh *Shard) IncrBy(key string, delta int64) (int64, error) {
	return sh.incrBy(key, delta, false)
}

// incrBy is IncrBy; accounted says the caller does not measure the key's
// size around it (Engine.IncrBy), so it keeps the accounting itself.
func (sh *Shard) incrBy(key string, delta int64, accounted bool) (int64, error) {
	h := sh.dict.Hash(key)
	var e *keyspace.Entry
	if accounted {
		e = sh.lookupWriteAccounted(key, h)
	} else {
		e = sh.lookupWrite(key, h)
	}
	var cur int64
	if e != nil {
		if e.Kind() != keyspace.KindString {
			return 0, ErrWrongType
		}
		v, ok := ParseInt(e.Str())
		if !ok {
			return 0, ErrNotInteger
		}
		cur = v
	}
	if (delta < 0 && cur < 0 && delta < math.MinInt64-cur) ||
		(delta > 0 && cur > 0 && delta > math.MaxInt64-cur) {
		return 0, ErrOverflow
	}
	n := cur + delta
	s := strconv.FormatInt(n, 10)
	if accounted {
		sh.storeStringAccounted(e, key, h, s, true)
	} else {
		sh.storeString(e, key, h, s, true)
	}
	sh.log("SET", key, s, "KEEPTTL")
	sh.notify(ClassString, "incrby", key)
	return n, nil
}

// IncrByFloat adds the decimal incr to the number at key with long-double
// arithmetic, as Redis does, and returns the stored text. Exclusive lock held.
func (sh *Shard) IncrByFloat(key, incr string) (string, error) {
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	cur := new(big.Float).SetPrec(longDoublePrec)
	if e != nil {
		if e.Kind() != keyspace.KindString {
			return "", ErrWrongType
		}
		v, ok := ParseLongDouble(e.Str())
		if !ok {
			return "", ErrNotFloat
		}
		cur = v
	}
	by, ok := ParseLongDouble(incr)
	if !ok {
		return "", ErrNotFloat
	}
	sum, err := addLongDouble(cur, by)
	if err != nil {
		return "", err
	}
	s := FormatLongDouble(sum)
	sh.putString(key, s, true)
	sh.log("SET", key, s, "KEEPTTL")
	sh.notify(ClassString, "incrbyfloat", key)
	return s, nil
}

// addLongDouble adds with x87 long double's precision and range.
func addLongDouble(a, b *big.Float) (*big.Float, error) {
	if a.IsInf() || b.IsInf() {
		return nil, ErrNaNOrInf // inf + x is inf, inf - inf is NaN
	}
	z := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
	z.Add(a, b)
	// Long double overflows past about 1.19e4932 (binary exponent 16384).
	if z.MantExp(nil) > 16384 {
		return nil, ErrNaNOrInf
	}
	return z, nil
}

// Append appends to the string at key and returns the new length.
// Exclusive lock held.
func (sh *Shard) Append(key, val string) (int64, error) {
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	if e == nil {
		sh.putString(key, val, false)
		sh.logSet(key, val)
		sh.notify(ClassString, "append", key)
		return int64(len(val)), nil
	}
	if e.Kind() != keyspace.KindString {
		return 0, ErrWrongType
	}
	old := e.Str()
	n := len(old) + len(val)
	if n > maxStringLen {
		return 0, ErrStringTooBig
	}
	// The value grows in a buffer with room to spare, as Redis's sds
	// strings do, so that a string built by many APPENDs is copied a
	// logarithmic number of times, not once per APPEND. Bytes are only
	// ever written past the published length: a reader holding the old
	// value sees it unchanged.
	var s string
	if c := appendCap(len(old)); e.Flags&keyspace.FlagOwned != 0 && len(old) > 0 && n <= c {
		p := unsafe.StringData(old)
		copy(unsafe.Slice(p, c)[len(old):n], val)
		s = unsafe.String(p, n)
	} else {
		b := make([]byte, n, appendCap(n))
		copy(b, old)
		copy(b[len(old):], val)
		s = unsafe.String(unsafe.SliceData(b), n)
	}
	e.SetStr(s, true, sh.dict)
	e.Flags = flagRaw
	if n > 0 {
		e.Flags |= keyspace.FlagOwned
	}
	sh.log("APPEND", key, val)
	sh.notify(ClassString, "append", key)
	return int64(len(s)), nil
}

// appendCap is the capacity of the buffer APPEND keeps a string of n bytes
// in: the next power of two up to 1 MB, then the next whole megabyte
// beyond (Redis's sds grows the same way). Every length in (c/2, c] below
// 1 MB, or (c-1MB, c] above, maps to the same capacity c, so the capacity of
// an owned buffer follows from the value's length alone: APPEND allocates
// appendCap(n) for n bytes and writes in place while the length stays
// within it.
func appendCap(n int) int {
	const mb = 1 << 20
	if n > mb {
		return (n + mb - 1) / mb * mb
	}
	c := 16
	for c < n {
		c <<= 1
	}
	return c
}

// Entry flags the engine keeps in keyspace.Entry.Flags (besides
// keyspace.FlagOwned, bit 6, and flagUnshared, bit 7).
const (
	flagRaw    = 1 << iota // string encoding is "raw" whatever its content (APPEND, SETRANGE, SETBIT)
	flagNotInt             // string is never "int"-encoded (INCRBYFLOAT results)
)

// SetRange overwrites part of the string at key. Exclusive lock held.
func (sh *Shard) SetRange(key string, off int64, val string) (int64, error) {
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	var old string
	if e != nil {
		if e.Kind() != keyspace.KindString {
			return 0, ErrWrongType
		}
		old = e.Str()
	}
	if len(val) == 0 {
		return int64(len(old)), nil
	}
	if off+int64(len(val)) > maxStringLen {
		return 0, ErrStringTooBig
	}
	end := int(off) + len(val)
	b := make([]byte, max(len(old), end))
	copy(b, old)
	copy(b[off:], val)
	s := string(b)
	e = sh.putString(key, s, true)
	e.Flags = flagRaw
	if sh.journal != nil {
		sh.log("SETRANGE", key, strconv.FormatInt(off, 10), val)
	}
	sh.notify(ClassString, "setrange", key)
	return int64(len(s)), nil
}

// setCommand is SET; without options it takes the typed API's path
// (Engine.Set): the same effects, events, log record and errors as setCmd
// under the dispatcher, with one lookup and the memory accounting inline
// instead of the dispatcher's size measurement around the command.
var setCommand = &Command{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: setCmd,
	direct: func(c *Ctx) bool {
		if len(c.Args) != 3 {
			return false
		}
		if c.written(c.En.Set(c.Args[1], c.Args[2])) {
			c.W.WriteSimple("OK")
		}
		return true
	}}

// written ends a direct write: it reports whether the write was applied
// (the caller replies as usual), else replies err. A write applied but not
// made durable is reported through c.Err, as the dispatcher does.
func (c *Ctx) written(err error) bool {
	switch {
	case err == nil:
	case errors.Is(err, ErrDurability):
		c.Err = err
	default:
		c.W.WriteError(err)
		return false
	}
	return true
}

// incrDirect runs INCR, DECR, INCRBY and DECRBY through Engine.IncrBy, as
// SET through Engine.Set.
func incrDirect(c *Ctx) bool {
	if by, ok := c.incrDelta(); ok {
		n, err := c.En.IncrBy(c.Args[1], by)
		if c.written(err) {
			c.W.WriteInt(n)
		}
	}
	return true
}

func init() {
	register(
		&Command{Name: "get", Arity: 2, Flags: FlagReadOnly | FlagFast | FlagLockFree, First: 1, Last: 1, Step: 1, Run: getCmd},
		setCommand,
		&Command{Name: "setnx", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: setnxCmd},
		&Command{Name: "setex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: setexCmd},
		&Command{Name: "psetex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: setexCmd},
		&Command{Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: getsetCmd},
		&Command{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: getdelCmd},
		&Command{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: getexCmd},
		&Command{Name: "mget", Arity: -2, Flags: FlagReadOnly | FlagFast, First: 1, Last: -1, Step: 1, Run: mgetCmd},
		&Command{Name: "mset", Arity: -3, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: -1, Step: 2, Run: msetCmd},
		&Command{Name: "msetnx", Arity: -3, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: -1, Step: 2, Run: msetCmd},
		&Command{Name: "append", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: appendCmd},
		&Command{Name: "strlen", Arity: 2, Flags: FlagReadOnly | FlagFast | FlagLockFree, First: 1, Last: 1, Step: 1, Run: strlenCmd},
		&Command{Name: "getrange", Arity: 4, Flags: FlagReadOnly | FlagLockFree, First: 1, Last: 1, Step: 1, Run: getrangeCmd},
		&Command{Name: "substr", Arity: 4, Flags: FlagReadOnly | FlagLockFree, First: 1, Last: 1, Step: 1, Run: getrangeCmd},
		&Command{Name: "setrange", Arity: 4, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: setrangeCmd},
		&Command{Name: "incr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: incrCmd, direct: incrDirect, accounts: true},
		&Command{Name: "decr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: incrCmd, direct: incrDirect, accounts: true},
		&Command{Name: "incrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: incrCmd, direct: incrDirect, accounts: true},
		&Command{Name: "decrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: incrCmd, direct: incrDirect, accounts: true},
		&Command{Name: "incrbyfloat", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: incrbyfloatCmd},
	)
}

func getCmd(c *Ctx) { c.bulkOrNull(c.get(c.Args[1])) }

// expireUnit says how SET/GETEX read an expire argument.
type expireUnit int

const (
	unitSec expireUnit = iota + 1
	unitMs
	unitAtSec
	unitAtMs
)

// expireAt turns an expire argument into an absolute deadline the way
// Redis's getExpireMillisecondsOrReply does, replying on error.
func (c *Ctx) expireAt(arg string, u expireUnit, cmd string) (int64, bool) {
	v, ok := ParseInt(arg)
	if !ok {
		c.err(ErrNotInteger)
		return 0, false
	}
	if v <= 0 || ((u == unitSec || u == unitAtSec) && v > math.MaxInt64/1000) {
		c.err(ExpireError(cmd))
		return 0, false
	}
	if u == unitSec || u == unitAtSec {
		v *= 1000
	}
	if u == unitSec || u == unitMs {
		v += c.En.Now()
	}
	if v <= 0 {
		c.err(ExpireError(cmd))
		return 0, false
	}
	return v, true
}

func setCmd(c *Ctx) {
	var a SetArgs
	var unit expireUnit
	var exp string
	persist := false
	for j := 3; j < len(c.Args); j++ {
		opt := c.Args[j]
		hasNext := j+1 < len(c.Args)
		timed := unit != 0
		switch {
		case eq(opt, "nx") && !a.XX:
			a.NX = true
		case eq(opt, "xx") && !a.NX:
			a.XX = true
		case eq(opt, "get"):
			a.Get = true
		case eq(opt, "keepttl") && !persist && !timed:
			a.KeepTTL = true
		case eq(opt, "ex") && !a.KeepTTL && (!timed || unit == unitSec) && hasNext:
			unit, exp = unitSec, c.Args[j+1]
			j++
		case eq(opt, "px") && !a.KeepTTL && (!timed || unit == unitMs) && hasNext:
			unit, exp = unitMs, c.Args[j+1]
			j++
		case eq(opt, "exat") && !a.KeepTTL && (!timed || unit == unitAtSec) && hasNext:
			unit, exp = unitAtSec, c.Args[j+1]
			j++
		case eq(opt, "pxat") && !a.KeepTTL && (!timed || unit == unitAtMs) && hasNext:
			unit, exp = unitAtMs, c.Args[j+1]
			j++
		default:
			c.err(ErrSyntax)
			return
		}
	}
	if unit != 0 {
		at, ok := c.expireAt(exp, unit, "set")
		if !ok {
			return
		}
		a.At = at
	}
	r, err := c.shard(c.Args[1]).Set(c.Args[1], c.Args[2], a)
	switch {
	case err != nil:
		c.err(err)
	case a.Get && r.HadOld:
		c.W.WriteBulk(r.Old)
	case a.Get || !r.Done:
		c.W.WriteNull()
	default:
		c.ok()
	}
}

func setnxCmd(c *Ctx) {
	r, _ := c.shard(c.Args[1]).Set(c.Args[1], c.Args[2], SetArgs{NX: true})
	c.W.WriteInt(b2i(r.Done))
}

func setexCmd(c *Ctx) {
	u := unitSec
	if eq(c.Args[0], "psetex") {
		u = unitMs
	}
	at, ok := c.expireAt(c.Args[2], u, c.Cmd.Name)
	if !ok {
		return
	}
	c.shard(c.Args[1]).Set(c.Args[1], c.Args[3], SetArgs{At: at})
	c.ok()
}

func getsetCmd(c *Ctx) {
	r, err := c.shard(c.Args[1]).Set(c.Args[1], c.Args[2], SetArgs{Get: true})
	switch {
	case err != nil:
		c.err(err)
	case r.HadOld:
		c.W.WriteBulk(r.Old)
	default:
		c.W.WriteNull()
	}
}

func getdelCmd(c *Ctx) { c.bulkOrNull(c.shard(c.Args[1]).GetDel(c.Args[1])) }

func getexCmd(c *Ctx) {
	var unit expireUnit
	var exp string
	persist := false
	for j := 2; j < len(c.Args); j++ {
		opt := c.Args[j]
		hasNext := j+1 < len(c.Args)
		timed := unit != 0
		switch {
		case eq(opt, "persist") && !timed:
			persist = true
		case eq(opt, "ex") && !persist && (!timed || unit == unitSec) && hasNext:
			unit, exp = unitSec, c.Args[j+1]
			j++
		case eq(opt, "px") && !persist && (!timed || unit == unitMs) && hasNext:
			unit, exp = unitMs, c.Args[j+1]
			j++
		case eq(opt, "exat") && !persist && (!timed || unit == unitAtSec) && hasNext:
			unit, exp = unitAtSec, c.Args[j+1]
			j++
		case eq(opt, "pxat") && !persist && (!timed || unit == unitAtMs) && hasNext:
			unit, exp = unitAtMs, c.Args[j+1]
			j++
		default:
			c.err(ErrSyntax)
			return
		}
	}
	key := c.Args[1]
	sh := c.shard(key)
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	if e == nil {
		c.W.WriteNull()
		return
	}
	if e.Kind() != keyspace.KindString {
		c.err(ErrWrongType)
		return
	}
	var at int64
	if unit != 0 {
		var ok bool
		if at, ok = c.expireAt(exp, unit, "getex"); !ok {
			return
		}
	}
	v := e.Str()
	switch {
	case unit != 0 && at <= c.En.Now():
		sh.remove(e)
		sh.log("DEL", key)
		sh.notify(ClassGeneric, "del", key)
	case unit != 0:
		sh.dict.SetExpire(e, at)
		if sh.journal != nil {
			sh.log("PEXPIREAT", key, strconv.FormatInt(at, 10))
		}
		sh.notify(ClassGeneric, "expire", key)
	case persist && e.Exp() != 0:
		sh.dict.SetExpire(e, 0)
		sh.log("PERSIST", key)
		sh.notify(ClassGeneric, "persist", key)
	}
	c.W.WriteBulk(v)
}

func mgetCmd(c *Ctx) {
	c.W.WriteArray(len(c.Args) - 1)
	for _, k := range c.Args[1:] {
		v, err := c.shard(k).get(k)
		if err != nil {
			c.W.WriteNull()
		} else {
			c.W.WriteBulk(v)
		}
	}
}

func msetCmd(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.err(ArityError(c.Cmd.Name))
		return
	}
	nx := c.Cmd.Name == "msetnx"
	if nx {
		for j := 1; j < len(c.Args); j += 2 {
			k := c.Args[j]
			sh := c.shard(k)
			if sh.lookupWrite(k, sh.dict.Hash(k)) != nil {
				c.W.WriteInt(0)
				return
			}
		}
	}
	for j := 1; j < len(c.Args); j += 2 {
		c.shard(c.Args[j]).Set(c.Args[j], c.Args[j+1], SetArgs{})
	}
	if nx {
		c.W.WriteInt(1)
	} else {
		c.ok()
	}
}

func appendCmd(c *Ctx) { c.intOrErr(c.shard(c.Args[1]).Append(c.Args[1], c.Args[2])) }

func strlenCmd(c *Ctx) {
	v, err := c.get(c.Args[1])
	if err == ErrNotFound {
		err = nil
	}
	c.intOrErr(int64(len(v)), err)
}

func getrangeCmd(c *Ctx) {
	start, ok := c.intArg(2)
	if !ok {
		return
	}
	end, ok := c.intArg(3)
	if !ok {
		return
	}
	v, err := c.get(c.Args[1])
	if err == ErrNotFound {
		c.W.WriteBulk("")
		return
	}
	if err != nil {
		c.err(err)
		return
	}
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		c.W.WriteBulk("")
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.W.WriteBulk("")
		return
	}
	c.W.WriteBulk(v[start : end+1])
}

func setrangeCmd(c *Ctx) {
	off, ok := c.intArg(2)
	if !ok {
		return
	}
	if off < 0 {
		c.err(errorf("ERR offset is out of range"))
		return
	}
	c.intOrErr(c.shard(c.Args[1]).SetRange(c.Args[1], off, c.Args[3]))
}

func incrCmd(c *Ctx) {
	if by, ok := c.incrDelta(); ok {
		c.intOrErr(c.shard(c.Args[1]).incrBy(c.Args[1], by, true)) // accounted: see Command.accounts
	}
}

// incrDelta is what INCR, DECR, INCRBY or DECRBY adds; it replies the
// error and reports false for a bad increment.
func (c *Ctx) incrDelta() (int64, bool) {
	switch c.Cmd.Name {
	case "decr":
		return -1, true
	case "incrby", "decrby":
		v, ok := c.intArg(2)
		if !ok {
			return 0, false
		}
		if c.Cmd.Name == "incrby" {
			return v, true
		}
		if v == math.MinInt64 {
			c.err(errorf("ERR decrement would overflow"))
			return 0, false
		}
		return -v, true
	}
	return 1, true
}

func incrbyfloatCmd(c *Ctx) {
	s, err := c.shard(c.Args[1]).IncrByFloat(c.Args[1], c.Args[2])
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteBulk(s)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// GetHeld reads key's string for a caller that holds the shard (a With
// block): the lock-free read without the multi-write check, which would
// wait for the caller itself.
func (sh *Shard) GetHeld(key string) (string, error) { return sh.get(key) }
