package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/server"
)

// options are redis-server's settings that kevy understands, with
// redis-server's defaults.
type options struct {
	configFile string

	port           int
	bind           []string
	protectedMode  bool
	unixSocket     string
	unixSocketPerm os.FileMode
	requirePass    string
	maxClients     int
	timeout        int
	shards         int
	ioThreads      int  // event loops
	ioLoop         bool // kevy's own: no gives every connection a goroutine
	ioPollUs       int  // kevy's own: µs a loop polls after a busy round; 0 off
	loglevel       string
	logfile        string

	// Persistence and memory: appendonly chooses kevy's logs in dir,
	// otherwise dbfilename and the save points (rdbPersistence).
	dir                  string
	dbfilename           string
	appendonly           bool
	appendfilename       string
	appendfsync          string
	save                 string
	savePointsSet        bool // a save directive was read: later ones add points
	maxmemory            int64
	maxmemoryPolicy      string
	maxmemorySamples     int
	notifyKeyspaceEvents string

	// Other directives, applied with CONFIG SET once the server exists
	// (the engine's encoding thresholds, slowlog-*, client-*-limit...).
	params     [][2]string
	paramLines []directive // where each of params was read, for errors
	// Directives accepted for compatibility but without effect.
	ignored []string
}

func defaultOptions() *options {
	return &options{
		port:             6379,
		bind:             []string{"127.0.0.1", "-::1"},
		protectedMode:    true,
		maxClients:       server.DefaultMaxClients,
		shards:           1,
		ioThreads:        1,
		ioLoop:           true,
		ioPollUs:         int(server.DefaultIOPoll / time.Microsecond),
		loglevel:         "notice",
		dbfilename:       "dump.rdb",
		appendfilename:   "appendonly.aof",
		appendfsync:      "everysec",
		save:             "3600 1 300 100 60 10000",
		maxmemoryPolicy:  "noeviction",
		maxmemorySamples: 5,
	}
}

// errBadDirective is redis-server's complaint about an unknown directive.
const errBadDirective = "Bad directive or wrong number of arguments"

// ignoredDirectives are accepted and ignored, so that common redis.conf
// files load: they concern features kevy does not have or need.
var ignoredDirectives = map[string]bool{
	"daemonize": true, "supervised": true, "pidfile": true, "tcp-backlog": true, "tcp-keepalive": true,
	"databases": true, "always-show-logo": true, "set-proc-title": true, "proc-title-template": true,
	"hz": true, "dynamic-hz": true, "activerehashing": true, "latency-monitor-threshold": true,
	"lua-time-limit": true, "busy-reply-threshold": true, "syslog-enabled": true, "syslog-ident": true,
	"syslog-facility": true, "crash-log-enabled": true, "crash-memcheck-enabled": true,
	"stop-writes-on-bgsave-error": true, "rdbcompression": true, "rdbchecksum": true,
	"rdb-del-sync-files": true, "jemalloc-bg-thread": true,
	"io-threads-do-reads": true, "disable-thp": true, "oom-score-adj": true,
	"oom-score-adj-values": true,
}

// apply sets one directive: name and its arguments. It returns the reason
// the directive is refused, as redis-server words it.
func (o *options) apply(name string, args []string) string {
	one := func() (string, bool) {
		if len(args) != 1 {
			return "", false
		}
		return args[0], true
	}
	name = strings.ToLower(name)
	switch name {
	case "port", "maxclients", "timeout", "shards", "maxmemory-samples", "io-threads", "io-poll-us":
		v, ok := one()
		if !ok {
			return errBadDirective
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return "argument couldn't be parsed into an integer"
		}
		switch name {
		case "port":
			if n < 0 || n > 65535 {
				return "argument must be between 0 and 65535 inclusive"
			}
			o.port = n
		case "maxclients":
			if n < 1 {
				return "argument must be between 1 and 2147483647 inclusive"
			}
			o.maxClients = n
		case "timeout":
			if n < 0 {
				return "argument must be between 0 and 2147483647 inclusive"
			}
			o.timeout = n
		case "shards":
			if n < 1 || n > kevy.MaxShards {
				return fmt.Sprintf("argument must be between 1 and %d inclusive", kevy.MaxShards)
			}
			o.shards = n
		case "io-threads":
			if n < 1 || n > 128 {
				return "argument must be between 1 and 128 inclusive"
			}
			o.ioThreads = n
		case "io-poll-us":
			if n < 0 || n > 1000 {
				return "argument must be between 0 and 1000 inclusive"
			}
			o.ioPollUs = n
		case "maxmemory-samples":
			if n < 1 || n > 64 {
				return "argument must be between 1 and 64 inclusive"
			}
			o.maxmemorySamples = n
		}
	case "bind":
		if len(args) == 0 {
			return errBadDirective
		}
		o.bind = append([]string(nil), args...)
	case "protected-mode", "appendonly", "io-loop":
		v, ok := one()
		if !ok {
			return errBadDirective
		}
		b, ok := parseYesNo(v)
		if !ok {
			return "argument must be 'yes' or 'no'"
		}
		switch name {
		case "appendonly":
			o.appendonly = b
		case "io-loop":
			o.ioLoop = b
		default:
			o.protectedMode = b
		}
	case "unixsocketperm":
		v, ok := one()
		if !ok {
			return errBadDirective
		}
		n, err := strconv.ParseUint(v, 8, 32)
		if err != nil || n > 0777 {
			return "argument must be between 0 and 777 inclusive"
		}
		o.unixSocketPerm = os.FileMode(n)
	case "unixsocket", "dir", "dbfilename", "appendfilename", "requirepass", "logfile",
		"notify-keyspace-events":
		v, ok := one()
		if !ok {
			return errBadDirective
		}
		switch name {
		case "unixsocket":
			o.unixSocket = v
		case "dir":
			o.dir = v
		case "dbfilename", "appendfilename":
			if strings.ContainsRune(v, '/') {
				return name + " can't be a path, just a filename"
			}
			if name == "dbfilename" {
				o.dbfilename = v
			} else {
				o.appendfilename = v
			}
		case "requirepass":
			o.requirePass = v
		case "logfile":
			o.logfile = v
		case "notify-keyspace-events":
			if strings.Trim(v, "KEg$lshzxetmdnA") != "" {
				return "Invalid event class character. Use 'Ag$lshzxeKEtmd'."
			}
			o.notifyKeyspaceEvents = v
		}
	case "appendfsync", "maxmemory-policy", "loglevel":
		v, ok := one()
		if !ok {
			return errBadDirective
		}
		v = strings.ToLower(v)
		allowed := map[string]string{
			"appendfsync":      "always everysec no",
			"maxmemory-policy": "volatile-lru volatile-lfu volatile-random volatile-ttl allkeys-lru allkeys-lfu allkeys-random noeviction",
			"loglevel":         "debug verbose notice warning nothing",
		}[name]
		if !strings.Contains(" "+allowed+" ", " "+v+" ") {
			return "argument(s) must be one of the following: " + strings.ReplaceAll(allowed, " ", ", ")
		}
		switch name {
		case "appendfsync":
			o.appendfsync = v
		case "maxmemory-policy":
			o.maxmemoryPolicy = v
		case "loglevel":
			o.loglevel = v
		}
	case "maxmemory":
		v, ok := one()
		if !ok {
			return errBadDirective
		}
		n, ok := parseMemory(v)
		if !ok {
			return "argument must be a memory value"
		}
		o.maxmemory = n
	case "save":
		return o.applySave(args)
	default:
		if ignoredDirectives[name] {
			o.ignored = append(o.ignored, name)
			return ""
		}
		if len(args) == 0 {
			return errBadDirective
		}
		o.params = append(o.params, [2]string{name, strings.Join(args, " ")})
	}
	return ""
}

// applySave handles "save <seconds> <changes> [...]" and save "".
// Successive save lines accumulate, as in redis.conf.
func (o *options) applySave(args []string) string {
	if len(args) == 1 && args[0] == "" {
		o.save = ""
		return ""
	}
	if len(args) == 0 || len(args)%2 != 0 {
		return "Invalid save parameters"
	}
	for _, a := range args {
		if n, err := strconv.Atoi(a); err != nil || n < 0 {
			return "Invalid save parameters"
		}
	}
	if o.savePointsSet {
		o.save += " " + strings.Join(args, " ")
	} else {
		o.save = strings.Join(args, " ")
		o.savePointsSet = true
	}
	return ""
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "yes":
		return true, true
	case "no":
		return false, true
	}
	return false, false
}

// parseMemory parses a memory amount with redis.conf's units.
func parseMemory(s string) (int64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	mul := map[string]int64{"": 1, "b": 1, "k": 1000, "kb": 1 << 10, "m": 1e6, "mb": 1 << 20,
		"g": 1e9, "gb": 1 << 30}[strings.ToLower(s[i:])]
	if mul == 0 || i == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	return n * mul, true
}

// addrs returns the TCP addresses to listen on: one per bind address on
// port ("*" is every IPv4 address, "::*" every IPv6 one, a leading "-"
// makes an address optional); none when port is 0.
func (o *options) addrs() []string {
	if o.port == 0 {
		return nil
	}
	p := strconv.Itoa(o.port)
	var out []string
	for _, h := range o.bind {
		opt := ""
		if strings.HasPrefix(h, "-") {
			opt, h = "-", h[1:]
		}
		switch h {
		case "*":
			h = "0.0.0.0"
		case "::*":
			h = "::"
		}
		out = append(out, opt+net.JoinHostPort(h, p))
	}
	return out
}

// storeOptions returns the store's options.
// storeOptions maps the options onto the store's: appendonly turns
// persistence on in the working directory (--dir changed into it), with
// kevy's per-shard files (the RDB snapshots and the logs).
func (o *options) storeOptions(cfg *logConfig) *kevy.Options {
	so := &kevy.Options{Shards: o.shards, Logger: cfg.logger,
		MaxMemory: o.maxmemory, Eviction: kevy.EvictionPolicy(o.maxmemoryPolicy),
		MaxMemorySamples: o.maxmemorySamples}
	if o.appendonly {
		so.Dir = "."
		switch o.appendfsync {
		case "always":
			so.AppendFsync = kevy.FsyncAlways
		case "no":
			so.AppendFsync = kevy.FsyncNo
		}
		if o.shards <= 1 && o.appendfilename != "appendonly.aof" {
			so.AOFFilename = o.appendfilename
		}
	}
	return so
}

// serverConfig returns the server's configuration.
func (o *options) serverConfig(cfg *logConfig) server.Config {
	dir, _ := os.Getwd()
	return server.Config{
		Addrs:          o.addrs(),
		UnixSocket:     o.unixSocket,
		UnixSocketPerm: o.unixSocketPerm,
		RequirePass:    o.requirePass,
		ProtectedMode:  o.protectedMode,
		MaxClients:     o.maxClients,
		Timeout:        time.Duration(o.timeout) * time.Second,
		IOThreads:      o.serverIOThreads(),
		IOPoll:         o.serverIOPoll(),
		Logger:         cfg.logger,
		ConfigFile:     o.configFile,
		ExtraParams: map[string]string{
			"dir":                    dir,
			"dbfilename":             o.dbfilename,
			"appendonly":             yesNo(o.appendonly),
			"appendfilename":         o.appendfilename,
			"appendfsync":            o.appendfsync,
			"save":                   o.save,
			"maxmemory":              strconv.FormatInt(o.maxmemory, 10),
			"maxmemory-policy":       o.maxmemoryPolicy,
			"maxmemory-samples":      strconv.Itoa(o.maxmemorySamples),
			"notify-keyspace-events": o.notifyKeyspaceEvents,
			"loglevel":               o.loglevel,
			"logfile":                o.logfile,
			"shards":                 strconv.Itoa(o.shards),
			"io-threads":             strconv.Itoa(o.ioThreads),
			"io-loop":                yesNo(o.ioLoop),
			"io-poll-us":             strconv.Itoa(o.ioPollUs),
		},
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// serverIOPoll is server.Config.IOPoll: io-poll-us, where 0 turns the
// polling off.
func (o *options) serverIOPoll() time.Duration {
	if o.ioPollUs == 0 {
		return -1
	}
	return time.Duration(o.ioPollUs) * time.Microsecond
}

// serverIOThreads is server.Config.IOThreads: io-threads event loops, or
// -1 (a goroutine per connection) with io-loop no.
func (o *options) serverIOThreads() int {
	if !o.ioLoop {
		return -1
	}
	return o.ioThreads
}
