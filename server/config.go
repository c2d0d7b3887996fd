package server

import (
	"errors"
	"log/slog"
	"os"
	"time"
)

// Redis 7.0's defaults for the limits a Config leaves at zero.
const (
	DefaultAddr                   = "127.0.0.1:6379"
	DefaultMaxClients             = 10000
	DefaultProtoMaxBulkLen        = 512 << 20
	DefaultClientQueryBufferLimit = 1 << 30
	DefaultSlowlogSlowerThan      = 10 * time.Millisecond
	DefaultSlowlogMaxLen          = 128
)

// DefaultIOPoll is Config.IOPoll's default, kevy's own (Redis's loop always
// blocks at once).
const DefaultIOPoll = 24 * time.Microsecond

// BufferLimit is one class of Redis's client-output-buffer-limit: a client
// whose pending output exceeds Hard bytes, or stays above Soft bytes for
// SoftFor, is disconnected. Zero values disable the respective limit.
type BufferLimit struct {
	Hard, Soft int64
	SoftFor    time.Duration
}

// DefaultPubSubLimit is Redis's limit for pub/sub clients (32mb 8mb 60).
var DefaultPubSubLimit = BufferLimit{Hard: 32 << 20, Soft: 8 << 20, SoftFor: 60 * time.Second}

// Config configures a Server. The zero value serves on DefaultAddr with
// Redis's default limits, no password and protected mode off. Fields
// that Redis lets CONFIG SET change (RequirePass, MaxClients, Timeout,
// ProtectedMode, the limits, the slow log) are only initial values.
type Config struct {
	// Addrs are the TCP addresses ListenAndServe listens on, as host:port.
	// An address prefixed with "-" is optional: it is skipped when it
	// cannot be bound, as in redis.conf's bind. Empty means DefaultAddr,
	// unless UnixSocket is set.
	Addrs []string
	// UnixSocket, if set, is a Unix socket path ListenAndServe listens on
	// too (a stale file is removed first); UnixSocketPerm, if non-zero, is
	// its mode.
	UnixSocket     string
	UnixSocketPerm os.FileMode

	// IOThreads is the number of event loops serving connections (Linux;
	// 0 means 1, as redis-server's io-threads default). Each loop is one
	// goroutine that waits for input on many connections with one epoll
	// call, as Redis's main thread does; commands of different loops run
	// in parallel. A connection that must wait (blocking commands,
	// SUBSCRIBE, MONITOR; any command under appendfsync always or while an
	// embedded subscription makes publishers wait for room) moves to a
	// goroutine of its own. Negative gives
	// every connection its own goroutine from the start, the only mode on
	// other systems.
	IOThreads int

	// IOPoll is how long an event loop keeps looking for input after a
	// round that had some, in naps of a few microseconds, before it
	// blocks in epoll_wait (Linux): 0 means DefaultIOPoll; negative
	// turns it off. A client whose next request arrives meanwhile finds the
	// loop awake and need not wake it, which costs the client's CPU a
	// cross-CPU wake-up per request batch (redis-benchmark at -P 16 spent
	// 16 % more CPU against a blocking loop than against Redis's). The
	// price is the naps' wake-ups on the loop's own CPU after each busy
	// round: at most IOPoll / 3 µs of them.
	IOPoll time.Duration

	// RequirePass is the default user's password; empty means none.
	RequirePass string
	// ProtectedMode refuses clients that are not on the loopback interface
	// or a Unix socket while no password is set (redis-server's default is
	// on; cmd/kevy turns it on).
	ProtectedMode bool
	// MaxClients caps simultaneous connections (0: DefaultMaxClients).
	MaxClients int
	// Timeout closes a client idle that long (0: never), as Redis's
	// timeout (whole seconds when read back with CONFIG GET).
	Timeout time.Duration

	// ProtoMaxBulkLen is the largest accepted bulk argument (0: 512 MB).
	ProtoMaxBulkLen int64
	// ClientQueryBufferLimit caps the unparsed input a client may have
	// buffered (0: 1 GB).
	ClientQueryBufferLimit int64
	// NormalOutputLimit limits the pending output of normal clients
	// (including MONITOR clients); the zero value, Redis's default, is no
	// limit.
	NormalOutputLimit BufferLimit
	// PubSubOutputLimit limits the pending output of pub/sub clients; nil
	// means DefaultPubSubLimit.
	PubSubOutputLimit *BufferLimit

	// SlowlogSlowerThan is the execution time from which a command is
	// recorded in the slow log (0: DefaultSlowlogSlowerThan; negative:
	// never). SlowlogMaxLen bounds the log (0: DefaultSlowlogMaxLen).
	SlowlogSlowerThan time.Duration
	SlowlogMaxLen     int

	// Persistence answers SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE, SHUTDOWN's
	// save and INFO persistence. Nil: SAVE and friends reply an error.
	Persistence Persistence

	// Logger receives connection-level warnings and notices; nil discards
	// them.
	Logger *slog.Logger

	// ConfigFile is reported by INFO server (config_file).
	ConfigFile string
	// ExtraParams are reported, read-only, by CONFIG GET for parameters
	// the server does not own (persistence and memory options that the
	// program applies elsewhere), e.g. {"appendonly": "no"}. Parameters the
	// server or the store's engine know take precedence.
	ExtraParams map[string]string
}

// ShutdownMode says what SHUTDOWN asks of persistence.
type ShutdownMode int

// Shutdown modes.
const (
	ShutdownDefault ShutdownMode = iota // save if save points are configured
	ShutdownSave                        // SHUTDOWN SAVE: always save
	ShutdownNoSave                      // SHUTDOWN NOSAVE: never save
)

// Persistence is what the server asks of the persistence layer. Every
// method may be called from any connection's goroutine.
type Persistence interface {
	// Save writes a snapshot synchronously (SAVE).
	Save() error
	// BackgroundSave starts a snapshot in the background (BGSAVE); it
	// returns an error whose text is the reply when one cannot start,
	// e.g. "ERR Background save already in progress".
	BackgroundSave() error
	// RewriteAOF starts an append-only-file rewrite (BGREWRITEAOF).
	RewriteAOF() error
	// LastSave returns the time of the last successful save (LASTSAVE).
	LastSave() time.Time
	// Shutdown flushes the logs and saves as mode asks, before the server
	// stops for SHUTDOWN. An error cancels the shutdown.
	Shutdown(mode ShutdownMode) error
	// Info returns the lines of INFO's Persistence section, each ending
	// in "\r\n", without the section header.
	Info() string
}

// ErrNoPersistence is the reply of SAVE, BGSAVE and BGREWRITEAOF when the
// server has no Persistence.
var ErrNoPersistence = errors.New("ERR persistence is not enabled on this server")

func (c *Config) maxClients() int64 {
	if c.MaxClients > 0 {
		return int64(c.MaxClients)
	}
	return DefaultMaxClients
}

func orInt64(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}
