package kevy

import "github.com/kevy-go/kevy/internal/engine"

// Errors returned by Store methods; match them with errors.Is. Errors that
// have a Redis twin carry Redis's exact reply text.
var (
	// ErrNotFound: the key (or field, or member) does not exist.
	ErrNotFound = engine.ErrNotFound
	// ErrClosed: the handle was closed.
	ErrClosed = engine.ErrClosed
	// ErrWrongType: "WRONGTYPE Operation against a key holding the wrong kind of value".
	ErrWrongType = engine.ErrWrongType
	// ErrNotInteger: "ERR value is not an integer or out of range".
	ErrNotInteger = engine.ErrNotInteger
	// ErrNotFloat: "ERR value is not a valid float".
	ErrNotFloat = engine.ErrNotFloat
	// ErrOverflow: "ERR increment or decrement would overflow".
	ErrOverflow = engine.ErrOverflow
	// ErrSyntax: "ERR syntax error".
	ErrSyntax = engine.ErrSyntax
	// ErrNoSuchKey: "ERR no such key" (RENAME of a missing key).
	ErrNoSuchKey = engine.ErrNoSuchKey
	// ErrCrossShard: a key passed to a With/WithKey/ForEachShard block routes
	// to a shard the block does not hold.
	ErrCrossShard = engine.ErrCrossShard
	// ErrOOM: "OOM command not allowed when used memory > 'maxmemory'.".
	ErrOOM = engine.ErrOOM
	// ErrOutOfRange: "ERR index out of range" (LSet past the list's end).
	ErrOutOfRange = engine.ErrOutOfRange
	// ErrBusyKey: "BUSYKEY Target key name already exists." (Restore without replace).
	ErrBusyKey = engine.ErrBusyKey
	// ErrDurability: a write was applied in memory but could not be made
	// durable under FsyncAlways (the error wraps the file-system failure).
	ErrDurability = engine.ErrDurability
)
