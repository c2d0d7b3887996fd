package engine

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/kevy-go/kevy/internal/resp"
)

// Journal is a shard's log buffer: the effect of every write, encoded as a
// RESP command, appended while the writer holds the shard lock, so the
// buffer's order is the shard's order of writes. The persistence layer
// drains it to the shard's append-only file (Take, with the shard lock) and
// reports what reached the disk (MarkWritten, MarkDurable).
//
// Positions are byte counts since the journal was created (log sequence
// numbers): a write's position is the journal's length right after its
// effect was appended.
type Journal struct {
	// Fields below are protected by the owning shard's lock.
	buf      []byte
	appended uint64 // bytes ever appended
	// FlushAt is the buffered size at which a writer wakes the flusher
	// early (0: only on every append, as FsyncAlways needs).
	FlushAt int

	// Wake is signalled (without blocking) when the flusher has work.
	Wake chan struct{}

	failed atomic.Bool // err != nil, readable without mu on the write path

	mu      sync.Mutex // protects durable and err
	cond    sync.Cond
	durable uint64 // bytes known to be on stable storage
	err     error  // the last write or sync failure, until one succeeds
}

// NewJournal returns an empty journal.
func NewJournal() *Journal {
	j := &Journal{Wake: make(chan struct{}, 1)}
	j.cond.L = &j.mu
	return j
}

// append encodes one command. Shard lock held.
func (j *Journal) append(args []string) {
	n := len(j.buf)
	j.reserve(resp.CommandLen(args...))
	j.buf = resp.AppendCommand(j.buf, args...)
	j.appended += uint64(len(j.buf) - n)
	j.poke()
}

// setPrefix is the start of every SET key val record.
const setPrefix = "*3\r\n$3\r\nSET\r\n"

// appendSet encodes SET key val, the most common record. Shard lock held.
func (j *Journal) appendSet(key, val string) {
	n := len(j.buf)
	j.reserve(len(setPrefix) + len(key) + len(val) + 30)
	j.buf = append(j.buf, setPrefix...)
	j.buf = resp.AppendBulk(j.buf, key)
	j.buf = resp.AppendBulk(j.buf, val)
	j.appended += uint64(len(j.buf) - n)
	j.poke()
}

// appendv encodes cmd key rest... without building a slice. Shard lock held.
func (j *Journal) appendv(cmd, key string, rest []string) {
	n := len(j.buf)
	size := 32 + len(cmd) + len(key)
	for _, a := range rest {
		size += 16 + len(a)
	}
	j.reserve(size)
	j.buf = resp.AppendArrayLen(j.buf, 2+len(rest))
	j.buf = resp.AppendBulk(j.buf, cmd)
	j.buf = resp.AppendBulk(j.buf, key)
	for _, a := range rest {
		j.buf = resp.AppendBulk(j.buf, a)
	}
	j.appended += uint64(len(j.buf) - n)
	j.poke()
}

// reserve makes room for n more bytes, doubling the buffer when it must
// grow: a flusher that falls behind a write flood (its buffer handed over
// at Take is sized for the usual batch) would otherwise make append's
// growth policy (1.25x for large slices) copy the buffer again and again.
func (j *Journal) reserve(n int) {
	if cap(j.buf)-len(j.buf) >= n {
		return
	}
	nb := make([]byte, len(j.buf), 2*cap(j.buf)+n)
	copy(nb, j.buf)
	j.buf = nb
}

func (j *Journal) poke() {
	if len(j.buf) >= j.FlushAt {
		select {
		case j.Wake <- struct{}{}:
		default:
		}
	}
}

// Appended returns the journal's position. Shard lock held.
func (j *Journal) Appended() uint64 { return j.appended }

// Take hands the buffered bytes to the flusher, swapping in spare (which
// it may reuse), and returns them with the position they end at. Shard
// lock held.
func (j *Journal) Take(spare []byte) (data []byte, upto uint64) {
	data, j.buf = j.buf, spare[:0]
	return data, j.appended
}

// MarkDurable records that every byte up to upto is on stable storage, or
// the error that prevented it. Waiters wake either way.
func (j *Journal) MarkDurable(upto uint64, err error) {
	j.mu.Lock()
	j.failed.Store(err != nil)
	if err != nil {
		j.err = err
	} else {
		j.err = nil
		if upto > j.durable {
			j.durable = upto
		}
	}
	j.cond.Broadcast()
	j.mu.Unlock()
}

// WaitDurable blocks until position lsn is on stable storage; it returns
// the error of a failed write or sync instead.
func (j *Journal) WaitDurable(lsn uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.durable < lsn && j.err == nil {
		j.cond.Wait()
	}
	if j.durable < lsn {
		return j.err
	}
	return nil
}

// Err returns the last write or sync failure, nil once one succeeded.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// MISCONFError is Redis's reply to writes while the append-only file
// cannot be written.
func MISCONFError(err error) error {
	return &replyError{fmt.Sprintf("MISCONF Errors writing to the AOF file: %v", err)}
}

// ErrDurability wraps a failure to make a write durable under FsyncAlways.
var ErrDurability = errors.New("kevy: write applied in memory but not made durable")

// SyncPolicy says when a write is acknowledged relative to the disk.
type SyncPolicy int

// Sync policies (Redis's appendfsync).
const (
	SyncEverySec SyncPolicy = iota // acknowledged at once; fsync about once a second
	SyncAlways                     // acknowledged after its bytes are fsynced
	SyncNo                         // acknowledged at once; the OS decides when to write
)

// SetSyncPolicy sets the policy writes follow.
func (en *Engine) SetSyncPolicy(p SyncPolicy) { en.syncPolicy.Store(int32(p)) }

// SyncAlways reports whether writes wait for their fsync (SyncAlways).
func (en *Engine) SyncAlways() bool { return SyncPolicy(en.syncPolicy.Load()) == SyncAlways }

// refused returns the error a write must get before it runs: Redis's
// MISCONF while the shard's log cannot be written.
func (sh *Shard) refused() error {
	if j := sh.journal; j != nil && j.failed.Load() {
		if err := j.Err(); err != nil {
			return MISCONFError(err)
		}
	}
	return nil
}

// position returns the shard's journal position, 0 without a journal.
// Lock held.
func (sh *Shard) position() uint64 {
	if sh.journal == nil {
		return 0
	}
	return sh.journal.appended
}

// settle waits, under FsyncAlways, until the shard's journal is durable up
// to lsn (a position read before the lock was released, after a write that
// moved it from before). No lock held.
func (sh *Shard) settle(before, lsn uint64) error {
	if lsn == before || sh.journal == nil || SyncPolicy(sh.en.syncPolicy.Load()) != SyncAlways {
		return nil
	}
	if err := sh.journal.WaitDurable(lsn); err != nil {
		return fmt.Errorf("%w: %v", ErrDurability, err)
	}
	return nil
}
