package engine

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kevy-go/kevy/internal/resp"
)

// Transaction tests inside the engine: WATCH and expiry, the journal's
// MULTI/EXEC wrapping, all-or-nothing replay at every crash point, and
// readers never seeing part of a transaction.

func TestWatchExpiry(t *testing.T) {
	var now atomic.Int64
	now.Store(1_000_000)
	en := New(Config{ManualReaper: true, Now: now.Load})
	defer en.Close()
	m := en.NewMulti()
	run := func(args ...string) string { return execMultiRESP(t, en, m, args).String() }

	// A key live at WATCH that expires before EXEC is modified.
	run("SET", "e", "1", "PX", "20")
	run("WATCH", "e")
	now.Add(50)
	run("MULTI")
	run("PING")
	if got := run("EXEC"); got != "nil-array" {
		t.Fatalf("expired watched key: EXEC = %s", got)
	}
	// A key already expired at WATCH, reaped afterwards, is not.
	run("SET", "f", "1", "PX", "20")
	now.Add(50)
	run("WATCH", "f")
	run("GET", "f") // deletes it (an "expired" event)
	en.Tick()
	run("MULTI")
	run("PING")
	if got := run("EXEC"); got != "[+PONG]" {
		t.Fatalf("watched key expired before WATCH: EXEC = %s", got)
	}
	// Its re-creation is.
	run("SET", "f", "1", "PX", "20")
	now.Add(50)
	run("WATCH", "f")
	run("SET", "f", "2")
	run("MULTI")
	run("PING")
	if got := run("EXEC"); got != "nil-array" {
		t.Fatalf("re-created watched key: EXEC = %s", got)
	}
}

// journalRecords decodes a journal buffer.
func journalRecords(t *testing.T, buf []byte) [][]string {
	t.Helper()
	rd := resp.NewReader(bytes.NewReader(buf))
	var out [][]string
	for {
		args, err := rd.ReadStrictCommand()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, args)
	}
}

func withJournals(en *Engine) []*Journal {
	js := make([]*Journal, en.ShardCount())
	for i := range js {
		js[i] = NewJournal()
		js[i].FlushAt = 1 << 30
		en.Shard(i).SetJournal(js[i])
	}
	return js
}

func TestTxJournalWrap(t *testing.T) {
	en := New(Config{Shards: 4, ManualReaper: true})
	defer en.Close()
	js := withJournals(en)
	ks := keysOnShards(en, 2)
	w := &RESPWriter{}
	// One shard: MULTI ... EXEC. A read-only transaction logs nothing.
	en.ExecMulti([][]string{{"SET", ks[0], "1"}, {"INCR", ks[0]}}, w, nil, nil)
	en.ExecMulti([][]string{{"GET", ks[0]}, {"GET", ks[1]}}, w, nil, nil)
	s0 := en.ShardOf(ks[0]).idx
	got := journalRecords(t, js[s0].buf)
	if len(got) != 4 || len(got[0]) != 1 || got[0][0] != "MULTI" || got[1][0] != "SET" || got[3][0] != "EXEC" {
		t.Fatalf("shard %d journal %q", s0, got)
	}
	if js[s0].appended != uint64(len(js[s0].buf)) {
		t.Fatalf("appended %d, buffered %d", js[s0].appended, len(js[s0].buf))
	}
	// Two shards: each logs MULTI <id> <shards> ... EXEC with the same id.
	js[s0].buf, js[s0].appended = nil, 0
	en.ExecMulti([][]string{{"SET", ks[0], "a"}, {"SET", ks[1], "b"}, {"GET", ks[0]}}, w, nil, nil)
	var id string
	for _, k := range ks {
		sh := en.ShardOf(k)
		recs := journalRecords(t, sh.journal.buf)
		begin, rid, shards, ok := TxMarker(recs[0])
		if !ok || !begin || len(recs) != 3 || recs[2][0] != "EXEC" || recs[1][0] != "SET" {
			t.Fatalf("shard %d journal %q", sh.idx, recs)
		}
		if id == "" {
			id = rid
		}
		want := []int{en.ShardOf(ks[0]).idx, en.ShardOf(ks[1]).idx}
		slices.Sort(want)
		if rid != id || !slices.Equal(shards, want) {
			t.Fatalf("marker %q: id %q shards %v, want %q %v", recs[0], rid, shards, id, want)
		}
	}
}

// TestTxReplayCrash cuts the logs of a cross-shard transaction at every
// byte, as a crash mid-write would, and replays them through TxReplay:
// the transaction is wholly present or wholly absent, and writes before
// it are always present.
func TestTxReplayCrash(t *testing.T) {
	en := New(Config{Shards: 4, ManualReaper: true})
	defer en.Close()
	js := withJournals(en)
	ks := keysOnShards(en, 3)
	execRESP(t, en, []string{"SET", ks[0], "before"})
	s0 := en.ShardOf(ks[0]).idx
	pre := len(js[s0].buf)
	w := &RESPWriter{}
	en.ExecMulti([][]string{{"SET", ks[0], "tx"}, {"RPUSH", ks[1], "a", "b"}, {"INCR", ks[2]}, {"LPOP", ks[1]}}, w, nil, nil)
	idx := []int{en.ShardOf(ks[0]).idx, en.ShardOf(ks[1]).idx, en.ShardOf(ks[2]).idx}
	full := make([][]byte, len(js))
	for i, j := range js {
		full[i] = slices.Clone(j.buf)
	}
	// Cut one participant at a time (the others complete), then all at
	// the same relative point.
	seen := map[bool]int{}
	check := func(cuts []int) {
		logs := make([][]byte, len(full))
		for i := range full {
			logs[i] = full[i][:min(cuts[i], len(full[i]))]
		}
		st := replayLogs(t, logs)
		present := st[ks[0]] == "tx"
		seen[present]++
		if st[ks[0]] != "tx" && st[ks[0]] != "before" {
			t.Fatalf("cuts %v: %s = %q", cuts, ks[0], st[ks[0]])
		}
		want := map[bool][3]string{true: {"tx", `["b"]`, "1"}, false: {"before", "", ""}}[present]
		if got := [3]string{st[ks[0]], st[ks[1]], st[ks[2]]}; got != want {
			t.Fatalf("cuts %v: partial transaction %v", cuts, got)
		}
	}
	for _, s := range idx {
		first := 0
		if s == s0 {
			first = pre
		}
		for cut := first; cut <= len(full[s]); cut++ {
			cuts := make([]int, len(full))
			for i := range cuts {
				cuts[i] = len(full[i])
			}
			cuts[s] = cut
			check(cuts)
		}
	}
	if seen[true] < len(idx) || seen[false] < 100 {
		t.Fatalf("outcomes %v", seen)
	}
	t.Logf("crash points: %d with the transaction, %d without", seen[true], seen[false])
}

// replayLogs replays shard logs into a new engine as the loader should:
// a first pass finds the multi-shard transactions complete in every
// listed shard, a second applies records through TxReplay; a torn record
// or transaction at a log's end is dropped.
func replayLogs(t *testing.T, logs [][]byte) map[string]string {
	t.Helper()
	complete := map[string]map[int]bool{}
	read := func(buf []byte, fn func(args []string, off int64)) {
		rd := resp.NewReader(bytes.NewReader(buf))
		for {
			off := rd.Offset()
			args, err := rd.ReadStrictCommand()
			if err != nil {
				return // EOF or torn
			}
			fn(args, off)
		}
	}
	for i, buf := range logs {
		open := ""
		read(buf, func(args []string, _ int64) {
			begin, id, _, ok := TxMarker(args)
			switch {
			case ok && begin:
				open = id
			case ok && open != "":
				if complete[open] == nil {
					complete[open] = map[int]bool{}
				}
				complete[open][i] = true
				open = ""
			}
		})
	}
	committed := func(id string, shards []int) bool {
		for _, s := range shards {
			if !complete[id][s] {
				return false
			}
		}
		return true
	}
	en := New(Config{Shards: len(logs), ManualReaper: true})
	defer en.Close()
	for i, buf := range logs {
		r := &TxReplay{Committed: committed}
		h := en.Hold([]int{i}, false)
		read(buf, func(args []string, off int64) {
			for _, rec := range r.Feed(args, off) {
				var w replayErrWriter
				en.Exec(&Ctx{Args: rec, W: &w, Held: []int{i}})
				if w.err != nil {
					t.Fatalf("replaying %q: %v", rec, w.err)
				}
			}
		})
		h.Release()
	}
	st := map[string]string{}
	for _, k := range en.Keys("*", 0) {
		switch execRESP(t, en, []string{"TYPE", k}).Str {
		case "list":
			st[k] = execRESP(t, en, []string{"LRANGE", k, "0", "-1"}).String()
		default:
			st[k] = execRESP(t, en, []string{"GET", k}).Str
		}
	}
	return st
}

// replayErrWriter keeps the first error a replayed record replies.
type replayErrWriter struct {
	RESPWriter
	err error
}

func (w *replayErrWriter) WriteError(err error) {
	if w.err == nil {
		w.err = err
	}
}

func TestTxReplayFeed(t *testing.T) {
	r := &TxReplay{}
	var applied []string
	feed := func(args ...string) {
		for _, rec := range r.Feed(args, int64(len(applied))) {
			applied = append(applied, strings.Join(rec, " "))
		}
	}
	feed("SET", "a", "1")
	feed("MULTI")
	feed("SET", "b", "2")
	if len(applied) != 1 {
		t.Fatalf("applied inside a transaction: %q", applied)
	}
	feed("EXEC")
	feed("MULTI", "x1", "0,1")
	feed("SET", "c", "3")
	if off, ok := r.Pending(); !ok || off != 2 {
		t.Fatalf("Pending = %d, %v", off, ok)
	}
	if want := []string{"SET a 1", "SET b 2"}; !slices.Equal(applied, want) {
		t.Fatalf("applied %q, want %q", applied, want)
	}
	r.Committed = func(id string, shards []int) bool { return id != "x1" }
	feed("EXEC")
	if len(applied) != 2 {
		t.Fatalf("uncommitted transaction applied: %q", applied)
	}
	if _, _, _, ok := TxMarker([]string{"MULTI", "id", "0,x"}); ok {
		t.Fatal("bad shard list accepted")
	}
}

// TestTxAtomicReaders runs transactions that set keys on every shard to
// one value while readers read them all at once: no reader sees two
// values.
func TestTxAtomicReaders(t *testing.T) {
	en := New(Config{Shards: 4, ManualReaper: true})
	defer en.Close()
	ks := keysOnShards(en, 4)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				v := execRESP(t, en, append([]string{"MGET"}, ks...))
				for _, e := range v.Elems[1:] {
					if e.Str != v.Elems[0].Str || e.Kind != v.Elems[0].Kind {
						t.Errorf("partial transaction seen: %v", v)
						return
					}
				}
			}
		}()
	}
	for n := range 500 {
		var cmds [][]string
		for _, k := range ks {
			cmds = append(cmds, []string{"SET", k, strconv.Itoa(n)})
		}
		w := &RESPWriter{}
		if err := en.ExecMulti(cmds, w, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

func TestMultiServerCommands(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	m := en.NewMulti()
	m.ServerArity = func(name string) (int, bool) {
		if equalFold(name, "client") {
			return -2, true
		}
		return 0, false
	}
	m.ServerRun = func(args []string, w Writer) { w.WriteSimple("server:" + strings.ToLower(args[0])) }
	for _, c := range []struct{ args, want string }{
		{"MULTI", "+OK"}, {"CLIENT SETNAME x", "+QUEUED"}, {"CLIENT", `error("ERR wrong number of arguments for 'client' command")`},
		{"SET a 1", "+QUEUED"}, {"EXEC", `error("EXECABORT Transaction discarded because of previous errors.")`},
		{"MULTI", "+OK"}, {"CLIENT SETNAME x", "+QUEUED"}, {"GET a", "+QUEUED"}, {"EXEC", `[+server:client nil]`},
	} {
		if got := execMultiRESP(t, en, m, strings.Fields(c.args)).String(); got != c.want {
			t.Fatalf("%s = %s, want %s", c.args, got, c.want)
		}
	}
	if m.Active() || m.Watching() {
		t.Fatal("state left after EXEC")
	}
	// Stateless calls (Store.Do) of the table's entries.
	for _, c := range []struct{ args, want string }{
		{"MULTI", `error("ERR MULTI needs a connection: use Store.Tx, or the server")`},
		{"EXEC", `error("ERR EXEC without MULTI")`}, {"DISCARD", `error("ERR DISCARD without MULTI")`},
		{"WATCH a", "+OK"}, {"UNWATCH", "+OK"},
	} {
		if got := execRESP(t, en, strings.Fields(c.args)).String(); got != c.want {
			t.Fatalf("%s = %s, want %s", c.args, got, c.want)
		}
	}
}

// TestHoldOneSync: under FsyncAlways, writes made while shards are held
// (a pipeline, a transaction) wait for one sync per shard, where the same
// writes made one by one wait for one each.
func TestHoldOneSync(t *testing.T) {
	en := New(Config{Shards: 2, ManualReaper: true})
	defer en.Close()
	js := withJournals(en)
	en.SetSyncPolicy(SyncAlways)
	var syncs atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, j := range js {
		j.FlushAt = 0
		wg.Add(1)
		go func() { // a flusher: take what is buffered, "fsync" it
			defer wg.Done()
			sh := en.Shard(i)
			for {
				select {
				case <-j.Wake:
				case <-stop:
					return
				}
				sh.Lock()
				data, upto := j.Take(nil)
				sh.Unlock()
				if len(data) > 0 {
					syncs.Add(1)
				}
				j.MarkDurable(upto, nil)
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	ks := keysOnShards(en, 2)
	const n = 50
	for i := range n {
		execRESP(t, en, []string{"SET", ks[i%2], strconv.Itoa(i)})
	}
	if got := syncs.Load(); got < n {
		t.Fatalf("one by one: %d syncs for %d writes", got, n)
	}
	syncs.Store(0)
	h := en.Hold([]int{0, 1}, false)
	for i := range n {
		var w RESPWriter
		en.Exec(&Ctx{Args: []string{"SET", ks[i%2], strconv.Itoa(i)}, W: &w, Held: h.Shards()})
	}
	if err := h.Release(); err != nil {
		t.Fatal(err)
	}
	if got := syncs.Load(); got > 2 {
		t.Fatalf("held: %d syncs for %d writes on 2 shards", got, n)
	}
}

// TestTouchWatched: the synchronous hook notify can call marks watchers at
// once, and ignores expiry (counted by liveness).
func TestTouchWatched(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	w := en.NewWatch()
	w.Add("k")
	defer w.Clear()
	sh := en.ShardOf("k")
	sh.touchWatched(ClassExpired, "k")
	if w.dirty.Load() {
		t.Fatal("expired event marked the watch")
	}
	sh.touchWatched(ClassString, "other")
	if w.dirty.Load() {
		t.Fatal("another key marked the watch")
	}
	sh.touchWatched(ClassString, "k")
	if !w.dirty.Load() || watchersActive.Load() < 1 {
		t.Fatal("set event did not mark the watch")
	}
}
