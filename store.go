package kevy

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/persist"
)

// Store is a handle to an open keyspace. Handles made by Clone share the
// keyspace; it stays open until the last handle is closed. All methods are
// safe for concurrent use. Methods on a closed handle return ErrClosed.
type Store struct {
	c      *core
	en     *engine.Engine // c.en, copied to save an indirection on hot paths
	closed atomic.Bool
}

// core is the state every handle of one keyspace shares.
type core struct {
	en   *engine.Engine
	opts Options

	ps   *persist.Store // nil without Options.Dir
	load LoadStats

	mu     sync.Mutex // protects refs and closed
	refs   int        // open handles
	closed bool
}

// LoadStats reports what Open loaded from Options.Dir.
type LoadStats = persist.LoadStats

// RewriteStats reports a RewriteAOF or SaveSnapshot.
type RewriteStats = persist.RewriteStats

// Open opens a store. A nil opts opens an in-memory store with one shard and
// a background reaper.
func Open(opts *Options) (*Store, error) {
	if opts != nil {
		if err := opts.validate(); err != nil {
			return nil, err
		}
	}
	o := opts.withDefaults()
	cfg := engine.Config{Shards: o.Shards, ManualReaper: o.Reaper == ReaperManual, Logger: o.Logger}
	if clk := o.Clock; clk != nil {
		cfg.Now = func() int64 { return clk.Now().UnixMilli() }
	}
	en := engine.New(cfg)
	pol, _ := engine.ParsePolicy(string(o.Eviction))
	en.SetMemoryConfig(engine.MemoryConfig{MaxMemory: o.MaxMemory, Policy: pol,
		Samples: o.MaxMemorySamples, LFULogFactor: o.LFULogFactor, LFUDecayTime: o.LFUDecayTime})
	c := &core{en: en, opts: o, refs: 1}
	if o.Dir != "" {
		ps, st, err := persist.Open(en, persist.Config{
			Dir: o.Dir, AOFFilename: o.AOFFilename, Shards: o.Shards,
			Sync: syncPolicy(o.AppendFsync), ManualTick: o.Reaper == ReaperManual,
			AutoRewritePercent: o.AutoRewritePercent, AutoRewriteMinSize: o.AutoRewriteMinSize,
			LoadValidPrefix: o.LoadValidPrefix, Logger: o.Logger,
		})
		if err != nil {
			en.Close()
			return nil, err
		}
		c.ps, c.load = ps, st
	}
	return &Store{c: c, en: c.en}, nil
}

func syncPolicy(p FsyncPolicy) engine.SyncPolicy {
	switch p {
	case FsyncAlways:
		return engine.SyncAlways
	case FsyncNo:
		return engine.SyncNo
	}
	return engine.SyncEverySec
}

// LoadStats reports what Open loaded from Options.Dir (zero without
// persistence).
func (s *Store) LoadStats() LoadStats { return s.c.load }

// SaveSnapshot writes a point-in-time snapshot of every shard to
// dump-{i}.rdb (temp file, fsync, rename, fsync the directory) while writers
// keep going, and starts each shard's log afresh. It reports false when the
// store has no Dir.
func (s *Store) SaveSnapshot() (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	if s.c.ps == nil {
		return false, nil
	}
	return s.c.ps.SaveSnapshot()
}

// RewriteAOF rewrites every shard's log as one self-contained base (the
// current state as commands) followed by the writes made meanwhile; writers
// keep going. Without Dir it does nothing.
func (s *Store) RewriteAOF() (RewriteStats, error) {
	if s.closed.Load() {
		return RewriteStats{}, ErrClosed
	}
	if s.c.ps == nil {
		return RewriteStats{}, nil
	}
	return s.c.ps.RewriteAOF()
}

// Log appends a raw command to the log of the shard that owns its key
// (args[1]); it is applied when the store is next opened. Without Dir it
// does nothing.
func (s *Store) Log(args ...string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if s.c.ps == nil {
		return nil
	}
	return s.c.ps.Log(args...)
}

// Clone returns a new handle to the same keyspace. Cloning a closed handle
// returns a closed handle.
func (s *Store) Clone() *Store {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	n := &Store{c: c, en: c.en}
	if s.closed.Load() || c.closed {
		n.closed.Store(true)
		return n
	}
	c.refs++
	return n
}

// Close closes this handle. When the last handle of a keyspace closes, the
// background reaper stops (and, with persistence, files are flushed) exactly
// once. Closing a closed handle returns ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	c := s.c
	c.mu.Lock()
	c.refs--
	last := c.refs == 0
	if last {
		c.closed = true
	}
	c.mu.Unlock()
	if last {
		c.en.Close() // stops the reaper: no more writes
		if c.ps != nil {
			return c.ps.Close() // flushes and fsyncs every log
		}
	}
	return nil
}

// WeakStore refers to a keyspace without keeping it open.
type WeakStore struct{ c *core }

// Downgrade returns a weak reference to the keyspace.
func (s *Store) Downgrade() *WeakStore { return &WeakStore{c: s.c} }

// Upgrade returns a new open handle, or false once every handle was closed.
func (w *WeakStore) Upgrade() (*Store, bool) {
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, false
	}
	c.refs++
	return &Store{c: c, en: c.en}, true
}

// Options returns a copy of the options the store was opened with, with
// defaults filled in.
func (s *Store) Options() Options { return s.c.opts }

// ShardCount returns the number of shards.
func (s *Store) ShardCount() int { return s.en.ShardCount() }

// ExpireStats reports one active-expiry pass (see Tick).
type ExpireStats = engine.ExpireStats

// Tick runs one active-expiry pass over every shard: it samples keys with a
// TTL and deletes expired ones, repeating on a shard while more than a
// quarter of a sample had expired, within a time budget. With ReaperManual
// the caller calls it about ten times a second; with ReaperBackground the
// store does.
func (s *Store) Tick() ExpireStats {
	if s.closed.Load() {
		return ExpireStats{}
	}
	st := s.en.Tick()
	if s.c.ps != nil && s.c.opts.Reaper == ReaperManual {
		s.c.ps.Tick() // writes and, about once a second, fsyncs the logs
	}
	return st
}

// DBSize returns the number of keys (keys whose TTL passed count until they
// are reaped, as in Redis).
func (s *Store) DBSize() (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	return s.en.DBSize(), nil
}

// FlushAll deletes every key.
func (s *Store) FlushAll() error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.en.FlushAll()
	return nil
}

// Keys returns up to limit keys (limit <= 0: all) matching a Redis glob
// pattern (* ? [abc] [^a] [a-z] and \ escapes), from every shard, in no
// particular order.
func (s *Store) Keys(pattern string, limit int) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	return s.en.Keys(pattern, limit), nil
}

// MemoryUsage returns the estimated heap bytes key uses (entry, key and
// value), or ErrNotFound.
func (s *Store) MemoryUsage(key string) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	n := s.en.MemoryUsage(key)
	if n < 0 {
		return 0, ErrNotFound
	}
	return n, nil
}

// UsedMemory returns the estimated heap bytes of the whole keyspace.
func (s *Store) UsedMemory() int64 { return s.en.UsedMemory() }

// EvictionsTotal returns how many keys the memory policy has evicted.
func (s *Store) EvictionsTotal() uint64 { return s.en.EvictedTotal() }

// ExpiredKeysTotal returns how many keys were deleted because their TTL passed.
func (s *Store) ExpiredKeysTotal() uint64 { return s.en.ExpiredTotal() }

// ExpirePendingCount returns how many keys currently carry a TTL.
func (s *Store) ExpirePendingCount() int { return s.en.ExpirePending() }

// Info is a consistent snapshot of the store's counters.
type Info struct {
	Keys          int           // keys, including expired ones not yet reaped
	ExpiresKeys   int           // keys with a TTL
	ExpiredKeys   uint64        // keys deleted by expiry since open
	EvictedKeys   uint64        // keys deleted by the memory policy since open
	UsedMemory    int64         // estimated heap bytes of the keyspace
	Shards        int           // shard count
	Uptime        time.Duration // time since Open
	ReaperManual  bool          // whether the caller drives expiry with Tick
	ShardKeys     []int         // keys per shard
	ShardUsedHeap []int64       // UsedMemory per shard
}

// Info returns the counters, read with every shard locked so they agree
// with each other.
func (s *Store) Info() Info {
	st := s.en.Stats()
	return Info{
		Keys: st.Keys, ExpiresKeys: st.Expires, ExpiredKeys: st.Expired, EvictedKeys: st.Evicted,
		UsedMemory: st.Used, Shards: s.en.ShardCount(), Uptime: st.Uptime,
		ReaperManual: s.c.opts.Reaper == ReaperManual, ShardKeys: st.ShardKeys, ShardUsedHeap: st.ShardUsed,
	}
}
