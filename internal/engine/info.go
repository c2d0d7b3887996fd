package engine

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// INFO: a minimal report in Redis's format and with Redis's field names, for
// the sections kevy has figures for.

// infoSections lists the sections in Redis's order; default marks the ones
// INFO without arguments includes.
var infoSections = []struct {
	name  string
	title string
	write func(b *strings.Builder, en *Engine, st *infoStats)
	dflt  bool
}{
	{"server", "Server", infoServer, true},
	{"memory", "Memory", infoMemory, true},
	{"stats", "Stats", infoStatsSection, true},
	{"keyspace", "Keyspace", infoKeyspace, true},
}

// infoStats is what the sections report, read once.
type infoStats struct {
	keys, expires    int
	expired, evicted uint64
	used             int64
	avgTTL           int64 // ms, estimated from up to avgTTLSample keys per shard
	uptime           time.Duration
}

// avgTTLSample bounds the keys per shard INFO looks at for avg_ttl.
const avgTTLSample = 1024

// Info returns the INFO report of the named sections ("server", "memory",
// "stats", "keyspace", or "default", "all", "everything"), case-insensitive;
// no section means "default". Unknown sections are ignored, as in Redis.
func (en *Engine) Info(sections ...string) string {
	c := Ctx{En: en}
	return c.info(sections)
}

func (c *Ctx) info(sections []string) string {
	want := map[string]bool{}
	all := len(sections) == 0
	for _, s := range sections {
		s = strings.ToLower(s)
		switch s {
		case "default", "all", "everything":
			all = true
		default:
			want[s] = true
		}
	}
	st := c.infoStats()
	var b strings.Builder
	for _, sec := range infoSections {
		if !(all && sec.dflt) && !want[sec.name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.title + "\r\n")
		sec.write(&b, c.En, st)
	}
	return b.String()
}

// infoStats reads the counters with every shard read-locked at once (in
// order), so the figures agree with each other, and estimates the average
// TTL of keys that have one. Inside a block that holds shards (c.Held) it
// reports those shards, which the block already holds.
func (c *Ctx) infoStats() *infoStats {
	en := c.En
	shards := en.shards
	if c.Held != nil {
		shards = nil
		for _, i := range c.Held {
			shards = append(shards, en.shards[i])
		}
	} else {
		for _, sh := range shards {
			sh.mu.RLock()
		}
	}
	st := &infoStats{uptime: time.Since(en.start)}
	var sum, n int64
	now := en.Now()
	for _, sh := range shards {
		st.keys += sh.dict.Len()
		st.expires += sh.dict.Volatile()
		st.expired += sh.expired.Load()
		st.evicted += sh.evicted.Load()
		st.used += sh.used.Load()
		ttl := sh.dict.Expirable()
		step := max(1, len(ttl)/avgTTLSample)
		for i := 0; i < len(ttl); i += step {
			if d := ttl[i].Exp() - now; d > 0 {
				sum += d
			}
			n++
		}
	}
	if c.Held == nil {
		for i := len(shards) - 1; i >= 0; i-- {
			shards[i].mu.RUnlock()
		}
	}
	if n > 0 {
		st.avgTTL = sum / n
	}
	return st
}

func infoLine(b *strings.Builder, name string, v any) {
	fmt.Fprintf(b, "%s:%v\r\n", name, v)
}

func infoServer(b *strings.Builder, en *Engine, st *infoStats) {
	up := int64(st.uptime / time.Second)
	infoLine(b, "redis_version", "7.0.15")
	infoLine(b, "redis_mode", "standalone")
	infoLine(b, "os", runtime.GOOS+" "+runtime.GOARCH)
	infoLine(b, "arch_bits", strconv.Itoa(strconv.IntSize))
	infoLine(b, "process_id", os.Getpid())
	infoLine(b, "uptime_in_seconds", up)
	infoLine(b, "uptime_in_days", up/86400)
	infoLine(b, "hz", 10)
	infoLine(b, "kevy_shards", len(en.shards))
}

func infoMemory(b *strings.Builder, en *Engine, st *infoStats) {
	used := max(st.used, 0)
	infoLine(b, "used_memory", used)
	infoLine(b, "used_memory_human", bytesToHuman(uint64(used)))
	mc := en.MemoryConfig()
	infoLine(b, "maxmemory", mc.MaxMemory)
	infoLine(b, "maxmemory_human", bytesToHuman(uint64(max(mc.MaxMemory, 0))))
	infoLine(b, "maxmemory_policy", mc.Policy)
}

func infoStatsSection(b *strings.Builder, en *Engine, st *infoStats) {
	infoLine(b, "expired_keys", st.expired)
	infoLine(b, "evicted_keys", st.evicted)
}

func infoKeyspace(b *strings.Builder, en *Engine, st *infoStats) {
	if st.keys > 0 {
		fmt.Fprintf(b, "db0:keys=%d,expires=%d,avg_ttl=%d\r\n", st.keys, st.expires, st.avgTTL)
	}
}

// bytesToHuman formats n as Redis's bytesToHuman: 1.30M, 512B...
func bytesToHuman(n uint64) string {
	d := float64(n)
	switch {
	case n < 1<<10:
		return strconv.FormatUint(n, 10) + "B"
	case n < 1<<20:
		return fmt.Sprintf("%.2fK", d/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.2fM", d/(1<<20))
	case n < 1<<40:
		return fmt.Sprintf("%.2fG", d/(1<<30))
	case n < 1<<50:
		return fmt.Sprintf("%.2fT", d/(1<<40))
	case n < 1<<60:
		return fmt.Sprintf("%.2fP", d/(1<<50))
	}
	return strconv.FormatUint(n, 10) + "B"
}

func init() {
	register(&Command{Name: "info", Arity: -1, Flags: FlagLoading | FlagStale | FlagRandom, Run: infoCmd})
}

func infoCmd(c *Ctx) { c.W.WriteBulk(c.info(c.Args[1:])) }
