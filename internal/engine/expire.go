package engine

import "time"

// ExpireStats reports one active-expiry pass.
type ExpireStats struct {
	Sampled  int           // keys with a TTL that were looked at
	Expired  int           // keys deleted
	Duration time.Duration // time spent
}

const (
	expireSample      = 20                    // keys sampled per round, as Redis
	expireBudget      = 25 * time.Millisecond // time bound of one pass over all shards
	expireStaleFactor = 4                     // repeat while more than 1/4 of a sample expired
)

// Tick runs one active-expiry pass over every shard, Redis's way: sample
// keys that carry a TTL, delete the expired ones, and repeat on a shard while
// more than a quarter of the sample had expired, within a time budget. The
// pass starts at a rotating shard so a budget cut does not starve the last
// shards.
func (en *Engine) Tick() ExpireStats {
	start := time.Now()
	if en.coarse && coarse.asleep.Load() { // keep the stamps' clock going (see coarse)
		publishCoarse(start.UnixMilli())
	}
	var st ExpireStats
	n := len(en.shards)
	first := int(en.expireCursor.Add(1) % uint64(n))
	for k := 0; k < n; k++ {
		sh := en.shards[(first+k)%n]
		sampled, expired, stop := sh.activeExpire(start)
		st.Sampled += sampled
		st.Expired += expired
		if stop {
			break
		}
	}
	st.Duration = time.Since(start)
	return st
}

func (sh *Shard) activeExpire(start time.Time) (sampled, expired int, outOfTime bool) {
	sh.mu.Lock()
	defer func() {
		evs := sh.takeEvents(nil)
		sh.mu.Unlock()
		sh.en.deliver(evs)
	}()
	now := sh.en.Now()
	for round := 0; ; round++ {
		ttl := sh.dict.Volatile()
		if ttl == 0 {
			return
		}
		k := min(expireSample, ttl)
		got := 0
		for i := 0; i < k; i++ {
			e := sh.dict.RandomVolatile()
			sampled++
			if now > e.Exp() {
				sh.expireUnmeasured(e)
				expired++
				got++
			}
		}
		if got*expireStaleFactor <= k {
			return
		}
		if round%16 == 15 && time.Since(start) > expireBudget {
			return sampled, expired, true
		}
	}
}

// ExpiredTotal returns how many keys were deleted because their TTL passed.
func (en *Engine) ExpiredTotal() uint64 {
	var n uint64
	for _, sh := range en.shards {
		n += sh.expired.Load()
	}
	return n
}

// EvictedTotal returns how many keys the memory policy removed.
func (en *Engine) EvictedTotal() uint64 {
	var n uint64
	for _, sh := range en.shards {
		n += sh.evicted.Load()
	}
	return n
}

// ExpirePending returns how many keys carry a TTL.
func (en *Engine) ExpirePending() int {
	n := 0
	for _, sh := range en.shards {
		sh.mu.RLock()
		n += sh.dict.Volatile()
		sh.mu.RUnlock()
	}
	return n
}

// Stats is a consistent snapshot of the engine's counters.
type Stats struct {
	Keys, Expires    int
	Expired, Evicted uint64
	Used             int64
	Uptime           time.Duration
	ShardKeys        []int
	ShardUsed        []int64
}

// Stats reads every counter with all shards read-locked (in order), so the
// figures agree with each other.
func (en *Engine) Stats() Stats {
	for _, sh := range en.shards {
		sh.mu.RLock()
	}
	st := Stats{Uptime: time.Since(en.start), ShardKeys: make([]int, len(en.shards)), ShardUsed: make([]int64, len(en.shards))}
	for i, sh := range en.shards {
		st.ShardKeys[i] = sh.dict.Len()
		st.ShardUsed[i] = sh.used.Load()
		st.Keys += st.ShardKeys[i]
		st.Expires += sh.dict.Volatile()
		st.Expired += sh.expired.Load()
		st.Evicted += sh.evicted.Load()
		st.Used += st.ShardUsed[i]
	}
	for i := len(en.shards) - 1; i >= 0; i-- {
		en.shards[i].mu.RUnlock()
	}
	return st
}
