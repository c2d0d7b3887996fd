package engine

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kevy-go/kevy/internal/glob"
)

// PING, ECHO, TIME and COMMAND, plus the subcommand table that container
// commands (OBJECT, CONFIG, COMMAND) share.

// subcommand describes one subcommand of a container command, for arity
// checks and COMMAND INFO.
type subcommand struct {
	name  string // "config|get"
	arity int    // counting the container's name, as Redis does
	flags Flag
	first int // the key's position, 0 = none
}

// subcommands lists the subcommands of each container command.
var subcommands = map[string][]subcommand{
	"object": {
		{"object|encoding", 3, FlagReadOnly, 2},
		{"object|freq", 3, FlagReadOnly, 2},
		{"object|idletime", 3, FlagReadOnly, 2},
		{"object|refcount", 3, FlagReadOnly, 2},
		{"object|help", 2, FlagLoading | FlagStale, 0},
	},
	"config": {
		{"config|get", -3, FlagAdmin | FlagNoScript | FlagLoading | FlagStale, 0},
		{"config|set", -4, FlagAdmin | FlagNoScript | FlagLoading | FlagStale, 0},
		{"config|resetstat", 2, FlagAdmin | FlagNoScript | FlagLoading | FlagStale, 0},
		{"config|rewrite", 2, FlagAdmin | FlagNoScript | FlagLoading | FlagStale, 0},
		{"config|help", 2, FlagLoading | FlagStale, 0},
	},
	"command": {
		{"command|count", 2, FlagLoading | FlagStale, 0},
		{"command|info", -2, FlagLoading | FlagStale, 0},
		{"command|docs", -2, FlagLoading | FlagStale, 0},
		{"command|list", -2, FlagLoading | FlagStale, 0},
		{"command|getkeys", -4, FlagLoading | FlagStale, 0},
		{"command|getkeysandflags", -4, FlagLoading | FlagStale, 0},
		{"command|help", 2, FlagLoading | FlagStale, 0},
	},
}

// findSub returns the subcommand name of container cmd, or nil.
func findSub(cmd, name string) *subcommand {
	subs := subcommands[cmd]
	for i := range subs {
		if eq(subs[i].name[len(cmd)+1:], name) {
			return &subs[i]
		}
	}
	return nil
}

// sub resolves c.Args[1] as a subcommand of the container command c.Cmd and
// checks its arity, replying Redis's errors. It returns the subcommand's
// lowercase name ("get" for CONFIG GET).
func (c *Ctx) sub() (string, bool) {
	s := findSub(c.Cmd.Name, c.Args[1])
	if s == nil {
		c.err(errorf("ERR unknown subcommand '%s'. Try %s HELP.", trunc(c.Args[1], 128), strings.ToUpper(c.Args[0])))
		return "", false
	}
	if !ArityOK(s.arity, len(c.Args)) {
		c.err(ArityError(s.name))
		return "", false
	}
	return s.name[len(c.Cmd.Name)+1:], true
}

// writeHelp replies a HELP text as status lines, as Redis's addReplyHelp.
func (c *Ctx) writeHelp(lines []string) {
	c.W.WriteArray(len(lines))
	for _, l := range lines {
		c.W.WriteSimple(l)
	}
}

func init() {
	register(
		&Command{Name: "ping", Arity: -1, Flags: FlagFast, Run: pingCmd},
		&Command{Name: "echo", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast, Run: echoCmd},
		&Command{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast | FlagRandom, Run: timeCmd},
		&Command{Name: "command", Arity: -1, Flags: FlagLoading | FlagStale, Run: commandCmd},
	)
}

func pingCmd(c *Ctx) {
	switch len(c.Args) {
	case 1:
		c.W.WriteSimple("PONG")
	case 2:
		c.W.WriteBulk(c.Args[1])
	default:
		c.err(ArityError("ping"))
	}
}

func echoCmd(c *Ctx) { c.W.WriteBulk(c.Args[1]) }

func timeCmd(c *Ctx) {
	var us int64
	if c.En.cfg.Now != nil {
		us = c.En.cfg.Now() * 1000
	} else {
		us = time.Now().UnixMicro()
	}
	c.W.WriteArray(2)
	c.W.WriteBulk(strconv.FormatInt(us/1e6, 10))
	c.W.WriteBulk(strconv.FormatInt(us%1e6, 10))
}

var commandHelp = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
	"HELP",
	"    Prints this help.",
}

func commandCmd(c *Ctx) {
	if len(c.Args) == 1 {
		all := Commands()
		c.W.WriteArray(len(all))
		for _, cmd := range all {
			writeCommandInfo(c.W, cmd)
		}
		return
	}
	sub, ok := c.sub()
	if !ok {
		return
	}
	switch sub {
	case "count":
		c.W.WriteInt(int64(len(commands) + len(described)))
	case "info":
		names := c.Args[2:]
		if len(names) == 0 {
			all := Commands()
			c.W.WriteArray(len(all))
			for _, cmd := range all {
				writeCommandInfo(c.W, cmd)
			}
			return
		}
		c.W.WriteArray(len(names))
		for _, n := range names {
			if cmd := lookupFull(n); cmd != nil {
				writeCommandInfo(c.W, cmd)
			} else {
				c.W.WriteNull()
			}
		}
	case "docs":
		commandDocs(c)
	case "list":
		commandList(c)
	case "getkeys", "getkeysandflags":
		commandGetKeys(c, sub == "getkeysandflags")
	default:
		c.writeHelp(commandHelp)
	}
}

// lookupFull finds a command or a "container|sub" subcommand by name.
func lookupFull(name string) *Command {
	if cont, sub, ok := strings.Cut(name, "|"); ok {
		cmd := Lookup(cont)
		if cmd == nil {
			return nil
		}
		if s := findSub(cmd.Name, sub); s != nil {
			return s.command()
		}
		return nil
	}
	if cmd := Lookup(name); cmd != nil {
		return cmd
	}
	return described[strings.ToLower(name)]
}

// command returns s in the shape of a Command, for COMMAND INFO.
func (s *subcommand) command() *Command {
	cmd := &Command{Name: s.name, Arity: s.arity, Flags: s.flags}
	if s.first > 0 {
		cmd.First, cmd.Last, cmd.Step = s.first, s.first, 1
	}
	return cmd
}

// flagNames lists command flags in the order Redis reports them.
var flagNames = []struct {
	f    Flag
	name string
}{
	{FlagWrite, "write"}, {FlagReadOnly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagFast, "fast"},
}

// commandFlags returns the flags COMMAND INFO reports for cmd.
func commandFlags(cmd *Command) []string {
	var out []string
	for _, f := range flagNames {
		if cmd.Flags&f.f != 0 {
			out = append(out, f.name)
		}
	}
	if cmd.Keys != nil {
		out = append(out, "movablekeys")
	}
	return out
}

// commandGroups maps each command to its documentation group, as COMMAND
// DOCS reports it in Redis 7.0.
var commandGroups = func() map[string]string {
	m := map[string]string{}
	for g, names := range map[string]string{
		"bitmap":       "bitcount bitfield bitfield_ro bitop bitpos getbit setbit",
		"connection":   "auth client echo hello ping quit reset select",
		"generic":      "copy del dump exists expire expireat expiretime keys migrate move object persist pexpire pexpireat pexpiretime pttl randomkey rename renamenx restore scan sort sort_ro touch ttl type unlink wait",
		"geo":          "geoadd geodist geohash geopos georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch geosearchstore",
		"hash":         "hdel hexists hget hgetall hincrby hincrbyfloat hkeys hlen hmget hmset hrandfield hscan hset hsetnx hstrlen hvals",
		"hyperloglog":  "pfadd pfcount pfdebug pfmerge pfselftest",
		"list":         "blmove blmpop blpop brpop brpoplpush lindex linsert llen lmove lmpop lpop lpos lpush lpushx lrange lrem lset ltrim rpop rpoplpush rpush rpushx",
		"pubsub":       "psubscribe publish pubsub punsubscribe spublish ssubscribe subscribe sunsubscribe unsubscribe",
		"scripting":    "eval eval_ro evalsha evalsha_ro fcall fcall_ro function script",
		"server":       "acl bgrewriteaof bgsave command config dbsize debug failover flushall flushdb info lastsave latency lolwut memory module monitor psync replconf replicaof role save shutdown slaveof slowlog swapdb sync time",
		"set":          "sadd scard sdiff sdiffstore sinter sintercard sinterstore sismember smembers smismember smove spop srandmember srem sscan sunion sunionstore",
		"sorted-set":   "bzmpop bzpopmax bzpopmin zadd zcard zcount zdiff zdiffstore zincrby zinter zintercard zinterstore zlexcount zmpop zmscore zpopmax zpopmin zrandmember zrange zrangebylex zrangebyscore zrangestore zrank zrem zremrangebylex zremrangebyrank zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion zunionstore",
		"stream":       "xack xadd xautoclaim xclaim xdel xgroup xinfo xlen xpending xrange xread xreadgroup xrevrange xsetid xtrim",
		"string":       "append decr decrby get getdel getex getrange getset incr incrby incrbyfloat lcs mget mset msetnx psetex set setex setnx setrange strlen substr",
		"transactions": "discard exec multi unwatch watch",
	} {
		for _, n := range strings.Fields(names) {
			m[n] = g
		}
	}
	return m
}()

// groupCategory is the ACL category of a documentation group.
var groupCategory = map[string]string{
	"generic": "keyspace", "string": "string", "bitmap": "bitmap", "list": "list",
	"set": "set", "sorted-set": "sortedset", "hash": "hash", "hyperloglog": "hyperloglog",
	"geo": "geo", "stream": "stream", "pubsub": "pubsub", "connection": "connection",
	"transactions": "transaction", "scripting": "scripting",
}

// commandCategories derives cmd's ACL categories from its group and flags,
// in Redis's order.
func commandCategories(cmd *Command) []string {
	base, _, _ := strings.Cut(cmd.Name, "|")
	cat := groupCategory[commandGroups[base]]
	has := map[string]bool{
		cat:         cat != "",
		"read":      cmd.Flags&FlagReadOnly != 0,
		"write":     cmd.Flags&FlagWrite != 0,
		"admin":     cmd.Flags&FlagAdmin != 0,
		"dangerous": cmd.Flags&FlagAdmin != 0,
		"fast":      cmd.Flags&FlagFast != 0,
		"slow":      cmd.Flags&FlagFast == 0,
		"blocking":  cmd.Flags&FlagBlocking != 0,
	}
	var out []string
	for _, c := range []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
		"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
		"dangerous", "connection", "transaction", "scripting"} {
		if has[c] {
			out = append(out, "@"+c)
		}
	}
	return out
}

// writeStatusSet writes names as a set of status replies.
func writeStatusSet(w Writer, names []string) {
	w.WriteSet(len(names))
	for _, n := range names {
		w.WriteSimple(n)
	}
}

// writeCommandInfo writes cmd's COMMAND INFO entry: name, arity, flags,
// first key, last key, step, ACL categories, tips, key specs, subcommands.
func writeCommandInfo(w Writer, cmd *Command) {
	subs := subcommands[cmd.Name]
	w.WriteArray(10)
	w.WriteBulk(cmd.Name)
	w.WriteInt(int64(cmd.Arity))
	if subs != nil {
		writeStatusSet(w, nil) // a container: its subcommands carry the flags
		w.WriteInt(0)
		w.WriteInt(0)
		w.WriteInt(0)
		writeStatusSet(w, []string{"@slow"})
	} else {
		writeStatusSet(w, commandFlags(cmd))
		w.WriteInt(int64(cmd.First))
		w.WriteInt(int64(cmd.Last))
		w.WriteInt(int64(cmd.Step))
		writeStatusSet(w, commandCategories(cmd))
	}
	var tips []string
	if cmd.Flags&FlagRandom != 0 {
		tips = append(tips, "nondeterministic_output")
	}
	w.WriteSet(len(tips))
	for _, t := range tips {
		w.WriteBulk(t)
	}
	writeKeySpecs(w, cmd)
	w.WriteArray(len(subs))
	for i := range subs {
		writeCommandInfo(w, subs[i].command())
	}
}

// keyFlags are the access flags of cmd's keys, for key specs and
// GETKEYSANDFLAGS: an approximation of Redis's per-key flags.
func keyFlags(cmd *Command) []string {
	if cmd.Flags&FlagWrite != 0 {
		return []string{"RW", "update"}
	}
	return []string{"RO", "access"}
}

// writeKeySpecs writes cmd's key specs: a range spec from First/Last/Step,
// or an unknown spec for commands that compute their keys.
func writeKeySpecs(w Writer, cmd *Command) {
	if cmd.First == 0 && cmd.Keys == nil {
		w.WriteSet(0)
		return
	}
	w.WriteSet(1)
	w.WriteMap(3)
	w.WriteBulk("flags")
	writeStatusSet(w, keyFlags(cmd))
	if cmd.Keys != nil {
		for _, part := range []string{"begin_search", "find_keys"} {
			w.WriteBulk(part)
			w.WriteMap(2)
			w.WriteBulk("type")
			w.WriteBulk("unknown")
			w.WriteBulk("spec")
			w.WriteMap(0)
		}
		return
	}
	w.WriteBulk("begin_search")
	w.WriteMap(2)
	w.WriteBulk("type")
	w.WriteBulk("index")
	w.WriteBulk("spec")
	w.WriteMap(1)
	w.WriteBulk("index")
	w.WriteInt(int64(cmd.First))
	last := cmd.Last
	if last >= 0 {
		last -= cmd.First
	}
	w.WriteBulk("find_keys")
	w.WriteMap(2)
	w.WriteBulk("type")
	w.WriteBulk("range")
	w.WriteBulk("spec")
	w.WriteMap(3)
	w.WriteBulk("lastkey")
	w.WriteInt(int64(last))
	w.WriteBulk("keystep")
	w.WriteInt(int64(cmd.Step))
	w.WriteBulk("limit")
	w.WriteInt(0)
}

// commandDocs replies COMMAND DOCS: for each known command, its group.
func commandDocs(c *Ctx) {
	var cmds []*Command
	if len(c.Args) == 2 {
		cmds = Commands()
	} else {
		for _, n := range c.Args[2:] {
			if cmd := lookupFull(n); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.W.WriteMap(len(cmds))
	for _, cmd := range cmds {
		base, _, _ := strings.Cut(cmd.Name, "|")
		c.W.WriteBulk(cmd.Name)
		c.W.WriteMap(1)
		c.W.WriteBulk("group")
		c.W.WriteBulk(orDefault(commandGroups[base], "server"))
	}
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// commandList replies COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p].
func commandList(c *Ctx) {
	var names []string
	for _, cmd := range Commands() {
		names = append(names, cmd.Name)
		for _, s := range subcommands[cmd.Name] {
			names = append(names, s.name)
		}
	}
	switch {
	case len(c.Args) == 2:
	case len(c.Args) == 5 && eq(c.Args[2], "filterby"):
		val := c.Args[4]
		switch kind := c.Args[3]; {
		case eq(kind, "module"):
			names = nil
		case eq(kind, "aclcat"):
			names = slices.DeleteFunc(names, func(n string) bool {
				return !slices.ContainsFunc(commandCategories(lookupFull(n)), func(cat string) bool { return eq(cat[1:], val) })
			})
		case eq(kind, "pattern"):
			names = slices.DeleteFunc(names, func(n string) bool { return !glob.MatchFold(val, n) })
		default:
			c.err(ErrSyntax)
			return
		}
	default:
		c.err(ErrSyntax)
		return
	}
	c.strings(names)
}

// commandGetKeys replies COMMAND GETKEYS / GETKEYSANDFLAGS <command...>.
func commandGetKeys(c *Ctx, withFlags bool) {
	args := c.Args[2:]
	cmd := Lookup(args[0])
	if cmd == nil {
		c.err(errorf("ERR Invalid command specified"))
		return
	}
	if !ArityOK(cmd.Arity, len(args)) {
		c.err(errorf("ERR Invalid number of arguments specified for command"))
		return
	}
	noKeys := cmd.First == 0 && cmd.Keys == nil
	if subs := subcommands[cmd.Name]; subs != nil && len(args) > 1 {
		if s := findSub(cmd.Name, args[1]); s != nil && s.first == 0 {
			noKeys = true
		}
	}
	if noKeys {
		c.err(errorf("ERR The command has no key arguments"))
		return
	}
	idx := cmd.KeyIndexes(args)
	if len(idx) == 0 {
		c.err(errorf("ERR Invalid arguments specified for command"))
		return
	}
	c.W.WriteArray(len(idx))
	for _, i := range idx {
		if withFlags {
			c.W.WriteArray(2)
			c.W.WriteBulk(args[i])
			writeStatusSet(c.W, keyFlags(cmd))
		} else {
			c.W.WriteBulk(args[i])
		}
	}
}
