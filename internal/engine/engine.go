// Package engine is kevy's core: the shards that hold the keyspace, the
// command table that is the single implementation of every Redis command,
// and the typed cores that both the command handlers and the public typed API
// call. It knows nothing of sockets or files; the public package wires
// options, persistence and the server to it.
package engine

import (
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy/internal/hll"
	"github.com/kevy-go/kevy/internal/pubsub"
	"github.com/kevy-go/kevy/internal/types"
)

// Config configures an Engine. The zero value is one shard, a background
// reaper and the real clock.
type Config struct {
	Shards       int
	ManualReaper bool
	// Now, if set, replaces the system clock (Unix milliseconds). TTL reads
	// then call it every time instead of using the cached coarse clock.
	Now    func() int64
	Logger *slog.Logger
}

// Engine is a sharded keyspace with its command table.
type Engine struct {
	shards []*Shard
	cfg    Config
	coarse bool // reads use the coarse clock
	start  time.Time

	closed atomic.Bool
	stop   chan struct{}
	wg     sync.WaitGroup

	expireCursor atomic.Uint64 // first shard of the next active-expiry pass

	syncPolicy atomic.Int32 // a SyncPolicy
	mem        memLimit
	ev         evictor
	listen     listeners

	hllSparseMax atomic.Int64 // hll-sparse-max-bytes
	ps           psState      // pub/sub registry and notify-keyspace-events
	blk          blocker      // callers blocked on keys (block.go)
	watch        watchTable   // WATCHed keys (tx.go)
	eventSeq     atomic.Uint64
	txSeq        atomic.Uint64 // the last multi-shard transaction id (see nextTxID)
	lastNow      atomic.Int64  // the last real-clock reading (see stampNow)
	loading      atomic.Bool

	// Encoding thresholds of new and growing containers (CONFIG SET-able).
	limits  *types.Limits
	zlimits *types.ZSetLimits
}

// New starts an engine. Callers must Close it.
func New(cfg Config) *Engine {
	if cfg.Shards < 1 {
		cfg.Shards = 1
	}
	en := &Engine{cfg: cfg, stop: make(chan struct{}), start: time.Now(),
		limits: types.NewLimits(), zlimits: types.NewZSetLimits()}
	en.shards = make([]*Shard, cfg.Shards)
	for i := range en.shards {
		en.shards[i] = newShard(en, i)
	}
	en.initMemory()
	en.hllSparseMax.Store(hll.DefaultSparseMax)
	en.ps.reg = pubsub.New()
	if !cfg.ManualReaper {
		if cfg.Now == nil {
			en.coarse = true
			acquireCoarseClock()
		}
		en.wg.Add(1)
		go en.reaper()
	}
	return en
}

// Close stops background work. It is idempotent.
func (en *Engine) Close() {
	if en.closed.Swap(true) {
		return
	}
	close(en.stop)
	en.wg.Wait()
	en.ps.reg.Close(ErrClosed)
	if en.coarse {
		releaseCoarseClock()
	}
}

// Closed reports whether Close was called.
func (en *Engine) Closed() bool { return en.closed.Load() }

// Config returns the configuration the engine runs with.
func (en *Engine) Config() Config { return en.cfg }

// ShardCount returns the number of shards.
func (en *Engine) ShardCount() int { return len(en.shards) }

// Shard returns shard i.
func (en *Engine) Shard(i int) *Shard { return en.shards[i] }

// ShardOf returns the shard that owns key.
func (en *Engine) ShardOf(key string) *Shard {
	if len(en.shards) == 1 {
		return en.shards[0]
	}
	return en.shards[ShardIndex(key, len(en.shards))]
}

// Now returns the current time in Unix milliseconds, read fresh. While the
// engine is loading it returns the earliest time there is, so that no key
// counts as expired and deadlines already past are stored as they are.
func (en *Engine) Now() int64 {
	if en.loading.Load() {
		return math.MinInt64
	}
	if en.cfg.Now != nil {
		return en.cfg.Now()
	}
	t := time.Now().UnixMilli()
	if t != en.lastNow.Load() {
		en.lastNow.Store(t)
	}
	return t
}

// stampNow is the clock of LRU and LFU stamps: the coarse clock when the
// reaper keeps it (read without keeping its goroutine awake; see coarse);
// with the manual reaper and the real clock, the last
// reading any clock read made (Tick, TTL checks and every eviction read
// it), so that a GET does not read the clock just to stamp its key; a
// configured clock is read every time.
func (en *Engine) stampNow() int64 {
	if en.coarse && !en.loading.Load() {
		return coarse.now.Load()
	}
	if en.cfg.Now != nil || en.loading.Load() {
		return en.readNow()
	}
	if t := en.lastNow.Load(); t != 0 {
		return t
	}
	return en.Now()
}

// readNow is the clock for TTL checks on the read path: the coarse clock
// when the reaper keeps it, else a fresh read.
func (en *Engine) readNow() int64 {
	if en.coarse && !en.loading.Load() {
		return coarseNow()
	}
	return en.Now()
}

// SetLoading switches loading mode, used while persistence replays its
// files: as in Redis, nothing expires (a logged deadline that has passed
// since is stored, and the key expires once loading ends) and the memory
// limit is not enforced.
func (en *Engine) SetLoading(on bool) { en.loading.Store(on) }

// reaper runs active expiry about ten times a second until Close.
func (en *Engine) reaper() {
	defer en.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-en.stop:
			return
		case <-t.C:
			en.Tick()
		}
	}
}
