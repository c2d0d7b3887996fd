package engine

import (
	"strconv"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// RENAME, RENAMENX and COPY. The two keys may live on different shards; the
// dispatcher (or the typed API) holds both exclusively, so the move is
// atomic for every reader.

// ErrSameObject is COPY's reply when source and destination are one key.
var ErrSameObject = errorf("ERR source and destination objects are the same")

// errDBIndex is the reply for a DB argument other than 0: kevy serves only
// database 0, so every other index is "out of range".
var errDBIndex = errorf("ERR DB index is out of range")

// Rename moves src's value and deadline to dst, deleting what dst held. With
// nx it leaves an existing dst alone. It returns ErrNoSuchKey when src is
// missing and reports whether the key was renamed (RENAME of a key to itself
// counts as renamed, RENAMENX of it does not, as in Redis). The shards of
// both keys are held exclusively.
func (en *Engine) Rename(src, dst string, nx bool) (bool, error) {
	from, to := en.ShardOf(src), en.ShardOf(dst)
	e := from.lookupWrite(src, from.dict.Hash(src))
	if e == nil {
		return false, ErrNoSuchKey
	}
	if src == dst {
		return !nx, nil
	}
	if d := to.lookupWrite(dst, to.dict.Hash(dst)); d != nil {
		if nx {
			return false, nil
		}
		to.remove(d)
	}
	ne := rekey(to, dst, e)
	to.notify(ClassNew, "new", dst)
	from.remove(e)
	if from == to {
		from.log("RENAME", src, dst)
	} else {
		from.log("DEL", src)
		to.logValue(dst, ne)
	}
	from.notify(ClassGeneric, "rename_from", src)
	to.notify(ClassGeneric, "rename_to", dst)
	return true, nil
}

// rekey publishes e's value (the same container, not a copy: the old entry
// is about to be deleted), flags, access stamp and deadline under the new
// key dst on shard to. Exclusive locks held.
func rekey(to *Shard, dst string, e *keyspace.Entry) *keyspace.Entry {
	var ne *keyspace.Entry
	h := to.dict.Hash(dst)
	if k := e.Kind(); k == keyspace.KindString {
		ne = keyspace.NewEntry(dst, h, e.Str())
	} else {
		ne = keyspace.NewObjectEntry(dst, h, k, e.Ptr())
	}
	ne.Flags = e.Flags &^ keyspace.FlagOwned
	ne.Access.Store(e.Access.Load())
	to.dict.Insert(ne)
	if x := e.Exp(); x != 0 {
		to.dict.SetExpire(ne, x)
	}
	return ne
}

// Copy copies src's value and deadline to dst, a deep copy. An existing dst
// is replaced only with replace. It returns ErrSameObject when src and dst
// are the same key and reports whether it copied (false: src missing, or
// dst exists without replace). The shards of both keys are held
// exclusively.
func (en *Engine) Copy(src, dst string, replace bool) (bool, error) {
	if src == dst {
		return false, ErrSameObject
	}
	from, to := en.ShardOf(src), en.ShardOf(dst)
	e := from.lookupWrite(src, from.dict.Hash(src))
	if e == nil {
		return false, nil
	}
	if d := to.lookupWrite(dst, to.dict.Hash(dst)); d != nil {
		if !replace {
			return false, nil
		}
		to.remove(d)
	}
	ne := moveValue(to, dst, e)
	to.notify(ClassNew, "new", dst)
	if ne.Kind() == keyspace.KindString {
		// Redis's copy of a shared small integer is a private object.
		ne.Flags |= flagUnshared
	}
	if from == to {
		from.log("COPY", src, dst, "REPLACE")
	} else {
		to.logValue(dst, ne)
	}
	to.notify(ClassGeneric, "copy_to", dst)
	return true, nil
}

// logValue journals key's whole value and deadline as one RESTORE, for
// writes whose source lives on another shard (cross-shard RENAME and COPY).
// Exclusive lock held.
func (sh *Shard) logValue(key string, e *keyspace.Entry) {
	if sh.journal == nil {
		return // spare the serialization
	}
	sh.log("RESTORE", key, strconv.FormatInt(e.Exp(), 10), dumpEntry(e), "REPLACE", "ABSTTL")
}

func init() {
	register(
		&Command{Name: "rename", Arity: 3, Flags: FlagWrite, First: 1, Last: 2, Step: 1, Run: renameCmd},
		&Command{Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast, First: 1, Last: 2, Step: 1, Run: renameCmd},
		&Command{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 2, Step: 1, Run: copyCmd},
	)
}

func renameCmd(c *Ctx) {
	nx := c.Cmd.Name == "renamenx"
	ok, err := c.En.Rename(c.Args[1], c.Args[2], nx)
	switch {
	case err != nil:
		c.err(err)
	case nx:
		c.W.WriteInt(b2i(ok))
	default:
		c.ok()
	}
}

func copyCmd(c *Ctx) {
	replace := false
	for j := 3; j < len(c.Args); j++ {
		switch {
		case eq(c.Args[j], "replace"):
			replace = true
		case eq(c.Args[j], "db") && j+1 < len(c.Args):
			db, ok := ParseInt(c.Args[j+1])
			if !ok {
				c.err(ErrNotInteger)
				return
			}
			if db != int64(int32(db)) {
				c.err(errorf("ERR value is out of range, value must between -2147483648 and 2147483647"))
				return
			}
			if db != 0 {
				c.err(errDBIndex)
				return
			}
			j++
		default:
			c.err(ErrSyntax)
			return
		}
	}
	ok, err := c.En.Copy(c.Args[1], c.Args[2], replace)
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteInt(b2i(ok))
}
