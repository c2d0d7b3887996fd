package rdb

import (
	"fmt"
	"math"
)

// readObject reads the body of an object whose type byte, found at typeOff,
// was t. It may return an empty collection; callers decide what that means.
func (d *decoder) readObject(t byte, typeOff int64) (Object, error) {
	switch t {
	case typeString:
		s, err := d.readString()
		return Object{Kind: KindString, Str: s}, err
	case typeList:
		items, err := d.readStrings(1)
		return Object{Kind: KindList, List: items}, err
	case typeSet:
		return d.readSet(func() ([]string, error) { return d.readStrings(1) })
	case typeHash:
		return d.readHash(func() ([]string, error) { return d.readStrings(2) })
	case typeZSet, typeZSet2:
		return d.readZSet(t == typeZSet2)
	case typeHashZipmap:
		return d.readHash(func() ([]string, error) { return d.readCompact("zipmap", parseZipmap) })
	case typeListZiplist:
		items, err := d.readCompact("ziplist", parseZiplist)
		return Object{Kind: KindList, List: items}, err
	case typeSetIntset:
		return d.readSet(func() ([]string, error) { return d.readCompact("intset", parseIntset) })
	case typeSetListpack:
		return d.readSet(func() ([]string, error) { return d.readCompact("listpack", parseListpack) })
	case typeZSetZiplist:
		return d.readCompactZSet("ziplist", parseZiplist)
	case typeZSetListpack:
		return d.readCompactZSet("listpack", parseListpack)
	case typeHashZiplist:
		return d.readHash(func() ([]string, error) { return d.readCompact("ziplist", parseZiplist) })
	case typeHashListpack:
		return d.readHash(func() ([]string, error) { return d.readCompact("listpack", parseListpack) })
	case typeListQuicklist, typeListQuicklist2:
		items, err := d.readQuicklist(t == typeListQuicklist2)
		return Object{Kind: KindList, List: items}, err
	case typeModule2:
		return Object{}, d.unsupportedModule(typeOff)
	}
	if name := unsupportedTypeName(t); name != "" {
		return Object{}, d.fail(typeOff, fmt.Sprintf("unsupported RDB type %d (%s)", t, name), "")
	}
	return Object{}, d.fail(typeOff, fmt.Sprintf("unknown RDB type %d", t), "")
}

// readStrings reads a count and count*per strings.
func (d *decoder) readStrings(per uint64) ([]string, error) {
	n, err := d.readCount()
	if err != nil {
		return nil, err
	}
	if n > math.MaxInt64/per {
		return nil, d.fail(d.off, "bad length", "%d elements", n)
	}
	n *= per
	items := make([]string, 0, prealloc(n))
	for range n {
		s, err := d.readString()
		if err != nil {
			return nil, err
		}
		items = append(items, s)
	}
	return items, nil
}

// readCompact reads a string holding a compact encoding and parses it.
func (d *decoder) readCompact(what string, parse func([]byte) ([]string, error)) ([]string, error) {
	start := d.off
	b, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	items, err := parse(b)
	if err != nil {
		return nil, d.fail(start, "bad "+what, "%v", err)
	}
	return items, nil
}

func (d *decoder) readSet(read func() ([]string, error)) (Object, error) {
	start := d.off
	items, err := read()
	if err != nil {
		return Object{}, err
	}
	if dup, ok := firstDuplicate(items, 1); ok {
		return Object{}, d.fail(start, "duplicate set member", "%q", dup)
	}
	return Object{Kind: KindSet, Set: items}, nil
}

func (d *decoder) readHash(read func() ([]string, error)) (Object, error) {
	start := d.off
	items, err := read()
	if err != nil {
		return Object{}, err
	}
	if len(items)%2 != 0 {
		return Object{}, d.fail(start, "bad hash", "odd number of elements (%d)", len(items))
	}
	if dup, ok := firstDuplicate(items, 2); ok {
		return Object{}, d.fail(start, "duplicate hash field", "%q", dup)
	}
	return Object{Kind: KindHash, Hash: items}, nil
}

// readZSet reads RDB_TYPE_ZSET (text scores) or RDB_TYPE_ZSET_2 (binary).
func (d *decoder) readZSet(binaryScores bool) (Object, error) {
	start := d.off
	n, err := d.readCount()
	if err != nil {
		return Object{}, err
	}
	members := make([]ZMember, 0, prealloc(n))
	for range n {
		m, err := d.readString()
		if err != nil {
			return Object{}, err
		}
		scoreOff := d.off
		var score float64
		if binaryScores {
			score, err = d.readDoubleBinary()
		} else {
			score, err = d.readDoubleString()
		}
		if err != nil {
			return Object{}, err
		}
		if math.IsNaN(score) {
			return Object{}, d.fail(scoreOff, "bad score", "NaN for member %q", m)
		}
		members = append(members, ZMember{Member: m, Score: score})
	}
	return d.checkZSet(start, members)
}

func (d *decoder) readCompactZSet(what string, parse func([]byte) ([]string, error)) (Object, error) {
	start := d.off
	items, err := d.readCompact(what, parse)
	if err != nil {
		return Object{}, err
	}
	if len(items)%2 != 0 {
		return Object{}, d.fail(start, "bad "+what, "odd number of elements (%d) in a sorted set", len(items))
	}
	members := make([]ZMember, 0, len(items)/2)
	for i := 0; i < len(items); i += 2 {
		score, ok := parseScore(items[i+1])
		if !ok || math.IsNaN(score) {
			return Object{}, d.fail(start, "bad "+what, "score %q for member %q", items[i+1], items[i])
		}
		members = append(members, ZMember{Member: items[i], Score: score})
	}
	return d.checkZSet(start, members)
}

func (d *decoder) checkZSet(start int64, members []ZMember) (Object, error) {
	if len(members) > 1 {
		seen := make(map[string]struct{}, len(members))
		for _, m := range members {
			if _, ok := seen[m.Member]; ok {
				return Object{}, d.fail(start, "duplicate sorted set member", "%q", m.Member)
			}
			seen[m.Member] = struct{}{}
		}
	}
	return Object{Kind: KindZSet, ZSet: members}, nil
}

// firstDuplicate reports the first repeated value among items[0],
// items[stride], items[2*stride]...
func firstDuplicate(items []string, stride int) (string, bool) {
	if len(items) <= stride {
		return "", false
	}
	seen := make(map[string]struct{}, len(items)/stride)
	for i := 0; i < len(items); i += stride {
		if _, ok := seen[items[i]]; ok {
			return items[i], true
		}
		seen[items[i]] = struct{}{}
	}
	return "", false
}

// readQuicklist reads RDB_TYPE_LIST_QUICKLIST (ziplist nodes) or, when v2,
// RDB_TYPE_LIST_QUICKLIST_2 (listpack or plain nodes). Empty nodes are
// skipped, as Redis does.
func (d *decoder) readQuicklist(v2 bool) ([]string, error) {
	nodes, err := d.readCount()
	if err != nil {
		return nil, err
	}
	var items []string
	for range nodes {
		container := uint64(quicklistPacked)
		nodeOff := d.off
		if v2 {
			if container, err = d.readLen(); err != nil {
				return nil, err
			}
		}
		switch {
		case container == quicklistPlain:
			s, err := d.readString()
			if err != nil {
				return nil, err
			}
			items = append(items, s)
			continue
		case container != quicklistPacked:
			return nil, d.fail(nodeOff, "bad quicklist node", "container type %d", container)
		}
		var node []string
		if v2 {
			node, err = d.readCompact("listpack", parseListpack)
		} else {
			node, err = d.readCompact("ziplist", parseZiplist)
		}
		if err != nil {
			return nil, err
		}
		items = append(items, node...)
	}
	return items, nil
}

// unsupportedModule reports a module value, naming its module type.
func (d *decoder) unsupportedModule(typeOff int64) error {
	id, err := d.readLen()
	if err != nil {
		return err
	}
	return d.fail(typeOff, fmt.Sprintf("unsupported RDB type %d (module)", typeModule2),
		"module type %q", moduleTypeName(id))
}

// moduleTypeName decodes the nine-character type name packed, six bits a
// character, in the high 54 bits of a module type id.
func moduleTypeName(id uint64) string {
	const charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var name [9]byte
	for i := range name {
		name[i] = charset[id>>(64-6*(i+1))&63]
	}
	return string(name[:])
}

// skipModuleAux skips the body of a MODULE_AUX opcode: a module id, the
// "when" field and a sequence of typed values ending with an EOF opcode.
func (d *decoder) skipModuleAux() error {
	if _, err := d.readLen(); err != nil { // module id
		return err
	}
	whenOff := d.off
	whenOp, err := d.readLen()
	if err != nil {
		return err
	}
	if whenOp != moduleOpUint {
		return d.fail(whenOff, "bad module aux data", "when opcode %d", whenOp)
	}
	if _, err := d.readLen(); err != nil {
		return err
	}
	return d.skipModuleValues()
}

// Opcodes of the values inside module data.
const (
	moduleOpEOF    = 0
	moduleOpSint   = 1
	moduleOpUint   = 2
	moduleOpFloat  = 3
	moduleOpDouble = 4
	moduleOpString = 5
)

func (d *decoder) skipModuleValues() error {
	for {
		opOff := d.off
		op, err := d.readLen()
		if err != nil {
			return err
		}
		switch op {
		case moduleOpEOF:
			return nil
		case moduleOpSint, moduleOpUint:
			_, err = d.readLen()
		case moduleOpFloat:
			err = d.skip(4)
		case moduleOpDouble:
			err = d.skip(8)
		case moduleOpString:
			err = d.skipString()
		default:
			return d.fail(opOff, "bad module data", "opcode %d", op)
		}
		if err != nil {
			return err
		}
	}
}

// skipString skips a string in any encoding without keeping it.
func (d *decoder) skipString() error {
	start := d.off
	n, encoded, err := d.readLength()
	if err != nil {
		return err
	}
	if !encoded {
		return d.skip(n)
	}
	switch n {
	case encInt8:
		return d.skip(1)
	case encInt16:
		return d.skip(2)
	case encInt32:
		return d.skip(4)
	case encLZF:
		clen, err := d.readLen()
		if err != nil {
			return err
		}
		if _, err := d.readLen(); err != nil {
			return err
		}
		return d.skip(clen)
	}
	return d.fail(start, "bad string encoding", "unknown encoding %d", n)
}
