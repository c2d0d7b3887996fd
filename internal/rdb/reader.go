package rdb

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"math"
	"strconv"
)

// ChecksumError reports an RDB file whose CRC64 trailer does not match its
// contents.
type ChecksumError struct {
	Stored, Computed uint64
}

// Error formats the error as "rdb: checksum mismatch: file says %x, computed %x".
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("rdb: checksum mismatch: file says %x, computed %x", e.Stored, e.Computed)
}

// Reader reads the entries of an RDB file one at a time, so a whole
// dataset never needs to be in memory at once.
//
// Keys of every database are returned, each Entry naming its database;
// auxiliary fields and function libraries are collected on the side.
// Collections stored empty are skipped, as Redis skips them.
type Reader struct {
	d         decoder
	version   int
	started   bool
	err       error // sticky: set by the first error, or io.EOF at the end
	db        int
	aux       map[string]string
	functions []string
	skipped   int
	lastType  byte // RDB type of the last entry, for tests
}

// NewReader returns a Reader for the RDB file read from r. It reads
// nothing until the first call to Next.
func NewReader(r io.Reader) *Reader {
	return &Reader{
		d:   decoder{br: bufio.NewReaderSize(r, decodeBufLen)},
		aux: make(map[string]string),
	}
}

// Version returns the RDB format version from the file header, or 0 if the
// header has not been read yet.
func (r *Reader) Version() int { return r.version }

// Aux returns a copy of the auxiliary fields (redis-ver, ctime, ...) read so
// far. All of them precede the keys in files Redis writes.
func (r *Reader) Aux() map[string]string { return maps.Clone(r.aux) }

// Functions returns the source code of the function libraries read so far,
// in file order. kevy does not run them; callers may warn that they exist.
func (r *Reader) Functions() []string { return r.functions }

// EmptyKeysSkipped returns how many keys holding an empty collection were
// skipped so far.
func (r *Reader) EmptyKeysSkipped() int { return r.skipped }

// Offset returns the number of bytes consumed so far.
func (r *Reader) Offset() int64 { return r.d.off }

// Next returns the next entry. After the last entry it verifies the
// checksum (unless the file stores 0, meaning none was computed) and
// returns io.EOF. Errors are *FormatError, *ChecksumError or wrap the error
// of the underlying reader; once Next fails it keeps returning that error.
func (r *Reader) Next() (Entry, error) {
	if r.err != nil {
		return Entry{}, r.err
	}
	e, err := r.next()
	if err != nil {
		r.err = err
	}
	return e, err
}

func (r *Reader) next() (Entry, error) {
	d := &r.d
	if !r.started {
		if err := r.readHeader(); err != nil {
			return Entry{}, err
		}
		r.started = true
	}
	var e Entry
	for {
		opOff := d.off
		op, err := d.readByte()
		if err != nil {
			return Entry{}, err
		}
		switch op {
		case opExpireTimeMs:
			v, err := d.readUint64LE()
			if err != nil {
				return Entry{}, err
			}
			e.ExpireAtMs = max(int64(v), 1)
		case opExpireTime:
			v, err := d.readUint32LE()
			if err != nil {
				return Entry{}, err
			}
			e.ExpireAtMs = max(int64(int32(v))*1000, 1)
		case opIdle:
			if e.LRUIdle, err = d.readLen(); err != nil {
				return Entry{}, err
			}
			e.HasLRUIdle = true
		case opFreq:
			if e.LFUFreq, err = d.readByte(); err != nil {
				return Entry{}, err
			}
			e.HasLFUFreq = true
		case opSelectDB:
			db, err := d.readLen()
			if err != nil {
				return Entry{}, err
			}
			if db > math.MaxInt32 {
				return Entry{}, d.fail(opOff, "bad database number", "%d", db)
			}
			r.db = int(db)
		case opResizeDB:
			// Size hints only; a forged hint must not drive allocation.
			if _, err := d.readLen(); err != nil {
				return Entry{}, err
			}
			if _, err := d.readLen(); err != nil {
				return Entry{}, err
			}
		case opAux:
			k, err := d.readString()
			if err != nil {
				return Entry{}, err
			}
			v, err := d.readString()
			if err != nil {
				return Entry{}, err
			}
			r.aux[k] = v
		case opModuleAux:
			if err := d.skipModuleAux(); err != nil {
				return Entry{}, err
			}
		case opFunction2:
			code, err := d.readString()
			if err != nil {
				return Entry{}, err
			}
			r.functions = append(r.functions, code)
		case opFunctionPreGA:
			return Entry{}, d.fail(opOff, "unsupported RDB opcode 246 (function library of a 7.0 release candidate)", "")
		case opEOF:
			return Entry{}, r.readTrailer()
		default:
			key, err := d.readString()
			if err != nil {
				return Entry{}, err
			}
			obj, err := d.readObject(op, opOff)
			if err != nil {
				return Entry{}, err
			}
			r.lastType = op
			if obj.Kind != KindString && obj.Len() == 0 {
				r.skipped++
				e = Entry{}
				continue
			}
			e.DB, e.Key, e.Object = r.db, key, obj
			return e, nil
		}
	}
}

// readHeader reads "REDIS" and the four-digit version.
func (r *Reader) readHeader() error {
	p, err := r.d.peek(9)
	if err != nil {
		return err
	}
	if string(p[:5]) != "REDIS" {
		return r.d.fail(0, "bad header", "not an RDB file (starts %q)", p)
	}
	v, err := strconv.Atoi(string(p[5:]))
	if err != nil || v < 1 || p[5] == '+' || p[5] == '-' {
		return r.d.fail(5, "bad header", "version %q", p[5:])
	}
	if v > MaxVersion {
		return r.d.fail(5, "unsupported RDB version "+strconv.Itoa(v), "")
	}
	r.version = v
	return nil
}

// readTrailer checks the CRC64 that follows the EOF opcode in files of
// version 5 and later, and returns io.EOF if it matches or is 0.
func (r *Reader) readTrailer() error {
	if r.version < 5 {
		return io.EOF
	}
	computed := r.d.crc
	stored, err := r.d.readUint64LE()
	if err != nil {
		return err
	}
	if stored != 0 && stored != computed {
		return &ChecksumError{Stored: stored, Computed: computed}
	}
	return io.EOF
}
