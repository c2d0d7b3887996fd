package kevy

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/rdb"
)

// Redis's RDB file as an export and import format, independent of
// Options.Dir: WriteRDB writes the keyspace as one dump.rdb that
// redis-server 7.0 loads, LoadRDB loads one that Redis (6.0 to 7.0) or
// WriteRDB wrote. The kevy server uses them for redis-server's default
// persistence (save points and dump.rdb) when the append-only log is off.

// rdbBatch is how many keys WriteRDB copies per hold of a shard's lock.
const rdbBatch = 256

// snapshots serializes the shard snapshots of stores without Options.Dir:
// a shard takes one snapshot at a time. (With Dir, the persistence layer
// serializes them with its own.)
var snapshots sync.Mutex

// ErrLoadWithDir is returned by LoadRDB on a store with Options.Dir: keys
// loaded that way would not reach its log.
var ErrLoadWithDir = errors.New("kevy: LoadRDB needs a store without Options.Dir (the keys would not be logged)")

// WriteRDB writes the keyspace to w as a Redis RDB file (version 10, as
// Redis 7.0 writes it, checksummed) and returns the number of keys
// written. Each shard is copied as of one instant while writers keep
// going (a shard's writers wait for one batch of keys at most); with
// several shards those instants follow one another. Keys already expired
// are left out. w is not closed or synced.
func (s *Store) WriteRDB(w io.Writer) (keys int, err error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	run := func() error {
		keys, err = s.writeRDB(w)
		return err
	}
	if s.c.ps != nil {
		err = s.c.ps.Exclusive(run)
	} else {
		snapshots.Lock()
		err = run()
		snapshots.Unlock()
	}
	return keys, err
}

func (s *Store) writeRDB(out io.Writer) (keys int, err error) {
	w, err := rdb.NewWriter(out, 0)
	if err != nil {
		return 0, err
	}
	if err := w.SelectDB(0, 0, 0); err != nil {
		return 0, err
	}
	var buf []engine.SnapItem
	for i := range s.en.ShardCount() {
		sh := s.en.Shard(i)
		sh.Lock()
		snap := sh.BeginSnapshot()
		sh.Unlock()
		for done := false; !done; {
			if s.closed.Load() {
				snap.Close()
				return keys, ErrClosed
			}
			buf, done = snap.Next(buf[:0], rdbBatch)
			for _, it := range buf {
				if err := w.WriteEntry(rdb.Entry{Key: it.Key, Object: it.Obj, ExpireAtMs: it.ExpireAt}); err != nil {
					snap.Close()
					return keys, err
				}
				keys++
			}
			clear(buf)
		}
	}
	return keys, w.Close()
}

// LoadRDB reads a Redis RDB file from r and stores its keys, replacing
// keys of the same names, and returns how many it stored. Keys already
// expired are skipped, as Redis skips them when it loads; so are keys
// holding empty collections. A file with keys in a database other than 0,
// or a malformed one, gives an error naming the offset; the keys read
// before it stay stored. Loading emits no key events and counts no changes
// (Changes). The store must not have Options.Dir (ErrLoadWithDir).
func (s *Store) LoadRDB(r io.Reader) (keys int, err error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if s.c.ps != nil {
		return 0, ErrLoadWithDir
	}
	rd := rdb.NewReader(r)
	n := s.en.ShardCount()
	for {
		e, err := rd.Next()
		if err == io.EOF {
			if fn := rd.Functions(); len(fn) > 0 && s.c.opts.Logger != nil {
				s.c.opts.Logger.Warn("kevy: the RDB file holds function libraries, which kevy does not run", "libraries", len(fn))
			}
			return keys, nil
		}
		if err != nil {
			return keys, fmt.Errorf("kevy: loading RDB: %w", err)
		}
		if e.DB != 0 {
			return keys, fmt.Errorf("kevy: loading RDB: key %q is in database %d at offset %d; kevy serves database 0 only", e.Key, e.DB, rd.Offset())
		}
		if e.ExpireAtMs != 0 && e.ExpireAtMs <= s.en.Now() {
			continue
		}
		sh := s.en.Shard(engine.ShardIndex(e.Key, n))
		sh.Lock()
		sh.LoadObject(e.Key, e.Object, e.ExpireAtMs)
		sh.Unlock()
		keys++
	}
}

// Changes returns how many changes writes have made to the keyspace since
// Open, one per key event (a SET, an LPUSH, a key expiring or evicted),
// which is what a snapshot policy such as Redis's save points counts.
// Loading (Open's from Options.Dir, LoadRDB) counts none.
func (s *Store) Changes() uint64 { return s.en.Changes() }
