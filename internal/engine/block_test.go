package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/resp"
)

// Tests of blocking commands inside the engine: FIFO service, timeouts,
// cancellation, wake-ups from other shards and from transactions, and the
// race detector under concurrent pushers.

// waitBlocked waits until n callers are blocked.
func waitBlocked(t testing.TB, en *Engine, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for en.BlockedClients() != n {
		if time.Now().After(deadline) {
			t.Fatalf("blocked clients = %d, want %d", en.BlockedClients(), n)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// execAsync runs args on en in a goroutine and returns the reply's channel.
func execAsync(t testing.TB, en *Engine, ctx context.Context, args ...string) <-chan resp.Value {
	ch := make(chan resp.Value, 1)
	go func() {
		w := &RESPWriter{}
		en.ExecContext(ctx, &Ctx{Args: args, W: w})
		v, err := resp.NewReader(bytes.NewReader(w.Buf)).ReadValue()
		if err != nil {
			panic(fmt.Sprintf("%q: bad reply %q", args, w.Buf))
		}
		ch <- v
	}()
	return ch
}

func recvReply(t testing.TB, ch <-chan resp.Value) resp.Value {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("blocked command did not return")
	}
	return resp.Value{}
}

func TestBlockFIFO(t *testing.T) {
	en := New(Config{Shards: 4, ManualReaper: true})
	defer en.Close()
	ctx := context.Background()
	var chans []<-chan resp.Value
	for i := range 4 {
		chans = append(chans, execAsync(t, en, ctx, "BLPOP", "q", "0"))
		waitBlocked(t, en, i+1)
	}
	// One push of three elements serves the first three waiters in order.
	execRESP(t, en, []string{"RPUSH", "q", "a", "b", "c"})
	for i, want := range []string{"a", "b", "c"} {
		v := recvReply(t, chans[i])
		if got := v.String(); got != fmt.Sprintf(`["q" %q]`, want) {
			t.Fatalf("waiter %d got %s, want %s", i, got, want)
		}
	}
	waitBlocked(t, en, 1)
	execRESP(t, en, []string{"LPUSH", "q", "d"})
	if got := recvReply(t, chans[3]).String(); got != `["q" "d"]` {
		t.Fatalf("last waiter got %s", got)
	}
	if v := execRESP(t, en, []string{"EXISTS", "q"}); v.Int != 0 {
		t.Fatal("list should be consumed and deleted")
	}
}

func TestBlockTimeout(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	start := time.Now()
	v := execRESP(t, en, []string{"BLPOP", "none", "0.05"})
	if v.Kind != resp.NullArray {
		t.Fatalf("timeout reply %v", v)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("returned after %v", d)
	}
	// BLMOVE replies a null array on timeout, as Redis does.
	if v := execRESP(t, en, []string{"BLMOVE", "none", "d", "LEFT", "RIGHT", "0.01"}); v.Kind != resp.NullArray {
		t.Fatalf("BLMOVE timeout %v", v)
	}
	if en.BlockedClients() != 0 {
		t.Fatal("timed out waiter still registered")
	}
	_, _, err := en.BLPop(context.Background(), 10*time.Millisecond, []string{"none"}, true)
	if err != ErrNotFound {
		t.Fatalf("typed timeout: %v", err)
	}
}

func TestBlockTimeoutParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		err  error
	}{
		{"0", 0, nil}, {"1", time.Second, nil}, {"0.0001", time.Millisecond, nil},
		{"-0.0001", 0, nil}, {"-0", 0, nil}, {"1.0000001", 1001 * time.Millisecond, nil},
		{"0x10", 16 * time.Second, nil}, {".5", 500 * time.Millisecond, nil}, {"1e-400", time.Millisecond, nil},
		{"-1", 0, errTimeoutNegative}, {"inf", 0, errTimeoutNegative}, {"1e300", 0, errTimeoutNegative},
		{"9223372036854775807", 0, errTimeoutNegative},
		{"abc", 0, ErrTimeout}, {"nan", 0, ErrTimeout}, {"", 0, ErrTimeout}, {" 1", 0, ErrTimeout}, {"1e", 0, ErrTimeout},
	} {
		d, err := ParseBlockTimeout(c.in)
		if d != c.want || err != c.err {
			t.Errorf("ParseBlockTimeout(%q) = %v, %v; want %v, %v", c.in, d, err, c.want, c.err)
		}
	}
}

func TestBlockCancel(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	ctx, cancel := context.WithCancel(context.Background())
	ch := execAsync(t, en, ctx, "BZPOPMIN", "z", "0")
	waitBlocked(t, en, 1)
	cancel()
	if v := recvReply(t, ch); v.Kind != resp.NullArray {
		t.Fatalf("cancelled reply %v", v)
	}
	// CLIENT UNBLOCK ... ERROR: cancelled with ErrUnblocked.
	ctx2, cancel2 := context.WithCancelCause(context.Background())
	ch = execAsync(t, en, ctx2, "BLPOP", "l", "0")
	waitBlocked(t, en, 1)
	cancel2(ErrUnblocked)
	if v := recvReply(t, ch); v.Kind != resp.ErrorReply || v.Str != "UNBLOCKED client unblocked via CLIENT UNBLOCK" {
		t.Fatalf("unblocked reply %v", v)
	}
	// Typed API: the context's error.
	ctx3, cancel3 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel3()
	if _, _, err := en.BLPop(ctx3, 0, []string{"l"}, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("typed cancel: %v", err)
	}
	if en.BlockedClients() != 0 {
		t.Fatal("waiters left")
	}
	// Nothing was lost: a later push stays in the list.
	execRESP(t, en, []string{"RPUSH", "l", "x"})
	if v := execRESP(t, en, []string{"LLEN", "l"}); v.Int != 1 {
		t.Fatalf("LLEN %v", v)
	}
}

func TestBlockEngineClose(t *testing.T) {
	en := New(Config{ManualReaper: true})
	done := make(chan error, 1)
	go func() {
		_, _, err := en.BLPop(context.Background(), 0, []string{"l"}, true)
		done <- err
	}()
	waitBlocked(t, en, 1)
	en.Close()
	select {
	case err := <-done:
		if err != ErrClosed {
			t.Fatalf("after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the blocked caller")
	}
}

// keysOnShards returns n keys on distinct shards of en.
func keysOnShards(en *Engine, n int) []string {
	var out []string
	seen := map[int]bool{}
	for i := 0; len(out) < n; i++ {
		k := "key" + strconv.Itoa(i)
		if s := en.ShardOf(k).idx; !seen[s] {
			seen[s] = true
			out = append(out, k)
		}
	}
	return out
}

func TestBlockCrossShard(t *testing.T) {
	en := New(Config{Shards: 8, ManualReaper: true})
	defer en.Close()
	ks := keysOnShards(en, 3)
	ctx := context.Background()
	// A waiter on two keys of different shards is woken by a push to either.
	ch := execAsync(t, en, ctx, "BRPOP", ks[0], ks[1], "0")
	waitBlocked(t, en, 1)
	execRESP(t, en, []string{"LPUSH", ks[1], "v"})
	if got := recvReply(t, ch).String(); got != fmt.Sprintf(`[%q "v"]`, ks[1]) {
		t.Fatalf("got %s", got)
	}
	// BLMOVE across shards, then a waiter on the destination.
	mv := execAsync(t, en, ctx, "BLMOVE", ks[0], ks[2], "LEFT", "RIGHT", "0")
	waitBlocked(t, en, 1)
	pop := execAsync(t, en, ctx, "BLPOP", ks[2], "0")
	waitBlocked(t, en, 2)
	execRESP(t, en, []string{"RPUSH", ks[0], "x", "y"})
	if got := recvReply(t, mv).String(); got != `"x"` {
		t.Fatalf("BLMOVE got %s", got)
	}
	if got := recvReply(t, pop).String(); got != fmt.Sprintf(`[%q "x"]`, ks[2]) {
		t.Fatalf("chained BLPOP got %s", got)
	}
	if got := execRESP(t, en, []string{"LRANGE", ks[0], "0", "-1"}).String(); got != `["y"]` {
		t.Fatalf("source left %s", got)
	}
}

func TestBlockWokenByTransaction(t *testing.T) {
	en := New(Config{Shards: 4, ManualReaper: true})
	defer en.Close()
	ks := keysOnShards(en, 2)
	ch := execAsync(t, en, context.Background(), "BLPOP", ks[0], ks[1], "0")
	waitBlocked(t, en, 1)
	// The transaction fills both keys; the waiter is served after EXEC,
	// from the key the transaction filled first, as Redis serves ready keys
	// in the order they were signalled.
	m := en.NewMulti()
	w := &RESPWriter{}
	for _, args := range [][]string{{"MULTI"}, {"RPUSH", ks[1], "b1", "b2"}, {"RPUSH", ks[0], "a1"}, {"LLEN", ks[1]}, {"EXEC"}} {
		if _, err := m.Handle(args, w); err != nil {
			t.Fatal(err)
		}
	}
	if got := recvReply(t, ch).String(); got != fmt.Sprintf(`[%q "b1"]`, ks[1]) {
		t.Fatalf("got %s", got)
	}
	if !bytesContains(w.Buf, "*3\r\n:2\r\n:1\r\n:2\r\n") {
		t.Fatalf("EXEC reply %q", w.Buf)
	}
}

func TestBlockKindsAndErrors(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	ctx := context.Background()
	// A sorted-set waiter is not served by a list, nor the list waiter
	// behind it blocked.
	z := execAsync(t, en, ctx, "BZPOPMAX", "k", "0")
	waitBlocked(t, en, 1)
	l := execAsync(t, en, ctx, "BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "5")
	waitBlocked(t, en, 2)
	execRESP(t, en, []string{"RPUSH", "k", "1", "2", "3"})
	if got := recvReply(t, l).String(); got != `["k" ["3" "2" "1"]]` {
		t.Fatalf("BLMPOP got %s", got)
	}
	execRESP(t, en, []string{"ZADD", "k", "1", "a", "2", "b"})
	if got := recvReply(t, z).String(); got != `["k" "b" "2"]` {
		t.Fatalf("BZPOPMAX got %s", got)
	}
	// BLMOVE whose destination became another type gets WRONGTYPE when
	// served, and nothing moves.
	mv := execAsync(t, en, ctx, "BRPOPLPUSH", "src", "dst", "0")
	waitBlocked(t, en, 1)
	execRESP(t, en, []string{"SET", "dst", "x"})
	execRESP(t, en, []string{"RPUSH", "src", "v"})
	if got := recvReply(t, mv); got.Kind != resp.ErrorReply {
		t.Fatalf("BRPOPLPUSH got %v", got)
	}
	if v := execRESP(t, en, []string{"LLEN", "src"}); v.Int != 1 {
		t.Fatalf("src LLEN %v", v)
	}
	// A key that becomes a string leaves a list waiter blocked.
	b := execAsync(t, en, ctx, "BLPOP", "s", "0")
	waitBlocked(t, en, 1)
	execRESP(t, en, []string{"SET", "s", "x"})
	time.Sleep(10 * time.Millisecond)
	if en.BlockedClients() != 1 {
		t.Fatal("waiter left on a string key")
	}
	execRESP(t, en, []string{"DEL", "s"})
	execRESP(t, en, []string{"LPUSH", "s", "y"})
	if got := recvReply(t, b).String(); got != `["s" "y"]` {
		t.Fatalf("got %s", got)
	}
}

func TestBlockInsideHeld(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	w := &RESPWriter{}
	if err := en.ExecMulti([][]string{{"BLPOP", "l", "0"}, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}, {"BZMPOP", "0", "1", "z", "MIN"}, {"RPUSH", "l", "x"}, {"BRPOP", "l", "0"}}, w, nil, nil); err != nil {
		t.Fatal(err)
	}
	if want := "*5\r\n*-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nl\r\n$1\r\nx\r\n"; string(w.Buf) != want {
		t.Fatalf("EXEC reply %q, want %q", w.Buf, want)
	}
}

// TestBlockConcurrent runs waiters and pushers together: every element is
// delivered exactly once, and no goroutine or waiter is left behind.
func TestBlockConcurrent(t *testing.T) {
	before := runtime.NumGoroutine()
	en := New(Config{Shards: 4, ManualReaper: true})
	keys := []string{"q0", "q1", "q2"}
	const pushers, perPusher, waiters = 4, 300, 6
	var wg sync.WaitGroup
	got := make(chan string, pushers*perPusher)
	ctx, cancel := context.WithCancel(context.Background())
	for i := range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var err error
				var v string
				switch i % 3 {
				case 0:
					_, v, err = en.BLPop(ctx, 0, keys, i%2 == 0)
				case 1:
					var vs []string
					_, vs, err = en.BLMPop(ctx, 0, keys[1:], true, 2)
					for _, x := range vs[:max(0, len(vs)-1)] {
						got <- x
					}
					if len(vs) > 0 {
						v = vs[len(vs)-1]
					}
				default:
					v, err = en.BLMove(ctx, 5*time.Millisecond, keys[2], "q0", false, true)
					if err == ErrNotFound {
						continue
					}
					if err == nil {
						continue // moved to q0: delivered by another waiter
					}
				}
				if err != nil {
					return
				}
				got <- v
			}
		}()
	}
	var pw sync.WaitGroup
	for p := range pushers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for i := range perPusher {
				k := keys[(p+i)%len(keys)]
				execRESP(t, en, []string{"RPUSH", k, fmt.Sprintf("%d-%d", p, i)})
			}
		}()
	}
	pw.Wait()
	seen := map[string]bool{}
	for len(seen) < pushers*perPusher {
		select {
		case v := <-got:
			if seen[v] {
				t.Fatalf("%s delivered twice", v)
			}
			seen[v] = true
		case <-time.After(5 * time.Second):
			var left []string
			for _, k := range keys {
				left = append(left, execRESP(t, en, []string{"LRANGE", k, "0", "-1"}).String())
			}
			t.Fatalf("delivered %d of %d; lists: %v", len(seen), pushers*perPusher, left)
		}
	}
	cancel()
	wg.Wait()
	if n := en.BlockedClients(); n != 0 {
		t.Fatalf("%d waiters left", n)
	}
	en.Close()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func bytesContains(b []byte, s string) bool { return strings.Contains(string(b), s) }
