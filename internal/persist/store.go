package persist

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/resp"
)

// Config configures persistence.
type Config struct {
	// Dir is the directory of the files; created 0700 if missing.
	Dir string
	// AOFFilename renames the log of a single-shard store (default
	// "aof-0.aof"). It must be empty with more than one shard.
	AOFFilename string
	// Shards is the engine's shard count (0: the engine's). A directory
	// written with another count is re-sharded.
	Shards int
	// Sync is the fsync policy (Redis's appendfsync).
	Sync engine.SyncPolicy
	// ManualTick starts no background goroutine for SyncEverySec and
	// SyncNo: the caller's Tick writes the log and fsyncs it about once a
	// second. SyncAlways always runs one flusher goroutine per shard, since
	// its writers wait for the disk.
	ManualTick bool
	// AutoRewritePercent and AutoRewriteMinSize trigger RewriteAOF of a
	// shard when its log has grown by that percentage over its size after
	// the last rewrite or snapshot and is at least that big (Redis's
	// auto-aof-rewrite-percentage and -min-size; defaults 100 and 64 MiB;
	// a negative percentage disables it).
	AutoRewritePercent int
	AutoRewriteMinSize int64
	// LoadValidPrefix loads what precedes corruption in the middle of a log
	// or snapshot instead of failing (the corrupt bytes are kept aside).
	LoadValidPrefix bool
	// FlushAt is how many buffered log bytes wake the flusher early under
	// SyncEverySec and SyncNo (default 1 MiB).
	FlushAt int
	// Logger receives warnings (torn tails, valid-prefix loads, failed
	// background rewrites); nil discards them.
	Logger *slog.Logger
	// FS is the file system (nil: OSFS).
	FS FS
}

// LoadStats reports what Open loaded.
type LoadStats struct {
	Keys         int           // keys in the store after loading
	SnapshotKeys int           // keys read from snapshots
	Records      int64         // log records replayed (headers excluded)
	Bytes        int64         // bytes of snapshots and logs read
	Truncated    int64         // bytes of incomplete final records cut off
	Resharded    bool          // the directory was re-sharded
	FromShards   int           // its shard count before (when Resharded)
	Duration     time.Duration // time Open took
}

// RewriteStats reports a RewriteAOF (or a SaveSnapshot's figures).
type RewriteStats struct {
	Shards   int           // shards rewritten
	Keys     int           // keys written
	Bytes    int64         // size of the files written
	Duration time.Duration // total time
	// MaxPause is the longest time the shard lock was held, holding
	// writers back: the switch to the new log, or one batch of the
	// snapshot walk (including the wait for the lock).
	MaxPause time.Duration
}

// ErrClosed is returned by methods of a closed Store.
var ErrClosed = errors.New("persist: store is closed")

// Store is the persistence of one engine: each shard's log and snapshot.
type Store struct {
	en  *engine.Engine
	cfg Config
	d   dir
	lk  io.Closer

	logs []*shardLog

	opMu   sync.Mutex // one SaveSnapshot / RewriteAOF at a time
	closed atomic.Bool
	stop   chan struct{}
	wg     sync.WaitGroup // flushers and background rewrites

	autoBusy atomic.Bool
	policy   atomic.Int32 // the engine.SyncPolicy in force
	flushing bool         // flusher goroutines run; under opMu after Open
}

// shardLog is one shard's log and the state of its flusher.
type shardLog struct {
	i    int
	sh   *engine.Shard
	j    *engine.Journal
	name string // the shard's log file name

	mu   sync.Mutex // the fields below; taken before the shard lock
	f    File       // the file being appended to
	cur  string     // its name: name, or a nextName during or after a switch
	gen  uint64     // its generation
	size int64      // its length

	pend       []byte // taken from the journal (or Log), not yet written
	pendUpto   uint64 // journal position of the end of what was taken
	syncedUpto uint64 // journal position known to be on stable storage
	spare      []byte
	lastTake   int  // bytes taken from the journal last time
	unsynced   bool // bytes written since the last fsync (began)
	syncing    bool // an fsync runs in the background (syncAsync)
	lastSync   time.Time
	writeErr   error // last write failure, until a write succeeds
	syncErr    error // last fsync failure, until an fsync succeeds

	baseSize    int64     // size after the last rewrite or snapshot
	nextAutoTry time.Time // backoff after a failed automatic rewrite
}

const (
	defaultFlushAt     = 1 << 20
	defaultAutoPercent = 100
	defaultAutoMin     = 64 << 20
	maxSpare           = 16 << 20
)

func (cfg Config) normalize(en *engine.Engine) (Config, error) {
	if cfg.Dir == "" {
		return cfg, errors.New("persist: Config.Dir is empty")
	}
	n := en.ShardCount()
	if cfg.Shards == 0 {
		cfg.Shards = n
	}
	if cfg.Shards != n {
		return cfg, fmt.Errorf("persist: Config.Shards = %d but the engine has %d shards", cfg.Shards, n)
	}
	if cfg.AOFFilename != "" {
		if cfg.Shards > 1 {
			return cfg, fmt.Errorf("persist: AOFFilename %q needs a single shard (Shards = %d)", cfg.AOFFilename, cfg.Shards)
		}
		if n := cfg.AOFFilename; strings.ContainsAny(n, `/\`) || n == "." || n == ".." || n == manifestName ||
			n == lockName || strings.HasPrefix(n, "dump-") || strings.HasSuffix(n, tmpSuffix) ||
			strings.HasSuffix(n, reshardExt) || strings.Contains(n, nextInfix) || strings.Contains(n, tornInfix) ||
			strings.Contains(n, corruptInfix) {
			return cfg, fmt.Errorf("persist: bad AOFFilename %q", cfg.AOFFilename)
		}
	} else {
		cfg.AOFFilename = defaultLogName(0)
	}
	switch cfg.Sync {
	case engine.SyncAlways, engine.SyncEverySec, engine.SyncNo:
	default:
		return cfg, fmt.Errorf("persist: bad sync policy %d", cfg.Sync)
	}
	if cfg.AutoRewritePercent == 0 {
		cfg.AutoRewritePercent = defaultAutoPercent
	}
	if cfg.AutoRewriteMinSize <= 0 {
		cfg.AutoRewriteMinSize = defaultAutoMin
	}
	if cfg.FlushAt <= 0 {
		cfg.FlushAt = defaultFlushAt
	}
	if cfg.FS == nil {
		cfg.FS = OSFS{}
	}
	return cfg, nil
}

// logNameFunc returns the log names of a layout of n shards whose single
// log (n == 1) is log0.
func logNameFunc(n int, log0 string) func(int) string {
	return func(i int) string {
		if n == 1 {
			return log0
		}
		return defaultLogName(i)
	}
}

// loadingSetter is the engine's loading mode (see the package doc): while
// on, no key counts as expired and deadlines in the past are stored, as
// Redis does while loading, so replaying a log later than it was written
// yields the same state.
type loadingSetter interface{ SetLoading(on bool) }

func setLoading(en *engine.Engine, on bool) {
	if l, ok := any(en).(loadingSetter); ok {
		l.SetLoading(on)
	}
}

// Open loads the directory into en (which should be empty and not yet
// shared), then logs every write of en to it and sets en's sync policy.
// On an error en may hold part of the data: discard it. The caller stops
// writes, Closes the Store, then closes the engine.
func Open(en *engine.Engine, cfg Config) (*Store, LoadStats, error) { return openStore(en, cfg) }

func openStore(en *engine.Engine, cfg Config) (_ *Store, stats LoadStats, err error) {
	t0 := time.Now()
	cfg, err = cfg.normalize(en)
	if err != nil {
		return nil, stats, err
	}
	d := dir{fs: cfg.FS, path: cfg.Dir}
	if _, err := d.fs.Stat(cfg.Dir); err != nil {
		if err := d.fs.MkdirAll(cfg.Dir, 0o700); err != nil {
			return nil, stats, fmt.Errorf("persist: %w", err)
		}
		// The new directory's own entry must survive a power loss too.
		if err := d.fs.SyncDir(filepath.Dir(filepath.Clean(cfg.Dir))); err != nil {
			return nil, stats, fmt.Errorf("persist: %w", err)
		}
	}
	lk, err := d.fs.Lock(cfg.Dir)
	if err != nil {
		return nil, stats, err
	}
	st := &Store{en: en, cfg: cfg, d: d, lk: lk, stop: make(chan struct{})}
	defer func() {
		if err != nil {
			for _, l := range st.logs {
				if l != nil && l.f != nil {
					l.f.Close()
				}
			}
			lk.Close()
		}
	}()
	setLoading(en, true)
	defer setLoading(en, false)

	loaded, err := st.load(&stats)
	if err != nil {
		return nil, stats, err
	}
	N := cfg.Shards
	st.logs = make([]*shardLog, N)
	for i := range N {
		l := &shardLog{i: i, sh: en.Shard(i), name: logNameFunc(N, cfg.AOFFilename)(i)}
		st.logs[i] = l
		if err := st.settle(l, loaded[i]); err != nil {
			return nil, stats, err
		}
	}
	if err := d.sync(); err != nil {
		return nil, stats, err
	}

	en.SetSyncPolicy(cfg.Sync)
	for _, l := range st.logs {
		l.j = engine.NewJournal()
		if cfg.Sync == engine.SyncAlways {
			l.j.FlushAt = 0
		} else {
			l.j.FlushAt = cfg.FlushAt
		}
		l.lastSync = time.Now()
		l.sh.Lock()
		l.sh.SetJournal(l.j)
		l.sh.Unlock()
	}
	st.policy.Store(int32(cfg.Sync))
	if cfg.Sync == engine.SyncAlways || !cfg.ManualTick {
		st.startFlushers()
	}
	stats.Keys = en.DBSize()
	stats.Duration = time.Since(t0)
	return st, stats, nil
}

// load reads the directory into the engine, re-sharding it if its layout
// differs, and returns what each shard's settle needs.
func (st *Store) load(stats *LoadStats) ([]*loadedShard, error) {
	d, cfg := st.d, st.cfg
	m, haveManifest, err := d.readManifest()
	if err != nil {
		return nil, err
	}
	if haveManifest && m.pendingFrom > 0 {
		if err := d.completeReshard(m); err != nil {
			return nil, err
		}
		m.pendingFrom, m.pendingLog = 0, ""
	}
	if err := d.removeLeftovers(); err != nil {
		return nil, err
	}
	N := cfg.Shards
	oldN, oldLog := N, cfg.AOFFilename
	if haveManifest {
		oldN, oldLog = m.shards, m.log
	} else {
		oldN, oldLog, err = d.inferLayout(N, cfg.AOFFilename)
		if err != nil {
			return nil, err
		}
	}
	if oldN == 1 && N == 1 && oldLog != cfg.AOFFilename {
		return nil, fmt.Errorf("persist: %s holds the log %q but the configured name is %q", d.path, oldLog, cfg.AOFFilename)
	}
	if oldN != N {
		return st.reshard(oldN, oldLog, stats)
	}
	if !haveManifest {
		if err := d.writeManifest(manifest{shards: N, log: cfg.AOFFilename}); err != nil {
			return nil, err
		}
	}
	ld := &loader{d: d, en: st.en, n: N, logName: logNameFunc(N, cfg.AOFFilename),
		prefix: cfg.LoadValidPrefix, logger: cfg.Logger, stats: stats}
	return ld.loadAll()
}

// inferLayout guesses the layout of a directory without a manifest (files
// from an older kevy, or a Redis dump placed there): the highest shard
// index found, or the configured count when there is nothing.
func (d dir) inferLayout(n int, log0 string) (int, string, error) {
	entries, err := d.fs.ReadDir(d.path)
	if err != nil {
		return 0, "", err
	}
	top := -1
	for _, e := range entries {
		name := e.Name()
		var idx string
		switch {
		case strings.HasPrefix(name, "dump-") && strings.HasSuffix(name, ".rdb"):
			idx = name[len("dump-") : len(name)-len(".rdb")]
		case strings.HasPrefix(name, "aof-"):
			i, rest, _ := strings.Cut(name[len("aof-"):], ".")
			if _, ok := parseNextName(defaultLogName(0), "aof-0."+rest); rest != "aof" && !ok {
				continue
			}
			idx = i
		case name == log0:
			top = max(top, 0)
			continue
		default:
			if _, ok := parseNextName(log0, name); ok {
				top = max(top, 0)
			}
			continue
		}
		if i, err := strconv.Atoi(idx); err == nil && i >= 0 && strconv.Itoa(i) == idx {
			top = max(top, i)
		}
	}
	switch {
	case top < 0:
		return n, log0, nil
	case top == 0:
		if log0 != defaultLogName(0) && d.exists(defaultLogName(0)) {
			return 0, "", fmt.Errorf("persist: %s holds %s but the configured log name is %q", d.path, defaultLogName(0), log0)
		}
		return 1, log0, nil
	}
	return top + 1, defaultLogName(0), nil
}

// removeLeftovers deletes temporary files of interrupted operations and
// the files of an uncommitted re-shard.
func (d dir) removeLeftovers() error {
	entries, err := d.fs.ReadDir(d.path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, tmpSuffix) || strings.HasSuffix(n, reshardExt) {
			if err := d.remove(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// nextFiles lists the nextName files of log.
func (d dir) nextFiles(log string) (names []string, gens []uint64, err error) {
	entries, err := d.fs.ReadDir(d.path)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if g, ok := parseNextName(log, e.Name()); ok {
			names = append(names, e.Name())
			gens = append(gens, g)
		}
	}
	return names, gens, nil
}

// settle makes shard l's files ready for appending after a load: a new
// base if the files cannot be appended to, the log to append to, and no
// obsolete files.
func (st *Store) settle(l *shardLog, ls *loadedShard) error {
	d := st.d
	stamp := strconv.FormatInt(time.Now().UnixNano(), 10)
	switch {
	case ls.rebase:
		// The snapshot was corrupt and only its valid prefix was loaded,
		// or a transaction that did not commit was skipped: write the
		// memory as a new base of a new generation, keeping corrupt files
		// aside.
		gen := ls.maxGen + 1
		for _, name := range ls.corrupt {
			if name == dumpName(l.i) {
				if err := d.copyAside(name, name+corruptInfix+stamp); err != nil {
					return err
				}
			}
		}
		l.sh.Lock()
		snap := l.sh.BeginSnapshot()
		l.sh.Unlock()
		if _, _, err := st.writeRDB(dumpName(l.i), snap, l.i, gen, nil); err != nil {
			return err
		}
		for _, name := range ls.corrupt {
			if name != dumpName(l.i) {
				if err := d.rename(name, name+corruptInfix+stamp); err != nil {
					return err
				}
			}
		}
		f, size, err := d.newLog(l.name, header{gen: gen, shard: l.i})
		if err != nil {
			return err
		}
		l.f, l.cur, l.gen, l.size = f, l.name, gen, size
	case ls.current == nil:
		f, size, err := d.newLog(l.name, header{gen: ls.baseGen, shard: l.i})
		if err != nil {
			return err
		}
		l.f, l.cur, l.gen, l.size = f, l.name, ls.baseGen, size
	default:
		for _, name := range ls.corrupt {
			if err := d.rename(name, name+corruptInfix+stamp); err != nil {
				return err
			}
		}
		f, err := d.fs.OpenFile(d.join(ls.current.name), os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		l.f, l.cur, l.gen, l.size = f, ls.current.name, ls.current.hdr.gen, ls.current.size
	}
	for _, name := range ls.obsolete {
		if name != l.cur {
			if err := d.remove(name); err != nil {
				return err
			}
		}
	}
	if l.cur == l.name {
		// Logs of generations before the current one are obsolete.
		names, gens, err := d.nextFiles(l.name)
		if err != nil {
			return err
		}
		for k, name := range names {
			if gens[k] <= l.gen {
				if err := d.remove(name); err != nil {
					return err
				}
			}
		}
	}
	l.baseSize = l.size
	return nil
}

// copyAside copies file name to side, durably.
func (d dir) copyAside(name, side string) error {
	st, err := d.fs.Stat(d.join(name))
	if err != nil {
		return err
	}
	f, err := d.create(side)
	if err != nil {
		return err
	}
	err = d.copyRange(f, name, 0, st.Size())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// take moves the journal's bytes to pend. l.mu held.
func (l *shardLog) take() {
	l.roomySpare()
	l.sh.Lock()
	data, upto := l.j.Take(l.spare)
	l.sh.Unlock()
	l.absorb(data, upto)
}

// roomySpare makes the buffer handed to the journal twice as big as the
// last batch taken (within limits), so writers rarely regrow it: the two
// buffers alternate without allocation at a steady rate.
func (l *shardLog) roomySpare() {
	n := l.lastTake
	if fa := l.j.FlushAt; fa > 0 && n >= fa/2 {
		n = max(n, 2*fa) // a busy shard: room for the flusher's latency
	}
	if cap(l.spare) < n+n/4 && 2*n <= maxSpare {
		l.spare = make([]byte, 0, max(2*n, 4<<10))
	}
}

func (l *shardLog) absorb(data []byte, upto uint64) {
	l.lastTake = len(data)
	l.spare = nil
	if len(l.pend) == 0 {
		l.spare = l.pend[:0]
		l.pend = data
	} else {
		l.pend = append(l.pend, data...)
		l.spare = data[:0]
	}
	if cap(l.spare) > maxSpare {
		l.spare = nil
	}
	l.pendUpto = upto
}

// writeOut writes pend to the log and, with doSync, fsyncs it, then tells
// the journal what is durable or what failed. l.mu held.
func (l *shardLog) writeOut(doSync bool) error {
	if len(l.pend) > 0 {
		n, err := l.f.Write(l.pend)
		l.size += int64(n)
		l.unsynced = l.unsynced || n > 0
		if err != nil {
			l.pend = l.pend[:copy(l.pend, l.pend[n:])]
			l.writeErr = fmt.Errorf("writing %s: %w", l.cur, err)
			l.report()
			return l.writeErr
		}
		if l.spare == nil && cap(l.pend) <= maxSpare {
			l.spare = l.pend[:0]
		}
		l.pend = nil
	}
	l.writeErr = nil
	written := l.pendUpto
	if doSync {
		if l.unsynced {
			if err := l.f.Sync(); err != nil {
				l.syncErr = fmt.Errorf("fsync of %s: %w", l.cur, err)
				l.report()
				return l.syncErr
			}
			l.unsynced = false
		}
		l.syncErr = nil
		l.syncedUpto = written
		l.lastSync = time.Now()
	}
	l.report()
	return nil
}

// syncAsync fsyncs the log in a goroutine of its own, so that the
// flusher keeps taking and writing the journal meanwhile: an fsync can take
// long, and a writer flood would otherwise pile its records up in memory
// (Redis, too, fsyncs every second in a background thread). l.mu held.
func (st *Store) syncAsync(l *shardLog) {
	if l.syncing {
		return
	}
	if !l.unsynced {
		l.syncErr = nil
		l.syncedUpto = l.pendUpto
		l.lastSync = time.Now()
		l.report()
		return
	}
	f, upto, cur := l.f, l.pendUpto, l.cur
	l.syncing, l.unsynced, l.lastSync = true, false, time.Now()
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		err := f.Sync()
		l.mu.Lock()
		defer l.mu.Unlock()
		l.syncing = false
		if l.f != f {
			return // switched meanwhile: the switch fsynced the old file itself
		}
		if err != nil {
			l.syncErr = fmt.Errorf("fsync of %s: %w", cur, err)
			l.unsynced = true
		} else {
			l.syncErr = nil
			l.syncedUpto = max(l.syncedUpto, upto)
		}
		l.report()
	}()
}

// report passes the log's health to the journal: writers see MISCONF
// while a write or fsync failure stands, and FsyncAlways writers wake.
func (l *shardLog) report() {
	err := l.writeErr
	if err == nil {
		err = l.syncErr
	}
	if err != nil {
		l.j.MarkDurable(0, err)
		return
	}
	l.j.MarkDurable(l.syncedUpto, nil)
}

// flush takes the journal's bytes, writes them and, with doSync, fsyncs.
// l.mu held.
func (l *shardLog) flush(doSync bool) error {
	l.take()
	return l.writeOut(doSync)
}

func (st *Store) syncPolicy() engine.SyncPolicy { return engine.SyncPolicy(st.policy.Load()) }

func (st *Store) startFlushers() {
	st.flushing = true
	for _, l := range st.logs {
		st.wg.Add(1)
		go st.flusher(l)
	}
}

// SetSyncPolicy changes the fsync policy while the store runs (Redis's
// CONFIG SET appendfsync). Switching to SyncAlways starts the flushers if
// ManualTick had none.
func (st *Store) SetSyncPolicy(p engine.SyncPolicy) error {
	switch p {
	case engine.SyncAlways, engine.SyncEverySec, engine.SyncNo:
	default:
		return fmt.Errorf("persist: bad sync policy %d", p)
	}
	st.opMu.Lock()
	defer st.opMu.Unlock()
	if st.closed.Load() {
		return ErrClosed
	}
	flushAt := st.cfg.FlushAt
	if p == engine.SyncAlways {
		flushAt = 0
	}
	if p != engine.SyncAlways {
		st.en.SetSyncPolicy(p) // writers stop waiting for fsyncs first
	}
	st.policy.Store(int32(p))
	for _, l := range st.logs {
		l.sh.Lock()
		l.j.FlushAt = flushAt
		l.sh.Unlock()
	}
	if p == engine.SyncAlways {
		if !st.flushing {
			st.startFlushers()
		}
		st.en.SetSyncPolicy(p) // a flusher serves waiting writers now
	}
	return nil
}

// retryDelay paces retries after a failed write or fsync.
const retryDelay = time.Second

// flusher drains one shard's journal until Close.
func (st *Store) flusher(l *shardLog) {
	defer st.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		var timed bool
		select {
		case <-st.stop:
			return
		case <-l.j.Wake:
		case <-t.C:
			timed = true
		}
		if st.closed.Load() {
			return // Close flushes
		}
		l.mu.Lock()
		var err error
		switch st.syncPolicy() {
		case engine.SyncAlways:
			err = l.flush(true)
		case engine.SyncEverySec:
			due := timed || time.Since(l.lastSync) >= time.Second || l.syncErr != nil
			if err = l.flush(false); err == nil && due {
				st.syncAsync(l)
			}
		default:
			err = l.flush(false)
		}
		l.mu.Unlock()
		if err != nil {
			select {
			case <-st.stop:
				return
			case <-time.After(retryDelay):
			}
			continue
		}
		st.maybeAutoRewrite(l, false)
	}
}

// Tick writes buffered log bytes and, under SyncEverySec, fsyncs about
// once a second. With ManualTick the caller calls it about ten times a
// second (the store's Tick does); otherwise the flushers do the same and
// Tick only hurries them. It also starts a due automatic rewrite, which
// with ManualTick runs within the call.
func (st *Store) Tick() error {
	if st.closed.Load() {
		return ErrClosed
	}
	var first error
	for _, l := range st.logs {
		l.mu.Lock()
		var err error
		switch st.syncPolicy() {
		case engine.SyncEverySec:
			err = l.flush(time.Since(l.lastSync) >= time.Second)
		case engine.SyncAlways:
			err = l.flush(true)
		default:
			err = l.flush(false)
		}
		l.mu.Unlock()
		if err != nil && first == nil {
			first = err
		}
		if err == nil {
			st.maybeAutoRewrite(l, st.cfg.ManualTick)
		}
	}
	return first
}

// Flush writes and fsyncs every shard's log now, whatever the policy.
func (st *Store) Flush() error {
	if st.closed.Load() {
		return ErrClosed
	}
	var first error
	for _, l := range st.logs {
		l.mu.Lock()
		if err := l.flush(true); err != nil && first == nil {
			first = err
		}
		l.mu.Unlock()
	}
	return first
}

// Log appends a raw command to the log of the shard owning its keys (to
// every shard's for a keyless command) without running it: the next Open
// replays it. The command must exist and its keys must share a shard.
// Like any log record, a snapshot or rewrite taken afterwards (which
// copies memory) does not contain it.
func (st *Store) Log(args ...string) error {
	if st.closed.Load() {
		return ErrClosed
	}
	if len(args) == 0 {
		return errors.New("persist: Log of an empty command")
	}
	cmd := engine.Lookup(args[0])
	if cmd == nil {
		return fmt.Errorf("persist: Log: unknown command %q", args[0])
	}
	if !engine.ArityOK(cmd.Arity, len(args)) {
		return fmt.Errorf("persist: Log: wrong number of arguments for %q", cmd.Name)
	}
	targets := st.logs
	if keys := cmd.KeyIndexes(args); len(keys) > 0 {
		idx := engine.ShardIndex(args[keys[0]], len(st.logs))
		for _, k := range keys[1:] {
			if engine.ShardIndex(args[k], len(st.logs)) != idx {
				return errors.New("persist: Log: keys of the command are in different shards")
			}
		}
		targets = st.logs[idx : idx+1]
	}
	rec := resp.AppendCommand(nil, args...)
	for _, l := range targets {
		l.mu.Lock()
		l.take()
		l.pend = append(l.pend, rec...)
		err := l.writeOut(st.syncPolicy() == engine.SyncAlways)
		l.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// Close stops the flushers, writes and fsyncs every log whatever the
// policy, detaches the journals (later writes to the engine are not
// logged) and releases the directory. It waits for a running snapshot or
// rewrite, which stops early.
func (st *Store) Close() error {
	if st.closed.Swap(true) {
		return ErrClosed
	}
	close(st.stop)
	st.wg.Wait()
	st.opMu.Lock()
	defer st.opMu.Unlock()
	var first error
	for _, l := range st.logs {
		l.mu.Lock()
		l.sh.Lock()
		data, upto := l.j.Take(l.spare)
		l.sh.SetJournal(nil)
		l.sh.Unlock()
		l.absorb(data, upto)
		err := l.writeOut(true)
		if err != nil {
			l.j.MarkDurable(0, fmt.Errorf("%w (at close)", err))
			if first == nil {
				first = err
			}
		}
		if cerr := l.f.Close(); cerr != nil && first == nil {
			first = cerr
		}
		l.mu.Unlock()
	}
	if err := st.lk.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// Dir returns the directory.
func (st *Store) Dir() string { return st.cfg.Dir }

// Err returns the standing write or fsync failure of any shard's log, nil
// when every log is healthy.
func (st *Store) Err() error {
	for _, l := range st.logs {
		l.mu.Lock()
		err := l.writeErr
		if err == nil {
			err = l.syncErr
		}
		l.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}
