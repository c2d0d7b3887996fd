package persist

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

func isMISCONF(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "MISCONF Errors writing to the AOF file")
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestWriteErrorsAlways(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"ENOSPC", "fsync"} {
		t.Run(fault, func(t *testing.T) {
			dir := t.TempDir()
			ffs := NewFaultFS(nil)
			mod := func(c *Config) { c.Sync = engine.SyncAlways; c.FS = ffs }
			e := open(t, dir, 1, mod)
			e.do("RPUSH", "l", "1")
			if fault == "ENOSPC" {
				ffs.FailWritesAfter(5) // a torn append
			} else {
				ffs.FailSync(syscall.EIO)
			}
			_, err := exec(e.en, "RPUSH", "l", "2")
			if !errors.Is(err, engine.ErrDurability) {
				t.Fatalf("write during the fault: %v, want ErrDurability", err)
			}
			if _, err := exec(e.en, "RPUSH", "l", "3"); !isMISCONF(err) {
				t.Fatalf("write after the fault: %v, want MISCONF", err)
			}
			if e.st.Err() == nil {
				t.Error("Store.Err is nil during the fault")
			}
			ffs.FailWritesAfter(-1)
			ffs.FailSync(nil)
			// The flusher retries within about a second.
			waitFor(t, "the log to recover", func() bool {
				_, err := exec(e.en, "RPUSH", "l", "4")
				return err == nil
			})
			if e.st.Err() != nil {
				t.Errorf("Store.Err = %v after recovery", e.st.Err())
			}
			want := state(e.en)
			e.mustClose()
			e = open(t, dir, 1, nil)
			diffState(t, want, state(e.en)) // "2" was applied and is kept
			if got := listOf(t, e.en, "l"); len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 4 {
				t.Errorf("list %v, want [1 2 4]", got)
			}
		})
	}
}

func TestWriteErrorsEverySec(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"ENOSPC", "fsync"} {
		t.Run(fault, func(t *testing.T) {
			dir := t.TempDir()
			ffs := NewFaultFS(nil)
			mod := func(c *Config) { c.Sync = engine.SyncEverySec; c.FS = ffs; c.ManualTick = true }
			e := open(t, dir, 1, mod)
			e.do("RPUSH", "l", "1")
			if fault == "ENOSPC" {
				ffs.FailWritesAfter(7)
			} else {
				ffs.FailSync(syscall.EIO)
			}
			e.do("RPUSH", "l", "2") // acknowledged: everysec does not wait
			time.Sleep(1100 * time.Millisecond)
			if err := e.st.Tick(); err == nil {
				t.Fatal("Tick during the fault succeeded")
			}
			if _, err := exec(e.en, "RPUSH", "l", "3"); !isMISCONF(err) {
				t.Fatalf("write after a failed flush: %v, want MISCONF", err)
			}
			ffs.FailWritesAfter(-1)
			ffs.FailSync(nil)
			if err := e.st.Tick(); err != nil {
				t.Fatalf("Tick after the fault: %v", err)
			}
			e.do("RPUSH", "l", "4")
			want := state(e.en)
			e.mustClose()
			e = open(t, dir, 1, nil)
			diffState(t, want, state(e.en))
		})
	}
}

// TestEverySecBackground: the background flusher writes and fsyncs about
// once a second with no Tick, and recovers from an fsync failure.
func TestEverySecBackground(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ffs := NewFaultFS(nil)
	e := open(t, dir, 1, func(c *Config) { c.FS = ffs })
	e.do("SET", "a", "1")
	waitFor(t, "a background fsync", func() bool { return ffs.Syncs() > 0 })
	ffs.FailSync(syscall.EIO)
	e.do("SET", "b", "1")
	waitFor(t, "writes to be refused", func() bool {
		_, err := exec(e.en, "SET", "c", "1")
		return isMISCONF(err)
	})
	ffs.FailSync(nil)
	waitFor(t, "writes to be accepted", func() bool {
		_, err := exec(e.en, "SET", "c", "1")
		return err == nil
	})
}

// TestManualTickFlushes: with ManualTick, Tick writes the log (the
// original wrote nothing until Close).
func TestManualTickFlushes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ffs := NewFaultFS(nil)
	e := open(t, dir, 1, func(c *Config) { c.FS = ffs; c.ManualTick = true })
	e.do("SET", "a", "1")
	syncs := ffs.Syncs()
	time.Sleep(1100 * time.Millisecond)
	if err := e.st.Tick(); err != nil {
		t.Fatal(err)
	}
	if ffs.Syncs() != syncs+1 {
		t.Errorf("Tick after a second made %d fsyncs, want 1", ffs.Syncs()-syncs)
	}
	// A copy of the directory now (as after a crash) has the write.
	cp := copyDir(t, dir)
	r := open(t, cp, 1, nil)
	if got := r.do("GET", "a"); got != "$1\r\n1\r\n" {
		t.Errorf("GET a = %q after Tick", got)
	}
}

// TestGroupCommit: 64 concurrent writers under FsyncAlways share fsyncs.
func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	ffs := NewFaultFS(nil)
	e := open(t, dir, 1, func(c *Config) { c.Sync = engine.SyncAlways; c.FS = ffs })
	const writers, each = 64, 40
	before := ffs.Syncs()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := exec(e.en, "SET", fmt.Sprintf("k%d:%d", w, i), strconv.Itoa(i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	syncs := ffs.Syncs() - before
	t.Logf("%d writes, %d fsyncs (%.1f writes per fsync)", writers*each, syncs, float64(writers*each)/float64(syncs))
	if syncs*4 > writers*each {
		t.Errorf("%d fsyncs for %d writes: no group commit", syncs, writers*each)
	}
	want := state(e.en)
	e.mustClose()
	e = open(t, dir, 1, nil)
	diffState(t, want, state(e.en))
}

func TestLog(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir, 4, nil)
	e.do("SET", "x", "1")
	if err := e.st.Log("SET", "y", "2"); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Log("RPUSH", "l", "a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Log("NOSUCH", "y"); err == nil {
		t.Error("Log of an unknown command succeeded")
	}
	if err := e.st.Log("GET"); err == nil {
		t.Error("Log with a wrong arity succeeded")
	}
	if err := e.st.Log("MSET", "a", "1", "b", "2"); err == nil && engine.ShardIndex("a", 4) != engine.ShardIndex("b", 4) {
		t.Error("Log across shards succeeded")
	}
	if _, ok := state(e.en)["y"]; ok {
		t.Error("Log applied the command")
	}
	e.mustClose()
	e = open(t, dir, 4, nil)
	got := state(e.en)
	if got["y"] != `string:"2" exp=0` || got["l"] != `list:["a" "b"] exp=0` || got["x"] != `string:"1" exp=0` {
		t.Errorf("after reopening: %v", got)
	}
}

// TestSetSyncPolicy switches a manual-tick everysec store to FsyncAlways:
// flushers start and writes become durable before they return.
func TestSetSyncPolicy(t *testing.T) {
	dir := t.TempDir()
	ffs := NewFaultFS(nil)
	e := open(t, dir, 2, func(c *Config) { c.ManualTick = true; c.FS = ffs })
	e.do("SET", "a", "1")
	if err := e.st.SetSyncPolicy(engine.SyncAlways); err != nil {
		t.Fatal(err)
	}
	syncs := ffs.Syncs()
	e.do("SET", "b", "1")
	if ffs.Syncs() == syncs {
		t.Error("a write under FsyncAlways returned before an fsync")
	}
	cp := copyDir(t, dir)
	r := open(t, cp, 2, nil)
	if got := state(r.en); got["a"] == "" || got["b"] == "" {
		t.Errorf("after switching to FsyncAlways: %v", got)
	}
	if err := e.st.SetSyncPolicy(engine.SyncNo); err != nil {
		t.Fatal(err)
	}
	e.do("SET", "c", "1")
	if err := e.st.SetSyncPolicy(99); err == nil {
		t.Error("bad policy accepted")
	}
}

// TestFailedSnapshotAndRewrite: a snapshot or rewrite that cannot write
// its file fails, leaves the logs split across generations, and the store
// keeps working; the next one succeeds and cleans up.
func TestFailedSnapshotAndRewrite(t *testing.T) {
	for _, target := range []string{".rdb.tmp", ".rewrite.tmp"} {
		t.Run(target, func(t *testing.T) {
			dir := t.TempDir()
			ffs := NewFaultFS(nil)
			ffs.Match = func(name string) bool { return strings.HasSuffix(name, target) }
			e := open(t, dir, 2, func(c *Config) { c.FS = ffs; c.Sync = engine.SyncAlways })
			writeMix(e, "k", 100)
			op := func() error {
				if target == ".rdb.tmp" {
					_, err := e.st.SaveSnapshot()
					return err
				}
				_, err := e.st.RewriteAOF()
				return err
			}
			ffs.FailWritesAfter(100)
			for range 3 {
				if err := op(); err == nil {
					t.Fatal("succeeded on a full disk")
				}
				e.do("RPUSH", "l", "x") // the store keeps working
			}
			if e.st.Err() != nil {
				t.Errorf("the log reports %v", e.st.Err())
			}
			want := state(e.en)
			// Reopen a copy in the split state.
			cp := copyDir(t, dir)
			nexts := 0
			for _, n := range files(t, cp) {
				if strings.Contains(n, nextInfix) {
					nexts++
				}
			}
			if nexts != 3 { // each attempt stops at shard 0
				t.Errorf("%d next files after 3 failures: %v", nexts, files(t, cp))
			}
			r := open(t, cp, 2, nil)
			diffState(t, want, state(r.en))
			r.mustClose()

			ffs.FailWritesAfter(-1)
			if err := op(); err != nil {
				t.Fatal(err)
			}
			e.do("RPUSH", "l", "y")
			want = state(e.en)
			e.mustClose()
			for _, n := range files(t, dir) {
				if strings.Contains(n, nextInfix) || strings.HasSuffix(n, tmpSuffix) {
					t.Errorf("leftover %s", n)
				}
			}
			e = open(t, dir, 2, nil)
			diffState(t, want, state(e.en))
		})
	}
}

// TestDirectWritesReportDurability: SET and INCR, which take the engine's
// direct paths rather than the dispatcher's, report a write applied but not
// fsynced under appendfsync always as the dispatcher does (ErrDurability),
// and the write is kept.
func TestDirectWritesReportDurability(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"SET", "k", "v2"}, {"INCR", "n"}, {"INCRBY", "n", "5"}} {
		t.Run(args[0], func(t *testing.T) {
			dir := t.TempDir()
			ffs := NewFaultFS(nil)
			e := open(t, dir, 1, func(c *Config) { c.Sync = engine.SyncAlways; c.FS = ffs })
			e.do("SET", "k", "v1")
			e.do("SET", "n", "10")
			ffs.FailSync(syscall.EIO)
			if _, err := exec(e.en, args...); !errors.Is(err, engine.ErrDurability) {
				t.Fatalf("%q during the fault: %v, want ErrDurability", args, err)
			}
			ffs.FailSync(nil)
			waitFor(t, "the log to recover", func() bool {
				_, err := exec(e.en, "SET", "other", "x")
				return err == nil
			})
			want := state(e.en)
			e.mustClose()
			e = open(t, dir, 1, nil)
			diffState(t, want, state(e.en)) // the write was applied and is kept
			e.mustClose()
		})
	}
}
