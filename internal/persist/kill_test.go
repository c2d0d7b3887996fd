package persist

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	oexec "os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// The kill test: a child process (this test binary, running
// TestKillChild) writes numbered RPUSH/INCR/SET commands and prints each
// acknowledgement, while another goroutine takes snapshots and rewrites
// the log; the parent SIGKILLs it at a random moment, reopens the
// directory and checks the invariant: each key holds a prefix of its
// writes (a list 1..n, a counter n), with every acknowledged write under
// FsyncAlways and every write acknowledged more than 2 s before the kill
// under FsyncEverySec.

const killEnv = "KEVY_KILL_CHILD"

var killKeys = []string{"L", "C", "S", "L{a}", "C{b}"}

func TestKillChild(t *testing.T) {
	if os.Getenv(killEnv) == "" {
		t.Skip("run by TestKill")
	}
	dir := os.Getenv("KEVY_KILL_DIR")
	shards, _ := strconv.Atoi(os.Getenv("KEVY_KILL_SHARDS"))
	pol, _ := strconv.Atoi(os.Getenv("KEVY_KILL_POLICY"))
	en := engine.New(engine.Config{Shards: shards})
	st, _, err := Open(en, Config{Dir: dir, Sync: engine.SyncPolicy(pol), AutoRewritePercent: -1})
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
			say("OP begin %d\n", i%2)
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
			say("OP end %d\n", i%2)
		}
	}()
	vals := map[string]int{}
	for _, k := range killKeys {
		r, _ := exec(en, "GET", k)
		if strings.HasPrefix(k, "L") {
			r, _ = exec(en, "LLEN", k)
			vals[k], _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(r, ":")))
			continue
		}
		if i := strings.Index(r, "\r\n"); i >= 0 && r[0] == '$' {
			vals[k], _ = strconv.Atoi(strings.TrimSuffix(r[i+2:], "\r\n"))
		}
	}
	for {
		for _, k := range killKeys {
			v := vals[k] + 1
			var err error
			switch k[0] {
			case 'L':
				_, err = exec(en, "RPUSH", k, strconv.Itoa(v))
			case 'C':
				_, err = exec(en, "INCR", k)
			case 'S':
				_, err = exec(en, "SET", k, strconv.Itoa(v))
			}
			if err != nil {
				say("ERR %s: %v\n", k, err)
				os.Exit(3)
			}
			vals[k] = v
			say("A %s %d\n", k, v)
		}
	}
}

type ack struct {
	v  int
	at time.Time
}

func TestKill(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no processes")
	}
	if os.Getenv(killEnv) != "" {
		t.Skip("in the child")
	}
	cycles := 25 // per combination: 100 in all
	if testing.Short() {
		cycles = 5
	}
	type combo struct {
		shards int
		pol    engine.SyncPolicy
	}
	combos := []combo{{1, engine.SyncAlways}, {4, engine.SyncAlways}, {1, engine.SyncEverySec}, {4, engine.SyncEverySec}}
	total, duringOp := 0, 0
	start := time.Now()
	for _, cb := range combos {
		dir := t.TempDir()
		// Filler keys, so snapshots and rewrites take a while.
		e := open(t, dir, cb.shards, nil)
		filler := 10000
		if raceEnabled {
			filler = 2000
		}
		for i := range filler {
			e.do("SET", "filler:"+strconv.Itoa(i), strings.Repeat("f", 20))
		}
		e.mustClose()
		now := map[string]int{} // what the directory holds
		for c := range cycles {
			delay := time.Duration(rand.IntN(300)) * time.Millisecond
			if cb.pol == engine.SyncEverySec && c == cycles-1 {
				delay = 3 * time.Second // long enough to check the 2 s loss window
			}
			acks, inOp, killedAt := runKillCycle(t, dir, cb.shards, cb.pol, delay, now)
			total++
			if inOp {
				duringOp++
			}
			r := open(t, dir, cb.shards, nil)
			st := state(r.en)
			for _, k := range killKeys {
				got := killValue(t, k, st[k])
				a := acks[k]
				last := a[len(a)-1].v
				switch cb.pol {
				case engine.SyncAlways:
					if got < last || got > last+1 {
						t.Fatalf("cycle %d (%+v): %s = %d, acknowledged %d", c, cb, k, got, last)
					}
				default:
					if got > last+1 {
						t.Fatalf("cycle %d (%+v): %s = %d, more than written (%d)", c, cb, k, got, last)
					}
					for _, x := range a {
						if x.at.Before(killedAt.Add(-2*time.Second)) && got < x.v {
							t.Fatalf("cycle %d (%+v): %s = %d lost %d, acknowledged %v before the kill",
								c, cb, k, got, x.v, killedAt.Sub(x.at))
						}
					}
				}
				now[k] = got
			}
			r.mustClose()
		}
	}
	t.Logf("%d kill cycles (%d during a snapshot or rewrite) in %v", total, duringOp, time.Since(start).Round(time.Millisecond))
}

// killValue checks a recovered key and returns its count: a list must be
// exactly 1..n.
func killValue(t *testing.T, key, v string) int {
	t.Helper()
	if v == "" {
		return 0
	}
	v = v[:strings.LastIndex(v, " exp=")]
	if strings.HasPrefix(v, "list:") {
		items := strings.Fields(strings.Trim(v[len("list:"):], "[]"))
		for i, it := range items {
			if it != strconv.Quote(strconv.Itoa(i+1)) {
				t.Fatalf("%s: element %d is %s: a write applied twice or lost", key, i, it)
			}
		}
		return len(items)
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(v, "string:"), `"`))
	if err != nil {
		t.Fatalf("%s = %s", key, v)
	}
	return n
}

// runKillCycle runs the child until its first acknowledgement and then
// for delay, SIGKILLs it and returns the
// acknowledgements it printed (with a zero entry first per key), whether
// the kill fell inside a snapshot or rewrite, and when it happened. start
// holds the keys' values in the directory.
func runKillCycle(t *testing.T, dir string, shards int, pol engine.SyncPolicy, delay time.Duration, start map[string]int) (map[string][]ack, bool, time.Time) {
	t.Helper()
	acks := map[string][]ack{}
	for _, k := range killKeys {
		acks[k] = []ack{{v: start[k]}}
	}

	cmd := oexec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), killEnv+"=1", "KEVY_KILL_DIR="+dir,
		"KEVY_KILL_SHARDS="+strconv.Itoa(shards), "KEVY_KILL_POLICY="+strconv.Itoa(int(pol)))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	inOp := false
	var childErr string
	done := make(chan struct{})
	first := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(done)
		defer once.Do(func() { close(first) })
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			now := time.Now()
			mu.Lock()
			switch {
			case len(f) == 3 && f[0] == "A":
				v, _ := strconv.Atoi(f[2])
				acks[f[1]] = append(acks[f[1]], ack{v: v, at: now})
				once.Do(func() { close(first) })
			case len(f) == 3 && f[0] == "OP":
				inOp = f[1] == "begin"
			case len(f) > 0 && f[0] == "ERR":
				childErr = sc.Text()
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
	time.Sleep(delay)
	mu.Lock()
	killedAt := time.Now()
	op := inOp
	mu.Unlock()
	cmd.Process.Kill()
	<-done
	cmd.Wait()
	if childErr != "" {
		t.Fatalf("child: %s", childErr)
	}
	return acks, op, killedAt
}
