package persist

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/rdb"
	"github.com/kevy-go/kevy/internal/resp"
	"github.com/kevy-go/kevy/internal/types"
)

// snapBatch is how many keys a snapshot walk copies per hold of the shard
// lock.
const snapBatch = 256

// SaveSnapshot writes every shard's snapshot (dump-{i}.rdb) and starts its
// log afresh. Writers keep going meanwhile. It reports whether the
// snapshots were written; concurrent calls (and RewriteAOF) run one after
// the other.
func (st *Store) SaveSnapshot() (bool, error) {
	_, err := st.run(st.snapshotShard)
	return err == nil, err
}

// RewriteAOF rewrites every shard's log as one self-contained file: the
// shard's contents as commands, followed by the writes made meanwhile.
func (st *Store) RewriteAOF() (RewriteStats, error) {
	return st.run(st.rewriteShard)
}

// Exclusive runs fn while no snapshot or log rewrite runs, for a caller
// that takes snapshots of the shards itself.
func (st *Store) Exclusive(fn func() error) error {
	st.opMu.Lock()
	defer st.opMu.Unlock()
	return fn()
}

// SaveSnapshotStats is SaveSnapshot reporting its figures.
func (st *Store) SaveSnapshotStats() (RewriteStats, error) { return st.run(st.snapshotShard) }

func (st *Store) run(fn func(*shardLog, *RewriteStats) error) (RewriteStats, error) {
	st.opMu.Lock()
	defer st.opMu.Unlock()
	var rs RewriteStats
	t0 := time.Now()
	for _, l := range st.logs {
		if st.closed.Load() {
			return rs, ErrClosed
		}
		if err := fn(l, &rs); err != nil {
			rs.Duration = time.Since(t0)
			return rs, fmt.Errorf("persist: shard %d: %w", l.i, err)
		}
		rs.Shards++
	}
	rs.Duration = time.Since(t0)
	return rs, nil
}

// switchLog starts generation gen+1 of l's log at the instant P of a
// snapshot of the shard: the new log file is created (durably, holding
// its header) first; then, with the flusher held off, the old log is
// brought up to date, and under the shard lock the journal's remaining
// bytes are taken (they are the old generation's last writes) and the
// snapshot begins. Those bytes are written and fsynced to the old log
// before the flusher may write anything to the new one, so the logs on
// disk never have a gap. If that fails, the switch is undone: nothing was
// written to the new generation, the old log stays current.
func (st *Store) switchLog(l *shardLog, rs *RewriteStats) (*engine.Snapshot, error) {
	gen := l.gen + 1 // l.gen changes only under opMu, which we hold
	name := nextName(l.name, gen)
	nf, nsize, err := st.d.newLog(name, header{gen: gen, shard: l.i})
	if err != nil {
		st.d.remove(name)
		return nil, err
	}
	undo := func() {
		nf.Close()
		st.d.remove(name)
	}
	l.mu.Lock()
	if err := l.flush(true); err != nil {
		l.mu.Unlock()
		undo()
		return nil, err
	}
	l.roomySpare()
	t0 := time.Now()
	l.sh.Lock()
	data, upto := l.j.Take(l.spare)
	snap := l.sh.BeginSnapshot()
	l.sh.Unlock()
	rs.MaxPause = max(rs.MaxPause, time.Since(t0))
	l.absorb(data, upto)
	if err := l.writeOut(true); err != nil {
		l.mu.Unlock()
		snap.Close()
		undo()
		return nil, err
	}
	old := l.f
	l.f, l.cur, l.gen, l.size, l.unsynced = nf, name, gen, nsize, false
	l.mu.Unlock()
	old.Close()
	return snap, nil
}

// snapshotShard: switch to generation g+1 at P, write the snapshot of P
// (kevy-gen=g+1: it holds every write of the generations before) to a
// temporary file, fsync, rename it to dump-{i}.rdb, fsync the directory;
// then rename the new log to the shard's log and drop older ones.
func (st *Store) snapshotShard(l *shardLog, rs *RewriteStats) error {
	snap, err := st.switchLog(l, rs)
	if err != nil {
		return err
	}
	if err := st.settleFolded(l, snap); err != nil {
		snap.Close()
		return err
	}
	keys, size, err := st.writeRDB(dumpName(l.i), snap, l.i, l.gen, rs)
	if err != nil {
		return err
	}
	rs.Keys += keys
	rs.Bytes += size
	l.mu.Lock()
	_, err = st.promoteLocked(l, nil)
	l.mu.Unlock()
	if err != nil {
		return err
	}
	return st.dropOlder(l)
}

// settleFolded makes the other shards' parts of every multi-shard
// transaction that l's new base folds in durable, before that base can
// become the shard's: writes and fsyncs every other shard's log. Without
// it, a snapshot taken right after a transaction released its shards could
// be renamed into place while another shard's part of that transaction was
// still in memory; a crash then left the transaction in one shard's base
// and missing from another shard, applied in part. Every such transaction
// appended its records to all its shards before releasing them, and so
// before the snapshot began: a flush now covers them. Nothing to do when
// the shard never took part in one.
func (st *Store) settleFolded(l *shardLog, snap *engine.Snapshot) error {
	if snap.TxMark == 0 {
		return nil
	}
	for _, o := range st.logs {
		if o == l {
			continue
		}
		o.mu.Lock()
		err := o.flush(true)
		o.mu.Unlock()
		if err != nil {
			return fmt.Errorf("making shard %d's part of a transaction durable: %w", o.i, err)
		}
	}
	return nil
}

// promoteLocked makes the current log (a next file) the shard's log,
// after a base that covers every older generation became durable; with f
// non-nil (a rewrite), the rewritten file f replaces the log instead and
// becomes the file appended to. l.mu held. It reports whether the switch
// happened: a failed rename changes nothing; a failed directory fsync
// after it is reported, the switch stands.
func (st *Store) promoteLocked(l *shardLog, f File) (switched bool, err error) {
	d := st.d
	from := l.cur
	if f != nil {
		from = l.name + rewriteTmp
	}
	if from != l.name {
		if err := d.rename(from, l.name); err != nil {
			return false, err
		}
	}
	err = d.sync()
	if f != nil {
		l.f.Close()
		l.f = f
	}
	l.cur = l.name
	l.baseSize = l.size
	return true, err
}

// dropOlder deletes the next files of generations up to l's (old among
// them).
func (st *Store) dropOlder(l *shardLog) error {
	d := st.d
	names, gens, err := d.nextFiles(l.name)
	if err != nil {
		return err
	}
	removed := false
	for k, name := range names {
		if gens[k] <= l.gen {
			if err := d.remove(name); err != nil {
				return err
			}
			removed = true
		}
	}
	if removed {
		return d.sync()
	}
	return nil
}

// writeRDB writes snap to name through a temporary file: fsync, rename,
// fsync the directory. It consumes (or closes) snap.
func (st *Store) writeRDB(name string, snap *engine.Snapshot, shard int, gen uint64, rs *RewriteStats) (keys int, size int64, err error) {
	d := st.d
	tmp := name + tmpSuffix
	defer func() {
		if err != nil {
			snap.Close()
			d.remove(tmp)
		}
	}()
	f, err := d.create(tmp)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	cw := &countWriter{w: f}
	w, err := rdb.NewWriter(cw, 0)
	if err != nil {
		return 0, 0, err
	}
	w.WriteAux("kevy-gen", strconv.FormatUint(gen, 10))
	w.WriteAux("kevy-shard", strconv.Itoa(shard))
	w.WriteAux("kevy-shards", strconv.Itoa(st.cfg.Shards))
	if snap.TxMark != 0 {
		w.WriteAux("kevy-tx", engine.FormatTxID(snap.TxMark))
	}
	if err := w.SelectDB(0, 0, 0); err != nil {
		return 0, 0, err
	}
	var buf []engine.SnapItem
	for done := false; !done; {
		if st.closed.Load() {
			return 0, 0, ErrClosed
		}
		t0 := time.Now()
		buf, done = snap.Next(buf[:0], snapBatch)
		if rs != nil {
			rs.MaxPause = max(rs.MaxPause, time.Since(t0))
		}
		for _, it := range buf {
			if err := w.WriteEntry(rdb.Entry{Key: it.Key, Object: it.Obj, ExpireAtMs: it.ExpireAt}); err != nil {
				return 0, 0, err
			}
			keys++
		}
		clear(buf)
	}
	if err := w.Close(); err != nil {
		return 0, 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, 0, err
	}
	err = f.Close()
	f = nil
	if err != nil {
		return 0, 0, err
	}
	if err := d.rename(tmp, name); err != nil {
		return 0, 0, err
	}
	return keys, cw.n, d.sync()
}

type countWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

const rewriteTmp = ".rewrite" + tmpSuffix

// testHookAfterBase, if set, runs when a rewrite has written its base.
var testHookAfterBase func()

// rewriteShard: switch to generation g+1 at P (the writes after P go to
// the new generation's log, durably, as usual); write the snapshot of P
// as commands to a temporary file headed gen=g+1 base=1; copy the new
// generation's log into it, the last bytes with the flusher held off;
// fsync; rename it over the shard's log and fsync the directory; from then
// on the flusher appends to it. A base=0 log of the same generation as a
// base=1 log was copied into it, so Open ignores it if a crash leaves it.
func (st *Store) rewriteShard(l *shardLog, rs *RewriteStats) error {
	snap, err := st.switchLog(l, rs)
	if err != nil {
		return err
	}
	if err := st.settleFolded(l, snap); err != nil {
		snap.Close()
		return err
	}
	d := st.d
	tmp := l.name + rewriteTmp
	f, err := d.fs.OpenFile(d.join(tmp), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		snap.Close()
		return err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			d.remove(tmp)
		}
	}()
	cw := &countWriter{w: f}
	bw := bufio.NewWriterSize(cw, 1<<20)
	bw.Write(header{gen: l.gen, base: true, shard: l.i, tx: snap.TxMark}.record())
	var buf []engine.SnapItem
	var rec []byte
	for done := false; !done; {
		if st.closed.Load() {
			snap.Close()
			return ErrClosed
		}
		t0 := time.Now()
		buf, done = snap.Next(buf[:0], snapBatch)
		rs.MaxPause = max(rs.MaxPause, time.Since(t0))
		for _, it := range buf {
			rec = appendItem(rec[:0], it)
			if _, err := bw.Write(rec); err != nil {
				snap.Close()
				return err
			}
			rs.Keys++
		}
		clear(buf)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}

	if testHookAfterBase != nil {
		testHookAfterBase()
	}

	// Copy the new generation's log: most of it with the flusher running,
	// the rest with it held off.
	l.mu.Lock()
	cur := l.cur
	l.mu.Unlock()
	copied := int64(len(header{gen: l.gen, shard: l.i}.record()))
	for range 8 {
		l.mu.Lock()
		end := l.size
		l.mu.Unlock()
		if end-copied < 256<<10 {
			break
		}
		if err := d.copyRange(cw, cur, copied, end); err != nil {
			return err
		}
		copied = end
	}
	if err := f.Sync(); err != nil {
		return err
	}
	l.mu.Lock()
	err = d.copyRange(cw, cur, copied, l.size)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		l.mu.Unlock()
		return err
	}
	size := l.size
	l.size = cw.n
	switched, err := st.promoteLocked(l, f)
	if !switched {
		l.size = size
		l.mu.Unlock()
		return err
	}
	l.unsynced = false
	l.mu.Unlock()
	ok = true
	rs.Bytes += cw.n
	if err != nil {
		return err
	}
	return st.dropOlder(l)
}

// Rewrite limits, as Redis's AOF_REWRITE_ITEMS_PER_CMD, and a chunk size
// for long strings.
const (
	itemsPerCmd = 64
	bytesPerCmd = 1 << 20
)

// appendItem appends the commands that recreate it: SET (APPEND for the
// rest of a long string), RPUSH, SADD, HSET or ZADD in batches, then
// PEXPIREAT for a TTL.
func appendItem(b []byte, it engine.SnapItem) []byte {
	o := &it.Obj
	switch o.Kind {
	case rdb.KindString:
		s := o.Str
		first := true
		for first || len(s) > 0 {
			n := min(len(s), bytesPerCmd)
			cmd := "SET"
			if !first {
				cmd = "APPEND"
			}
			b = resp.AppendCommand(b, cmd, it.Key, s[:n])
			s, first = s[n:], false
		}
	case rdb.KindList:
		b = appendBatches(b, "RPUSH", it.Key, o.List, 1)
	case rdb.KindSet:
		b = appendBatches(b, "SADD", it.Key, o.Set, 1)
	case rdb.KindHash:
		b = appendBatches(b, "HSET", it.Key, o.Hash, 2)
	case rdb.KindZSet:
		args := make([]string, 0, 2*len(o.ZSet))
		for _, m := range o.ZSet {
			args = append(args, types.FormatScore(m.Score), m.Member)
		}
		b = appendBatches(b, "ZADD", it.Key, args, 2)
	}
	if it.ExpireAt != 0 {
		b = resp.AppendCommand(b, "PEXPIREAT", it.Key, strconv.FormatInt(it.ExpireAt, 10))
	}
	return b
}

// appendBatches appends cmd key items... in commands of at most
// itemsPerCmd groups of per items and about bytesPerCmd bytes.
func appendBatches(b []byte, cmd, key string, items []string, per int) []byte {
	for len(items) > 0 {
		n, size := 0, 0
		for n < len(items) && n < itemsPerCmd*per && (n == 0 || size < bytesPerCmd) {
			for k := 0; k < per; k++ {
				size += len(items[n+k])
			}
			n += per
		}
		b = resp.AppendArrayLen(b, 2+n)
		b = resp.AppendBulk(b, cmd)
		b = resp.AppendBulk(b, key)
		for _, a := range items[:n] {
			b = resp.AppendBulk(b, a)
		}
		items = items[n:]
	}
	return b
}

// maybeAutoRewrite starts a rewrite of l's log when it has grown enough:
// in a goroutine, or (inline) within the caller.
func (st *Store) maybeAutoRewrite(l *shardLog, inline bool) {
	pct := st.cfg.AutoRewritePercent
	if pct < 0 || st.closed.Load() {
		return
	}
	l.mu.Lock()
	size, base, next := l.size, l.baseSize, l.nextAutoTry
	l.mu.Unlock()
	if size < st.cfg.AutoRewriteMinSize || size < base+base*int64(pct)/100 || time.Now().Before(next) {
		return
	}
	if !st.autoBusy.CompareAndSwap(false, true) {
		return
	}
	do := func() {
		defer st.autoBusy.Store(false)
		st.opMu.Lock()
		defer st.opMu.Unlock()
		if st.closed.Load() {
			return
		}
		var rs RewriteStats
		if err := st.rewriteShard(l, &rs); err != nil {
			l.mu.Lock()
			l.nextAutoTry = time.Now().Add(time.Minute)
			l.mu.Unlock()
			if lg := st.cfg.Logger; lg != nil && err != ErrClosed {
				lg.Warn("persist: automatic log rewrite failed", "shard", l.i, "error", err)
			}
		}
	}
	if inline {
		do()
		return
	}
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		do()
	}()
}
