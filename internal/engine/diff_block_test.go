package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// Differential tests of the blocking commands. TestDiffBlocking runs them
// through the shared harness in the cases one client can reach: a key with
// elements (served at once), argument errors, wrong types and short
// timeouts. TestDiffBlockOrder drives several clients that block, in a
// known order, on Redis and on the engine, then the same pushes, and
// compares who got what.

// blockTimeout returns a timeout that never blocks for long: a short one,
// or an invalid one (never 0 or a long one: Redis would block the harness).
func blockTimeout(r *rand.Rand) string {
	if r.IntN(10) == 0 {
		return pick(r, "-1", "abc", "inf", "-inf", "nan", "1e300", "", " 1", "1e", "9223372036854775807", "-0.5")
	}
	return pick(r, "0.001", "0.002", ".001", "0.0001", "1e-3")
}

func blockKeys(r *rand.Rand) []string {
	out := make([]string, 1+r.IntN(3))
	for i := range out {
		out[i] = key(r)
	}
	return out
}

// numkeysArgs builds "numkeys key..." for BLMPOP/BZMPOP, sometimes wrong.
func numkeysArgs(r *rand.Rand) []string {
	ks := blockKeys(r)
	n := strconv.Itoa(len(ks))
	if r.IntN(10) == 0 {
		n = pick(r, "0", "-1", "x", strconv.Itoa(len(ks)+1), "9223372036854775807", strconv.Itoa(len(ks)+3))
	}
	return append([]string{n}, ks...)
}

func genBlock(r *rand.Rand) diffCmd {
	k := key(r)
	with := func(name string, rest ...string) diffCmd { return cmd(append([]string{name}, rest...)...) }
	switch n := r.IntN(30); n {
	case 0, 1, 2, 3, 4:
		return with(pick(r, "LPUSH", "RPUSH"), append([]string{k}, listElems(r, 4)...)...)
	case 5, 6, 7:
		args := []string{"ZADD", k}
		for range 1 + r.IntN(4) {
			args = append(args, strconv.Itoa(r.IntN(10)-3), member(r))
		}
		return cmd(args...)
	case 8:
		return cmd(pick(r, "SET", "SADD", "HSET"), k, "x", pick(r, "y", "1"))
	case 9:
		return cmd("DEL", k)
	case 10, 11, 12:
		return with(pick(r, "BLPOP", "BRPOP", "blpop"), append(blockKeys(r), blockTimeout(r))...)
	case 13, 14:
		return with("BLMOVE", key(r), key(r), listSideArg(r), listSideArg(r), blockTimeout(r))
	case 15:
		return with("BRPOPLPUSH", key(r), key(r), blockTimeout(r))
	case 16, 17:
		args := append([]string{"BLMPOP", blockTimeout(r)}, numkeysArgs(r)...)
		args = append(args, listSideArg(r))
		if r.IntN(2) == 0 {
			args = append(args, pick(r, "COUNT", "count", "CNT"), listCount(r))
		}
		if r.IntN(15) == 0 {
			args = append(args, "COUNT", "2")
		}
		return cmd(args...)
	case 18, 19, 20:
		return with(pick(r, "BZPOPMIN", "BZPOPMAX"), append(blockKeys(r), blockTimeout(r))...)
	case 21, 22:
		args := append([]string{"BZMPOP", blockTimeout(r)}, numkeysArgs(r)...)
		args = append(args, pick(r, "MIN", "MAX", "max", "MEDIAN"))
		if r.IntN(2) == 0 {
			args = append(args, pick(r, "COUNT", "count", "LIMIT"), listCount(r))
		}
		return cmd(args...)
	case 23:
		// Arity errors.
		return cmd(pick(r, []string{"BLPOP", k}, []string{"BZPOPMIN", k}, []string{"BLMOVE", k, k, "LEFT", "LEFT"},
			[]string{"BRPOPLPUSH", k, k}, []string{"BLMPOP", "0.001", "1", k}, []string{"BZMPOP", "0.001", "1", k},
			[]string{"BRPOPLPUSH", k, k, "0.001", "x"})...)
	case 24, 25:
		return cmd("LRANGE", k, "0", "-1")
	case 26, 27:
		return cmd("ZRANGE", k, "0", "-1", "WITHSCORES")
	case 28:
		return cmd("TYPE", k)
	default:
		return cmd("EXISTS", k)
	}
}

// TestDiffBlocking is runDiff with Redis's hz raised, so the short
// timeouts of blocked commands fire within milliseconds (Redis checks them
// between event-loop waits, which last up to 1000/hz ms).
func TestDiffBlocking(t *testing.T) {
	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	d := newDiffer(t)
	if _, err := d.rc.Do("CONFIG", "SET", "hz", "500"); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 0x6b657679))
	for n := 20000 * *diffScale; d.cnt < n; {
		cmds := make([]diffCmd, 200)
		for i := range cmds {
			cmds[i] = genBlock(r)
		}
		i, want, got := d.round(cmds)
		if i < 0 {
			continue
		}
		small := d.shrink(cmds[:i+1])
		_, want, got = d.round(small)
		var b strings.Builder
		for _, c := range small {
			fmt.Fprintf(&b, "\n  %s", quoteArgs(c.Args))
		}
		t.Fatalf("differential mismatch (seed %d; rerun with -diff.seed=%d)\nshortest failing sequence:%s\nredis: %v\nkevy:  %v",
			seed, seed, b.String(), want, got)
	}
	t.Logf("seed %d: %d commands, 0 mismatches", seed, d.cnt)
}

// TestDiffBlockOrder blocks clients on Redis and on an engine in the same
// order, runs the same writes from another client, and compares every
// blocked client's reply and the keys left.
func TestDiffBlockOrder(t *testing.T) {
	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	r := rand.New(rand.NewPCG(seed, 0x626c6f63))
	srv := redistest.Start(t)
	const maxWaiters = 4
	var rcs []*redistest.Client
	for range maxWaiters + 1 {
		rcs = append(rcs, srv.Dial(t))
	}
	ctl := rcs[maxWaiters]
	ids := make([]string, maxWaiters)
	for i := range ids {
		v, err := rcs[i].Do("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = strconv.FormatInt(v.Int, 10)
	}
	rounds := 200 * *diffScale
	for round := range rounds {
		en := New(Config{Shards: 4, ManualReaper: true})
		if _, err := ctl.Do("FLUSHALL"); err != nil {
			t.Fatal(err)
		}
		keys := []string{"a", "b", "c"}
		nw := 2 + r.IntN(maxWaiters-1)
		var waiting [][]string
		for range nw {
			waiting = append(waiting, genWaiter(r, keys))
		}
		pushes := genPushes(r, keys)

		// Redis: block each client in turn, waiting until Redis counts it.
		redisReplies := make([]resp.Value, nw)
		var wg sync.WaitGroup
		for i, args := range waiting {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := rcs[i].Do(args...)
				if err != nil {
					v = resp.Value{Kind: resp.ErrorReply, Str: "client: " + err.Error()}
				}
				redisReplies[i] = v
			}()
			waitRedisBlocked(t, ctl, i+1)
		}
		var redisPush []resp.Value
		for _, p := range pushes {
			v, err := ctl.Do(p...)
			if err != nil {
				t.Fatal(err)
			}
			redisPush = append(redisPush, v)
		}
		// Redis served what it could before replying to the last push;
		// unblock the others, which then reply as on a timeout.
		for i := range waiting {
			if _, err := ctl.Do("CLIENT", "UNBLOCK", ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		wg.Wait()
		redisState := dumpKeys(t, func(args ...string) resp.Value { v, _ := ctl.Do(args...); return v }, append(keys, "t"))

		// The engine, the same way.
		kevyReplies := make([]resp.Value, nw)
		chans := make([]<-chan resp.Value, nw)
		ctx, cancel := context.WithCancel(context.Background())
		for i, args := range waiting {
			chans[i] = execAsync(t, en, ctx, args...)
			waitBlocked(t, en, i+1)
		}
		m := en.NewMulti()
		var kevyPush []resp.Value
		for _, p := range pushes {
			kevyPush = append(kevyPush, execMultiRESP(t, en, m, p))
		}
		cancel() // the engine also served what it could before the push returned
		for i := range chans {
			kevyReplies[i] = recvReply(t, chans[i])
		}
		kevyState := dumpKeys(t, func(args ...string) resp.Value { return execRESP(t, en, args) }, append(keys, "t"))
		en.Close()

		fail := func(what string, a, b any) {
			var s strings.Builder
			for i, w := range waiting {
				fmt.Fprintf(&s, "\n  client %d: %s", i, quoteArgs(w))
			}
			for _, p := range pushes {
				fmt.Fprintf(&s, "\n  pusher: %s", quoteArgs(p))
			}
			t.Fatalf("round %d (seed %d): %s differ\nredis: %v\nkevy:  %v\nscript:%s", round, seed, what, a, b, s.String())
		}
		for i := range waiting {
			if !redisReplies[i].Equal(kevyReplies[i]) {
				fail(fmt.Sprintf("client %d replies", i), redisReplies[i], kevyReplies[i])
			}
		}
		for i := range pushes {
			if !redisPush[i].Equal(kevyPush[i]) {
				fail(fmt.Sprintf("push %d replies", i), redisPush[i], kevyPush[i])
			}
		}
		if redisState != kevyState {
			fail("final keys", redisState, kevyState)
		}
	}
	t.Logf("seed %d: %d rounds, 0 mismatches", seed, rounds)
}

// genWaiter returns a blocking command on keys, without a timeout: the
// clients not served are unblocked at the end of the round.
func genWaiter(r *rand.Rand, keys []string) []string {
	k := func() string { return pick(r, keys...) }
	some := func() []string {
		out := []string{k()}
		if r.IntN(2) == 0 {
			out = append(out, k())
		}
		return out
	}
	const to = "0"
	switch r.IntN(8) {
	case 7:
		kk := k()
		return pick(r, []string{"BLPOP", kk, kk, to}, []string{"BLMOVE", kk, kk, "LEFT", "RIGHT", to})
	case 0:
		return append(append([]string{"BLPOP"}, some()...), to)
	case 1:
		return append(append([]string{"BRPOP"}, some()...), to)
	case 2:
		return []string{"BLMOVE", k(), k(), pick(r, "LEFT", "RIGHT"), pick(r, "LEFT", "RIGHT"), to}
	case 3:
		ks := some()
		return append(append([]string{"BLMPOP", to, strconv.Itoa(len(ks))}, ks...), pick(r, "LEFT", "RIGHT"), "COUNT", strconv.Itoa(1+r.IntN(3)))
	case 4:
		return append(append([]string{pick(r, "BZPOPMIN", "BZPOPMAX")}, some()...), to)
	case 5:
		ks := some()
		return append(append([]string{"BZMPOP", to, strconv.Itoa(len(ks))}, ks...), pick(r, "MIN", "MAX"), "COUNT", strconv.Itoa(1+r.IntN(3)))
	default:
		return []string{"BRPOPLPUSH", k(), k(), to}
	}
}

// genPushes returns the writes that may serve the waiters: pushes, adds,
// writes of other types, and transactions (served after EXEC).
func genPushes(r *rand.Rand, keys []string) [][]string {
	var out [][]string
	for range 1 + r.IntN(4) {
		k := pick(r, keys...)
		switch r.IntN(9) {
		case 0, 1, 2:
			out = append(out, append([]string{pick(r, "RPUSH", "LPUSH"), k}, listElems(r, 3)...))
		case 3, 4:
			args := []string{"ZADD", k}
			for range 1 + r.IntN(3) {
				args = append(args, strconv.Itoa(r.IntN(5)), member(r))
			}
			out = append(out, args)
		case 5:
			out = append(out, []string{"SET", k, "x"})
		case 6:
			out = append(out, []string{"DEL", k})
		case 7:
			// Keys filled by commands other than pushes: RENAME, LMOVE,
			// COPY, ZUNIONSTORE, from a helper key nobody waits on.
			switch r.IntN(4) {
			case 0:
				out = append(out, []string{"RPUSH", "t", "t1", "t2"}, []string{"RENAME", "t", k})
			case 1:
				out = append(out, []string{"RPUSH", "t", "t1"}, []string{"LMOVE", "t", k, "LEFT", "RIGHT"})
			case 2:
				out = append(out, []string{"RPUSH", "t", "t1"}, []string{"COPY", "t", k})
			default:
				out = append(out, []string{"ZADD", "t", "1", "t1"}, []string{"ZUNIONSTORE", k, "1", "t"})
			}
		default:
			out = append(out, []string{"MULTI"})
			for range 1 + r.IntN(3) {
				out = append(out, append([]string{"RPUSH", pick(r, keys...)}, listElems(r, 2)...))
			}
			if r.IntN(2) == 0 {
				out = append(out, []string{"ZADD", pick(r, keys...), "1", member(r)})
			}
			out = append(out, []string{"EXEC"})
		}
	}
	return out
}

// waitRedisBlocked waits until Redis reports n blocked clients.
func waitRedisBlocked(t *testing.T, c *redistest.Client, n int) {
	t.Helper()
	want := "blocked_clients:" + strconv.Itoa(n) + "\r"
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := c.Do("INFO", "clients")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(v.Str, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis never had %d blocked clients: %s", n, v.Str)
		}
		time.Sleep(time.Millisecond)
	}
}

// dumpKeys renders keys' types and contents.
func dumpKeys(t *testing.T, do func(args ...string) resp.Value, keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		typ := do("TYPE", k).Str
		fmt.Fprintf(&b, "%s:%s=", k, typ)
		switch typ {
		case "list":
			b.WriteString(do("LRANGE", k, "0", "-1").String())
		case "zset":
			b.WriteString(do("ZRANGE", k, "0", "-1", "WITHSCORES").String())
		case "string":
			b.WriteString(do("GET", k).String())
		}
		b.WriteString(" ")
	}
	return b.String()
}

// execMultiRESP runs args as a connection would: through m first.
func execMultiRESP(t testing.TB, en *Engine, m *Multi, args []string) resp.Value {
	t.Helper()
	w := &RESPWriter{}
	handled, err := m.Handle(args, w)
	if err != nil {
		t.Fatalf("%s: %v", quoteArgs(args), err)
	}
	if !handled {
		en.Exec(&Ctx{Args: args, W: w})
	}
	rd := resp.NewReader(strings.NewReader(string(w.Buf)))
	v, err := rd.ReadValue()
	if err != nil || rd.Offset() != int64(len(w.Buf)) {
		t.Fatalf("%s: malformed reply %q", quoteArgs(args), w.Buf)
	}
	return v
}
