package engine

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kevy-go/kevy/internal/resp"
)

// execBatchedRESP runs args through b on en and decodes the reply.
func execBatchedRESP(t testing.TB, en *Engine, b *Batch, args []string) resp.Value {
	t.Helper()
	w := &RESPWriter{}
	c := &Ctx{Args: slices.Clone(args), W: w}
	if cmd := Lookup(args[0]); cmd != nil {
		en.ExecBatched(b, c, cmd)
	} else {
		b.Release()
		en.Exec(c)
	}
	return oneReply(t, args, w.Buf)
}

// batchScript returns n random commands over a few keys of every type:
// single-key reads and writes (what a Batch keeps its hold for), multi-key
// and keyless commands (which release it), wrong types, expiry and
// commands of other shards.
func batchScript(r *rand.Rand, n int) [][]string {
	k := func() string { return "k" + strconv.Itoa(r.IntN(8)) }
	m := func() string { return "m" + strconv.Itoa(r.IntN(5)) }
	num := func() string { return strconv.Itoa(r.IntN(20) - 5) }
	gens := []func() []string{
		func() []string { return []string{"SET", k(), num()} },
		func() []string { return []string{"SET", k(), "v", "PX", strconv.Itoa(1 + r.IntN(30))} },
		func() []string { return []string{"GET", k()} },
		func() []string { return []string{"INCR", k()} },
		func() []string { return []string{"INCRBY", k(), num()} },
		func() []string { return []string{"APPEND", k(), "x"} },
		func() []string { return []string{"STRLEN", k()} },
		func() []string { return []string{"LPUSH", k(), m(), m()} },
		func() []string { return []string{"RPUSH", k(), m()} },
		func() []string { return []string{"LPOP", k()} },
		func() []string { return []string{"RPOP", k(), "2"} },
		func() []string { return []string{"LRANGE", k(), "0", "-1"} },
		func() []string { return []string{"SADD", k(), m(), m()} },
		func() []string { return []string{"SREM", k(), m()} },
		func() []string { return []string{"SCARD", k()} },
		func() []string { return []string{"SISMEMBER", k(), m()} },
		func() []string { return []string{"HSET", k(), m(), num()} },
		func() []string { return []string{"HINCRBY", k(), m(), num()} },
		func() []string { return []string{"HDEL", k(), m()} },
		func() []string { return []string{"HGET", k(), m()} },
		func() []string { return []string{"ZADD", k(), num(), m()} },
		func() []string { return []string{"ZINCRBY", k(), num(), m()} },
		func() []string { return []string{"ZREM", k(), m()} },
		func() []string { return []string{"ZRANGE", k(), "0", "-1", "WITHSCORES"} },
		func() []string { return []string{"DEL", k()} },
		func() []string { return []string{"EXPIRE", k(), "1"} },
		func() []string { return []string{"PEXPIRE", k(), strconv.Itoa(r.IntN(30))} },
		func() []string { return []string{"PTTL", k()} },
		func() []string { return []string{"PERSIST", k()} },
		func() []string { return []string{"TYPE", k()} },
		func() []string { return []string{"EXISTS", k(), k()} },
		func() []string { return []string{"MSET", k(), "1", k(), "2"} },
		func() []string { return []string{"MGET", k(), k()} },
		func() []string { return []string{"RENAME", k(), k()} },
		func() []string { return []string{"LMOVE", k(), k(), "LEFT", "RIGHT"} },
		func() []string { return []string{"DBSIZE"} },
		func() []string { return []string{"SET", k()} },                  // arity error
		func() []string { return []string{"INCR", k(), "extra"} },        // arity error
		func() []string { return []string{"HSET", k(), m()} },            // arity error
		func() []string { return []string{"ZADD", k(), "nan?", m()} },    // not a float
		func() []string { return []string{"SET", k(), "1", "EX", "-1"} }, // invalid expire
		func() []string { return []string{"ADVANCE"} },
		func() []string { return []string{"RELEASE"} },
	}
	out := make([][]string, n)
	for i := range out {
		if r.IntN(200) == 0 {
			out[i] = []string{"FLUSHALL"}
			continue
		}
		out[i] = gens[r.IntN(len(gens))]()
	}
	return out
}

// engineState reads every key's type, value and TTL in a canonical form.
func engineState(t *testing.T, en *Engine) []string {
	t.Helper()
	var out []string
	keys := strs(execRESP(t, en, []string{"KEYS", "*"}))
	slices.Sort(keys)
	for _, key := range keys {
		typ := execRESP(t, en, []string{"TYPE", key}).Str
		var val []string
		switch typ {
		case "string":
			val = []string{execRESP(t, en, []string{"GET", key}).Str}
		case "list":
			val = strs(execRESP(t, en, []string{"LRANGE", key, "0", "-1"}))
		case "set":
			val = strs(execRESP(t, en, []string{"SMEMBERS", key}))
			slices.Sort(val)
		case "hash":
			val = sortedItems(execRESP(t, en, []string{"HGETALL", key}).Elems, 2)
		case "zset":
			val = strs(execRESP(t, en, []string{"ZRANGE", key, "0", "-1", "WITHSCORES"}))
		}
		ttl := execRESP(t, en, []string{"PTTL", key}).Int
		out = append(out, key+" "+typ+" "+strconv.FormatInt(ttl, 10)+" "+quoteArgs(val))
	}
	return out
}

// TestBatchMatchesExec runs the same random commands through a Batch on
// one engine and through ExecCommand on another, both with several shards
// and a manual clock: every reply, the final keys, values and TTLs, the
// expired-key count must be the same, and the batched engine's memory
// counters must match its keys' sizes. The
// batch is also released at random points, as a connection's reads do.
func TestBatchMatchesExec(t *testing.T) {
	for seed := range uint64(6) {
		now := int64(1_700_000_000_000)
		clock := func() int64 { return now }
		shards := []int{1, 4}[seed%2]
		batched := New(Config{Shards: shards, ManualReaper: true, Now: clock})
		plain := New(Config{Shards: shards, ManualReaper: true, Now: clock})
		var b Batch
		held := 0
		r := rand.New(rand.NewPCG(seed, 7))
		for i, args := range batchScript(r, 4000) {
			switch args[0] {
			case "ADVANCE":
				b.Release() // the clock moves between reads, not under a hold
				now += int64(r.IntN(25))
				continue
			case "RELEASE":
				b.Release()
				continue
			}
			got := execBatchedRESP(t, batched, &b, args)
			if b.Holding() {
				held++
			}
			want := execRESP(t, plain, args)
			if !same(cmpExact, got, want) {
				t.Fatalf("seed %d, command %d %s: batched %v, plain %v", seed, i, quoteArgs(args), got, want)
			}
			if i%97 == 0 {
				b.Release()
				checkAccounting(t, batched) // sizes depend on skip-list levels: not compared across engines
			}
		}
		b.Release()
		if held < 1000 {
			t.Errorf("seed %d: the batch held a shard after only %d of 4000 commands", seed, held)
		}
		gs, ws := engineState(t, batched), engineState(t, plain)
		if !slices.Equal(gs, ws) {
			t.Fatalf("seed %d: state differs\nbatched %q\nplain   %q", seed, gs, ws)
		}
		checkAccounting(t, batched)
		if g, w := batched.Stats().Expired, plain.Stats().Expired; g != w {
			t.Errorf("seed %d: expired keys %d batched, %d plain", seed, g, w)
		}
		batched.Close()
		plain.Close()
	}
}

// TestBatchServesBlockedFirst: a push made under a hold serves a blocked
// BLPOP before the batch's next command, as Redis serves blocked clients
// right after the command that made their key ready.
func TestBatchServesBlockedFirst(t *testing.T) {
	en := New(Config{Shards: 1})
	defer en.Close()
	var b Batch
	execRESP(t, en, []string{"SET", "x", "1"})
	blpop := execAsync(t, en, context.Background(), "BLPOP", "q", "0")
	waitBlocked(t, en, 1)
	execBatchedRESP(t, en, &b, []string{"SET", "x", "2"}) // no new key, no event: held
	if !b.Holding() {
		t.Fatal("SET took no hold")
	}
	if got := execBatchedRESP(t, en, &b, []string{"LPUSH", "q", "a"}); got.Int != 1 {
		t.Fatalf("LPUSH = %v", got)
	}
	if got := execBatchedRESP(t, en, &b, []string{"LPOP", "q"}); !got.IsNull() {
		t.Fatalf("LPOP after the push = %v, want nil: the blocked BLPOP comes first", got)
	}
	b.Release()
	if got := strs(recvReply(t, blpop)); !slices.Equal(got, []string{"q", "a"}) {
		t.Fatalf("BLPOP = %q", got)
	}
}

// TestBatchKeyspaceEvents: with a listener, each write's events are
// delivered when the command ends (the hold is released), in order.
func TestBatchKeyspaceEvents(t *testing.T) {
	en := New(Config{})
	defer en.Close()
	var mu sync.Mutex
	var got []string
	remove := en.Listen(ClassString|ClassGeneric, func(evs []Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			got = append(got, e.Name+" "+e.Key)
		}
	})
	defer remove()
	var b Batch
	for _, args := range [][]string{{"SET", "a", "1"}, {"INCR", "a"}, {"DEL", "a"}} {
		execBatchedRESP(t, en, &b, args)
		if b.Holding() {
			t.Fatalf("%q: the batch kept its hold with events queued", args)
		}
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 0 {
			t.Fatalf("%q: no event delivered by the time the command returned", args)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"set a", "incrby a", "del a"}; !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// TestBatchHoldsAndReleases: a write holds its shard for the commands
// after it, up to batchMax; another caller of that shard waits until
// Release; reads alone hold nothing.
func TestBatchHoldsAndReleases(t *testing.T) {
	en := New(Config{Shards: 1})
	defer en.Close()
	var b Batch
	execBatchedRESP(t, en, &b, []string{"GET", "x"})
	if b.Holding() {
		t.Fatal("a read took a hold")
	}
	execBatchedRESP(t, en, &b, []string{"SET", "x", "1"})
	if !b.Holding() {
		t.Fatal("a write did not keep its shard")
	}
	done := make(chan struct{})
	go func() {
		en.Exec(&Ctx{Args: []string{"INCR", "x"}, W: &RESPWriter{}})
		close(done)
	}()
	for range batchMax - 2 {
		execBatchedRESP(t, en, &b, []string{"GET", "x"})
	}
	select {
	case <-done:
		t.Fatal("another caller wrote while the batch held the shard")
	default:
	}
	if got := execBatchedRESP(t, en, &b, []string{"GET", "x"}); got.Str != "1" || b.Holding() {
		t.Fatalf("command %d: GET = %v, holding %v: want 1 and the hold released", batchMax, got, b.Holding())
	}
	<-done
	if got := execBatchedRESP(t, en, &b, []string{"GET", "x"}); got.Str != "2" {
		t.Fatalf("GET after release = %v, want 2", got)
	}
	execBatchedRESP(t, en, &b, []string{"SET", "y", "1"})
	execBatchedRESP(t, en, &b, []string{"DBSIZE"}) // keyless: released first
	if b.Holding() {
		t.Fatal("a keyless command left the hold in place")
	}
}

// TestBatchEvicts: over maxmemory a batch's writes go through the
// evicting path and the store stays near its limit.
func TestBatchEvicts(t *testing.T) {
	en := New(Config{Shards: 2})
	defer en.Close()
	const limit = 256 << 10
	en.SetMemoryConfig(MemoryConfig{MaxMemory: limit, Policy: AllKeysRandom})
	var b Batch
	val := string(bytes.Repeat([]byte("v"), 100))
	for i := range 20000 {
		if got := execBatchedRESP(t, en, &b, []string{"SET", "k" + strconv.Itoa(i), val}); got.Str != "OK" {
			t.Fatalf("SET %d = %v", i, got)
		}
	}
	b.Release()
	if used := en.UsedMemory(); used > limit+limit/8 {
		t.Fatalf("used memory %d with maxmemory %d", used, limit)
	}
	if ev := en.Stats().Evicted; ev == 0 {
		t.Fatal("nothing was evicted")
	}
}

// TestBatchConcurrent runs batches on several goroutines beside typed
// writes and the reaper (run with -race): INCRs through batches of
// several keys and shards add up exactly.
func TestBatchConcurrent(t *testing.T) {
	en := New(Config{Shards: 4})
	defer en.Close()
	const workers, per = 4, 3000
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b Batch
			w := &RESPWriter{}
			incr := Lookup("incr")
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range per {
				w.Buf = w.Buf[:0]
				en.ExecBatched(&b, &Ctx{Args: []string{"incr", "c" + strconv.Itoa(r.IntN(6))}, W: w}, incr)
				if i%50 == 0 {
					b.Release()
				}
			}
			b.Release()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range per {
			if _, err := en.IncrBy("c0", 1); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	var sum int64
	for i := range 6 {
		n, err := strconv.ParseInt(execRESP(t, en, []string{"GET", "c" + strconv.Itoa(i)}).Str, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += n
	}
	if sum != workers*per+per {
		t.Fatalf("counters sum to %d, want %d", sum, workers*per+per)
	}
}

// FuzzBatch runs a script of commands (one per line, arguments separated
// by NUL) through a Batch on one engine and through ExecCommand on
// another: replies and final state must be the same. Commands with random
// replies, blocking ones and settings are skipped.
func FuzzBatch(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		var lines []string
		for _, args := range batchScript(r, 30) {
			lines = append(lines, strings.Join(args, "\x00"))
		}
		f.Add(strings.Join(lines, "\n"))
	}
	f.Fuzz(func(t *testing.T, script string) {
		if len(script) > 1<<12 {
			return
		}
		now := int64(1_700_000_000_000)
		clock := func() int64 { return now }
		batched := New(Config{Shards: 2, ManualReaper: true, Now: clock})
		defer batched.Close()
		plain := New(Config{Shards: 2, ManualReaper: true, Now: clock})
		defer plain.Close()
		var b Batch
		for _, line := range strings.Split(script, "\n") {
			args := strings.Split(line, "\x00")
			switch cmd := Lookup(args[0]); {
			case args[0] == "ADVANCE":
				b.Release()
				now += 7
				continue
			case args[0] == "RELEASE":
				b.Release()
				continue
			case cmd == nil || cmd.Flags&(FlagRandom|FlagBlocking|FlagAdmin) != 0 ||
				cmd.Name == "config" || cmd.Name == "debug" || cmd.Name == "object":
				continue
			}
			got := execBatchedRESP(t, batched, &b, args)
			want := execRESP(t, plain, args)
			if !same(cmpExact, got, want) {
				t.Fatalf("%s: batched %v, plain %v", quoteArgs(args), got, want)
			}
		}
		b.Release()
		if gs, ws := engineState(t, batched), engineState(t, plain); !slices.Equal(gs, ws) {
			t.Fatalf("state differs\nbatched %q\nplain   %q", gs, ws)
		}
		checkAccounting(t, batched)
	})
}
