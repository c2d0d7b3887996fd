package engine

import "github.com/kevy-go/kevy/internal/keyspace"

// The set commands' table entries and handlers. Handlers check arguments in
// Redis's order and with its error texts, then call the cores in set.go and
// set_ops.go.

// SINTERCARD's error replies.
var (
	errNumkeys       = errorf("ERR numkeys should be greater than 0")
	errNumkeysArgs   = errorf("ERR Number of keys can't be greater than number of args")
	errLimitNegative = errorf("ERR LIMIT can't be negative")
)

func init() {
	register(
		&Command{Name: "sadd", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: saddCmd},
		&Command{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Run: sremCmd},
		&Command{Name: "smembers", Arity: 2, Flags: FlagReadOnly, First: 1, Last: 1, Step: 1, Run: smembersCmd},
		&Command{Name: "scard", Arity: 2, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: scardCmd},
		&Command{Name: "sismember", Arity: 3, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: sismemberCmd},
		&Command{Name: "smismember", Arity: -3, Flags: FlagReadOnly | FlagFast, First: 1, Last: 1, Step: 1, Run: smismemberCmd},
		&Command{Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast | FlagRandom, First: 1, Last: 1, Step: 1, Run: spopCmd},
		&Command{Name: "srandmember", Arity: -2, Flags: FlagReadOnly | FlagRandom, First: 1, Last: 1, Step: 1, Run: srandmemberCmd},
		&Command{Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast, First: 1, Last: 2, Step: 1, Run: smoveCmd},
		&Command{Name: "sinter", Arity: -2, Flags: FlagReadOnly, First: 1, Last: -1, Step: 1, Run: setOpCmd},
		&Command{Name: "sunion", Arity: -2, Flags: FlagReadOnly, First: 1, Last: -1, Step: 1, Run: setOpCmd},
		&Command{Name: "sdiff", Arity: -2, Flags: FlagReadOnly, First: 1, Last: -1, Step: 1, Run: setOpCmd},
		&Command{Name: "sinterstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: -1, Step: 1, Run: setOpStoreCmd},
		&Command{Name: "sunionstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: -1, Step: 1, Run: setOpStoreCmd},
		&Command{Name: "sdiffstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: -1, Step: 1, Run: setOpStoreCmd},
		&Command{Name: "sintercard", Arity: -3, Flags: FlagReadOnly, Keys: sintercardKeys, Run: sintercardCmd},
		&Command{Name: "sscan", Arity: -3, Flags: FlagReadOnly | FlagRandom, First: 1, Last: 1, Step: 1, Run: sscanCmd},
	)
}

// sintercardKeys locates the keys of "SINTERCARD numkeys key [key ...] ...": as many
// as numkeys says and the arguments hold; none when numkeys is invalid.
func sintercardKeys(args []string) []int {
	if len(args) < 2 {
		return nil
	}
	n, ok := ParseInt(args[1])
	if !ok || n < 1 {
		return nil
	}
	var out []int
	for i := 2; i < len(args) && int64(i-2) < n; i++ {
		out = append(out, i)
	}
	return out
}

func saddCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).SAdd(c.Args[1], c.Args[2:])
	c.intOrErr(int64(n), err)
}

func sremCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).SRem(c.Args[1], c.Args[2:])
	c.intOrErr(int64(n), err)
}

// setReply writes members as a set (a RESP2 array), or err.
func (c *Ctx) setReply(ms []string, err error) {
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteSet(len(ms))
	for _, m := range ms {
		c.W.WriteBulk(m)
	}
}

func smembersCmd(c *Ctx) { c.setReply(c.shard(c.Args[1]).SMembers(c.Args[1])) }

func scardCmd(c *Ctx) {
	n, err := c.shard(c.Args[1]).SCard(c.Args[1])
	c.intOrErr(int64(n), err)
}

func sismemberCmd(c *Ctx) {
	ok, err := c.shard(c.Args[1]).SIsMember(c.Args[1], c.Args[2])
	c.intOrErr(b2i(ok), err)
}

func smismemberCmd(c *Ctx) {
	res, err := c.shard(c.Args[1]).SMIsMember(c.Args[1], c.Args[2:])
	if err != nil {
		c.err(err)
		return
	}
	c.W.WriteArray(len(res))
	for _, ok := range res {
		c.W.WriteInt(b2i(ok))
	}
}

func spopCmd(c *Ctx) {
	key := c.Args[1]
	switch {
	case len(c.Args) > 3:
		c.err(ErrSyntax)
	case len(c.Args) == 3:
		n, ok := ParseInt(c.Args[2])
		if !ok || n < 0 {
			c.err(ErrPositive)
			return
		}
		c.setReply(c.shard(key).SPopN(key, int(n)))
	default:
		c.bulkOrNull(c.shard(key).SPop(key))
	}
}

func srandmemberCmd(c *Ctx) {
	key := c.Args[1]
	switch {
	case len(c.Args) > 3:
		c.err(ErrSyntax)
	case len(c.Args) == 3:
		n, ok := c.randCountArg(2)
		if !ok {
			return
		}
		c.stringsOrErr(c.shard(key).SRandMemberN(key, int(n)))
	default:
		c.bulkOrNull(c.shard(key).SRandMember(key))
	}
}

func smoveCmd(c *Ctx) {
	ok, err := c.En.SMove(c.Args[1], c.Args[2], c.Args[3])
	c.intOrErr(b2i(ok), err)
}

func setOpCmd(c *Ctx) {
	keys := c.Args[1:]
	switch c.Cmd.Name {
	case "sinter":
		c.setReply(c.En.SInter(keys))
	case "sunion":
		c.setReply(c.En.SUnion(keys))
	default:
		c.setReply(c.En.SDiff(keys))
	}
}

func setOpStoreCmd(c *Ctx) {
	dst, keys := c.Args[1], c.Args[2:]
	var n int
	var err error
	switch c.Cmd.Name {
	case "sinterstore":
		n, err = c.En.SInterStore(dst, keys)
	case "sunionstore":
		n, err = c.En.SUnionStore(dst, keys)
	default:
		n, err = c.En.SDiffStore(dst, keys)
	}
	c.intOrErr(int64(n), err)
}

func sintercardCmd(c *Ctx) {
	n, ok := ParseInt(c.Args[1])
	if !ok || n < 1 {
		c.err(errNumkeys)
		return
	}
	if n > int64(len(c.Args)-2) {
		c.err(errNumkeysArgs)
		return
	}
	var limit int64
	for j := 2 + int(n); j < len(c.Args); j++ {
		if !eq(c.Args[j], "limit") || j+1 >= len(c.Args) {
			c.err(ErrSyntax)
			return
		}
		j++
		v, ok := ParseInt(c.Args[j])
		if !ok || v < 0 {
			c.err(errLimitNegative)
			return
		}
		limit = v
	}
	card, err := c.En.SInterCard(c.Args[2:2+int(n)], int(min(limit, 1<<62)))
	c.intOrErr(int64(card), err)
}

func sscanCmd(c *Ctx) {
	o, ok := c.collectionScanArgs(keyspace.KindSet)
	if !ok {
		return
	}
	items, next, err := c.shard(c.Args[1]).SScan(c.Args[1], o.cursor, o.match, o.count)
	if err != nil {
		c.err(err)
		return
	}
	c.writeScan(next, items)
}
