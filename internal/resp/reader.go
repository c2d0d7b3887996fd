// Package resp reads and writes the Redis serialization protocol (RESP2 and
// RESP3) the way Redis 7.0 does.
//
// A Reader parses requests on the server side (ReadCommand, which accepts
// multibulk and inline commands exactly as Redis's networking.c does, with the
// same limits and the same protocol error texts), commands from an append-only
// log (ReadStrictCommand) and replies on the client side (ReadValue, which
// models every RESP2 and RESP3 type as a Value).
//
// Replies and commands are written with append functions on []byte, which
// never allocate beyond growing the destination slice.
package resp

import (
	"errors"
	"io"
	"math"
)

// Default limits, matching Redis 7.0's defaults for authenticated clients.
const (
	// DefaultMaxBulkLen is the largest accepted bulk string, Redis's
	// proto-max-bulk-len default (512 MiB).
	DefaultMaxBulkLen = 512 * 1024 * 1024
	// DefaultMaxMultibulkLen is the largest accepted element count of a
	// multibulk request or aggregate reply. Redis 7.0 accepts up to INT_MAX
	// elements from an authenticated client; since the Reader allocates only
	// as data arrives, the same limit is safe here.
	DefaultMaxMultibulkLen = 1<<31 - 1
	// DefaultMaxInlineLen is the longest accepted line: an inline request, a
	// multibulk or bulk length header, or a reply line (Redis's
	// PROTO_INLINE_MAX_SIZE, 64 KiB).
	DefaultMaxInlineLen = 64 * 1024
)

const (
	// initialBufSize is the size of a Reader's first buffer.
	initialBufSize = 4096
	// maxRetainedBuf is the largest buffer a Reader keeps once it has been
	// drained; a bigger one (grown for a big request) is released.
	maxRetainedBuf = 256 * 1024
)

// Reader reads RESP requests or replies from an io.Reader through its own
// growable buffer. A Reader is not safe for concurrent use.
//
// The limit fields may be changed between calls; a zero value selects the
// default.
type Reader struct {
	// MaxBulkLen is the largest accepted bulk string length in bytes
	// (default DefaultMaxBulkLen).
	MaxBulkLen int64
	// MaxMultibulkLen is the largest accepted element count of a request or
	// aggregate reply (default DefaultMaxMultibulkLen).
	MaxMultibulkLen int64
	// MaxInlineLen is the longest accepted line in bytes (default
	// DefaultMaxInlineLen).
	MaxInlineLen int
	// Borrow, if set, is asked with the name of each multibulk command
	// read by ReadCommand or ReadCommandInto; when it reports true the
	// arguments are views of the Reader's buffer instead of a fresh
	// allocation, valid only until the next call of a Read method. The
	// name slice is valid only during the call.
	Borrow func(name []byte) bool

	rd      io.Reader
	buf     []byte
	r, w    int   // buf[r:w] holds buffered, unconsumed bytes
	offset  int64 // bytes consumed so far
	readErr error // an error returned by rd along with data, reported next
	err     error // sticky protocol error; the stream cannot be resynchronised

	spans []span // scratch: argument positions of the command being parsed

	generalHeaders bool   // tests: parse every header line without shortHeader
	scratch        []byte // scratch: unquoted inline arguments
}

// span is a half-open byte range [start, end).
type span struct {
	start, end int
}

// NewReader returns a Reader that reads from rd with the default limits.
func NewReader(rd io.Reader) *Reader {
	return &Reader{
		MaxBulkLen:      DefaultMaxBulkLen,
		MaxMultibulkLen: DefaultMaxMultibulkLen,
		MaxInlineLen:    DefaultMaxInlineLen,
		rd:              rd,
	}
}

// Buffered returns the number of bytes already read from the underlying
// reader but not yet consumed. A server can use it to tell whether another
// pipelined request is waiting before it flushes replies.
func (r *Reader) Buffered() int {
	return r.w - r.r
}

// Offset returns the number of bytes consumed so far: the position, in the
// underlying stream, just after the last complete command or value returned
// (or skipped). After an error it is the offset of the start of the request or
// value that could not be read.
func (r *Reader) Offset() int64 {
	return r.offset
}

// hardMaxBulkLen caps MaxBulkLen so that offset arithmetic cannot overflow.
const hardMaxBulkLen = math.MaxInt / 4

func (r *Reader) maxBulkLen() int64 {
	switch {
	case r.MaxBulkLen <= 0:
		return DefaultMaxBulkLen
	case r.MaxBulkLen > hardMaxBulkLen:
		return hardMaxBulkLen
	}
	return r.MaxBulkLen
}

func (r *Reader) maxMultibulkLen() int64 {
	if r.MaxMultibulkLen > 0 {
		return r.MaxMultibulkLen
	}
	return DefaultMaxMultibulkLen
}

func (r *Reader) maxInlineLen() int {
	if r.MaxInlineLen > 0 {
		return r.MaxInlineLen
	}
	return DefaultMaxInlineLen
}

// consume marks n buffered bytes as used.
func (r *Reader) consume(n int) {
	r.r += n
	r.offset += int64(n)
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
}

// fill reads more data into the buffer, keeping buf[r:w] (the bytes of the
// request being parsed) contiguous. The buffer grows only when it is full of
// unconsumed data, so its size is bounded by the data actually received, never
// by a length a peer announced. fill returns nil once at least one byte was
// added.
func (r *Reader) fill() error {
	if r.readErr != nil {
		err := r.readErr
		r.readErr = nil
		return err
	}
	if r.r == r.w {
		r.r, r.w = 0, 0
		if len(r.buf) > maxRetainedBuf {
			r.buf = nil
		}
	}
	if r.buf == nil {
		r.buf = make([]byte, initialBufSize)
	}
	if r.w == len(r.buf) {
		if r.r > 0 {
			r.w = copy(r.buf, r.buf[r.r:r.w])
			r.r = 0
		} else {
			grown := make([]byte, 2*len(r.buf))
			copy(grown, r.buf[:r.w])
			r.buf = grown
		}
	}
	for range 100 {
		n, err := r.rd.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			return errors.New("resp: reader returned an invalid count")
		}
		r.w += n
		if err != nil {
			if n > 0 {
				r.readErr = err
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// need makes sure at least n unconsumed bytes are buffered, reading as
// necessary. A clean end of the stream becomes io.ErrUnexpectedEOF, since the
// caller is in the middle of something.
func (r *Reader) need(n int) error {
	for r.w-r.r < n {
		if err := r.fill(); err != nil {
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// fail records a protocol error; every later read returns it too, because
// after a framing error the stream cannot be resynchronised.
func (r *Reader) fail(msg string) error {
	r.err = &ProtocolError{Msg: msg}
	return r.err
}

// parseInt parses a decimal integer as Redis's string2ll does: an optional
// minus sign, no plus sign, no leading zeros (except the single digit "0"),
// no spaces, and no overflow.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
