package engine

import (
	"math"
	"strconv"
	"strings"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// BITFIELD and BITFIELD_RO: integers of 1 to 64 bits (unsigned up to 63) at
// arbitrary bit offsets of a string, most significant bit first.

var (
	errBitfieldType     = errorf("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
	errBitfieldOverflow = errorf("ERR Invalid OVERFLOW type specified")
	errBitfieldRO       = errorf("ERR BITFIELD_RO only supports the GET subcommand")
)

// BitFieldOpcode is a BITFIELD subcommand.
type BitFieldOpcode uint8

// BITFIELD subcommands.
const (
	BitFieldGet BitFieldOpcode = iota
	BitFieldSet
	BitFieldIncrBy
)

// BitFieldOverflow is BITFIELD's OVERFLOW behaviour.
type BitFieldOverflow uint8

// OVERFLOW behaviours.
const (
	OverflowWrap BitFieldOverflow = iota // wrap around (the default)
	OverflowSat                          // saturate at the type's minimum or maximum
	OverflowFail                         // do nothing and reply nil
)

// BitFieldOp is one GET, SET or INCRBY of BITFIELD.
type BitFieldOp struct {
	Op       BitFieldOpcode
	Signed   bool
	Bits     int    // 1..64 signed, 1..63 unsigned
	Offset   uint64 // bit offset, below 2^32
	Value    int64  // SET's value or INCRBY's increment
	Overflow BitFieldOverflow
}

// BitFieldResult is one reply of BITFIELD: a value, or Nil when OVERFLOW
// FAIL prevented a write.
type BitFieldResult struct {
	Value int64
	Nil   bool
}

// parseBitFieldType parses i<bits> or u<bits> as Redis does: the width is
// read up to the first NUL byte, as C's strlen would.
func parseBitFieldType(arg string) (signed bool, width int, ok bool) {
	if arg == "" {
		return false, 0, false
	}
	switch arg[0] {
	case 'i':
		signed = true
	case 'u':
	default:
		return false, 0, false
	}
	rest := arg[1:]
	if i := strings.IndexByte(rest, 0); i >= 0 {
		rest = rest[:i]
	}
	v, ok := ParseInt(rest)
	if !ok || v < 1 || (signed && v > 64) || (!signed && v > 63) {
		return false, 0, false
	}
	return signed, int(v), true
}

// parseBitField parses the subcommands of BITFIELD from c.Args[2:] in
// Redis's order of checks, replying the first error.
func (c *Ctx) parseBitField() ([]BitFieldOp, bool) {
	var ops []BitFieldOp
	ow := OverflowWrap
	args := c.Args
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		var op BitFieldOpcode
		switch sub := args[j]; {
		case eq(sub, "get") && rem >= 2:
			op = BitFieldGet
		case eq(sub, "set") && rem >= 3:
			op = BitFieldSet
		case eq(sub, "incrby") && rem >= 3:
			op = BitFieldIncrBy
		case eq(sub, "overflow") && rem >= 1:
			j++
			switch t := args[j]; {
			case eq(t, "wrap"):
				ow = OverflowWrap
			case eq(t, "sat"):
				ow = OverflowSat
			case eq(t, "fail"):
				ow = OverflowFail
			default:
				c.err(errBitfieldOverflow)
				return nil, false
			}
			continue
		default:
			c.err(ErrSyntax)
			return nil, false
		}
		signed, width, ok := parseBitFieldType(args[j+1])
		if !ok {
			c.err(errBitfieldType)
			return nil, false
		}
		off, ok := parseBitOffset(args[j+2], true, width)
		if !ok {
			c.err(ErrBitOffset)
			return nil, false
		}
		var v int64
		if op != BitFieldGet {
			if v, ok = c.intArg(j + 3); !ok {
				return nil, false
			}
			j++
		}
		ops = append(ops, BitFieldOp{Op: op, Signed: signed, Bits: width, Offset: off, Value: v, Overflow: ow})
		j += 2
	}
	return ops, true
}

// getField reads an unsigned field of width bits at bit off of p; bits past
// the end of p read as zero.
func getField[T ~string | ~[]byte](p T, off uint64, width int) uint64 {
	var v uint64
	for j := 0; j < width; j++ {
		var bit uint64
		if i := off >> 3; i < uint64(len(p)) {
			bit = uint64(p[i]>>(7-off&7)) & 1
		}
		v = v<<1 | bit
		off++
	}
	return v
}

// getSignedField reads a two's complement field.
func getSignedField[T ~string | ~[]byte](p T, off uint64, width int) int64 {
	v := int64(getField(p, off, width))
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= -1 << width
	}
	return v
}

// setField writes the low width bits of v at bit off of p, which is long
// enough.
func setField(p []byte, off uint64, width int, v uint64) {
	for j := 0; j < width; j++ {
		bit := byte(v>>(width-1-j)) & 1
		i, s := off>>3, 7-off&7
		p[i] = p[i]&^(1<<s) | bit<<s
		off++
	}
}

// unsignedOverflow is Redis's checkUnsignedBitfieldOverflow: whether
// value+incr leaves the range of a width-bit unsigned integer and, for WRAP
// and SAT, the value to store instead.
func unsignedOverflow(value uint64, incr int64, width int, ow BitFieldOverflow) (limit uint64, overflow bool) {
	maxv := uint64(math.MaxUint64)
	if width < 64 {
		maxv = 1<<width - 1
	}
	maxincr := int64(maxv - value)
	minincr := -int64(value)
	switch {
	case value > maxv || (incr > 0 && incr > maxincr):
		limit = maxv
	case incr < 0 && incr < minincr:
		limit = 0
	default:
		return 0, false
	}
	if ow == OverflowWrap {
		limit = value + uint64(incr)
		if width < 64 {
			limit &^= math.MaxUint64 << width
		}
	}
	return limit, true
}

// signedOverflow is Redis's checkSignedBitfieldOverflow.
func signedOverflow(value, incr int64, width int, ow BitFieldOverflow) (limit int64, overflow bool) {
	maxv := int64(math.MaxInt64)
	if width < 64 {
		maxv = 1<<(width-1) - 1
	}
	minv := -maxv - 1
	maxincr := int64(uint64(maxv) - uint64(value))
	minincr := minv - value
	switch {
	case value > maxv || (width != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr):
		limit = maxv
	case value < minv || (width != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr):
		limit = minv
	default:
		return 0, false
	}
	if ow == OverflowWrap {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			mask := uint64(math.MaxUint64) << width
			if c&(1<<(width-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		limit = int64(c)
	}
	return limit, true
}

// bitFieldGet runs GET-only ops on the string v.
func bitFieldGet(v string, ops []BitFieldOp) []BitFieldResult {
	out := make([]BitFieldResult, len(ops))
	for i, op := range ops {
		out[i].Value = fieldValue(v, op)
	}
	return out
}

func fieldValue[T ~string | ~[]byte](p T, op BitFieldOp) int64 {
	if op.Signed {
		return getSignedField(p, op.Offset, op.Bits)
	}
	return int64(getField(p, op.Offset, op.Bits))
}

// BitField runs BITFIELD's ops on the string at key, in order. With only
// GETs it just reads (a missing key reads as zeros); otherwise the string is
// created or zero-padded up to the farthest bit any SET or INCRBY
// addresses, even if OVERFLOW FAIL then prevents every write, and its TTL
// is kept. Exclusive lock held.
func (sh *Shard) BitField(key string, ops []BitFieldOp) ([]BitFieldResult, error) {
	var highest uint64
	writes := false
	for _, op := range ops {
		if op.Bits < 1 || op.Bits > 64 || (!op.Signed && op.Bits > 63) {
			return nil, errBitfieldType
		}
		if op.Offset>>3 >= maxStringLen {
			return nil, ErrBitOffset
		}
		if op.Op != BitFieldGet {
			writes = true
			highest = max(highest, op.Offset+uint64(op.Bits)-1)
		}
	}
	d := sh.dict
	e := sh.lookupWrite(key, d.Hash(key))
	if e != nil && e.Kind() != keyspace.KindString {
		return nil, ErrWrongType
	}
	if !writes {
		var v string
		if e != nil {
			v = e.Str()
		}
		return bitFieldGet(v, ops), nil
	}
	var old string
	if e != nil {
		old = e.Str()
	}
	size := int(highest>>3) + 1
	grown := e == nil || size > len(old)
	b := growZero(old, size)
	out := make([]BitFieldResult, len(ops))
	changed := false
	logArgs := []string{"BITFIELD", key}
	for i, op := range ops {
		if op.Op == BitFieldGet {
			out[i].Value = fieldValue(b, op)
			continue
		}
		var newv, ret uint64
		var overflow, diff bool
		if op.Signed {
			oldv := getSignedField(b, op.Offset, op.Bits)
			var nv, lim int64
			if op.Op == BitFieldIncrBy {
				lim, overflow = signedOverflow(oldv, op.Value, op.Bits, op.Overflow)
				nv = oldv + op.Value
				if overflow {
					nv = lim
				}
				ret = uint64(nv)
			} else {
				nv = op.Value
				if lim, overflow = signedOverflow(nv, 0, op.Bits, op.Overflow); overflow {
					nv = lim
				}
				ret = uint64(oldv)
			}
			newv, diff = uint64(nv), nv != oldv
		} else {
			oldv := getField(b, op.Offset, op.Bits)
			var lim uint64
			if op.Op == BitFieldIncrBy {
				newv = oldv + uint64(op.Value)
				if lim, overflow = unsignedOverflow(oldv, op.Value, op.Bits, op.Overflow); overflow {
					newv = lim
				}
				ret = newv
			} else {
				newv = uint64(op.Value)
				if lim, overflow = unsignedOverflow(newv, 0, op.Bits, op.Overflow); overflow {
					newv = lim
				}
				ret = oldv
			}
			diff = newv != oldv
		}
		if overflow && op.Overflow == OverflowFail {
			out[i].Nil = true
			continue
		}
		out[i].Value = int64(ret)
		setField(b, op.Offset, op.Bits, newv)
		changed = changed || diff
		logArgs = append(logArgs, "SET", bitFieldTypeName(op), strconv.FormatUint(op.Offset, 10), fieldArg(op, newv))
	}
	if grown || changed {
		s := string(b)
		if e == nil {
			e = keyspace.NewEntry(key, d.Hash(key), s)
			d.Insert(e)
			sh.notify(ClassNew, "new", key)
		} else {
			e.SetStr(s, true, d)
		}
		if grown {
			// Replays the padding even when OVERFLOW FAIL wrote nothing.
			sh.log("SETBIT", key, strconv.FormatUint(highest, 10), strconv.Itoa(bitAt(old, highest)))
		}
		if len(logArgs) > 2 {
			sh.log(logArgs...)
		}
	}
	if changed || (grown && len(logArgs) > 2) {
		sh.notify(ClassString, "setbit", key)
	}
	// Redis unshares the value into a raw string even when nothing changes.
	e.Flags = flagRaw
	return out, nil
}

func bitFieldTypeName(op BitFieldOp) string {
	if op.Signed {
		return "i" + strconv.Itoa(op.Bits)
	}
	return "u" + strconv.Itoa(op.Bits)
}

// fieldArg formats the value v written to op's field as SET's argument;
// written values are always within the field's range.
func fieldArg(op BitFieldOp, v uint64) string {
	if op.Signed {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatUint(v, 10)
}

func init() {
	register(
		&Command{Name: "bitfield", Arity: -2, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Run: bitfieldCmd},
		&Command{Name: "bitfield_ro", Arity: -2, Flags: FlagReadOnly | FlagFast | FlagLockFree, First: 1, Last: 1, Step: 1, Run: bitfieldroCmd},
	)
}

func writeBitField(c *Ctx, res []BitFieldResult) {
	c.W.WriteArray(len(res))
	for _, r := range res {
		if r.Nil {
			c.W.WriteNull()
		} else {
			c.W.WriteInt(r.Value)
		}
	}
}

func bitfieldCmd(c *Ctx) {
	ops, ok := c.parseBitField()
	if !ok {
		return
	}
	res, err := c.shard(c.Args[1]).BitField(c.Args[1], ops)
	if err != nil {
		c.err(err)
		return
	}
	writeBitField(c, res)
}

func bitfieldroCmd(c *Ctx) {
	ops, ok := c.parseBitField()
	if !ok {
		return
	}
	for _, op := range ops {
		if op.Op != BitFieldGet {
			c.err(errBitfieldRO)
			return
		}
	}
	v, err := c.get(c.Args[1])
	if err != nil && err != ErrNotFound {
		c.err(err)
		return
	}
	writeBitField(c, bitFieldGet(v, ops))
}
