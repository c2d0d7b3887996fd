package engine

import (
	"math/bits"
	"strconv"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP. A bitmap is a
// plain string; bit 0 is the most significant bit of the first byte.
//
// Strings are immutable (lock-free readers may hold the old value), so a
// write copies the string: SETBIT is O(length), not O(1) as in Redis.

// Errors of the bitmap commands, with Redis's texts.
var (
	ErrBitValue = errorf("ERR bit is not an integer or out of range")
	ErrBitArg   = errorf("ERR The bit argument must be 1 or 0.")
	errBitopNot = errorf("ERR BITOP NOT must be called with a single source key.")
)

// parseBitOffset parses a bit offset as Redis's getBitOffsetFromArgument
// does. With hash set and bits > 0 (BITFIELD), "#n" means n*bits; the
// product wraps around as in Redis's C.
func parseBitOffset(arg string, hash bool, width int) (uint64, bool) {
	usehash := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	s := arg
	if usehash {
		s = arg[1:]
	}
	v, ok := ParseInt(s)
	if !ok {
		return 0, false
	}
	if usehash {
		v *= int64(width)
	}
	if v < 0 || v>>3 >= maxStringLen {
		return 0, false
	}
	return uint64(v), true
}

// checkBitOffset validates an offset given to the typed API.
func checkBitOffset(off int64) error {
	if off < 0 || off>>3 >= maxStringLen {
		return ErrBitOffset
	}
	return nil
}

// bitAt returns bit off of v, 0 past its end.
func bitAt(v string, off uint64) int {
	i := off >> 3
	if i >= uint64(len(v)) {
		return 0
	}
	return int(v[i]>>(7-off&7)) & 1
}

// growZero returns a copy of v zero-padded to at least n bytes.
func growZero(v string, n int) []byte {
	b := make([]byte, max(len(v), n))
	copy(b, v)
	return b
}

// SetBit sets (value 1) or clears (value 0) bit off of the string at key,
// creating or zero-padding it as needed, and returns the bit's previous
// value. The string's TTL is kept. Exclusive lock held.
func (sh *Shard) SetBit(key string, off int64, value int) (int, error) {
	if err := checkBitOffset(off); err != nil {
		return 0, err
	}
	if value != 0 && value != 1 {
		return 0, ErrBitValue
	}
	d := sh.dict
	e := sh.lookupWrite(key, d.Hash(key))
	var old string
	if e != nil {
		if e.Kind() != keyspace.KindString {
			return 0, ErrWrongType
		}
		old = e.Str()
	}
	byteIdx := int(off >> 3)
	prev := bitAt(old, uint64(off))
	grows := e == nil || byteIdx >= len(old)
	if grows || prev != value {
		b := growZero(old, byteIdx+1)
		mask := byte(1) << (7 - off&7)
		if value == 1 {
			b[byteIdx] |= mask
		} else {
			b[byteIdx] &^= mask
		}
		s := string(b)
		if e == nil {
			e = keyspace.NewEntry(key, d.Hash(key), s)
			d.Insert(e)
			sh.notify(ClassNew, "new", key)
		} else {
			e.SetStr(s, true, d)
		}
		if sh.journal != nil {
			sh.log("SETBIT", key, strconv.FormatInt(off, 10), strconv.Itoa(value))
		}
		sh.notify(ClassString, "setbit", key)
	}
	// Redis unshares the value into a raw string even when nothing changes.
	e.Flags = flagRaw
	return prev, nil
}

// GetBit returns bit off of the string at key: 0 past its end or for a
// missing key. It reads without locks, as GET does.
func (en *Engine) GetBit(key string, off int64) (int, error) {
	if err := checkBitOffset(off); err != nil {
		return 0, err
	}
	v, err := en.Get(key)
	if err == ErrNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return bitAt(v, uint64(off)), nil
}

// popcount counts the set bits of s.
func popcount(s string) int64 {
	var n int
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		n += bits.OnesCount64(w)
	}
	for ; i < len(s); i++ {
		n += bits.OnesCount8(s[i])
	}
	return int64(n)
}

// BitCountRange counts the set bits of v between start and end inclusive,
// byte offsets or, with inBits, bit offsets; negative offsets count from
// the end (Redis's BITCOUNT with a range).
func BitCountRange(v string, start, end int64, inBits bool) int64 {
	if start < 0 && end < 0 && start > end {
		return 0
	}
	return bitCountRange(v, start, end, inBits)
}

func bitCountRange(v string, start, end int64, inBits bool) int64 {
	totlen := int64(len(v))
	if inBits {
		totlen <<= 3
	}
	start, end = clampBitRange(start, end, totlen)
	var firstMask, lastMask byte
	if inBits && start <= end {
		firstMask = ^byte((1 << (8 - start&7)) - 1)
		lastMask = byte((1 << (7 - end&7)) - 1)
		start >>= 3
		end >>= 3
	}
	if start > end {
		return 0
	}
	n := popcount(v[start : end+1])
	n -= int64(bits.OnesCount8(v[start]&firstMask) + bits.OnesCount8(v[end]&lastMask))
	return n
}

// clampBitRange converts negative offsets over totlen units and clamps the
// range as BITCOUNT and BITPOS do; empty when start > end.
func clampBitRange(start, end, totlen int64) (int64, int64) {
	if start < 0 {
		start += totlen
	}
	if end < 0 {
		end += totlen
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= totlen {
		end = totlen - 1
	}
	return start, end
}

// firstBit is Redis's redisBitpos: the position of the first bit equal to
// bit in p; when there is none, -1 looking for 1 and len(p)*8 looking for 0
// (the string counts as zero-padded on the right).
func firstBit(p string, bit int) int64 {
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c != skip {
			if bit == 0 {
				c = ^c
			}
			return int64(i)*8 + int64(bits.LeadingZeros8(c))
		}
	}
	if bit == 1 {
		return -1
	}
	return int64(len(p)) * 8
}

// BitPos returns the position of the first bit equal to bit (0 or 1) in v
// between start and end (byte offsets, or bit offsets with inBits;
// negative offsets count from the end) as Redis's BITPOS does. The whole
// string is start 0, end -1 and endGiven false; without an explicit end,
// looking for a 0 in an all-ones range returns the first bit past it.
func BitPos(v string, bit int, start, end int64, endGiven, inBits bool) int64 {
	totlen := int64(len(v))
	if inBits {
		totlen <<= 3
	}
	start, end = clampBitRange(start, end, totlen)
	var firstMask, lastMask byte
	if inBits && start <= end {
		firstMask = ^byte((1 << (8 - start&7)) - 1)
		lastMask = byte((1 << (7 - end&7)) - 1)
		start >>= 3
		end >>= 3
	}
	if start > end {
		return -1
	}
	one := func(c byte, mask byte) byte {
		if bit == 1 {
			return c &^ mask
		}
		return c | mask
	}
	nbytes := end - start + 1
	var pos int64
	func() {
		if firstMask != 0 {
			tmp := one(v[start], firstMask)
			if lastMask != 0 && nbytes == 1 {
				tmp = one(tmp, lastMask)
			}
			pos = firstBit(string([]byte{tmp}), bit)
			if nbytes == 1 || (pos != -1 && pos != 8) {
				return
			}
			start++
			nbytes--
		}
		cur := nbytes
		if lastMask != 0 {
			cur--
		}
		if cur > 0 {
			pos = firstBit(v[start:start+cur], bit)
			if nbytes == cur || (pos != -1 && pos != cur<<3) {
				return
			}
			start += cur
			nbytes -= cur
		}
		pos = firstBit(string([]byte{one(v[end], lastMask)}), bit)
	}()
	if endGiven && bit == 0 && pos == nbytes<<3 {
		return -1
	}
	if pos != -1 {
		pos += start << 3
	}
	return pos
}

// BitOperation is a BITOP operation.
type BitOperation uint8

// BITOP operations.
const (
	BitAnd BitOperation = iota
	BitOr
	BitXor
	BitNot
)

// bitOperation parses BITOP's operation name.
func bitOperation(name string) (BitOperation, bool) {
	switch {
	case eq(name, "and"):
		return BitAnd, true
	case eq(name, "or"):
		return BitOr, true
	case eq(name, "xor"):
		return BitXor, true
	case eq(name, "not"):
		return BitNot, true
	}
	return 0, false
}

// BitOp stores at dest the bitwise op of the strings at srcs (missing keys
// are empty strings, shorter strings are zero-padded) and returns the
// length of the result. An empty result deletes dest. BitNot takes exactly
// one source. The caller holds the shards of dest and srcs exclusively.
func (en *Engine) BitOp(op BitOperation, dest string, srcs []string) (int64, error) {
	if op == BitNot && len(srcs) != 1 {
		return 0, errBitopNot
	}
	if len(srcs) == 0 {
		return 0, ArityError("bitop")
	}
	vals := make([]string, len(srcs))
	maxlen := 0
	for i, k := range srcs {
		sh := en.ShardOf(k)
		e := sh.lookupWrite(k, sh.dict.Hash(k))
		if e == nil {
			continue
		}
		if e.Kind() != keyspace.KindString {
			return 0, ErrWrongType
		}
		vals[i] = e.Str()
		maxlen = max(maxlen, len(vals[i]))
	}
	sh := en.ShardOf(dest)
	if maxlen == 0 {
		if e := sh.lookupWrite(dest, sh.dict.Hash(dest)); e != nil {
			sh.remove(e)
			sh.log("DEL", dest)
			sh.notify(ClassGeneric, "del", dest)
		}
		return 0, nil
	}
	res := make([]byte, maxlen)
	copy(res, vals[0])
	switch op {
	case BitNot:
		for j := range res {
			res[j] = ^res[j]
		}
	case BitAnd:
		for _, v := range vals[1:] {
			n := min(len(v), len(res))
			for j := 0; j < n; j++ {
				res[j] &= v[j]
			}
			clear(res[n:])
		}
	case BitOr:
		for _, v := range vals[1:] {
			for j := 0; j < len(v); j++ {
				res[j] |= v[j]
			}
		}
	case BitXor:
		for _, v := range vals[1:] {
			for j := 0; j < len(v); j++ {
				res[j] ^= v[j]
			}
		}
	}
	s := string(res)
	e := sh.putString(dest, s, false)
	e.Flags = flagRaw
	sh.log("SET", dest, s)
	sh.notify(ClassString, "set", dest)
	return int64(maxlen), nil
}

func init() {
	register(
		&Command{Name: "setbit", Arity: 4, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: setbitCmd},
		&Command{Name: "getbit", Arity: 3, Flags: FlagReadOnly | FlagFast | FlagLockFree, First: 1, Last: 1, Step: 1, Run: getbitCmd},
		&Command{Name: "bitcount", Arity: -2, Flags: FlagReadOnly | FlagLockFree, First: 1, Last: 1, Step: 1, Run: bitcountCmd},
		&Command{Name: "bitpos", Arity: -3, Flags: FlagReadOnly | FlagLockFree, First: 1, Last: 1, Step: 1, Run: bitposCmd},
		&Command{Name: "bitop", Arity: -4, Flags: FlagWrite | FlagDenyOOM, First: 2, Last: -1, Step: 1, Run: bitopCmd},
	)
}

func setbitCmd(c *Ctx) {
	off, ok := parseBitOffset(c.Args[2], false, 0)
	if !ok {
		c.err(ErrBitOffset)
		return
	}
	on, ok := ParseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.err(ErrBitValue)
		return
	}
	prev, err := c.shard(c.Args[1]).SetBit(c.Args[1], int64(off), int(on))
	c.intOrErr(int64(prev), err)
}

func getbitCmd(c *Ctx) {
	off, ok := parseBitOffset(c.Args[2], false, 0)
	if !ok {
		c.err(ErrBitOffset)
		return
	}
	v, err := c.get(c.Args[1])
	switch err {
	case nil:
		c.W.WriteInt(int64(bitAt(v, off)))
	case ErrNotFound:
		c.W.WriteInt(0)
	default:
		c.err(err)
	}
}

// bitUnit parses BIT|BYTE.
func bitUnit(arg string) (inBits, ok bool) {
	switch {
	case eq(arg, "bit"):
		return true, true
	case eq(arg, "byte"):
		return false, true
	}
	return false, false
}

func bitcountCmd(c *Ctx) {
	// Redis 7.0 looks the key up before it parses the range.
	v, err := c.get(c.Args[1])
	if err == ErrNotFound {
		c.W.WriteInt(0)
		return
	}
	if err != nil {
		c.err(err)
		return
	}
	switch len(c.Args) {
	case 2:
		c.W.WriteInt(popcount(v))
	case 4, 5:
		start, ok := c.intArg(2)
		if !ok {
			return
		}
		end, ok := c.intArg(3)
		if !ok {
			return
		}
		if start < 0 && end < 0 && start > end {
			c.W.WriteInt(0)
			return
		}
		inBits := false
		if len(c.Args) == 5 {
			if inBits, ok = bitUnit(c.Args[4]); !ok {
				c.err(ErrSyntax)
				return
			}
		}
		c.W.WriteInt(bitCountRange(v, start, end, inBits))
	default:
		c.err(ErrSyntax)
	}
}

func bitposCmd(c *Ctx) {
	bit, ok := ParseInt(c.Args[2])
	if !ok {
		c.err(ErrNotInteger)
		return
	}
	if bit != 0 && bit != 1 {
		c.err(ErrBitArg)
		return
	}
	v, err := c.get(c.Args[1])
	if err == ErrNotFound {
		c.W.WriteInt(-bit) // a missing key is an infinite run of zeros: -1 for a 1, 0 for a 0
		return
	}
	if err != nil {
		c.err(err)
		return
	}
	var start, end int64 = 0, -1
	endGiven, inBits := false, false
	switch len(c.Args) {
	case 3:
	case 4, 5, 6:
		if start, ok = c.intArg(3); !ok {
			return
		}
		if len(c.Args) == 6 {
			if inBits, ok = bitUnit(c.Args[5]); !ok {
				c.err(ErrSyntax)
				return
			}
		}
		if len(c.Args) >= 5 {
			if end, ok = c.intArg(4); !ok {
				return
			}
			endGiven = true
		}
	default:
		c.err(ErrSyntax)
		return
	}
	c.W.WriteInt(BitPos(v, int(bit), start, end, endGiven, inBits))
}

func bitopCmd(c *Ctx) {
	op, ok := bitOperation(c.Args[1])
	if !ok {
		c.err(ErrSyntax)
		return
	}
	c.intOrErr(c.En.BitOp(op, c.Args[2], c.Args[3:]))
}
