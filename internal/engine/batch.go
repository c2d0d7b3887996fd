package engine

// A Batch runs one caller's commands in sequence (a connection's pipelined
// requests) keeping the shard lock a write took for the commands after it,
// as long as they touch only that shard: a pipeline of writes to one key
// pays for the lock and the write's bookkeeping (journal position, events,
// keys noted expired) once per batch rather than once per command.
//
// While a Batch holds a shard, other callers of that shard wait, as they
// would for a command running: the holder must Release it before anything
// that can wait (reading or writing a socket, a blocking command, a
// transaction, a command that is not the engine's) and at most after
// batchMax commands. The commands run exactly as inside a transaction
// (Ctx.Held): a transaction runs the same handlers.
//
// A Batch is not safe for concurrent use; its zero value holds nothing.
type Batch struct {
	sh   *Shard // held exclusively, or nil
	held [1]int // sh's index, for Ctx.Held
	n    int    // commands run under the hold
}

// batchMax bounds the commands one hold covers, so that a long pipeline
// lets other callers of the shard in between.
const batchMax = 64

// unbatchable are the flags of commands a Batch hands to ExecCommand:
// those that lock for themselves, wait, or need a subscriber's state.
const unbatchable = FlagSelfLock | FlagBlocking | FlagPubSub

// ExecBatched is ExecCommand for a caller running its commands through b.
// A write of one key takes the key's shard exclusively and keeps it; a
// later command of one key in the held shard runs under that hold, as in a
// transaction. Anything else releases b first and runs as ExecCommand
// does, as does every command while appendfsync is always (a write then
// waits for its fsync before it replies), while the store is over its
// memory limit (a write may evict first) and once a command queued key
// events (blocked callers are served, and listeners told, right after the
// command that made them, as Redis does).
func (en *Engine) ExecBatched(b *Batch, c *Ctx, cmd *Command) {
	write := cmd.Flags&FlagWrite != 0
	if b.sh == nil && !write {
		en.ExecCommand(c, cmd) // nothing held: a read runs as always
		return
	}
	if !ArityOK(cmd.Arity, len(c.Args)) ||
		cmd.Flags&unbatchable != 0 || (write && cmd.Flags&FlagLockFree != 0) ||
		c.Held != nil || en.SyncAlways() {
		b.Release()
		en.ExecCommand(c, cmd)
		return
	}
	c.En, c.Cmd = en, cmd
	keys := c.keyPositions()
	if len(keys) != 1 {
		b.Release()
		en.ExecCommand(c, cmd)
		return
	}
	sh := en.ShardOf(c.Args[keys[0]])
	oom := cmd.Flags&FlagDenyOOM != 0 && en.overLimit()
	if sh != b.sh || oom {
		b.Release()
		if !write || oom {
			en.ExecCommand(c, cmd)
			return
		}
		if err := sh.refused(); err != nil {
			c.W.WriteError(err)
			return
		}
		sh.mu.Lock()
		b.sh, b.held[0], b.n = sh, sh.idx, 0
	} else if write {
		if err := sh.refused(); err != nil {
			c.W.WriteError(err)
			return
		}
	}
	c.Held = b.held[:]
	c.runIn(c.Held)
	c.Held = nil
	if b.n++; b.n >= batchMax || len(sh.events) > 0 {
		b.Release()
	}
}

// Release ends b's hold, if any: it unlocks the shard, delivers the key
// events its commands queued and deletes the keys they found expired.
// Writes made under the hold are as durable as appendfsync everysec or no
// makes them (a Batch holds nothing while appendfsync is always).
func (b *Batch) Release() {
	sh := b.sh
	if sh == nil {
		return
	}
	b.sh = nil
	evs := sh.takeEvents(nil)
	sh.mu.Unlock()
	sh.en.deliver(evs)
	sh.reapNoted()
}

// Holding reports whether b holds a shard.
func (b *Batch) Holding() bool { return b.sh != nil }
