package engine

import (
	"errors"
	"fmt"
)

// Errors whose text is the exact Redis reply (without the leading '-').
// The public package re-exports them; callers match with errors.Is.
var (
	ErrNotFound     = errors.New("kevy: key not found")
	ErrClosed       = errors.New("kevy: store is closed")
	ErrWrongType    = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")
	ErrNotInteger   = errors.New("ERR value is not an integer or out of range")
	ErrNotFloat     = errors.New("ERR value is not a valid float")
	ErrOverflow     = errors.New("ERR increment or decrement would overflow")
	ErrSyntax       = errors.New("ERR syntax error")
	ErrNoSuchKey    = errors.New("ERR no such key")
	ErrOutOfRange   = errors.New("ERR index out of range")
	ErrNaNOrInf     = errors.New("ERR increment would produce NaN or Infinity")
	ErrHashNotInt   = errors.New("ERR hash value is not an integer")
	ErrHashNotFloat = errors.New("ERR hash value is not a float")
	ErrStringTooBig = errors.New("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	ErrBitOffset    = errors.New("ERR bit offset is not an integer or out of range")
	ErrOOM          = errors.New("OOM command not allowed when used memory > 'maxmemory'.")
	ErrCrossShard   = errors.New("kevy: key belongs to a shard this transaction does not hold")
	ErrPositive     = errors.New("ERR value is out of range, must be positive")
	ErrTimeout      = errors.New("ERR timeout is not a float or out of range")
)

// ArityOK reports whether n arguments, the command's name included, fit
// arity as Redis counts it: exactly arity when positive, at least -arity
// when negative.
func ArityOK(arity, n int) bool { return (arity <= 0 || n == arity) && n >= -arity }

// ArityError is Redis's reply for a wrong argument count.
func ArityError(name string) error {
	return fmt.Errorf("ERR wrong number of arguments for '%s' command", name)
}

// ExpireError is Redis's reply for a non-positive or overflowing TTL.
func ExpireError(cmd string) error {
	return fmt.Errorf("ERR invalid expire time in '%s' command", cmd)
}
