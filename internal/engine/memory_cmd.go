package engine

import (
	"runtime/debug"
	"runtime/metrics"
)

// MEMORY USAGE | STATS | DOCTOR | PURGE | MALLOC-STATS | HELP. The byte
// figures are kevy's estimates of Go heap bytes (see UsedMemory), not
// jemalloc's; tools such as redis-cli --memkeys only compare them.

var memoryHelp = []string{
	"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
	"HELP",
	"    Prints this help.",
}

// Redis's MEMORY DOCTOR reports for an almost empty instance (below 5 MB)
// and for one where it finds nothing to say.
const (
	doctorEmpty = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. " +
		"Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	doctorFine = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
)

func init() {
	subcommands["memory"] = []subcommand{
		{"memory|doctor", 2, 0, 0},
		{"memory|malloc-stats", 2, 0, 0},
		{"memory|purge", 2, 0, 0},
		{"memory|stats", 2, 0, 0},
		{"memory|usage", -3, FlagReadOnly, 2},
		{"memory|help", 2, FlagLoading | FlagStale, 0},
	}
	register(&Command{Name: "memory", Arity: -2, Keys: memoryKeys, Run: memoryCmd})
}

// memoryKeys: MEMORY USAGE names its key second.
func memoryKeys(args []string) []int {
	if len(args) >= 3 && eq(args[1], "usage") {
		return []int{2}
	}
	return nil
}

// KeyMemory returns MEMORY USAGE's figure for key (entrySize), or -1 when
// it is missing. Looking does not count as an access. Either lock held.
func (sh *Shard) KeyMemory(key string) int64 {
	e := sh.lookupQuiet(key)
	if e == nil {
		return -1
	}
	return entrySize(e)
}

func memoryCmd(c *Ctx) {
	sub, ok := c.sub()
	if !ok {
		return
	}
	switch sub {
	case "help":
		c.writeHelp(memoryHelp)
	case "usage":
		// As Redis: the options are checked before the key is looked up.
		// kevy measures the whole value; SAMPLES is accepted and ignored.
		for j := 3; j < len(c.Args); j++ {
			if !eq(c.Args[j], "samples") || j+1 >= len(c.Args) {
				c.err(ErrSyntax)
				return
			}
			n, ok := c.intArg(j + 1)
			if !ok {
				return
			}
			if n < 0 {
				c.err(ErrSyntax)
				return
			}
			j++
		}
		if n := c.shard(c.Args[2]).KeyMemory(c.Args[2]); n >= 0 {
			c.W.WriteInt(n)
		} else {
			c.W.WriteNull()
		}
	case "doctor":
		if c.En.UsedMemory() < 5<<20 {
			c.W.WriteBulk(doctorEmpty)
		} else {
			c.W.WriteBulk(doctorFine)
		}
	case "malloc-stats":
		c.W.WriteBulk("Stats not supported for the current allocator")
	case "purge":
		debug.FreeOSMemory()
		c.ok()
	default: // stats
		memoryStats(c)
	}
}

// memoryStats replies MEMORY STATS with the fields kevy can fill under
// Redis's names: the Go heap's live bytes as total.allocated, the keys'
// estimated bytes as dataset.bytes.
func memoryStats(c *Ctx) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	total := int64(0)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		total = int64(sample[0].Value.Uint64())
	}
	dataset := c.En.UsedMemory()
	keys := int64(c.dbsize())
	perKey := int64(0)
	if keys > 0 {
		perKey = dataset / keys
	}
	pct := 0.0
	if total > 0 {
		pct = float64(dataset) * 100 / float64(total)
	}
	c.W.WriteMap(5)
	for _, kv := range []struct {
		name string
		n    int64
	}{{"total.allocated", total}, {"keys.count", keys}, {"keys.bytes-per-key", perKey}, {"dataset.bytes", dataset}} {
		c.W.WriteBulk(kv.name)
		c.W.WriteInt(kv.n)
	}
	c.W.WriteBulk("dataset.percentage")
	c.W.WriteDouble(pct)
}
