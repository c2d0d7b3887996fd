package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Flag describes a command, as Redis's command flags do.
type Flag uint32

// Command flags.
const (
	FlagWrite    Flag = 1 << iota // modifies the keyspace
	FlagReadOnly                  // only reads
	FlagDenyOOM                   // may grow memory: refused when over maxmemory
	FlagFast                      // O(1) or O(log n)
	FlagLockFree                  // the handler reads without the shard lock
	FlagSelfLock                  // the handler locks shards itself (keyless / all-shard commands)
	FlagAdmin
	FlagRandom   // reply is nondeterministic
	FlagLoading  // allowed while loading
	FlagStale    // allowed on a stale replica
	FlagNoScript // not allowed in scripts
	FlagPubSub
	FlagBlocking
	// FlagBorrowArgs: the handler keeps no reference to its arguments once
	// it returns (a read whose reply holds only stored data; a write that
	// keeps only a new key's name, which the shard copies when the Ctx says
	// Borrowed), so a caller may pass views of a buffer it reuses (the
	// server's read buffer).
	FlagBorrowArgs
)

// borrowArgs are the commands register marks FlagBorrowArgs: reads that
// the server sees often, each checked to keep no argument (a key found
// expired is queued for the reaper as a copy; see noteExpired), and
// writes that keep only what Shard.borrowed copies.
var borrowArgs = map[string]bool{
	"get": true, "mget": true, "exists": true, "strlen": true, "ttl": true, "pttl": true, "type": true,
	"hget": true, "hmget": true, "hexists": true, "sismember": true, "scard": true,
	"llen": true, "lindex": true, "zscore": true,
	// Writes that keep only the key, which the shard copies (a new key's
	// name, an event's key) while Shard.borrowed is set, the values of a
	// list push, which a List packs into its own bytes, and the members
	// SADD adds.
	"incr": true, "decr": true, "incrby": true, "decrby": true,
	"lpush": true, "rpush": true, "lpushx": true, "rpushx": true, "lpop": true, "rpop": true,
	"sadd": true, "srem": true, // a new member is stored as a copy (Set.AddCopy)
	// A value, and a new field, are stored as copies (Hash.SetCopy).
	"hset": true, "hmset": true, "hsetnx": true,
	"zadd": true, // a new member is stored as a copy (types.ZAddCopy)
}

// borrowFirst[len(name)] has bit c-'a' set when a command of borrowArgs
// has that length and first letter: most other names are told apart
// without a lookup.
var borrowFirst = func() (t [16]uint32) {
	for name := range borrowArgs {
		t[len(name)] |= 1 << (name[0] - 'a')
	}
	return t
}()

// BorrowsArgs reports whether the command named name (any case) has
// FlagBorrowArgs.
func BorrowsArgs(name string) bool {
	if len(name) == 0 || len(name) >= len(borrowFirst) {
		return false
	}
	c := name[0] | 0x20
	if c < 'a' || c > 'z' || borrowFirst[len(name)]&(1<<(c-'a')) == 0 {
		return false
	}
	cmd := Lookup(name)
	return cmd != nil && cmd.Flags&FlagBorrowArgs != 0
}

// Command is one entry of the command table: the single implementation of a
// Redis command. Arity follows Redis: positive means exactly that many
// arguments including the name, negative means at least -Arity.
type Command struct {
	Name  string // lowercase, as Redis reports it
	Arity int
	Flags Flag
	// First, Last and Step locate key arguments (Redis's legacy key spec);
	// Last < 0 counts from the end. Keys, if set, overrides them.
	First, Last, Step int
	Keys              func(args []string) []int
	Run               func(c *Ctx)

	// direct, if set, runs the command on a faster path of its own when
	// the caller holds no shard (a path with the same effects, such as
	// the typed API's); it reports false to decline (Run then runs).
	direct func(c *Ctx) bool

	// accounts says Run keeps the memory accounting of its key itself, so
	// the dispatcher does not measure the key around it.
	accounts bool
}

var commands = map[string]*Command{}

// register adds commands to the table; called from init in each cmd_ file.
func register(cs ...*Command) {
	for _, c := range cs {
		if _, dup := commands[c.Name]; dup {
			panic("engine: duplicate command " + c.Name)
		}
		if borrowArgs[c.Name] {
			c.Flags |= FlagBorrowArgs
		}
		commands[c.Name] = c
	}
}

// Lookup finds a command by name, case-insensitively. It hashes a few
// case-folded bytes of the name into a small index and compares
// candidates with an ASCII case-insensitive equality, so a lookup costs a
// few nanoseconds and no allocation.
func Lookup(name string) *Command {
	lookupOnce.Do(buildLookup)
	for _, c := range lookupIndex[lookupHash(name)] {
		if len(c.Name) == len(name) && equalFoldASCII(c.Name, name) {
			return c
		}
	}
	return nil
}

const lookupBits = 10

var (
	lookupOnce  sync.Once
	lookupIndex [1 << lookupBits][]*Command
)

func buildLookup() {
	for _, c := range commands {
		h := lookupHash(c.Name)
		lookupIndex[h] = append(lookupIndex[h], c)
	}
}

func lookupHash(name string) uint32 {
	n := len(name)
	if n == 0 {
		return 0
	}
	h := uint32(n)*2654435761 ^ uint32(lowerASCII(name[0]))*40503 ^ uint32(lowerASCII(name[n-1]))*9973 ^ uint32(lowerASCII(name[n/2]))*131
	return (h ^ h>>13) & (1<<lookupBits - 1)
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// equalFoldASCII compares a lowercase name with s, ignoring ASCII case.
func equalFoldASCII(lowerName, s string) bool {
	for i := 0; i < len(s); i++ {
		if lowerName[i] != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}

// Commands returns the table sorted by name.
func Commands() []*Command {
	out := make([]*Command, 0, len(commands)+len(described))
	for _, c := range commands {
		out = append(out, c)
	}
	for _, c := range described {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// described holds the commands a server runs itself (connection state,
// administration), so that COMMAND reports them beside the table's.
var described = map[string]*Command{}

// Describe adds cmd, a command its caller runs itself (cmd.Run is not
// used), to what COMMAND, COMMAND INFO, COUNT, LIST and DOCS report. A
// name the table already has is ignored. Call it from an init function.
func Describe(cmd *Command) {
	if commands[cmd.Name] == nil {
		described[cmd.Name] = cmd
	}
}

// KeyIndexes returns the positions of key arguments in args.
func (cmd *Command) KeyIndexes(args []string) []int { return cmd.appendKeys(nil, args) }

// appendKeys appends the positions of key arguments in args to dst.
func (cmd *Command) appendKeys(dst []int, args []string) []int {
	if cmd.Keys != nil {
		return append(dst, cmd.Keys(args)...)
	}
	if cmd.First == 0 {
		return dst
	}
	last := cmd.Last
	if last < 0 {
		last += len(args)
	}
	for i := cmd.First; i <= last && i < len(args); i += cmd.Step {
		dst = append(dst, i)
	}
	return dst
}

// keyPositions returns the command's key positions, computed once per execution.
func (c *Ctx) keyPositions() []int {
	if !c.keysDone {
		c.keyIdx = c.Cmd.appendKeys(c.keyBuf[:0], c.Args)
		c.keysDone = true
	}
	return c.keyIdx
}

// Writer receives a command's reply. The public package builds Reply values
// from it; the server encodes RESP directly.
type Writer interface {
	WriteSimple(s string)
	WriteError(err error)
	WriteInt(n int64)
	WriteBulk(s string)
	WriteNull()       // a missing value: RESP2 $-1, RESP3 _
	WriteNullArray()  // a missing array: RESP2 *-1, RESP3 _
	WriteArray(n int) // followed by n values
	WriteMap(n int)   // followed by n key/value pairs (RESP2: an array of 2n)
	WriteSet(n int)   // followed by n values (RESP2: an array)
	WriteDouble(f float64)
	WriteBool(b bool)
	Resp3() bool
}

// Ctx carries one command's execution.
type Ctx struct {
	En   *Engine
	Args []string
	W    Writer
	Cmd  *Command

	// Held, when non-nil, lists the shards the caller already holds
	// exclusively (a transaction or a With block); the dispatcher then takes
	// no locks and refuses keys of other shards.
	Held []int

	// Err is set when the command ran but its write could not be made
	// durable (FsyncAlways); the caller replies with it instead.
	Err error

	// Context, when non-nil, cancels a blocking command's wait (see
	// ExecContext).
	Context context.Context

	// Borrowed says Args are views of a buffer the caller reuses once the
	// command returns (allowed for commands with FlagBorrowArgs): the
	// engine copies what it keeps.
	Borrowed bool

	// Blocked, when non-nil, is called when a blocking command is about to
	// wait (every key was empty), with no lock held: a server flushes the
	// replies before it and starts watching the connection for a hang-up.
	// cancel ends the wait with cause, as the Context's cancellation does,
	// if the command is still waiting, and reports whether it was (CLIENT
	// UNBLOCK replies 0 for a client a push already served).
	Blocked func(cancel func(cause error) bool)

	locks    [8]int
	keyBuf   [8]int
	keyIdx   []int
	keysDone bool
}

// Exec looks up and runs the command in c.Args, replying through c.W.
func (en *Engine) Exec(c *Ctx) {
	c.En = en
	if len(c.Args) == 0 {
		c.W.WriteError(errUnknownCommand("", nil))
		return
	}
	cmd := Lookup(c.Args[0])
	if cmd == nil {
		c.W.WriteError(errUnknownCommand(c.Args[0], c.Args[1:]))
		return
	}
	en.ExecCommand(c, cmd)
}

// ExecCommand is Exec for a caller that has looked the command up already:
// cmd is Lookup(c.Args[0]) and not nil.
func (en *Engine) ExecCommand(c *Ctx, cmd *Command) {
	c.En = en
	if !ArityOK(cmd.Arity, len(c.Args)) {
		c.W.WriteError(ArityError(cmd.Name))
		return
	}
	c.Cmd = cmd
	if cmd.direct != nil && c.Held == nil && !c.Borrowed && cmd.direct(c) {
		return
	}
	if c.Held != nil {
		if cmd.Flags&FlagDenyOOM != 0 && en.overLimit() {
			c.W.WriteError(ErrOOM) // shards are held: nothing can be evicted now
			return
		}
		for _, i := range c.keyPositions() {
			if !slices.Contains(c.Held, en.ShardOf(c.Args[i]).idx) {
				c.W.WriteError(ErrCrossShard)
				return
			}
		}
		c.runIn(c.Held)
		return
	}
	write := cmd.Flags&FlagWrite != 0
	if cmd.Flags&(FlagSelfLock|FlagLockFree) != 0 {
		if !write {
			c.run()
			en.reapAll()
			return
		}
		en.execSelfLockedWrite(c)
		return
	}
	if cmd.Flags&FlagDenyOOM != 0 {
		if err := en.freeMemory(); err != nil {
			c.W.WriteError(err)
			return
		}
	}
	set := c.shardSet(cmd)
	if write {
		for _, i := range set {
			if err := en.shards[i].refused(); err != nil {
				c.W.WriteError(err)
				return
			}
		}
	}
	multi := write && len(set) > 0 && (len(set) > 1 || len(c.keyPositions()) > 1)
	for _, i := range set {
		sh := en.shards[i]
		if write {
			sh.mu.Lock()
			if multi {
				sh.multi.Add(1)
			}
		} else {
			sh.mu.RLock()
		}
	}
	var posBuf, lsnBuf [8]uint64
	pos, lsn := posBuf[:0], lsnBuf[:0]
	if write {
		for _, i := range set {
			pos = append(pos, en.shards[i].position())
		}
	}
	c.runIn(set)
	var evs []Event
	for j := len(set) - 1; j >= 0; j-- {
		sh := en.shards[set[j]]
		if write {
			if multi {
				sh.multi.Add(-1)
			}
			lsn = append(lsn, sh.position())
			evs = sh.takeEvents(evs)
			sh.mu.Unlock()
		} else {
			sh.mu.RUnlock()
		}
	}
	en.deliver(evs)
	for j, i := range set {
		sh := en.shards[i]
		sh.reapNoted()
		if write {
			if err := sh.settle(pos[j], lsn[len(set)-1-j]); err != nil && c.Err == nil {
				c.Err = err
			}
		}
	}
}

// execSelfLockedWrite runs a write that locks shards itself (FLUSHALL),
// refusing it while any log is failing and settling every shard after it.
func (en *Engine) execSelfLockedWrite(c *Ctx) {
	pos := make([]uint64, len(en.shards))
	for i, sh := range en.shards {
		if err := sh.refused(); err != nil {
			c.W.WriteError(err)
			return
		}
		sh.mu.RLock()
		pos[i] = sh.position()
		sh.mu.RUnlock()
	}
	c.run()
	for i, sh := range en.shards {
		sh.mu.RLock()
		lsn := sh.position()
		sh.mu.RUnlock()
		if err := sh.settle(pos[i], lsn); err != nil && c.Err == nil {
			c.Err = err
		}
	}
}

// reapAll reaps what readers noted on any shard.
func (en *Engine) reapAll() {
	for _, sh := range en.shards {
		sh.reapNoted()
	}
}

// run calls the handler, measuring the keys of a write for memory accounting.
func (c *Ctx) run() {
	if c.Cmd.Flags&FlagWrite == 0 || c.Cmd.Flags&FlagSelfLock != 0 || c.Cmd.accounts {
		c.Cmd.Run(c)
		return
	}
	c.measured(c.keyPositions(), c.Cmd.Run)
}

// runIn is run for a command whose shards are locked, exclusively for a
// write: a write on borrowed arguments (Ctx.Borrowed) has them copy what
// they keep (Shard.borrowed) meanwhile.
func (c *Ctx) runIn(shards []int) {
	if !c.Borrowed || c.Cmd.Flags&FlagWrite == 0 {
		c.run()
		return
	}
	for _, i := range shards {
		c.En.shards[i].borrowed = true
	}
	c.run()
	for _, i := range shards {
		c.En.shards[i].borrowed = false
	}
}

// shardSet returns the sorted, distinct shards the command's keys live in.
func (c *Ctx) shardSet(cmd *Command) []int {
	set := c.locks[:0]
	if len(c.En.shards) == 1 {
		if cmd.First != 0 || cmd.Keys != nil {
			set = append(set, 0)
		}
		return set
	}
	for _, i := range c.keyPositions() {
		s := c.En.ShardOf(c.Args[i]).idx
		if !slices.Contains(set, s) {
			set = append(set, s)
		}
	}
	slices.Sort(set)
	return set
}

func errUnknownCommand(name string, args []string) error {
	var list strings.Builder
	for _, a := range args {
		if list.Len() >= 128 {
			break
		}
		list.WriteString("'")
		list.WriteString(trunc(a, 128-list.Len()))
		list.WriteString("' ")
	}
	return errorf("ERR unknown command '%s', with args beginning with: %s", trunc(name, 128), list.String())
}

func trunc(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

// replyError is an error whose text is a Redis error reply.
type replyError struct{ msg string }

func (e *replyError) Error() string { return e.msg }

// errorf returns a Redis error reply built from a format. Line breaks are
// replaced by spaces, as Redis does, so the reply stays one protocol line.
func errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &replyError{strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, msg)}
}

// Reset prepares a reused Ctx for a new command.
func (c *Ctx) Reset(args []string, w Writer) {
	c.Args, c.W, c.Cmd, c.Held, c.Err, c.Borrowed = args, w, nil, nil, nil, false
	c.keyIdx, c.keysDone = nil, false
}
