package engine

import (
	"math"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// The hash commands' table entries and handlers. Handlers check arguments in
// Redis's order and with its error texts, then call the cores in hash.go.

// Redis's replies for random-count arguments out of range.
var (
	// errCountRange is getRangeLongFromObjectOrReply's reply for -2^63.
	errCountRange = errorf("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	// errValueRange is HRANDFIELD's reply when count*2 would overflow,
	// and kevy's for repeat counts past MaxRandomCount.
	errValueRange = errorf("ERR value is out of range")
)

// MaxRandomCount bounds the negative counts of HRANDFIELD, SRANDMEMBER and
// ZRANDMEMBER (elements drawn with repeats) on an existing key: Redis
// accepts up to 2^63-1 and tries to build the whole reply (redis-server
// 7.0.15 dies on ZRANDMEMBER key -922337203685477580); kevy replies "ERR
// value is out of range" past this.
const MaxRandomCount = 1 << 24

func init() {
	register(
		&Command{Name: "hset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: hsetCmd},
		&Command{Name: "hmset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: hsetCmd},
		&Command{Name: "hsetnx", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: hsetnxCmd},
		&Command{Name: "hget", Arity: 3, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: hgetCmd},
		&Command{Name: "hmget", Arity: -3, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: hmgetCmd},
		&Command{Name: "hgetall", Arity: 2, Flags: FlagReadOnly, First: 1, Last: 1, Step: 1, Run: hgetallCmd},
		&Command{Name: "hkeys", Arity: 2, Flags: FlagReadOnly, First: 1, Last: 1, Step: 1, Run: hkeysCmd},
		&Command{Name: "hvals", Arity: 2, Flags: FlagReadOnly, First: 1, Last: 1, Step: 1, Run: hvalsCmd},
		&Command{Name: "hlen", Arity: 2, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: hlenCmd},
		&Command{Name: "hexists", Arity: 3, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: hexistsCmd},
		&Command{Name: "hstrlen", Arity: 3, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: hstrlenCmd},
		&Command{Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: hdelCmd},
		&Command{Name: "hincrby", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: hincrbyCmd},
		&Command{Name: "hincrbyfloat", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: hincrbyfloatCmd},
		&Command{Name: "hrandfield", Arity: -2, Flags: FlagReadOnly | FlagRandom, First: 1, Last: 1, Step: 1, Run: hrandfieldCmd},
		&Command{Name: "hscan", Arity: -3, Flags: FlagReadOnly | FlagRandom, First: 1, Last: 1, Step: 1, Run: hscanCmd},
	)
}

func hsetCmd(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.err(ArityError(c.Cmd.Name))
		return
	}
	n, err := c.shard(c.Args[1]).HSet(c.Args[1], c.Args[2:])
	switch {
	case err != nil:
		c.err(err)
	case c.Cmd.Name == "hmset":
		c.ok()
	default:
		c.W.WriteInt(int64(n))
	}
}

func hsetnxCmd(c *Ctx) {
	ok, err := c.shard(c.Args[1]).HSetNX(c.Args[1], c.Args[2], c.Args[3])
	c.intOrErr(b2i(ok), err)
}

func hgetCmd(c *Ctx) { c.bulkOrNull(c.shard(c.Args[1]).HGet(c.Args[1], c.Args[2])) }

func hmgetCmd(c *Ctx) {
	vals, found, err := c.shard(c.Args[1]).HMGet(c.Args[1], c.Args[2:])
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteArray(len(vals))
	for i, v := range vals {
		if found[i] {
			c.W.WriteBulk(v)
		} else {
			c.W.WriteNull()
		}
	}
}

func hgetallCmd(c *Ctx) {
	kv, err := c.shard(c.Args[1]).HGetAll(c.Args[1])
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteMap(len(kv) / 2)
	for _, s := range kv {
		c.W.WriteBulk(s)
	}
}

func hkeysCmd(c *Ctx) { c.stringsOrErr(c.shard(c.Args[1]).HKeys(c.Args[1])) }

func hvalsCmd(c *Ctx) { c.stringsOrErr(c.shard(c.Args[1]).HVals(c.Args[1])) }

// stringsOrErr writes vs as an array, or err.
func (c *Ctx) stringsOrErr(vs []string, err error) {
	if err != nil {
		c.err(err)
		return
	}
	c.strings(vs)
}

func hlenCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).HLen(c.Args[1])
	c.intOrErr(int64(n), err)
}

func hexistsCmd(c *Ctx) {
	ok, err := c.shard(c.Args[1]).HExists(c.Args[1], c.Args[2])
	c.intOrErr(b2i(ok), err)
}

func hstrlenCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).HStrLen(c.Args[1], c.Args[2])
	c.intOrErr(int64(n), err)
}

func hdelCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).HDel(c.Args[1], c.Args[2:])
	c.intOrErr(int64(n), err)
}

func hincrbyCmd(c *Ctx) {
	by, ok := c.intArg(3)
	if !ok {
		return
	}
	c.intOrErr(c.shard(c.Args[1]).HIncrBy(c.Args[1], c.Args[2], by))
}

func hincrbyfloatCmd(c *Ctx) {
	s, err := c.shard(c.Args[1]).HIncrByFloat(c.Args[1], c.Args[2], c.Args[3])
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteBulk(s)
}

// randCountArg parses the count of HRANDFIELD or SRANDMEMBER: an integer
// in [-(2^63-1), 2^63-1].
func (c *Ctx) randCountArg(i int) (int64, bool) {
	n, ok := c.intArg(i)
	if ok && n == math.MinInt64 {
		c.err(errCountRange)
		return 0, false
	}
	return n, ok
}

func hrandfieldCmd(c *Ctx) {
	key := c.Args[1]
	if len(c.Args) == 2 {
		c.bulkOrNull(c.shard(key).HRandField(key))
		return
	}
	n, ok := c.randCountArg(2)
	if !ok {
		return
	}
	if len(c.Args) > 4 || (len(c.Args) == 4 && !eq(c.Args[3], "withvalues")) {
		c.err(ErrSyntax)
		return
	}
	withValues := len(c.Args) == 4
	if withValues && (n < -math.MaxInt64/2 || n > math.MaxInt64/2) {
		c.err(errValueRange)
		return
	}
	out, err := c.shard(key).HRandFieldN(key, int(n), withValues)
	if err != nil {
		c.err(err)
		return
	}
	if !withValues || !c.W.Resp3() {
		c.strings(out)
		return
	}
	// RESP3 nests each field and its value in a pair.
	c.W.WriteArray(len(out) / 2)
	for i := 0; i+1 < len(out); i += 2 {
		c.W.WriteArray(2)
		c.W.WriteBulk(out[i])
		c.W.WriteBulk(out[i+1])
	}
}

// collectionScanArgs parses HSCAN/SSCAN arguments in Redis's order: the
// cursor, then the key (a missing key replies an empty scan, another type
// WRONGTYPE), then the options. ok is false when it has replied.
func (c *Ctx) collectionScanArgs(k keyspace.Kind) (scanOpts, bool) {
	if _, ok := parseCursor(c.Args[2]); !ok {
		c.err(errorf("ERR invalid cursor"))
		return scanOpts{}, false
	}
	key := c.Args[1]
	e, err := c.shard(key).object(key, k, false)
	if err != nil {
		c.err(err)
		return scanOpts{}, false
	}
	if e == nil {
		c.writeScan(0, nil)
		return scanOpts{}, false
	}
	return c.scanArgs(2, false)
}

func hscanCmd(c *Ctx) {
	o, ok := c.collectionScanArgs(keyspace.KindHash)
	if !ok {
		return
	}
	items, next, err := c.shard(c.Args[1]).HScan(c.Args[1], o.cursor, o.match, o.count)
	if err != nil {
		c.err(err)
		return
	}
	c.writeScan(next, items)
}
