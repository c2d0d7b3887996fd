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
}

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
