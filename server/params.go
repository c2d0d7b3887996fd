package server

import (
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy/internal/glob"
)

// The server's CONFIG parameters: values CONFIG SET may change while
// connections read them, so each is an atomic.

// outputLimits are the client-output-buffer-limit classes.
type outputLimits struct {
	normal, replica, pubsub BufferLimit
}

// params are the server's live settings.
type params struct {
	requirePass  atomic.Pointer[string]
	protected    atomic.Bool
	maxClients   atomic.Int64
	timeout      atomic.Int64 // nanoseconds, 0 = none
	protoMaxBulk atomic.Int64
	queryLimit   atomic.Int64
	outLimits    atomic.Pointer[outputLimits]
	slowerThan   atomic.Int64 // microseconds; negative disables
	slowMaxLen   atomic.Int64
}

func (p *params) init(cfg *Config) {
	pass := cfg.RequirePass
	p.requirePass.Store(&pass)
	p.protected.Store(cfg.ProtectedMode)
	p.maxClients.Store(cfg.maxClients())
	p.timeout.Store(int64(max(cfg.Timeout, 0)))
	p.protoMaxBulk.Store(orInt64(cfg.ProtoMaxBulkLen, DefaultProtoMaxBulkLen))
	p.queryLimit.Store(orInt64(cfg.ClientQueryBufferLimit, DefaultClientQueryBufferLimit))
	ol := &outputLimits{normal: cfg.NormalOutputLimit, pubsub: DefaultPubSubLimit,
		replica: BufferLimit{Hard: 256 << 20, Soft: 64 << 20, SoftFor: 60 * time.Second}}
	if cfg.PubSubOutputLimit != nil {
		ol.pubsub = *cfg.PubSubOutputLimit
	}
	p.outLimits.Store(ol)
	switch {
	case cfg.SlowlogSlowerThan < 0:
		p.slowerThan.Store(-1)
	case cfg.SlowlogSlowerThan == 0:
		p.slowerThan.Store(DefaultSlowlogSlowerThan.Microseconds())
	default:
		p.slowerThan.Store(cfg.SlowlogSlowerThan.Microseconds())
	}
	p.slowMaxLen.Store(orInt64(int64(cfg.SlowlogMaxLen), DefaultSlowlogMaxLen))
}

// password returns requirepass ("" when none).
func (p *params) password() string { return *p.requirePass.Load() }

// serverParam is one CONFIG parameter the server owns.
type serverParam struct {
	name string
	get  func(s *Server) string
	// parse validates a value and returns the function applying it, or
	// Redis's reason for refusing it; nil parse means immutable.
	parse func(v string) (apply func(s *Server), reason string)
}

var serverParams = []serverParam{
	{"requirepass", func(s *Server) string { return s.p.password() },
		func(v string) (func(*Server), string) {
			return func(s *Server) { s.p.requirePass.Store(&v) }, ""
		}},
	{"protected-mode", func(s *Server) string { return yesNo(s.p.protected.Load()) },
		boolParam(func(s *Server, b bool) { s.p.protected.Store(b) })},
	{"maxclients", func(s *Server) string { return itoa64(s.p.maxClients.Load()) },
		intParam(1, math.MaxInt32, func(s *Server, n int64) { s.p.maxClients.Store(n) })},
	{"timeout", func(s *Server) string { return itoa64(s.p.timeout.Load() / int64(time.Second)) },
		intParam(0, math.MaxInt32, func(s *Server, n int64) { s.p.timeout.Store(n * int64(time.Second)) })},
	{"proto-max-bulk-len", func(s *Server) string { return itoa64(s.p.protoMaxBulk.Load()) },
		memParam(1<<20, func(s *Server, n int64) { s.p.protoMaxBulk.Store(n) })},
	{"client-query-buffer-limit", func(s *Server) string { return itoa64(s.p.queryLimit.Load()) },
		memParam(1<<20, func(s *Server, n int64) { s.p.queryLimit.Store(n) })},
	{"client-output-buffer-limit", func(s *Server) string { return formatOutputLimits(s.p.outLimits.Load()) },
		parseOutputLimits},
	{"slowlog-log-slower-than", func(s *Server) string { return itoa64(s.p.slowerThan.Load()) },
		intParam(-1, math.MaxInt64, func(s *Server, n int64) { s.p.slowerThan.Store(n) })},
	{"slowlog-max-len", func(s *Server) string { return itoa64(s.p.slowMaxLen.Load()) },
		intParam(0, math.MaxInt64, func(s *Server, n int64) { s.p.slowMaxLen.Store(n); s.slow.trim(int(n)) })},
	{"databases", func(*Server) string { return "1" }, nil},
	{"port", func(s *Server) string { return strconv.Itoa(s.port()) }, nil},
	{"bind", func(s *Server) string { return strings.Join(s.binds(), " ") }, nil},
	{"unixsocket", func(s *Server) string { return s.cfg.UnixSocket }, nil},
	{"unixsocketperm", func(s *Server) string { return strconv.FormatUint(uint64(s.cfg.UnixSocketPerm), 8) }, nil},
}

// Defaults reported for parameters owned by layers not wired yet, so that
// tools that read them (redis-benchmark reads save and appendonly) get
// Redis-shaped answers. Config.ExtraParams overrides them.
var extraDefaults = map[string]string{
	"save": "", "appendonly": "no", "appendfsync": "everysec", "dbfilename": "dump.rdb",
	"appendfilename": "appendonly.aof", "maxmemory": "0", "maxmemory-policy": "noeviction",
	"maxmemory-samples": "5", "notify-keyspace-events": "", "loglevel": "notice", "logfile": "",
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func boolParam(set func(*Server, bool)) func(string) (func(*Server), string) {
	return func(v string) (func(*Server), string) {
		switch strings.ToLower(v) {
		case "yes":
			return func(s *Server) { set(s, true) }, ""
		case "no":
			return func(s *Server) { set(s, false) }, ""
		}
		return nil, "argument must be 'yes' or 'no'"
	}
}

func intParam(lo, hi int64, set func(*Server, int64)) func(string) (func(*Server), string) {
	return func(v string) (func(*Server), string) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, "argument couldn't be parsed into an integer"
		}
		if n < lo || n > hi {
			return nil, fmt.Sprintf("argument must be between %d and %d inclusive", lo, hi)
		}
		return func(s *Server) { set(s, n) }, ""
	}
}

func memParam(lo int64, set func(*Server, int64)) func(string) (func(*Server), string) {
	return func(v string) (func(*Server), string) {
		n, ok := parseMemory(v)
		if !ok {
			return nil, "argument must be a memory value"
		}
		if n < lo {
			return nil, fmt.Sprintf("argument must be between %d and %d inclusive", lo, int64(math.MaxInt64))
		}
		return func(s *Server) { set(s, n) }, ""
	}
}

// parseMemory parses a memory amount as Redis's memtoull: digits and an
// optional unit (b, k, kb, m, mb, g, gb; any case).
func parseMemory(s string) (int64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul int64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1 << 10
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1 << 20
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1 << 30
	default:
		return 0, false
	}
	if i == 0 {
		return 0, true // Redis reads an empty number as 0
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > math.MaxInt64/mul {
		return 0, false
	}
	return n * mul, true
}

// formatOutputLimits renders the classes as CONFIG GET does.
func formatOutputLimits(l *outputLimits) string {
	var b strings.Builder
	for i, c := range []struct {
		name string
		l    BufferLimit
	}{{"normal", l.normal}, {"slave", l.replica}, {"pubsub", l.pubsub}} {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s %d %d %d", c.name, c.l.Hard, c.l.Soft, int64(c.l.SoftFor/time.Second))
	}
	return b.String()
}

// parseOutputLimits parses "class hard soft seconds [class ...]".
func parseOutputLimits(v string) (func(*Server), string) {
	f := strings.Fields(v)
	if len(f) == 0 || len(f)%4 != 0 {
		return nil, "Wrong number of arguments in buffer limit configuration."
	}
	type set struct {
		class int
		l     BufferLimit
	}
	var sets []set
	for i := 0; i < len(f); i += 4 {
		class := -1
		switch strings.ToLower(f[i]) {
		case "normal":
			class = 0
		case "replica", "slave":
			class = 1
		case "pubsub":
			class = 2
		}
		if class < 0 {
			return nil, "Invalid client class specified in buffer limit configuration."
		}
		hard, ok1 := parseMemory(f[i+1])
		soft, ok2 := parseMemory(f[i+2])
		secs, err := strconv.ParseInt(f[i+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 {
			return nil, "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		sets = append(sets, set{class, BufferLimit{Hard: hard, Soft: soft, SoftFor: time.Duration(secs) * time.Second}})
	}
	return func(s *Server) {
		n := *s.p.outLimits.Load()
		for _, st := range sets {
			switch st.class {
			case 0:
				n.normal = st.l
			case 1:
				n.replica = st.l
			case 2:
				n.pubsub = st.l
			}
		}
		s.p.outLimits.Store(&n)
	}, ""
}

func findServerParam(name string) *serverParam {
	for i := range serverParams {
		if strings.EqualFold(serverParams[i].name, name) {
			return &serverParams[i]
		}
	}
	return nil
}

// configGet returns the name, value pairs of every parameter matching a
// pattern: the server's own, the engine's, then the extra ones, each name
// once.
func (s *Server) configGet(patterns []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(name, val string) {
		if k := strings.ToLower(name); !seen[k] {
			seen[k] = true
			out = append(out, name, val)
		}
	}
	matches := func(pat, name string) bool {
		if strings.ContainsAny(pat, "[*?") {
			return glob.MatchFold(pat, name)
		}
		return strings.EqualFold(pat, name)
	}
	for _, pat := range patterns {
		for i := range serverParams {
			if p := &serverParams[i]; matches(pat, p.name) {
				add(p.name, p.get(s))
			}
		}
	}
	eng := s.en.ConfigGet(patterns...)
	for i := 0; i+1 < len(eng); i += 2 {
		add(eng[i], eng[i+1])
	}
	for _, pat := range patterns {
		for name, val := range s.extra {
			if matches(pat, name) {
				add(name, val)
			}
		}
	}
	return out
}

// configSet applies name, value pairs, all or none: server parameters are
// validated first, then the engine's are set (all or none), then the
// server's are applied.
func (s *Server) configSet(pairs []string) error {
	var applies []func(*Server)
	var engPairs []string
	seen := map[string]bool{}
	for i := 0; i+1 < len(pairs); i += 2 {
		name, val := pairs[i], pairs[i+1]
		k := strings.ToLower(name)
		if seen[k] {
			return configSetError(name, "duplicate parameter")
		}
		seen[k] = true
		p := findServerParam(name)
		if p == nil {
			if _, ok := s.extra[k]; ok && len(s.en.ConfigGet(k)) == 0 {
				return configSetError(name, "can't set immutable config")
			}
			engPairs = append(engPairs, name, val)
			continue
		}
		if p.parse == nil {
			return configSetError(p.name, "can't set immutable config")
		}
		apply, reason := p.parse(val)
		if apply == nil {
			return configSetError(p.name, reason)
		}
		applies = append(applies, apply)
	}
	if len(engPairs) > 0 {
		if err := s.en.ConfigSet(engPairs...); err != nil {
			return err
		}
	}
	for _, a := range applies {
		a(s)
	}
	return nil
}

func configSetError(name, reason string) error {
	return replyErr("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason)
}

// port returns the TCP port of the first configured address, 0 if none.
func (s *Server) port() int {
	for _, a := range s.cfg.Addrs {
		if _, p, err := net.SplitHostPort(strings.TrimPrefix(a, "-")); err == nil {
			n, _ := strconv.Atoi(p)
			return n
		}
	}
	if len(s.cfg.Addrs) == 0 && s.cfg.UnixSocket == "" {
		return 6379
	}
	return 0
}

// binds returns the configured bind hosts.
func (s *Server) binds() []string {
	var out []string
	for _, a := range s.cfg.Addrs {
		opt := strings.HasPrefix(a, "-")
		h, _, err := net.SplitHostPort(strings.TrimPrefix(a, "-"))
		if err != nil {
			continue
		}
		if opt {
			h = "-" + h
		}
		out = append(out, h)
	}
	return out
}

// ConfigGet returns the name, value pairs of the parameters matching the
// glob patterns, as CONFIG GET: the server's, the engine's and
// Config.ExtraParams.
func (s *Server) ConfigGet(patterns ...string) []string { return s.configGet(patterns) }

// ConfigSet sets parameters from name, value pairs, all or none, as
// CONFIG SET; errors carry Redis's reply text.
func (s *Server) ConfigSet(pairs ...string) error {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return replyErr("ERR syntax error")
	}
	return s.configSet(pairs)
}
