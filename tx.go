package kevy

import (
	"errors"

	"github.com/kevy-go/kevy/internal/engine"
)

// ErrTxAborted is returned by Store.Tx when a watched key was modified
// between the start of the transaction and its commit (EXEC's null reply):
// nothing was applied, and the caller may retry.
var ErrTxAborted = errors.New("kevy: transaction aborted: a watched key was modified")

// errTxPending is a Pending's error before its transaction committed.
var errTxPending = errors.New("kevy: transaction not committed")

// Tx runs fn as a transaction over keys of any shards, in the manner of
// Redis's WATCH/MULTI/EXEC:
//
//   - The keys in watchKeys are watched from the start. If one of them is
//     modified before the commit (by anyone), nothing is applied and Tx
//     returns ErrTxAborted.
//   - Inside fn, reads (Get, HGet, Exists...) see the committed state, not
//     the transaction's own writes; a read of a watched key followed by a
//     write computed from it is safe against lost updates.
//   - Writes (Set, Incr, RPush..., and Do) are queued, not run: their
//     results are unknown inside fn, so they return zero values (Do
//     returns a QUEUED status; Queue returns a Pending that holds the reply
//     after the commit). Argument errors (an unknown command, a wrong
//     count) are returned at once and nothing is queued.
//   - If fn returns an error, nothing is applied and Tx returns it.
//   - Otherwise the queued writes are applied at commit, in order, holding
//     the shards of all their keys (and of the watched keys) exclusively,
//     acquired in ascending order: no reader sees part of them. Their
//     journal records are wrapped in MULTI/EXEC so replay applies all or
//     none of them. As in Redis, a write that fails at commit (WRONGTYPE,
//     say) does not undo the others; its error is in its Pending.
//
// Tx returns nil once the writes are applied (under FsyncAlways, durable),
// or the error that kept them from being applied (ErrOOM, MISCONF), or an
// error matching ErrDurability when they were applied but not made
// durable.
func (s *Store) Tx(fn func(tx *Tx) error, watchKeys ...string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	var w *engine.Watch
	if len(watchKeys) > 0 {
		w = s.en.NewWatch()
		w.Add(watchKeys...)
		defer w.Clear()
	}
	q := &txQueue{}
	tx := &Tx{en: s.en, q: q}
	err := fn(tx)
	tx.done = true
	if err != nil {
		return err
	}
	if len(q.ops) == 0 && w == nil {
		return nil
	}
	idx := s.en.ShardsOf(q.cmds, append(q.keys, watchKeys...))
	if len(q.ops) > 0 {
		if err := s.en.CheckWrite(idx, true); err != nil {
			return err
		}
	}
	h := s.en.Hold(idx, true)
	if w != nil && w.Changed() {
		h.Release()
		return ErrTxAborted
	}
	for _, op := range q.ops {
		if op.fn != nil {
			sh := s.en.ShardOf(op.key)
			before := sh.KeySize(op.key)
			op.fn(sh)
			sh.Account(op.key, before)
			continue
		}
		var b replyBuilder
		c := engine.Ctx{Args: op.args, W: &b, Held: idx}
		s.en.Exec(&c)
		if op.p != nil {
			op.p.r, op.p.err, op.p.done = b.root, b.err, true
		}
	}
	return h.Release()
}

// txQueue is what a Store.Tx block queued.
type txQueue struct {
	ops  []txOp
	keys []string   // keys of typed writes
	cmds [][]string // commands queued with Do or Queue
}

// txOp is one queued write: a typed core on key, or a command.
type txOp struct {
	key  string
	fn   func(sh *engine.Shard)
	args []string
	p    *Pending
}

// queue queues a typed write.
func (tx *Tx) queue(key string, fn func(sh *engine.Shard)) error {
	if tx.done {
		return ErrClosed
	}
	tx.q.ops = append(tx.q.ops, txOp{key: key, fn: fn})
	tx.q.keys = append(tx.q.keys, key)
	return nil
}

// readCommitted runs a read core on key's committed state.
func (tx *Tx) readCommitted(key string, fn func(sh *engine.Shard)) error {
	if tx.done {
		return ErrClosed
	}
	tx.en.Read(key, fn)
	return nil
}

func (tx *Tx) queueDo(args []string) (Reply, error) {
	if _, err := tx.Queue(args...); err != nil {
		return Reply{Kind: ReplyError, Str: err.Error()}, err
	}
	return Reply{Kind: ReplyStatus, Str: "QUEUED"}, nil
}

// Pending is the reply of a command queued in a Store.Tx block, known once
// the block committed.
type Pending struct {
	r    Reply
	err  error
	done bool
}

// Reply returns the command's reply and error, as Store.Do would have; an
// error before the transaction committed (or when it was not).
func (p *Pending) Reply() (Reply, error) {
	if !p.done {
		return Reply{}, errTxPending
	}
	return p.r, p.err
}

// Queue queues a command in a Store.Tx block (any command Store.Do runs;
// blocking commands run as their non-blocking forms) and returns the
// handle of its reply. An unknown command or a wrong number of arguments
// is an error at once. Outside Store.Tx, Queue runs the command at once,
// as Do does.
func (tx *Tx) Queue(args ...string) (*Pending, error) {
	if tx.done {
		return nil, ErrClosed
	}
	if tx.q == nil {
		r, err := tx.Do(args...)
		return &Pending{r: r, err: err, done: true}, nil
	}
	if err := engine.CheckArgs(args); err != nil {
		return nil, err
	}
	p := &Pending{}
	args = append([]string(nil), args...)
	tx.q.ops = append(tx.q.ops, txOp{args: args, p: p})
	tx.q.cmds = append(tx.q.cmds, args)
	return p, nil
}

// Pipeline collects commands for Store.Pipeline.
type Pipeline struct {
	cmds [][]string
}

// Do queues a command (any command Store.Do runs).
func (p *Pipeline) Do(args ...string) { p.cmds = append(p.cmds, append([]string(nil), args...)) }

// Set queues SET key val.
func (p *Pipeline) Set(key, val string) { p.Do("SET", key, val) }

// Del queues DEL keys.
func (p *Pipeline) Del(keys ...string) { p.Do(append([]string{"DEL"}, keys...)...) }

// Len returns the number of queued commands.
func (p *Pipeline) Len() int { return len(p.cmds) }

// Pipeline runs the commands fn queues, in order, holding every shard they
// touch for the whole batch: one lock acquisition per shard instead of one
// per command, and, under FsyncAlways, one wait for the disk (one fsync
// per shard log) for the whole batch instead of one per command. It
// returns one reply per command (an error reply for a command that failed;
// a blocking command runs as its non-blocking form). The error is not
// nil when the batch could not run (ErrOOM when a command may grow memory
// and nothing can be evicted, MISCONF) or ran but did not become durable.
//
// The batch is applied atomically in memory (no reader sees part of it),
// but, unlike Tx, its journal records are not wrapped: after a crash a
// prefix of it may be present.
func (s *Store) Pipeline(fn func(p *Pipeline)) ([]Reply, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var p Pipeline
	fn(&p)
	if len(p.cmds) == 0 {
		return nil, nil
	}
	idx := s.en.ShardsOf(p.cmds, nil)
	grow, write := false, false
	for _, args := range p.cmds {
		if len(args) == 0 {
			continue
		}
		if cmd := engine.Lookup(args[0]); cmd != nil {
			grow = grow || cmd.Flags&engine.FlagDenyOOM != 0
			write = write || cmd.Flags&engine.FlagWrite != 0
		}
	}
	if write {
		if err := s.en.CheckWrite(idx, grow); err != nil {
			return nil, err
		}
	}
	h := s.en.Hold(idx, false)
	out := make([]Reply, len(p.cmds))
	for i, args := range p.cmds {
		var b replyBuilder
		c := engine.Ctx{Args: args, W: &b, Held: idx}
		s.en.Exec(&c)
		out[i] = b.root
	}
	return out, h.Release()
}
