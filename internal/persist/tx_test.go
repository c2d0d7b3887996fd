package persist

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	oexec "os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// txKeys returns one key per shard of n, so a transaction over them writes
// to every shard.
func txKeys(n int) []string {
	keys := make([]string, n)
	found := 0
	for i := 0; found < n; i++ {
		k := "tx:" + strconv.Itoa(i)
		if s := engine.ShardIndex(k, n); keys[s] == "" {
			keys[s] = k
			found++
		}
	}
	return keys
}

// runTx sets every key to v and pushes v on a list per key, in one
// transaction.
func runTx(en *engine.Engine, keys []string, v int) error {
	var cmds [][]string
	for _, k := range keys {
		cmds = append(cmds, []string{"SET", k, strconv.Itoa(v)}, []string{"RPUSH", k + ":l", strconv.Itoa(v)})
	}
	var w engine.RESPWriter
	if err := en.ExecMulti(cmds, &w, nil, nil); err != nil {
		return err
	}
	if !bytes.HasPrefix(w.Buf, []byte("*"+strconv.Itoa(len(cmds))+"\r\n")) || bytes.Contains(w.Buf, []byte("\r\n-")) {
		return fmt.Errorf("EXEC replied %q", w.Buf)
	}
	return nil
}

// txValue checks that a transaction's keys agree after a reload (every key
// written by the same transactions: all or none of each) and returns the
// number of transactions applied.
func txValue(t *testing.T, en *engine.Engine, keys []string) int {
	t.Helper()
	st := state(en)
	n := -1
	for _, k := range keys {
		v := 0
		if s, ok := st[k]; ok {
			v = killValue(t, k, s)
		}
		if l := killValue(t, k+":l", st[k+":l"]); l != v {
			t.Fatalf("%s = %d but its list holds %d transactions: a transaction applied in part", k, v, l)
		}
		if n >= 0 && v != n {
			t.Fatalf("keys of one transaction disagree after reload: %s = %d, another = %d (state %v)", k, v, n, st)
		}
		n = v
	}
	return n
}

// A transaction over several shards whose part on one shard never reached
// that shard's log is dropped on every shard at load, not applied in part.
func TestTxMissingPartIsDropped(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir, 4, nil)
	keys := txKeys(4)
	for v := 1; v <= 3; v++ {
		if err := runTx(e.en, keys, v); err != nil {
			t.Fatal(err)
		}
	}
	e.mustClose()
	// Cut the last transaction's part off shard 2's log, as a crash
	// between the shards' writes would.
	path := filepath.Join(dir, "aof-2.aof")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	last := bytes.LastIndex(data, []byte("*3\r\n$5\r\nMULTI\r\n"))
	if last < 0 {
		t.Fatalf("no multi-shard MULTI record in shard 2's log:\n%q", data)
	}
	if err := os.WriteFile(path, data[:last], 0o600); err != nil {
		t.Fatal(err)
	}
	r := open(t, dir, 4, nil)
	if got := txValue(t, r.en, keys); got != 2 {
		t.Fatalf("after losing shard 2's part of transaction 3: %d transactions, want 2", got)
	}
	// The store goes on from there: new transactions apply and survive.
	if err := runTx(r.en, keys, 3); err != nil {
		t.Fatal(err)
	}
	r.mustClose()
	r = open(t, dir, 4, nil)
	if got := txValue(t, r.en, keys); got != 3 {
		t.Fatalf("after a new transaction 3: %d", got)
	}
}

// A transaction whose part on one shard was folded into that shard's
// snapshot (or rewritten log) is kept: its records on the other shards are
// replayed.
func TestTxPartInBaseIsKept(t *testing.T) {
	for _, rewrite := range []bool{false, true} {
		t.Run(map[bool]string{false: "snapshot", true: "rewrite"}[rewrite], func(t *testing.T) {
			dir := t.TempDir()
			e := open(t, dir, 4, nil)
			keys := txKeys(4)
			for v := 1; v <= 3; v++ {
				if err := runTx(e.en, keys, v); err != nil {
					t.Fatal(err)
				}
			}
			// Fold shard 1's history into its base; the others keep
			// the transactions in their logs.
			var rs RewriteStats
			fn := e.st.snapshotShard
			if rewrite {
				fn = e.st.rewriteShard
			}
			e.st.opMu.Lock()
			err := fn(e.st.logs[1], &rs)
			e.st.opMu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			if data, _ := os.ReadFile(filepath.Join(dir, "aof-1.aof")); bytes.Contains(data, []byte("MULTI")) {
				t.Fatalf("shard 1's log still holds the transactions:\n%q", data)
			}
			e.mustClose()
			r := open(t, dir, 4, nil)
			if got := txValue(t, r.en, keys); got != 3 {
				t.Fatalf("%d transactions after reload, want 3", got)
			}
			// Reloaded transactions raise the marks, so a base written
			// now still covers them.
			r.st.opMu.Lock()
			err = r.st.snapshotShard(r.st.logs[0], &rs)
			r.st.opMu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			r.mustClose()
			r = open(t, dir, 4, nil)
			if got := txValue(t, r.en, keys); got != 3 {
				t.Fatalf("%d transactions after a second reload, want 3", got)
			}
		})
	}
}

// The transaction kill test: a child process runs transactions over every
// shard under FsyncAlways (with snapshots and rewrites going on) and
// prints each acknowledged one; the parent SIGKILLs it at a random moment
// and reopens. Every transaction is wholly present or wholly absent, and
// every acknowledged one is present.

const txKillEnv = "KEVY_TXKILL_CHILD"

func TestTxKillChild(t *testing.T) {
	if os.Getenv(txKillEnv) == "" {
		t.Skip("run by TestTxKill")
	}
	dir := os.Getenv("KEVY_KILL_DIR")
	en := engine.New(engine.Config{Shards: 4})
	st, _, err := Open(en, Config{Dir: dir, Sync: engine.SyncAlways, AutoRewritePercent: -1})
	if err != nil {
		fmt.Printf("ERR open: %v\n", err)
		os.Exit(3)
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, format, args...)
		mu.Unlock()
	}
	go func() {
		for i := 0; ; i++ {
			time.Sleep(time.Duration(5+rand.IntN(30)) * time.Millisecond)
			var err error
			if i%2 == 0 {
				_, err = st.SaveSnapshot()
			} else {
				_, err = st.RewriteAOF()
			}
			if err != nil {
				say("ERR op: %v\n", err)
				os.Exit(3)
			}
		}
	}()
	keys := txKeys(4)
	v, _ := strconv.Atoi(os.Getenv("KEVY_TXKILL_START"))
	for {
		v++
		if err := runTx(en, keys, v); err != nil {
			say("ERR tx: %v\n", err)
			os.Exit(3)
		}
		say("A %d\n", v)
	}
}

func TestTxKill(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no processes")
	}
	if os.Getenv(txKillEnv) != "" || os.Getenv(killEnv) != "" {
		t.Skip("in a child")
	}
	cycles := 30
	if testing.Short() {
		cycles = 5
	}
	dir := t.TempDir()
	if os.Getenv("KEVY_TXKILL_KEEP") != "" { // keep the files for a post-mortem
		var err error
		if dir, err = os.MkdirTemp("", "txkill-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("directory %s", dir)
	}
	keys := txKeys(4)
	now := 0 // transactions the directory holds
	for c := range cycles {
		cmd := oexec.Command(os.Args[0], "-test.run=^TestTxKillChild$", "-test.count=1", "-test.v=false")
		cmd.Env = append(os.Environ(), txKillEnv+"=1", "KEVY_KILL_DIR="+dir, "KEVY_TXKILL_START="+strconv.Itoa(now))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		acked, childErr := now, ""
		first, done := make(chan struct{}), make(chan struct{})
		var once sync.Once
		go func() {
			defer close(done)
			defer once.Do(func() { close(first) })
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				line := sc.Text()
				mu.Lock()
				if n, ok := strings.CutPrefix(line, "A "); ok {
					acked, _ = strconv.Atoi(n)
					once.Do(func() { close(first) })
				} else if strings.HasPrefix(line, "ERR") {
					childErr = line
				}
				mu.Unlock()
			}
		}()
		select {
		case <-first:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatal("the child acknowledged nothing in 30 s")
		}
		time.Sleep(time.Duration(rand.IntN(200)) * time.Millisecond)
		mu.Lock()
		last := acked
		mu.Unlock()
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		if childErr != "" {
			t.Fatalf("child: %s", childErr)
		}
		r := open(t, dir, 4, nil)
		if os.Getenv("KEVY_TXKILL_DEBUG") != "" {
			st := state(r.en)
			for _, k := range keys {
				t.Logf("cycle %d acked %d: %s=%s %s", c, last, k, st[k], st[k+":l"])
			}
		}
		got := txValue(t, r.en, keys)
		if got < last {
			t.Fatalf("cycle %d: %d transactions after the kill, %d were acknowledged", c, got, last)
		}
		mu.Lock()
		if got > acked+1 {
			t.Fatalf("cycle %d: %d transactions, more than were run (%d acknowledged)", c, got, acked)
		}
		mu.Unlock()
		now = got
		r.mustClose()
	}
	t.Logf("%d kill cycles, %d transactions in the end", cycles, now)
}

// A shard's new base may fold in a transaction only once the transaction's
// parts on the other shards are durable: here nothing flushes the logs
// (ManualTick), shard 1 takes a snapshot right after three transactions,
// and the process "crashes" (the directory is copied as it is). Before the
// fix, shard 1's base held the transactions and the other shards' logs
// nothing of them: they came back applied in part.
func TestTxFoldedOnlyOnceDurableEverywhere(t *testing.T) {
	for _, rewrite := range []bool{false, true} {
		t.Run(map[bool]string{false: "snapshot", true: "rewrite"}[rewrite], func(t *testing.T) {
			dir := t.TempDir()
			e := open(t, dir, 4, func(c *Config) { c.ManualTick = true })
			keys := txKeys(4)
			for v := 1; v <= 3; v++ {
				if err := runTx(e.en, keys, v); err != nil {
					t.Fatal(err)
				}
			}
			fn := e.st.snapshotShard
			if rewrite {
				fn = e.st.rewriteShard
			}
			var rs RewriteStats
			e.st.opMu.Lock()
			err := fn(e.st.logs[1], &rs)
			e.st.opMu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			crashed := copyDir(t, dir)
			r := open(t, crashed, 4, nil)
			if got := txValue(t, r.en, keys); got != 3 {
				t.Fatalf("%d transactions after the crash, want 3", got)
			}
			r.mustClose()
			e.mustClose()
		})
	}
}
