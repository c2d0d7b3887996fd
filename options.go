package kevy

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// ReaperMode chooses how expired keys are removed actively (reads never
// return an expired key in any mode).
type ReaperMode int

const (
	// ReaperBackground runs Redis's active-expiry cycle in a goroutine about
	// ten times a second, and keeps a cached clock for TTL checks on reads.
	ReaperBackground ReaperMode = iota
	// ReaperManual starts no goroutine: the caller calls Store.Tick about
	// ten times a second.
	ReaperManual
)

// Clock is the time source a Store uses for TTLs. Tests pass a fake clock to
// move time without sleeping.
type Clock interface {
	Now() time.Time
}

// MaxShards is the largest Options.Shards accepted.
const MaxShards = 1024

// Options configures a Store. A nil *Options means the defaults: in memory,
// one shard, a background reaper, the system clock. Open validates Options
// and never modifies them.
type Options struct {
	// Shards is the number of independent lock domains keys are spread
	// over (default 1). Keys are assigned by a hash that is stable across
	// processes and honours Redis {hash tags}: "{user:1}:name" and
	// "{user:1}:mail" always share a shard.
	Shards int

	// Reaper selects background or manual active expiry.
	Reaper ReaperMode

	// Clock replaces the system clock (nil = system clock).
	Clock Clock

	// Logger receives the store's warnings; nil discards them.
	Logger *slog.Logger

	// MaxMemory limits the estimated heap bytes of the whole keyspace (all
	// shards together); 0 means no limit. See UsedMemory.
	MaxMemory int64
	// Eviction is the policy applied when a write finds the store over
	// MaxMemory (default NoEviction: such writes fail with ErrOOM).
	Eviction EvictionPolicy
	// MaxMemorySamples is how many keys per shard each eviction round
	// samples (default 5, as Redis's maxmemory-samples).
	MaxMemorySamples int
	// LFULogFactor and LFUDecayTime tune the LFU counter as Redis's
	// lfu-log-factor (default 10) and lfu-decay-time (minutes, default 1).
	LFULogFactor int
	LFUDecayTime int

	// Dir turns persistence on: the store keeps, per shard i, an
	// append-only log aof-{i}.aof of every write and a snapshot
	// dump-{i}.rdb (Redis's RDB format) in Dir, and Open loads them.
	Dir string
	// AOFFilename renames the log of a single-shard store.
	AOFFilename string
	// AppendFsync is the log's fsync policy (default FsyncEverySec).
	AppendFsync FsyncPolicy
	// AutoRewritePercent and AutoRewriteMinSize trigger RewriteAOF when a
	// shard's log grew by that percentage since the last rewrite and is at
	// least that big (defaults 100 and 64 MiB; a negative percentage turns
	// automatic rewrites off).
	AutoRewritePercent int
	AutoRewriteMinSize int64
	// LoadValidPrefix makes Open load what precedes corruption in the
	// middle of a log or snapshot (keeping the corrupt bytes aside) instead
	// of failing.
	LoadValidPrefix bool
}

// FsyncPolicy says when a write is acknowledged relative to the disk
// (Redis's appendfsync).
type FsyncPolicy int

const (
	// FsyncEverySec acknowledges writes at once and fsyncs the log about
	// once a second (in ReaperManual mode, from Tick): a crash loses at most
	// about a second of writes.
	FsyncEverySec FsyncPolicy = iota
	// FsyncAlways acknowledges a write only once its bytes are fsynced;
	// concurrent writers share fsyncs (group commit).
	FsyncAlways
	// FsyncNo leaves flushing to the operating system.
	FsyncNo
)

// EvictionPolicy is one of Redis's maxmemory policies.
type EvictionPolicy string

// The eight policies, named as in Redis's maxmemory-policy.
const (
	NoEviction     EvictionPolicy = "noeviction"
	AllKeysLRU     EvictionPolicy = "allkeys-lru"
	AllKeysLFU     EvictionPolicy = "allkeys-lfu"
	AllKeysRandom  EvictionPolicy = "allkeys-random"
	VolatileLRU    EvictionPolicy = "volatile-lru"
	VolatileLFU    EvictionPolicy = "volatile-lfu"
	VolatileRandom EvictionPolicy = "volatile-random"
	VolatileTTL    EvictionPolicy = "volatile-ttl"
)

func (o *Options) validate() error {
	if o.Shards < 0 || o.Shards > MaxShards {
		return fmt.Errorf("kevy: Options.Shards = %d, want 1..%d (0 means 1)", o.Shards, MaxShards)
	}
	if o.Reaper != ReaperBackground && o.Reaper != ReaperManual {
		return fmt.Errorf("kevy: Options.Reaper = %d is not a ReaperMode", o.Reaper)
	}
	if o.MaxMemory < 0 {
		return fmt.Errorf("kevy: Options.MaxMemory = %d, want >= 0", o.MaxMemory)
	}
	if _, ok := engine.ParsePolicy(string(o.Eviction)); o.Eviction != "" && !ok {
		return fmt.Errorf("kevy: Options.Eviction = %q is not a Redis maxmemory policy", o.Eviction)
	}
	if o.AppendFsync < FsyncEverySec || o.AppendFsync > FsyncNo {
		return fmt.Errorf("kevy: Options.AppendFsync = %d is not an FsyncPolicy", o.AppendFsync)
	}
	if o.AOFFilename != "" && o.Shards > 1 {
		return fmt.Errorf("kevy: Options.AOFFilename needs a single shard (Shards = %d)", o.Shards)
	}
	if o.MaxMemorySamples < 0 || o.LFULogFactor < 0 || o.LFUDecayTime < 0 {
		return fmt.Errorf("kevy: negative MaxMemorySamples, LFULogFactor or LFUDecayTime")
	}
	return nil
}

// withDefaults returns a copy of o with defaults filled in.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Shards == 0 {
		c.Shards = 1
	}
	if c.Eviction == "" {
		c.Eviction = NoEviction
	}
	if c.MaxMemorySamples == 0 {
		c.MaxMemorySamples = 5
	}
	if c.LFULogFactor == 0 {
		c.LFULogFactor = 10
	}
	if c.LFUDecayTime == 0 {
		c.LFUDecayTime = 1
	}
	return c
}
