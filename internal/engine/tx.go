package engine

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy/internal/resp"
)

// Transactions: WATCH, MULTI/EXEC for connections (Multi, ExecMulti), and
// the shard holds that Store.Tx and pipelines commit through (Hold).
//
// EXEC holds the shards of every queued command's keys (and of the watched
// keys) exclusively, in ascending order, for the whole transaction, so no
// reader sees part of it. The effects each shard's journal receives during
// the transaction are wrapped in MULTI ... EXEC records, so replay applies a
// transaction wholly or not at all (see TxReplay): a transaction that wrote
// to one shard logs
//
//	MULTI, <effects>, EXEC
//
// and one that wrote to several logs, in each of them,
//
//	MULTI <id> <shard,shard,...>, <that shard's effects>, EXEC
//
// where id is random and the list names every shard the transaction wrote.
//
// WATCH: a watched key is modified when a key event names it (the mask of
// all classes but expired, evicted and keymiss), or when whether it exists
// (holds a live value) differs between WATCH and EXEC, which covers
// expiry, eviction and FLUSHALL as Redis 7.0 counts them: a key that had
// already expired at WATCH and is then reaped is not modified. Events reach
// the watch table after the writer released its shard locks, so a write
// that completed just before EXEC took its locks may be noticed too late;
// calling touchWatched from notify, under the writer's lock, closes that
// window:
//
//	if watchersActive.Load() != 0 {
//		sh.touchWatched(class, key)
//	}

// Redis's transaction errors.
var (
	errMultiNested    = errorf("ERR MULTI calls can not be nested")
	errExecNoMulti    = errorf("ERR EXEC without MULTI")
	errDiscardNoMulti = errorf("ERR DISCARD without MULTI")
	errWatchInMulti   = errorf("ERR WATCH inside MULTI is not allowed")
	errExecAbort      = errorf("EXECABORT Transaction discarded because of previous errors.")
	errMultiStateless = errorf("ERR MULTI needs a connection: use Store.Tx, or the server")
)

// execAbort is EXEC's reply when the transaction is refused at EXEC time.
func execAbort(err error) error {
	return errorf("EXECABORT Transaction discarded because of: %s", strings.TrimPrefix(ErrorText(err), "ERR "))
}

// watchClasses are the events that modify a watched key.
const watchClasses = ^(ClassExpired | ClassEvicted | ClassKeyMiss)

// watchersActive counts watched keys in every engine: the fast check of
// touchWatched's caller.
var watchersActive atomic.Int32

// watchTable maps watched keys to their watchers.
type watchTable struct {
	mu       sync.Mutex
	keys     map[string][]*Watch
	n        int    // registrations
	unlisten func() // set while n > 0
}

// Watch is one client's set of WATCHed keys. Create it with NewWatch; it is
// not safe for concurrent use (one connection, one goroutine), except that
// writers mark it modified concurrently.
type Watch struct {
	en    *Engine
	keys  map[string]bool // key -> it was live at WATCH
	dirty atomic.Bool
}

// NewWatch returns an empty watch set.
func (en *Engine) NewWatch() *Watch { return &Watch{en: en} }

// Add watches keys (WATCH key...).
func (w *Watch) Add(keys ...string) {
	t := &w.en.watch
	if w.keys == nil {
		w.keys = map[string]bool{}
	}
	for _, k := range keys {
		if _, ok := w.keys[k]; ok {
			continue
		}
		t.mu.Lock()
		if t.keys == nil {
			t.keys = map[string][]*Watch{}
		}
		t.keys[k] = append(t.keys[k], w)
		t.n++
		watchersActive.Add(1)
		if t.n == 1 {
			en := w.en
			t.unlisten = en.Listen(watchClasses, func(evs []Event) { en.watchTouched(evs) })
		}
		t.mu.Unlock()
		w.keys[k] = w.en.live(k)
	}
}

// live reports whether key holds a value whose TTL has not passed.
func (en *Engine) live(key string) bool {
	sh := en.ShardOf(key)
	sh.mu.RLock()
	e := sh.peek(key, en.Now())
	sh.mu.RUnlock()
	return e != nil
}

// Clear forgets every watched key (UNWATCH; EXEC and DISCARD do it too).
func (w *Watch) Clear() {
	if len(w.keys) == 0 {
		w.dirty.Store(false)
		return
	}
	t := &w.en.watch
	t.mu.Lock()
	for k := range w.keys {
		ws := t.keys[k]
		if i := slices.Index(ws, w); i >= 0 {
			ws = slices.Delete(ws, i, i+1)
		}
		if len(ws) == 0 {
			delete(t.keys, k)
		} else {
			t.keys[k] = ws
		}
		t.n--
		watchersActive.Add(-1)
	}
	if t.n == 0 && t.unlisten != nil {
		t.unlisten()
		t.unlisten = nil
	}
	t.mu.Unlock()
	clear(w.keys)
	w.dirty.Store(false)
}

// Keys returns the watched keys.
func (w *Watch) Keys() []string {
	out := make([]string, 0, len(w.keys))
	for k := range w.keys {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Changed reports whether a watched key was modified since it was watched.
// The watched keys' shards must be held (exclusively or shared).
func (w *Watch) Changed() bool {
	if w.dirty.Load() {
		return true
	}
	now := w.en.Now()
	for k, was := range w.keys {
		if (w.en.ShardOf(k).peek(k, now) != nil) != was {
			return true
		}
	}
	return false
}

// touchWatched marks the watchers of key modified by an event of class,
// synchronously: for notify to call under the writer's shard lock (see the
// top of this file). Expiry and eviction count through the liveness check.
func (sh *Shard) touchWatched(class EventClass, key string) {
	if class&watchClasses == 0 {
		return
	}
	t := &sh.en.watch
	t.mu.Lock()
	for _, w := range t.keys[key] {
		w.dirty.Store(true)
	}
	t.mu.Unlock()
}

// watchTouched marks the watchers of the keys evs name. No lock held.
func (en *Engine) watchTouched(evs []Event) {
	t := &en.watch
	t.mu.Lock()
	for _, e := range evs {
		for _, w := range t.keys[e.Key] {
			w.dirty.Store(true)
		}
	}
	t.mu.Unlock()
}

// Hold is a set of shards a transaction or a batch holds exclusively.
type Hold struct {
	en     *Engine
	idx    []int
	pos    []uint64 // journal positions when acquired
	start  []int    // journal buffer lengths when acquired
	wrap   bool
	unlock func()
}

// ShardsOf returns, ascending, the shards that running cmds needs held:
// those of their keys, every shard for a command that covers the whole
// keyspace (FLUSHALL, KEYS, DBSIZE...), and those of extra keys. Unknown
// commands need none.
func (en *Engine) ShardsOf(cmds [][]string, extra []string) []int {
	var idx []int
	add := func(k string) {
		if i := en.ShardOf(k).idx; !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	for _, args := range cmds {
		if len(args) == 0 {
			continue
		}
		cmd := Lookup(args[0])
		if cmd == nil {
			continue
		}
		keys := cmd.KeyIndexes(args)
		if cmd.Flags&FlagSelfLock != 0 && cmd.First == 0 && cmd.Keys == nil {
			return en.AllShards()
		}
		for _, i := range keys {
			add(args[i])
		}
	}
	for _, k := range extra {
		add(k)
	}
	slices.Sort(idx)
	return idx
}

// Hold acquires shards idx (ascending, distinct) exclusively, marked multi
// so lock-free readers wait for the release. With wrap, the journal records
// written while they are held are wrapped in MULTI/EXEC at Release, so
// replay applies them all or none.
func (en *Engine) Hold(idx []int, wrap bool) *Hold {
	h := &Hold{en: en, idx: idx, wrap: wrap, unlock: en.LockShards(idx, true, nil)}
	h.pos = make([]uint64, len(idx))
	h.start = make([]int, len(idx))
	for j, i := range idx {
		sh := en.shards[i]
		h.pos[j] = sh.position()
		if sh.journal != nil {
			h.start[j] = len(sh.journal.buf)
		}
	}
	return h
}

// Shards returns the held shards, for Ctx.Held.
func (h *Hold) Shards() []int { return h.idx }

// CheckWrite returns the error a write to shards idx gets before it runs,
// as Write's: with grow, ErrOOM when the store is over maxmemory and nothing
// can be evicted; MISCONF while a shard's log cannot be written. No lock
// may be held.
func (en *Engine) CheckWrite(idx []int, grow bool) error {
	if grow {
		if err := en.freeMemory(); err != nil {
			return err
		}
	}
	return en.refusedAny(idx)
}

// refusedAny returns the error writes get before they run (MISCONF) on
// any of shards idx.
func (en *Engine) refusedAny(idx []int) error {
	for _, i := range idx {
		if err := en.shards[i].refused(); err != nil {
			return err
		}
	}
	return nil
}

// Release wraps the transaction's journal records (see Hold), releases the
// shards, which delivers the key events (serving blocked callers, marking
// watchers), and waits, under FsyncAlways, until the writes are durable.
func (h *Hold) Release() error {
	var wrote []int
	for j, i := range h.idx {
		if h.en.shards[i].position() != h.pos[j] {
			wrote = append(wrote, j)
		}
	}
	if h.wrap && len(wrote) > 0 {
		begin := []string{"MULTI"}
		if len(wrote) > 1 {
			ids := make([]string, len(wrote))
			for n, j := range wrote {
				ids[n] = strconv.Itoa(h.idx[j])
			}
			id := h.en.nextTxID()
			for _, j := range wrote {
				h.en.shards[h.idx[j]].txMark = id
			}
			begin = append(begin, FormatTxID(id), strings.Join(ids, ","))
		}
		for _, j := range wrote {
			h.en.shards[h.idx[j]].journal.wrapTx(h.start[j], begin)
		}
	}
	spans := make([]settleSpan, 0, len(wrote))
	for _, j := range wrote {
		sh := h.en.shards[h.idx[j]]
		spans = append(spans, settleSpan{sh, h.pos[j], sh.position()})
	}
	h.unlock()
	return settleAll(spans)
}

// wrapTx puts the records appended since buffer offset start between a
// begin record and an EXEC record. Shard lock held (the buffer cannot have
// been taken since start).
func (j *Journal) wrapTx(start int, begin []string) {
	effects := slices.Clone(j.buf[start:])
	n := len(j.buf)
	j.buf = resp.AppendCommand(j.buf[:start], begin...)
	j.buf = append(j.buf, effects...)
	j.buf = resp.AppendCommand(j.buf, "EXEC")
	j.appended += uint64(len(j.buf) - n)
	j.poke()
}

// ExecMulti runs a queued transaction, as EXEC does, replying through w:
// Redis's array of the commands' replies (errors inside it), or a null
// array when a key of watch (nil: none) was modified since it was watched,
// or EXECABORT when a queued command may grow memory and the store is over
// maxmemory, or one writes while a log cannot be written. The commands were
// checked when queued (Multi.Queue). Commands the engine does not know are
// passed to server (the RESP server's own commands); nil replies unknown
// command. Blocking commands run as their non-blocking forms.
//
// The returned error is not a reply: the transaction was applied but did
// not become durable (FsyncAlways); the caller replies it instead of the
// array, as for Ctx.Err.
func (en *Engine) ExecMulti(cmds [][]string, w Writer, watch *Watch, server func(args []string, w Writer)) error {
	var flags Flag
	for _, args := range cmds {
		if cmd := Lookup(args[0]); cmd != nil {
			flags |= cmd.Flags
		}
	}
	var watched []string
	if watch != nil {
		watched = watch.Keys()
	}
	idx := en.ShardsOf(cmds, watched)
	if flags&FlagDenyOOM != 0 {
		if err := en.freeMemory(); err != nil {
			w.WriteError(execAbort(err))
			return nil
		}
	}
	if flags&FlagWrite != 0 {
		if err := en.refusedAny(idx); err != nil {
			w.WriteError(execAbort(err))
			return nil
		}
	}
	h := en.Hold(idx, true)
	if watch != nil && watch.Changed() {
		h.Release()
		w.WriteNullArray()
		return nil
	}
	w.WriteArray(len(cmds))
	for _, args := range cmds {
		if Lookup(args[0]) == nil {
			if server != nil {
				server(args, w)
			} else {
				w.WriteError(errUnknownCommand(args[0], args[1:]))
			}
			continue
		}
		c := Ctx{Args: args, W: w, Held: idx}
		en.Exec(&c)
	}
	return h.Release()
}

// Multi is one connection's transaction state: MULTI, the queued commands
// and the WATCHed keys. The server keeps one per connection and passes
// every command to Handle first. Not safe for concurrent use.
type Multi struct {
	en     *Engine
	active bool
	failed bool
	queue  [][]string
	watch  *Watch

	// ServerArity, if set, returns the arity of a command the engine does
	// not know but the server does (ok false: unknown), so it can be
	// queued; ServerRun runs it inside EXEC.
	ServerArity func(name string) (arity int, ok bool)
	ServerRun   func(args []string, w Writer)
}

// NewMulti returns a connection's transaction state.
func (en *Engine) NewMulti() *Multi { return &Multi{en: en} }

// Active reports whether MULTI was called and EXEC or DISCARD not yet.
func (m *Multi) Active() bool { return m.active }

// Fail marks the transaction so EXEC replies EXECABORT, as Redis does after
// a command is rejected while queueing (the server calls it when it rejects
// a command itself, e.g. NOAUTH).
func (m *Multi) Fail() {
	if m.active {
		m.failed = true
	}
}

// Len returns the number of commands queued.
func (m *Multi) Len() int { return len(m.queue) }

// Watching reports whether keys are watched.
func (m *Multi) Watching() bool { return m.watch != nil && len(m.watch.keys) > 0 }

// Close forgets the state and the watched keys (a disconnecting client).
func (m *Multi) Close() {
	m.reset()
	if m.watch != nil {
		m.watch.Clear()
	}
}

func (m *Multi) reset() {
	m.active, m.failed = false, false
	clear(m.queue)
	m.queue = m.queue[:0]
}

// Handle runs args if they are a transaction command (MULTI, EXEC, DISCARD,
// WATCH, UNWATCH) or if a transaction is open (the command is queued, or
// refused), replying through w; it returns false when args are for the
// caller to run. A non-nil error is EXEC's durability failure (see
// ExecMulti): the caller replies it instead of what w received.
func (m *Multi) Handle(args []string, w Writer) (bool, error) {
	if len(args) == 0 {
		return false, nil
	}
	name := args[0]
	arityOK := func(n int) bool { return ArityOK(n, len(args)) }
	switch {
	case equalFold(name, "multi"):
		switch {
		case !arityOK(1):
			w.WriteError(ArityError("multi"))
			m.Fail()
		case m.active:
			w.WriteError(errMultiNested)
		default:
			m.active = true
			w.WriteSimple("OK")
		}
		return true, nil
	case equalFold(name, "exec"):
		switch {
		case !arityOK(1) && m.active:
			w.WriteError(execAbort(ArityError("exec")))
			m.discard()
		case !arityOK(1):
			w.WriteError(ArityError("exec"))
		case !m.active:
			w.WriteError(errExecNoMulti)
		default:
			return true, m.exec(w)
		}
		return true, nil
	case equalFold(name, "discard"):
		switch {
		case !arityOK(1):
			w.WriteError(ArityError("discard"))
			m.Fail()
		case !m.active:
			w.WriteError(errDiscardNoMulti)
		default:
			m.discard()
			w.WriteSimple("OK")
		}
		return true, nil
	case equalFold(name, "watch"):
		switch {
		case !arityOK(-2):
			w.WriteError(ArityError("watch"))
			m.Fail()
		case m.active:
			w.WriteError(errWatchInMulti)
		default:
			m.Watch(args[1:]...)
			w.WriteSimple("OK")
		}
		return true, nil
	case !m.active && equalFold(name, "unwatch"):
		if !arityOK(1) {
			w.WriteError(ArityError("unwatch"))
		} else {
			m.Unwatch()
			w.WriteSimple("OK")
		}
		return true, nil
	}
	if !m.active {
		return false, nil
	}
	if err := m.Queue(args); err != nil {
		w.WriteError(err)
	} else {
		w.WriteSimple("QUEUED")
	}
	return true, nil
}

// Watch watches keys for the next EXEC.
func (m *Multi) Watch(keys ...string) {
	if m.watch == nil {
		m.watch = m.en.NewWatch()
	}
	m.watch.Add(keys...)
}

// Unwatch forgets the watched keys.
func (m *Multi) Unwatch() {
	if m.watch != nil {
		m.watch.Clear()
	}
}

// Queue checks args as Redis does before queueing (unknown command, arity,
// maxmemory) and queues them, or returns the error to reply and marks the
// transaction failed.
func (m *Multi) Queue(args []string) error {
	err := m.check(args)
	if err != nil {
		m.failed = true
		return err
	}
	m.queue = append(m.queue, slices.Clone(args))
	return nil
}

// CheckArgs returns the error Redis replies before running args at all:
// an unknown command, or a wrong number of arguments.
func CheckArgs(args []string) error {
	if len(args) == 0 {
		return errUnknownCommand("", nil)
	}
	cmd := Lookup(args[0])
	if cmd == nil {
		return errUnknownCommand(args[0], args[1:])
	}
	if !ArityOK(cmd.Arity, len(args)) {
		return ArityError(cmd.Name)
	}
	return nil
}

func (m *Multi) check(args []string) error {
	arity, name := 0, ""
	if cmd := Lookup(args[0]); cmd != nil {
		arity, name = cmd.Arity, cmd.Name
	} else if m.ServerArity != nil {
		a, ok := m.ServerArity(args[0])
		if !ok {
			return errUnknownCommand(args[0], args[1:])
		}
		arity, name = a, strings.ToLower(args[0])
	} else {
		return errUnknownCommand(args[0], args[1:])
	}
	if !ArityOK(arity, len(args)) {
		return ArityError(name)
	}
	// Queueing may use memory without limit: Redis refuses every command
	// while over maxmemory with nothing left to evict.
	return m.en.freeMemory()
}

func (m *Multi) discard() {
	m.reset()
	m.Unwatch()
}

func (m *Multi) exec(w Writer) error {
	defer m.discard()
	if m.failed {
		w.WriteError(errExecAbort)
		return nil
	}
	return m.en.ExecMulti(m.queue, w, m.watch, m.ServerRun)
}

// equalFold compares ASCII case-insensitively.
func equalFold(a, b string) bool {
	return len(a) == len(b) && equalFoldASCII(b, a)
}

func init() {
	const tx = FlagNoScript | FlagLoading | FlagStale
	register(
		&Command{Name: "multi", Arity: 1, Flags: tx | FlagFast, Run: multiCmd},
		&Command{Name: "exec", Arity: 1, Flags: tx, Run: execCmd},
		&Command{Name: "discard", Arity: 1, Flags: tx | FlagFast, Run: discardCmd},
		&Command{Name: "watch", Arity: -2, Flags: tx | FlagFast | FlagSelfLock, First: 1, Last: -1, Step: 1, Run: watchCmd},
		&Command{Name: "unwatch", Arity: 1, Flags: tx | FlagFast, Run: unwatchCmd},
	)
}

// The table's entries run without connection state (Store.Do, or replay
// inside held shards): a connection's transaction goes through Multi.
// Replayed MULTI and EXEC records are markers that reply OK.

func multiCmd(c *Ctx) {
	if c.Held != nil {
		c.ok()
		return
	}
	c.err(errMultiStateless)
}

func execCmd(c *Ctx) {
	if c.Held != nil {
		c.ok()
		return
	}
	c.err(errExecNoMulti)
}

func discardCmd(c *Ctx) { c.err(errDiscardNoMulti) }

func watchCmd(c *Ctx) { c.ok() } // a watch that ends with the call

func unwatchCmd(c *Ctx) { c.ok() }

// Transactions over several shards carry an id in their MULTI record:
// increasing (at least the Unix time in nanoseconds, so a restarted
// process continues above the ids on disk), assigned with every involved
// shard held, so each shard's transactions are in id order. A snapshot
// records the shard's newest id at P (Snapshot.TxMark), so a loader can
// tell a transaction whose records on a shard were folded into that
// shard's snapshot from one whose records never reached its log.

// nextTxID returns a new transaction id.
func (en *Engine) nextTxID() uint64 {
	for {
		last := en.txSeq.Load()
		id := max(last+1, uint64(time.Now().UnixNano()))
		if en.txSeq.CompareAndSwap(last, id) {
			return id
		}
	}
}

// ObserveTxID makes later transaction ids larger than id (a loader saw it).
func (en *Engine) ObserveTxID(id uint64) {
	for {
		last := en.txSeq.Load()
		if last >= id || en.txSeq.CompareAndSwap(last, id) {
			return
		}
	}
}

// FormatTxID and ParseTxID convert a transaction id to and from its form
// in a MULTI record.
func FormatTxID(id uint64) string { return strconv.FormatUint(id, 36) }

// ParseTxID parses a transaction id; ok is false for a malformed one.
func ParseTxID(s string) (id uint64, ok bool) {
	id, err := strconv.ParseUint(s, 36, 64)
	return id, err == nil
}

// TxMarker parses a journal record written by Hold.Release: begin is true
// for MULTI, false for EXEC; id and shards are set for a transaction that
// wrote to several shards (every shard listed). ok is false for any other
// record.
func TxMarker(args []string) (begin bool, id string, shards []int, ok bool) {
	if len(args) == 0 {
		return false, "", nil, false
	}
	switch {
	case len(args) == 1 && equalFold(args[0], "exec"):
		return false, "", nil, true
	case len(args) == 1 && equalFold(args[0], "multi"):
		return true, "", nil, true
	case len(args) == 3 && equalFold(args[0], "multi"):
		for _, f := range strings.Split(args[2], ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 {
				return false, "", nil, false
			}
			shards = append(shards, n)
		}
		return true, args[1], shards, true
	}
	return false, "", nil, false
}

// TxReplay sorts one shard's journal records during replay so that a
// transaction is applied wholly or not at all. Feed it every record in
// order and apply (Exec with the shard held) what it returns.
//
// A transaction that wrote to several shards committed only if every
// listed shard's log holds its complete MULTI ... EXEC: the loader finds
// those ids with a first pass over the logs (TxMarker) and answers
// Committed. A log that ends inside a transaction (Pending) must be
// truncated at its MULTI: the transaction is absent.
type TxReplay struct {
	// Committed reports whether the multi-shard transaction id committed.
	// Nil: every complete one did.
	Committed func(id string, shards []int) bool

	open   bool
	start  int64
	id     string
	shards []int
	buf    [][]string
}

// Feed takes the next record, read at offset off, and returns the records
// to apply now: the record itself outside a transaction; nothing inside
// one; at its EXEC, the transaction's records, or nothing when it did not
// commit. A MULTI inside an open transaction (a torn one followed by a new
// one) drops the torn records.
func (r *TxReplay) Feed(args []string, off int64) [][]string {
	begin, id, shards, ok := TxMarker(args)
	switch {
	case ok && begin:
		r.open, r.start, r.id, r.shards = true, off, id, shards
		r.buf = r.buf[:0]
		return nil
	case ok && !begin && r.open:
		r.open = false
		out := r.buf
		r.buf = nil
		if r.id != "" && r.Committed != nil && !r.Committed(r.id, r.shards) {
			return nil
		}
		return out
	case ok: // EXEC without MULTI: a marker left by a truncation
		return nil
	case r.open:
		r.buf = append(r.buf, args)
		return nil
	}
	return [][]string{args}
}

// Pending reports whether the log ended inside a transaction, and the
// offset of its MULTI record.
func (r *TxReplay) Pending() (off int64, ok bool) { return r.start, r.open }
