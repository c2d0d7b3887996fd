package keyspace

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// tombstone marks a deleted slot; probes continue past it.
var tombstone = &Entry{Key: "\x00tombstone"}

const minSlots = 8

type table struct {
	slots []atomic.Pointer[Entry]
	mask  uint64
}

// Dict is one shard's keyspace: a linear-probing table of *Entry with
// lock-free lookups (see the package doc), plus the TTL index used by active
// expiry and volatile eviction.
type Dict struct {
	tab   atomic.Pointer[table]
	seed  maphash.Seed
	count int // live entries; writer only
	tombs int // tombstones in the current table; writer only
	ttl   []*Entry
	// Version counts mutations of the key set (inserts, deletes, rebuilds);
	// writer only. SCAN and tests use it to notice change.
	Version uint64
	// Gen is the current snapshot generation: Insert stamps it on new
	// entries, so a snapshot started when Gen was raised can tell the keys
	// that existed at its start from those created after. Writer only.
	Gen uint16
	// InitAccess, if set, gives new entries their first access stamp.
	InitAccess func() uint32
}

// Slots is a frozen view of a dictionary's slot array, for a snapshot to
// walk by index: entries never move within a table, and a rebuild or Clear
// publishes a new table and leaves this one as it was.
type Slots struct{ t *table }

// Slots returns the current slot array. Writer (or lock holder) only.
func (d *Dict) Slots() Slots { return Slots{d.tab.Load()} }

// Len returns the number of slots.
func (s Slots) Len() int { return len(s.t.slots) }

// At returns the entry in slot i, or nil for an empty or deleted slot.
func (s Slots) At(i int) *Entry {
	e := s.t.slots[i].Load()
	if e == tombstone {
		return nil
	}
	return e
}

// NewDict returns an empty dictionary with its own hash seed.
func NewDict() *Dict {
	d := &Dict{seed: maphash.MakeSeed()}
	d.tab.Store(newTable(minSlots))
	return d
}

func newTable(n int) *table {
	return &table{slots: make([]atomic.Pointer[Entry], n), mask: uint64(n - 1)}
}

// Hash returns the dictionary hash of key.
func (d *Dict) Hash(key string) uint64 { return maphash.String(d.seed, key) }

// Len returns the number of keys. Writer (or lock holder) only.
func (d *Dict) Len() int { return d.count }

// Volatile returns the number of keys that carry a TTL. Writer (or lock holder) only.
func (d *Dict) Volatile() int { return len(d.ttl) }

// Lookup returns the entry for key, or nil. It is lock-free and may run
// concurrently with the writer. An entry it returns may be expired: callers
// check Snapshot().Expired.
func (d *Dict) Lookup(key string, h uint64) *Entry {
	t := d.tab.Load()
	i := h & t.mask
	for {
		e := t.slots[i].Load()
		if e == nil {
			return nil
		}
		if e.hash == h && e.Key == key && e != tombstone {
			return e
		}
		i = (i + 1) & t.mask
	}
}

// Insert publishes e, whose key must not be present. Writer only.
func (d *Dict) Insert(e *Entry) {
	t := d.tab.Load()
	if (d.count+d.tombs+1)*4 > len(t.slots)*3 {
		t = d.rebuild(d.count + 1)
	}
	i := e.hash & t.mask
	for {
		s := t.slots[i].Load()
		if s == nil || s == tombstone {
			if s == tombstone {
				d.tombs--
			}
			if e.exp.Load() != 0 {
				d.indexTTL(e)
			}
			e.Gen = d.Gen
			if d.InitAccess != nil && e.Access.Load() == 0 {
				e.Access.Store(d.InitAccess())
			}
			t.slots[i].Store(e)
			d.count++
			d.Version++
			return
		}
		i = (i + 1) & t.mask
	}
}

// Delete removes e, which must be present. Readers that already hold e keep
// a valid (now detached) entry. Writer only.
func (d *Dict) Delete(e *Entry) {
	t := d.tab.Load()
	i := e.hash & t.mask
	for {
		s := t.slots[i].Load()
		if s == nil {
			return // not present; nothing to do
		}
		if s == e {
			t.slots[i].Store(tombstone)
			d.count--
			d.tombs++
			d.unindexTTL(e)
			d.Version++
			if d.count*8 < len(t.slots) && len(t.slots) > minSlots {
				d.rebuild(d.count)
			} else if d.tombs > len(t.slots)/4 {
				d.rebuild(d.count)
			}
			return
		}
		i = (i + 1) & t.mask
	}
}

// Clear removes every key. Writer only.
func (d *Dict) Clear() {
	d.tab.Store(newTable(minSlots))
	d.count, d.tombs = 0, 0
	for _, e := range d.ttl {
		e.ttlIdx = 0
	}
	d.ttl = nil
	d.Version++
}

// rebuild publishes a fresh table sized for n live keys (load <= 1/2 after a
// rebuild) without tombstones. Readers on the old table stay correct: it is
// never modified again.
func (d *Dict) rebuild(n int) *table {
	size := minSlots
	for size < n*2 {
		size <<= 1
	}
	old := d.tab.Load()
	t := newTable(size)
	for i := range old.slots {
		e := old.slots[i].Load()
		if e == nil || e == tombstone {
			continue
		}
		j := e.hash & t.mask
		for t.slots[j].Load() != nil {
			j = (j + 1) & t.mask
		}
		t.slots[j].Store(e)
	}
	d.tombs = 0
	d.Version++
	d.tab.Store(t)
	return t
}

// SetExpire sets e's deadline (Unix ms; 0 removes it) and keeps the TTL
// index in step. Writer only.
func (d *Dict) SetExpire(e *Entry, at int64) {
	if e.exp.Load() == at {
		return
	}
	e.seq.Add(1)
	e.exp.Store(at)
	e.seq.Add(1)
	if at == 0 {
		d.unindexTTL(e)
	} else {
		d.indexTTL(e)
	}
}

func (d *Dict) indexTTL(e *Entry) {
	if e.ttlIdx != 0 {
		return
	}
	d.ttl = append(d.ttl, e)
	e.ttlIdx = int32(len(d.ttl))
}

func (d *Dict) unindexTTL(e *Entry) {
	if e.ttlIdx == 0 {
		return
	}
	i := int(e.ttlIdx - 1)
	last := len(d.ttl) - 1
	if i != last {
		d.ttl[i] = d.ttl[last]
		d.ttl[i].ttlIdx = int32(i + 1)
	}
	d.ttl[last] = nil
	d.ttl = d.ttl[:last]
	e.ttlIdx = 0
	if cap(d.ttl) > 64 && len(d.ttl) < cap(d.ttl)/4 {
		d.ttl = append([]*Entry(nil), d.ttl...)
	}
}

// RandomVolatile returns a uniformly random key that carries a TTL, or nil.
// Writer (or lock holder) only.
func (d *Dict) RandomVolatile() *Entry {
	if len(d.ttl) == 0 {
		return nil
	}
	return d.ttl[rand.IntN(len(d.ttl))]
}

// Random returns a random live entry, or nil if the dictionary is empty.
// It draws uniform slots until one holds an entry (about 1/load tries; the
// table is at most 3/4 full and, between rebuilds, rarely below 3/8), so
// every key is equally likely: walking forward from one random slot would
// favour the keys after long gaps, and eviction sampling would keep keys
// inside long runs almost regardless of use. After many misses (a table
// left sparse by deletes) it walks forward from the last draw. Writer (or
// lock holder) only.
func (d *Dict) Random() *Entry {
	if d.count == 0 {
		return nil
	}
	t := d.tab.Load()
	i := rand.Uint64() & t.mask
	for range 64 {
		if e := t.slots[i].Load(); e != nil && e != tombstone {
			return e
		}
		i = rand.Uint64() & t.mask
	}
	for {
		if e := t.slots[i].Load(); e != nil && e != tombstone {
			return e
		}
		i = (i + 1) & t.mask
	}
}

// All calls fn for each entry until fn returns false. The dictionary must not
// be mutated during the walk. Writer (or lock holder) only.
func (d *Dict) All(fn func(e *Entry) bool) {
	t := d.tab.Load()
	for i := range t.slots {
		if e := t.slots[i].Load(); e != nil && e != tombstone {
			if !fn(e) {
				return
			}
		}
	}
}

// Scan visits the keys whose home bucket is the cursor's and following ones
// until at least count keys were visited or the table was covered, and
// returns the next cursor (0 when done). Like Redis's dictScan, it reverses
// the cursor's bits to increment it, so a key present for the whole scan is
// returned at least once even if the table is resized between calls.
// Writer (or lock holder) only.
func (d *Dict) Scan(cursor uint64, count int, fn func(e *Entry)) uint64 {
	t := d.tab.Load()
	mask := t.mask
	visited := 0
	for {
		b := cursor & mask
		for i := b; ; i = (i + 1) & mask {
			e := t.slots[i].Load()
			if e == nil {
				break
			}
			if e != tombstone && e.hash&mask == b {
				fn(e)
				visited++
			}
		}
		// Increment the reversed cursor over the bits of mask.
		cursor |= ^mask
		cursor = bits.Reverse64(cursor)
		cursor++
		cursor = bits.Reverse64(cursor)
		if cursor == 0 || visited >= count {
			return cursor
		}
	}
}

// Overhead returns the bytes the dictionary itself uses beyond key and value
// data: slots, entries and the TTL index.
func (d *Dict) Overhead() int {
	t := d.tab.Load()
	return len(t.slots)*8 + d.count*int(unsafe.Sizeof(Entry{})) + cap(d.ttl)*8
}

// Expirable returns the TTL index. The slice is owned by the dictionary and
// valid until the next mutation. Writer (or lock holder) only.
func (d *Dict) Expirable() []*Entry { return d.ttl }
