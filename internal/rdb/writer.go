package rdb

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// RedisVersion is the redis-ver auxiliary field Writer stores by default.
const RedisVersion = "7.0.15"

var errClosed = errors.New("rdb: writer is closed")

type auxField struct{ key, value string }

// Writer writes an RDB file one entry at a time.
//
// The file starts with the header and the auxiliary fields Redis writes
// (redis-ver, redis-bits, ctime, used-mem, aof-base); WriteAux before the
// first entry overrides or adds to them. Close writes the EOF opcode and the
// CRC64 trailer. Output is buffered; nothing is complete until Close
// returns nil.
type Writer struct {
	enc     encoder
	bw      *bufio.Writer
	version int
	started bool // header and pending aux fields written
	closed  bool
	db      int // database of the last SELECTDB, -1 before the first
	aux     []auxField
}

// NewWriter returns a Writer producing RDB format version (0 means
// DefaultVersion; MinWriteVersion through DefaultVersion are accepted) on
// w. String compression is on, as with Redis's default rdbcompression yes.
func NewWriter(w io.Writer, version int) (*Writer, error) {
	if version == 0 {
		version = DefaultVersion
	}
	if version < MinWriteVersion || version > DefaultVersion {
		return nil, fmt.Errorf("rdb: cannot write version %d (supported: %d to %d)", version, MinWriteVersion, DefaultVersion)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	return &Writer{
		enc:     encoder{w: bw, compress: true},
		bw:      bw,
		version: version,
		db:      -1,
		aux: []auxField{
			{"redis-ver", RedisVersion},
			{"redis-bits", strconv.Itoa(strconv.IntSize)},
			{"ctime", strconv.FormatInt(time.Now().Unix(), 10)},
			{"used-mem", "0"},
			{"aof-base", "0"},
		},
	}, nil
}

// SetCompression turns LZF compression of long strings on or off, like
// Redis's rdbcompression setting.
func (w *Writer) SetCompression(on bool) { w.enc.compress = on }

// WriteAux stores an auxiliary field. Before the first entry it replaces a
// default field of the same name; afterwards it is written where it is.
func (w *Writer) WriteAux(key, value string) error {
	if w.closed {
		return errClosed
	}
	if !w.started {
		for i := range w.aux {
			if w.aux[i].key == key {
				w.aux[i].value = value
				return nil
			}
		}
		w.aux = append(w.aux, auxField{key, value})
		return nil
	}
	w.writeAux(key, value)
	return w.enc.err
}

func (w *Writer) writeAux(key, value string) {
	w.enc.writeByte(opAux)
	w.enc.writeString(key)
	w.enc.writeString(value)
}

func (w *Writer) start() {
	if w.started {
		return
	}
	w.started = true
	w.enc.writeRaw(fmt.Sprintf("REDIS%04d", w.version))
	for _, a := range w.aux {
		w.writeAux(a.key, a.value)
	}
	w.aux = nil
}

// SelectDB starts database db, announcing how many keys and how many keys
// with an expiry follow (size hints Redis uses to presize its tables; pass
// 0 if unknown). Calling it is optional: WriteEntry selects the database of
// each entry as needed.
func (w *Writer) SelectDB(db int, keys, expires uint64) error {
	if w.closed {
		return errClosed
	}
	if db < 0 || db > math.MaxInt32 {
		return fmt.Errorf("rdb: bad database number %d", db)
	}
	w.start()
	w.selectDB(db)
	w.enc.writeByte(opResizeDB)
	w.enc.writeLen(keys)
	w.enc.writeLen(expires)
	return w.enc.err
}

func (w *Writer) selectDB(db int) {
	w.enc.writeByte(opSelectDB)
	w.enc.writeLen(uint64(db))
	w.db = db
}

// WriteEntry writes one key. The object must be valid: a known kind, no
// empty collection, an even-length Hash and no NaN score. Members of sets
// and sorted sets and fields of hashes must be distinct; that is not
// checked, and Redis refuses to load a file with duplicates.
func (w *Writer) WriteEntry(e Entry) error {
	if w.closed {
		return errClosed
	}
	if w.enc.err != nil {
		return w.enc.err
	}
	if e.DB < 0 || e.DB > math.MaxInt32 {
		return fmt.Errorf("rdb: bad database number %d for key %q", e.DB, e.Key)
	}
	if err := validateObject(&e.Object); err != nil {
		return fmt.Errorf("rdb: key %q: %v", e.Key, err)
	}
	w.start()
	if e.DB != w.db {
		w.selectDB(e.DB)
	}
	if e.ExpireAtMs != 0 {
		w.enc.writeByte(opExpireTimeMs)
		w.enc.writeUint64LE(uint64(e.ExpireAtMs))
	}
	if e.HasLRUIdle {
		w.enc.writeByte(opIdle)
		w.enc.writeLen(e.LRUIdle)
	}
	if e.HasLFUFreq {
		w.enc.writeByte(opFreq)
		w.enc.writeByte(e.LFUFreq)
	}
	t, _ := objectType(e.Object.Kind)
	w.enc.writeByte(t)
	w.enc.writeString(e.Key)
	w.enc.writeObject(&e.Object)
	return w.enc.err
}

// Close finishes the file with the EOF opcode and the CRC64 trailer and
// flushes it. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return errClosed
	}
	w.closed = true
	w.start()
	w.enc.writeByte(opEOF)
	w.enc.writeUint64LE(w.enc.crc)
	if w.enc.err != nil {
		return w.enc.err
	}
	return w.bw.Flush()
}
