package engine

import (
	"github.com/kevy-go/kevy/internal/keyspace"
)

// OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP.

// flagUnshared marks a string that Redis would hold as a private object even
// though it is a small integer (COPY's duplicate), so OBJECT REFCOUNT says 1
// rather than the shared integers' count. Writes that replace a string reset
// the entry's flags, which clears it. The bit is taken from the top of
// Entry.Flags to stay clear of the string encoding bits.
const flagUnshared = 1 << 7

// sharedRefcount is what OBJECT REFCOUNT reports for Redis's shared
// integers (OBJ_SHARED_REFCOUNT).
const sharedRefcount = 2147483647

// sharedIntegers is Redis's OBJ_SHARED_INTEGERS: the integer strings 0 to
// 9999 are shared objects (with the default maxmemory-policy).
const sharedIntegers = 10000

// OBJECT FREQ's reply under a non-LFU maxmemory-policy, and OBJECT
// IDLETIME's under an LFU one.
var (
	errNoLFU = errorf("ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	errLFU = errorf("ERR An LFU maxmemory policy is selected, idle time not tracked. " +
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
)

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

// ObjectInfo is what OBJECT reports about a key.
type ObjectInfo struct {
	Encoding string // OBJECT ENCODING
	Refcount int64  // OBJECT REFCOUNT
	Idle     int64  // OBJECT IDLETIME in seconds (not under an LFU policy)
	Freq     int64  // OBJECT FREQ (only under an LFU policy)
}

// Object returns OBJECT's facts about key, or ErrNotFound. Looking does not
// count as an access. Either lock held.
func (sh *Shard) Object(key string) (ObjectInfo, error) {
	e := sh.lookupQuiet(key)
	if e == nil {
		return ObjectInfo{}, ErrNotFound
	}
	info := ObjectInfo{Encoding: encoding(e), Refcount: refcount(e)}
	if sh.en.LFUPolicy() {
		info.Freq = sh.en.Freq(e)
	} else {
		info.Idle = sh.en.IdleMillis(e) / 1000
	}
	return info, nil
}

// refcount mirrors Redis's object sharing: integer strings from 0 to 9999
// stored by SET and friends are shared objects; everything else has one
// reference.
func refcount(e *keyspace.Entry) int64 {
	if e.Kind() != keyspace.KindString || e.Flags&flagUnshared != 0 || encoding(e) != "int" {
		return 1
	}
	if v, _ := ParseInt(e.Str()); v >= 0 && v < sharedIntegers {
		return sharedRefcount
	}
	return 1
}

func init() {
	register(&Command{Name: "object", Arity: -2, Flags: FlagReadOnly, Keys: objectKeys, Run: objectCmd})
}

// objectKeys: every subcommand but HELP names its key second.
func objectKeys(args []string) []int {
	if len(args) >= 3 {
		return []int{2}
	}
	return nil
}

func objectCmd(c *Ctx) {
	sub, ok := c.sub()
	if !ok {
		return
	}
	if sub == "help" {
		c.writeHelp(objectHelp)
		return
	}
	info, err := c.shard(c.Args[2]).Object(c.Args[2])
	if err != nil {
		c.W.WriteNull()
		return
	}
	switch sub {
	case "encoding":
		c.W.WriteBulk(info.Encoding)
	case "freq":
		if !c.En.LFUPolicy() {
			c.err(errNoLFU)
			return
		}
		c.W.WriteInt(info.Freq)
	case "idletime":
		if c.En.LFUPolicy() {
			c.err(errLFU)
			return
		}
		c.W.WriteInt(info.Idle)
	default:
		c.W.WriteInt(info.Refcount)
	}
}
