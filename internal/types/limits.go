package types

import "sync/atomic"

// Redis 7.0's default encoding thresholds (what CONFIG GET reports for a
// redis-server 7.0 started without a configuration file).
const (
	// DefaultHashMaxListpackEntries is the default hash-max-listpack-entries.
	DefaultHashMaxListpackEntries = 512
	// DefaultHashMaxListpackValue is the default hash-max-listpack-value.
	DefaultHashMaxListpackValue = 64
	// DefaultSetMaxIntsetEntries is the default set-max-intset-entries.
	DefaultSetMaxIntsetEntries = 512
)

// Limits holds the thresholds at which small encodings convert to
// hashtables (the hash-max-listpack-* and set-max-intset-entries settings).
// Containers read them on every insertion, so a CONFIG SET takes effect for
// existing keys too, as in Redis. The fields are atomic: they may be changed
// while other goroutines use containers that refer to them.
type Limits struct {
	// HashMaxListpackEntries is the largest field count of a listpack hash.
	HashMaxListpackEntries atomic.Int64
	// HashMaxListpackValue is the longest field or value of a listpack hash.
	HashMaxListpackValue atomic.Int64
	// SetMaxIntsetEntries is the largest member count of an intset.
	SetMaxIntsetEntries atomic.Int64
}

// NewLimits returns Limits holding Redis 7.0's defaults.
func NewLimits() *Limits {
	l := new(Limits)
	l.HashMaxListpackEntries.Store(DefaultHashMaxListpackEntries)
	l.HashMaxListpackValue.Store(DefaultHashMaxListpackValue)
	l.SetMaxIntsetEntries.Store(DefaultSetMaxIntsetEntries)
	return l
}

// DefaultLimits is used by containers created with nil Limits. Changing it
// affects every such container in the process.
var DefaultLimits = NewLimits()

// orDefault returns l, or DefaultLimits when l is nil.
func (l *Limits) orDefault() *Limits {
	if l == nil {
		return DefaultLimits
	}
	return l
}
