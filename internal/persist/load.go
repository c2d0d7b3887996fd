package persist

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/rdb"
	"github.com/kevy-go/kevy/internal/resp"
)

// logFile is a log found on disk.
type logFile struct {
	name    string
	hdr     header
	hdrLen  int64 // bytes of the header record (0 without one)
	size    int64
	records bool // holds a record after its header
}

// loadedShard is what loading one shard found and left behind.
type loadedShard struct {
	baseGen  uint64
	maxGen   uint64
	current  *logFile // the log to append to; nil: create one of gen baseGen
	obsolete []string // files no longer needed once current is settled
	rebase   bool     // the files cannot be appended to: write a new base
	corrupt  []string // files to keep aside (valid-prefix load)
}

// loader loads the shards of one layout into an engine.
type loader struct {
	d       dir
	en      *engine.Engine
	n       int // the layout's shard count (== en.ShardCount())
	logName func(i int) string
	prefix  bool // load the valid prefix of corrupt files
	logger  *slog.Logger
	stats   *LoadStats

	plans []*shardPlan        // every shard's files, planned before any is replayed
	txs   map[txPart]struct{} // the multi-shard transactions complete in each shard's logs
}

// txPart is one shard's part of a transaction over several shards.
type txPart struct {
	id    string
	shard int
}

// shardPlan is what loading shard i will read: its base and the chain of
// logs after it.
type shardPlan struct {
	i        int
	out      *loadedShard
	rr       *rdbSource // the snapshot, open; nil without one
	baseLog  *logFile   // a rewritten log that is the base, or nil
	chain    []*logFile // the logs to replay, in order
	rest     []*logFile // the logs after the base (for a corrupt snapshot)
	chainErr error      // a gap in the generations, reported after the snapshot is read
	txMark   uint64     // the base's transaction mark
}

func (ld *loader) warn(msg string, args ...any) {
	if ld.logger != nil {
		ld.logger.Warn(msg, args...)
	}
}

// loadAll loads every shard's files into ld.en. It plans every shard
// first, so that a transaction over several shards is replayed only if it
// committed: its part is complete in the log of every shard it wrote to,
// or was folded into that shard's base (its id is at most the base's
// transaction mark). A crash can leave one shard's part written and
// another's not; replaying neither keeps the transaction whole.
func (ld *loader) loadAll() ([]*loadedShard, error) {
	ld.plans = make([]*shardPlan, ld.n)
	defer func() {
		for _, p := range ld.plans {
			if p != nil && p.rr != nil {
				p.rr.close()
				p.rr = nil
			}
		}
	}()
	for i := range ld.n {
		p, err := ld.planShard(i)
		if err != nil {
			return nil, err
		}
		ld.plans[i] = p
	}
	if ld.n > 1 {
		if err := ld.scanTx(); err != nil {
			return nil, err
		}
	}
	out := make([]*loadedShard, ld.n)
	for i, p := range ld.plans {
		var err error
		if out[i], err = ld.applyShard(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanTx finds the transactions over several shards whose part is
// complete (MULTI id ... EXEC) in each shard's chain.
func (ld *loader) scanTx() error {
	ld.txs = map[txPart]struct{}{}
	for _, p := range ld.plans {
		ld.en.ObserveTxID(p.txMark)
		for _, lf := range p.chain {
			if err := ld.scanLog(p.i, lf); err != nil {
				return err
			}
		}
	}
	return nil
}

// scanLog records the complete transaction parts of one log. A damaged
// record ends the scan: replay reports it.
func (ld *loader) scanLog(i int, lf *logFile) error {
	path := ld.d.join(lf.name)
	f, err := ld.d.fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	rd := resp.NewReader(bufio.NewReaderSize(f, 1<<20))
	open := ""
	for {
		args, err := rd.ReadStrictCommand()
		if err != nil {
			return nil
		}
		begin, id, _, ok := engine.TxMarker(args)
		switch {
		case !ok:
		case begin:
			open = id
			if n, ok := engine.ParseTxID(id); ok {
				ld.en.ObserveTxID(n)
			}
		default:
			if open != "" {
				ld.txs[txPart{open, i}] = struct{}{}
			}
			open = ""
		}
	}
}

// committed reports whether the transaction id over shards committed.
func (ld *loader) committed(id string, shards []int) bool {
	n, numeric := engine.ParseTxID(id)
	for _, s := range shards {
		if _, ok := ld.txs[txPart{id, s}]; ok {
			continue
		}
		if s >= 0 && s < len(ld.plans) && numeric && n <= ld.plans[s].txMark {
			continue // folded into the shard's base
		}
		return false
	}
	return true
}

// planShard finds shard i's files and the order to load them in.
func (ld *loader) planShard(i int) (*shardPlan, error) {
	out := &loadedShard{}
	logName := ld.logName(i)
	entries, err := ld.d.fs.ReadDir(ld.d.path)
	if err != nil {
		return nil, err
	}
	var logs []*logFile
	hasRDB := false
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == dumpName(i):
			hasRDB = true
		case name == logName:
			lf, err := ld.probeLog(name, i, true)
			if err != nil {
				return nil, err
			}
			if lf != nil {
				logs = append(logs, lf)
			} else {
				out.obsolete = append(out.obsolete, name)
			}
		default:
			if _, ok := parseNextName(logName, name); ok {
				lf, err := ld.probeLog(name, i, false)
				if err != nil {
					return nil, err
				}
				if lf != nil {
					logs = append(logs, lf)
				} else {
					out.obsolete = append(out.obsolete, name)
				}
			}
		}
	}
	for _, lf := range logs {
		out.maxGen = max(out.maxGen, lf.hdr.gen)
	}

	// The RDB: its generation is in its auxiliary fields, before the keys.
	var rr *rdbSource
	rdbGen := int64(-1)
	if hasRDB {
		rr, err = ld.openRDB(i)
		if err != nil {
			return nil, err
		}
		rdbGen = int64(rr.gen)
		out.maxGen = max(out.maxGen, rr.gen)
	}

	// The newest base: the RDB, or a rewritten log of a newer (or, as
	// Redis prefers its AOF, the same) generation.
	var baseLog *logFile
	for _, lf := range logs {
		if lf.hdr.base && int64(lf.hdr.gen) >= rdbGen && (baseLog == nil || lf.hdr.gen > baseLog.hdr.gen) {
			baseLog = lf
		}
	}
	var chain []*logFile
	switch {
	case baseLog != nil:
		out.baseGen = baseLog.hdr.gen
		chain = append(chain, baseLog)
	case rr != nil:
		out.baseGen = rr.gen
	}
	var rest []*logFile
	for _, lf := range logs {
		switch {
		case lf == baseLog:
		case lf.hdr.gen < out.baseGen, baseLog != nil && lf.hdr.gen == out.baseGen:
			// Older than the base, or (same generation as a rewritten
			// log) copied into it when the rewrite finished.
			out.obsolete = append(out.obsolete, lf.name)
		case lf.hdr.base:
			return nil, fmt.Errorf("persist: %s: two rewritten logs of shard %d (%s)", ld.d.path, i, lf.name)
		default:
			rest = append(rest, lf)
		}
	}
	slices.SortFunc(rest, func(a, b *logFile) int {
		switch {
		case a.hdr.gen < b.hdr.gen:
			return -1
		case a.hdr.gen > b.hdr.gen:
			return 1
		}
		return 0
	})
	// A gap in the generations is reported after the snapshot is read:
	// a corrupt snapshot is the likelier cause, and its error says where.
	var chainErr error
	want := out.baseGen
	if baseLog != nil {
		want++
	}
	for _, lf := range rest {
		if lf.hdr.gen != want {
			if lf.hdr.gen < want {
				chainErr = fmt.Errorf("persist: %s and another log both hold generation %d of shard %d", ld.d.join(lf.name), lf.hdr.gen, i)
				break
			}
			what := "log"
			if rr == nil && baseLog == nil && want == 0 {
				what = "snapshot " + dumpName(i) + " or log"
			}
			chainErr = fmt.Errorf("persist: %s: %s of generation %d is missing (found %s, generation %d)", ld.d.path, what, want, lf.name, lf.hdr.gen)
			break
		}
		chain = append(chain, lf)
		want++
	}

	p := &shardPlan{i: i, out: out, rr: rr, baseLog: baseLog, chain: chain, rest: rest, chainErr: chainErr}
	switch {
	case baseLog != nil:
		p.txMark = baseLog.hdr.tx
	case rr != nil:
		p.txMark = rr.tx
	}
	return p, nil
}

// applyShard loads a planned shard: its base, then its chain of logs.
func (ld *loader) applyShard(p *shardPlan) (*loadedShard, error) {
	i, out, rr, baseLog, chain, rest, chainErr := p.i, p.out, p.rr, p.baseLog, p.chain, p.rest, p.chainErr
	if rr != nil {
		defer func() { rr.close(); p.rr = nil }()
	}
	ld.en.Shard(i).Lock()
	ld.en.Shard(i).SetTxMark(p.txMark)
	ld.en.Shard(i).Unlock()
	// Load the RDB if it is the base.
	if rr != nil && baseLog == nil {
		if err := ld.loadRDB(i, rr); err != nil {
			var fe *fileError
			if !ld.prefix || !errors.As(err, &fe) {
				return nil, err
			}
			ld.warn("persist: loading the valid prefix of a corrupt snapshot", "file", fe.File, "offset", fe.Offset, "error", fe.Err)
			out.rebase = true
			out.corrupt = append(out.corrupt, dumpName(i))
			for _, lf := range rest {
				out.corrupt = append(out.corrupt, lf.name)
			}
			return out, nil
		}
	}
	if chainErr != nil {
		return nil, chainErr
	}

	// Replay the chain.
	for k, lf := range chain {
		res, err := ld.replay(i, lf)
		if err != nil {
			return nil, err
		}
		if res.dropped {
			// The skipped records must not be replayed by a later Open
			// (whose snapshots of other shards may by then cover newer
			// transactions): write a new base without them.
			out.rebase = true
			ld.warn("persist: skipped the part of a transaction over several shards that did not commit", "file", ld.d.join(lf.name))
		}
		switch res.kind {
		case replayTorn:
			for _, later := range chain[k+1:] {
				if later.records {
					return nil, &fileError{File: ld.d.join(lf.name), Offset: res.off,
						Err: fmt.Errorf("incomplete record, and the next log %s is not empty", later.name)}
				}
			}
			if err := ld.cutTail(lf, res.off, tornInfix, "persist: cut an incomplete record off the end of the log"); err != nil {
				return nil, err
			}
			ld.stats.Truncated += lf.size - res.off
			lf.size = res.off
		case replayCorrupt:
			fe := &fileError{File: ld.d.join(lf.name), Offset: res.off, Err: res.err}
			if !ld.prefix {
				return nil, fe
			}
			ld.warn("persist: loading the valid prefix of a corrupt log", "file", fe.File, "offset", fe.Offset, "error", fe.Err)
			if err := ld.cutTail(lf, res.off, corruptInfix, "persist: moved the corrupt end of the log aside"); err != nil {
				return nil, err
			}
			lf.size = res.off
			for _, later := range chain[k+1:] {
				out.corrupt = append(out.corrupt, later.name)
			}
			chain = chain[:k+1]
		}
		if res.kind == replayCorrupt {
			break
		}
	}
	if len(chain) > 0 {
		out.current = chain[len(chain)-1]
	}
	return out, nil
}

// probeLog reads a log's header. It returns nil for a file holding no
// complete record (keeping any bytes aside).
func (ld *loader) probeLog(name string, shard int, main bool) (*logFile, error) {
	path := ld.d.join(name)
	f, err := ld.d.fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	lf := &logFile{name: name, size: st.Size()}
	rd := resp.NewReader(bufio.NewReaderSize(f, 64<<10))
	args, err := rd.ReadStrictCommand()
	switch {
	case err == io.EOF:
		return nil, nil
	case err == io.ErrUnexpectedEOF:
		if err := ld.cutTail(lf, 0, tornInfix, "persist: set aside a log without a complete record"); err != nil {
			return nil, err
		}
		ld.stats.Truncated += lf.size
		return nil, nil
	case err != nil:
		var pe *resp.ProtocolError
		if errors.As(err, &pe) {
			return nil, &fileError{File: path, Offset: rd.Offset(), Err: err}
		}
		return nil, fmt.Errorf("persist: reading %s: %w", path, err)
	}
	h, ok, err := parseHeader(args)
	if err != nil {
		return nil, &fileError{File: path, Offset: 0, Err: err}
	}
	if !ok {
		if !main {
			return nil, &fileError{File: path, Offset: 0, Err: errors.New("no kevy log header")}
		}
		// A plain log from elsewhere: a self-contained base of generation 0.
		lf.hdr = header{gen: 0, base: true, shard: shard, none: true}
		lf.records = true
		return lf, nil
	}
	if h.shard != shard {
		return nil, &fileError{File: path, Offset: 0, Err: fmt.Errorf("log of shard %d found where shard %d's belongs", h.shard, shard)}
	}
	lf.hdr, lf.hdrLen = h, rd.Offset()
	lf.records = lf.size > lf.hdrLen
	return lf, nil
}

// cutTail moves bytes [off, size) of lf to a side file and truncates lf.
func (ld *loader) cutTail(lf *logFile, off int64, infix, msg string) error {
	side := lf.name + infix + strconv.FormatInt(time.Now().UnixNano(), 10)
	f, err := ld.d.create(side)
	if err != nil {
		return err
	}
	err = ld.d.copyRange(f, lf.name, off, lf.size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("persist: saving the end of %s: %w", ld.d.join(lf.name), err)
	}
	t, err := ld.d.fs.OpenFile(ld.d.join(lf.name), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = t.Truncate(off)
	if err == nil {
		err = t.Sync()
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ld.d.sync()
	}
	if err != nil {
		return fmt.Errorf("persist: truncating %s: %w", ld.d.join(lf.name), err)
	}
	ld.warn(msg, "file", ld.d.join(lf.name), "offset", off, "bytes", lf.size-off, "saved", ld.d.join(side))
	return nil
}

type replayKind int

const (
	replayOK replayKind = iota
	replayTorn
	replayCorrupt
)

type replayResult struct {
	kind    replayKind
	off     int64 // where the torn or corrupt record starts
	err     error // what is wrong with it
	dropped bool  // a transaction over several shards that did not commit was skipped
}

// replayWriter records the first error a replayed command replies.
type replayWriter struct{ err error }

func (w *replayWriter) WriteSimple(string) {}
func (w *replayWriter) WriteError(err error) {
	if w.err == nil {
		w.err = err
	}
}
func (w *replayWriter) WriteInt(int64)      {}
func (w *replayWriter) WriteBulk(string)    {}
func (w *replayWriter) WriteNull()          {}
func (w *replayWriter) WriteNullArray()     {}
func (w *replayWriter) WriteArray(int)      {}
func (w *replayWriter) WriteMap(int)        {}
func (w *replayWriter) WriteSet(int)        {}
func (w *replayWriter) WriteDouble(float64) {}
func (w *replayWriter) WriteBool(bool)      {}
func (w *replayWriter) Resp3() bool         { return false }

// replayBatch is how many records are replayed per hold of the shard lock.
const replayBatch = 4096

// replay runs lf's records on shard i through the command table.
func (ld *loader) replay(i int, lf *logFile) (replayResult, error) {
	path := ld.d.join(lf.name)
	f, err := ld.d.fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return replayResult{}, err
	}
	defer f.Close()
	ld.stats.Bytes += lf.size
	rd := resp.NewReader(bufio.NewReaderSize(f, 1<<20))
	if lf.hdrLen > 0 {
		if _, err := rd.ReadStrictCommand(); err != nil {
			return replayResult{}, fmt.Errorf("persist: rereading %s: %w", path, err)
		}
	}
	sh := ld.en.Shard(i)
	held := []int{i}
	var w replayWriter
	// Transactions: records between MULTI and EXEC are applied only once
	// the EXEC is read; one left open at the end of the log is cut off
	// like a torn record. One over several shards is applied only if it
	// committed on all of them (see loadAll).
	var tx engine.TxReplay
	if ld.txs != nil {
		tx.Committed = ld.committed
	}
	txID, dropped := "", false
	sh.Lock()
	defer func() { sh.Unlock() }()
	for n := 1; ; n++ {
		start := rd.Offset()
		args, err := rd.ReadStrictCommand()
		switch {
		case err == io.EOF:
			if start != lf.size {
				return replayResult{}, fmt.Errorf("persist: %s changed while it was loaded", path)
			}
			if off, open := tx.Pending(); open {
				return replayResult{kind: replayTorn, off: off, dropped: dropped}, nil
			}
			return replayResult{dropped: dropped}, nil
		case err == io.ErrUnexpectedEOF:
			if off, open := tx.Pending(); open {
				return replayResult{kind: replayTorn, off: off, dropped: dropped}, nil
			}
			return replayResult{kind: replayTorn, off: rd.Offset(), dropped: dropped}, nil
		case err != nil:
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				return replayResult{kind: replayCorrupt, off: rd.Offset(), err: err}, nil
			}
			return replayResult{}, fmt.Errorf("persist: reading %s: %w", path, err)
		}
		begin, id, _, marker := engine.TxMarker(args)
		if marker && begin {
			txID = id
		}
		apply := tx.Feed(args, start)
		if marker && !begin && txID != "" {
			if len(apply) == 0 {
				dropped = true
			} else if n, ok := engine.ParseTxID(txID); ok {
				sh.SetTxMark(n)
			}
			txID = ""
		}
		for _, args := range apply {
			w.err = nil
			if isFlush(args) {
				// A shard's log records FLUSHALL for the shard only.
				sh.Flush()
				ld.stats.Records++
				continue
			}
			c := engine.Ctx{Args: args, W: &w, Held: held}
			ld.en.Exec(&c)
			if w.err != nil {
				return replayResult{kind: replayCorrupt, off: start,
					err: fmt.Errorf("replaying %s: %v", describe(args), w.err)}, nil
			}
			ld.stats.Records++
		}
		if n%replayBatch == 0 {
			sh.Unlock()
			sh.Lock()
		}
	}
}

// isFlush reports whether args is FLUSHALL or FLUSHDB, which a shard's
// log holds for the shard alone.
func isFlush(args []string) bool {
	if len(args) > 2 || (!strings.EqualFold(args[0], "FLUSHALL") && !strings.EqualFold(args[0], "FLUSHDB")) {
		return false
	}
	return len(args) == 1 || strings.EqualFold(args[1], "ASYNC") || strings.EqualFold(args[1], "SYNC")
}

// describe abbreviates a command for an error message.
func describe(args []string) string {
	s := ""
	for k, a := range args {
		if k == 4 {
			s += " ..."
			break
		}
		if len(a) > 40 {
			a = a[:40] + "..."
		}
		if k > 0 {
			s += " "
		}
		s += strconv.Quote(a)
	}
	return s
}

// rdbSource is an opened snapshot whose header and auxiliary fields were
// read.
type rdbSource struct {
	f     File
	path  string
	size  int64
	r     *rdb.Reader
	gen   uint64
	tx    uint64 // kevy-tx: the snapshot's transaction mark
	first rdb.Entry
	err   error // the result of reading the first entry
}

func (r *rdbSource) close() { r.f.Close() }

func (ld *loader) openRDB(i int) (*rdbSource, error) {
	path := ld.d.join(dumpName(i))
	f, err := ld.d.fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	src := &rdbSource{f: f, path: path, size: st.Size(), r: rdb.NewReader(f)}
	src.first, src.err = src.r.Next()
	aux := src.r.Aux()
	g, ok := aux["kevy-gen"]
	if src.err != nil && src.err != io.EOF && (!ok || !ld.prefix) {
		// Corrupt before the first key: without its generation nothing
		// tells which logs follow it.
		f.Close()
		return nil, ld.rdbError(src, src.err)
	}
	if ok {
		src.gen, err = strconv.ParseUint(g, 10, 64)
		if err != nil {
			f.Close()
			return nil, &fileError{File: path, Offset: 0, Err: fmt.Errorf("bad kevy-gen %q", g)}
		}
	}
	if t, ok := aux["kevy-tx"]; ok {
		if src.tx, ok = engine.ParseTxID(t); !ok {
			f.Close()
			return nil, &fileError{File: path, Offset: 0, Err: fmt.Errorf("bad kevy-tx %q", t)}
		}
	}
	if s, ok := aux["kevy-shard"]; ok && s != strconv.Itoa(i) {
		f.Close()
		return nil, &fileError{File: path, Offset: 0, Err: fmt.Errorf("snapshot of shard %s found where shard %d's belongs", s, i)}
	}
	return src, nil
}

func (ld *loader) rdbError(src *rdbSource, err error) error {
	var fe *rdb.FormatError
	var ce *rdb.ChecksumError
	switch {
	case errors.As(err, &fe):
		return &fileError{File: src.path, Offset: fe.Offset, Err: err}
	case errors.As(err, &ce):
		return &fileError{File: src.path, Offset: src.size - 8, Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &fileError{File: src.path, Offset: src.r.Offset(), Err: fmt.Errorf("snapshot ends early: %w", err)}
	}
	return fmt.Errorf("persist: reading %s: %w", src.path, err)
}

// rdbBatch is how many keys are loaded per hold of the shard lock.
const rdbBatch = 1024

// loadRDB loads the snapshot's keys into shard i.
func (ld *loader) loadRDB(i int, src *rdbSource) error {
	sh := ld.en.Shard(i)
	e, err := src.first, src.err
	held := 0
	defer func() {
		if held > 0 {
			sh.Unlock()
		}
	}()
	for ; err == nil; e, err = src.r.Next() {
		if e.DB != 0 {
			return &fileError{File: src.path, Offset: src.r.Offset(), Err: fmt.Errorf("key %q is in database %d; kevy serves database 0 only", e.Key, e.DB)}
		}
		if ld.n > 1 {
			if j := engine.ShardIndex(e.Key, ld.n); j != i {
				return &fileError{File: src.path, Offset: src.r.Offset(), Err: fmt.Errorf("key %q belongs to shard %d, not %d", e.Key, j, i)}
			}
		}
		if held == 0 {
			sh.Lock()
		}
		sh.LoadObject(e.Key, e.Object, e.ExpireAtMs)
		ld.stats.SnapshotKeys++
		if held++; held == rdbBatch {
			sh.Unlock()
			held = 0
		}
	}
	ld.stats.Bytes += src.r.Offset()
	if err != io.EOF {
		return ld.rdbError(src, err)
	}
	if n := src.r.EmptyKeysSkipped(); n > 0 {
		ld.warn("persist: skipped keys holding empty collections", "file", src.path, "keys", n)
	}
	if fn := src.r.Functions(); len(fn) > 0 {
		ld.warn("persist: the snapshot holds function libraries, which kevy does not run", "file", src.path, "libraries", len(fn))
	}
	return nil
}
