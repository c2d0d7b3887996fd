package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/kevy-go/kevy/internal/glob"
)

// CONFIG GET | SET | RESETSTAT | REWRITE | HELP and the registry of
// parameters. A parameter is a configParam; features add theirs with
// registerConfig from their own init (see the encoding limits below).

// configParam is one CONFIG parameter.
type configParam struct {
	name  string // canonical name, lowercase
	alias string // Redis's older name ("hash-max-ziplist-entries"), or ""
	get   func(en *Engine) string
	// parse validates a CONFIG SET value and returns the function that
	// applies it, or the reason it was refused, as Redis words it
	// ("argument must be a memory value").
	parse func(v string) (apply func(en *Engine), reason string)
}

// configName is one name a parameter answers to: its canonical name or
// its alias. Redis treats an alias as a parameter of its own name.
type configName struct {
	name string
	p    *configParam
}

var (
	configNames []configName               // registration order, each name once
	configIndex = map[string]*configName{} // lowercase name → entry
)

// registerConfig adds parameters to the registry; called from init.
func registerConfig(ps ...*configParam) {
	for _, p := range ps {
		for _, n := range []string{p.name, p.alias} {
			if n == "" {
				continue
			}
			for _, have := range configNames {
				if have.name == n {
					panic("engine: duplicate config " + n)
				}
			}
			configNames = append(configNames, configName{name: n, p: p})
		}
	}
	clear(configIndex)
	for i := range configNames {
		configIndex[configNames[i].name] = &configNames[i]
	}
}

// sizeConfig is a size_t parameter from 0 to LONG_MAX held in the atomic
// that field returns. memory allows unit suffixes (1kb, 2mb...), as Redis's
// MEMORY_CONFIG parameters do.
func sizeConfig(name, alias string, memory bool, field func(en *Engine) *atomic.Int64) *configParam {
	return &configParam{
		name: name, alias: alias,
		get: func(en *Engine) string { return strconv.FormatInt(field(en).Load(), 10) },
		parse: func(v string) (func(*Engine), string) {
			var n uint64
			if memory {
				u, ok := memToULL(v)
				if !ok {
					return nil, "argument must be a memory value"
				}
				n = u
			} else {
				i, ok := ParseInt(v)
				if !ok {
					return nil, "argument couldn't be parsed into an integer"
				}
				if i < 0 {
					return nil, "argument must be between 0 and 9223372036854775807 inclusive"
				}
				n = uint64(i)
			}
			if n > math.MaxInt64 {
				return nil, "argument must be between 0 and 9223372036854775807 inclusive"
			}
			return func(en *Engine) { field(en).Store(int64(n)) }, ""
		},
	}
}

// memToULL parses a memory amount as Redis's memtoull: digits, then an
// optional unit (b, k, kb, m, mb, g, gb, any case). Like Redis it accepts
// an empty number as 0, saturates an overlong number and wraps on
// multiplication.
func memToULL(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch u := strings.ToLower(s[i:]); u {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var v uint64
	if i > 0 {
		var err error
		v, err = strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			v = math.MaxUint64 // strtoull saturates
		}
	}
	return v * mul, true
}

// HLLSparseMax returns the hll-sparse-max-bytes setting.
func (en *Engine) HLLSparseMax() int { return int(en.hllSparseMax.Load()) }

func init() {
	registerConfig(
		sizeConfig("hash-max-listpack-entries", "hash-max-ziplist-entries", false,
			func(en *Engine) *atomic.Int64 { return &en.limits.HashMaxListpackEntries }),
		sizeConfig("hash-max-listpack-value", "hash-max-ziplist-value", true,
			func(en *Engine) *atomic.Int64 { return &en.limits.HashMaxListpackValue }),
		sizeConfig("set-max-intset-entries", "", false,
			func(en *Engine) *atomic.Int64 { return &en.limits.SetMaxIntsetEntries }),
		sizeConfig("zset-max-listpack-entries", "zset-max-ziplist-entries", false,
			func(en *Engine) *atomic.Int64 { return &en.zlimits.MaxListpackEntries }),
		sizeConfig("zset-max-listpack-value", "zset-max-ziplist-value", true,
			func(en *Engine) *atomic.Int64 { return &en.zlimits.MaxListpackValue }),
		sizeConfig("hll-sparse-max-bytes", "", true,
			func(en *Engine) *atomic.Int64 { return &en.hllSparseMax }),
		&configParam{name: "maxmemory",
			get: func(en *Engine) string { return strconv.FormatInt(en.mem.maxmemory.Load(), 10) },
			parse: func(v string) (func(*Engine), string) {
				n, ok := memToULL(v)
				if !ok || n > math.MaxInt64 {
					return nil, "argument must be a memory value"
				}
				return func(en *Engine) { en.mem.maxmemory.Store(int64(n)) }, ""
			}},
		&configParam{name: "maxmemory-policy",
			get: func(en *Engine) string { return Policy(en.mem.policy.Load()).String() },
			parse: func(v string) (func(*Engine), string) {
				p, ok := ParsePolicy(v)
				if !ok {
					return nil, "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
				}
				return func(en *Engine) { en.mem.policy.Store(int32(p)) }, ""
			}},
		intConfig("maxmemory-samples", 1, math.MaxInt32, func(en *Engine) *atomic.Int32 { return &en.mem.samples }),
		intConfig("lfu-log-factor", 0, math.MaxInt32, func(en *Engine) *atomic.Int32 { return &en.mem.lfuLogFactor }),
		intConfig("lfu-decay-time", 0, math.MaxInt32, func(en *Engine) *atomic.Int32 { return &en.mem.lfuDecayTime }),
	)
	register(&Command{Name: "config", Arity: -2, Run: configCmd})
}

// ConfigGet returns the parameters matching any of patterns (glob patterns,
// case-insensitive; a name without glob characters is looked up exactly and
// reported as spelled) as name, value pairs, each parameter once.
func (en *Engine) ConfigGet(patterns ...string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(as string, n *configName) {
		if !seen[n.name] {
			seen[n.name] = true
			out = append(out, as, n.p.get(en))
		}
	}
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "[*?") {
			if n := configIndex[strings.ToLower(pat)]; n != nil {
				add(pat, n)
			}
			continue
		}
		for i := range configNames {
			if n := &configNames[i]; glob.MatchFold(pat, n.name) {
				add(n.name, n)
			}
		}
	}
	return out
}

// ConfigSet sets parameters from name, value pairs, all or none: every
// value is validated before any is applied. Errors are Redis's replies.
func (en *Engine) ConfigSet(pairs ...string) error {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return ErrSyntax
	}
	names := make([]*configName, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		n := configIndex[strings.ToLower(pairs[i])]
		if n == nil {
			return errorf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", pairs[i])
		}
		for _, prev := range names {
			if prev == n {
				return configSetError(pairs[i], "duplicate parameter")
			}
		}
		names = append(names, n)
	}
	applies := make([]func(*Engine), len(names))
	for i, n := range names {
		apply, reason := n.p.parse(pairs[2*i+1])
		if apply == nil {
			return configSetError(n.name, reason)
		}
		applies[i] = apply
	}
	for _, apply := range applies {
		apply(en)
	}
	return nil
}

func configSetError(name, reason string) error {
	return errorf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", name, reason)
}

// ResetStats zeroes the counters INFO reports (CONFIG RESETSTAT).
func (en *Engine) ResetStats() {
	for _, sh := range en.shards {
		sh.expired.Store(0)
		sh.evicted.Store(0)
	}
}

var configHelp = []string{
	"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
	"HELP",
	"    Prints this help.",
}

func configCmd(c *Ctx) {
	sub, ok := c.sub()
	if !ok {
		return
	}
	switch sub {
	case "get":
		pairs := c.En.ConfigGet(c.Args[2:]...)
		c.W.WriteMap(len(pairs) / 2)
		for _, s := range pairs {
			c.W.WriteBulk(s)
		}
	case "set":
		if err := c.En.ConfigSet(c.Args[2:]...); err != nil {
			c.err(err)
			return
		}
		c.ok()
	case "resetstat":
		c.En.ResetStats()
		c.ok()
	case "rewrite":
		c.err(errorf("ERR The server is running without a config file"))
	default:
		c.writeHelp(configHelp)
	}
}

// intConfig is an integer parameter within [lo, hi], stored in an int32.
func intConfig(name string, lo, hi int64, field func(*Engine) *atomic.Int32) *configParam {
	return &configParam{name: name,
		get: func(en *Engine) string { return strconv.FormatInt(int64(field(en).Load()), 10) },
		parse: func(v string) (func(*Engine), string) {
			n, ok := ParseInt(v)
			if !ok {
				return nil, "argument couldn't be parsed into an integer"
			}
			if n < lo || n > hi {
				return nil, fmt.Sprintf("argument must be between %d and %d inclusive", lo, hi)
			}
			return func(en *Engine) { field(en).Store(int32(n)) }, ""
		}}
}
