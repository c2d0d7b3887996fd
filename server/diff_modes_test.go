package server

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// Differential tests of the connection modes through the server:
// transactions, blocking commands and pub/sub. The same multi-client
// script runs against a real redis-server and against a kevy server, each
// run writes a transcript of everything its clients observed (replies,
// pushed messages, final key contents), and the two transcripts must be
// equal line for line. Random scripts are generated once from a logged
// seed (-diff.seed replays one) and run unchanged on both servers;
// -diff.dump=dir writes the transcripts there.
//
// Where Redis's output order depends on its hash tables (the pmessages of
// one publication, with several matching patterns; the confirmations of
// an argument-less (P|S)UNSUBSCRIBE; PUBSUB CHANNELS), the transcript
// records those items sorted; everything else is compared in order.

var (
	dmSeedFlag = flag.Uint64("diff.seed", 0, "replay one seed of the TestDiffServer tests (0 = time-based)")
	dmDumpFlag = flag.String("diff.dump", "", "write the TestDiffServer transcripts to this directory")
)

// dmTimeout bounds every read and write, so a hung server fails the test.
const dmTimeout = 10 * time.Second

// dmSeed returns the seed of a random script, logged so that a failure
// can be replayed with -diff.seed.
func dmSeed(t *testing.T) uint64 {
	t.Helper()
	seed := *dmSeedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -diff.seed=%d)", seed, seed)
	return seed
}

// dmTarget is one server of a differential run.
type dmTarget struct{ name, addr string }

// dmRun starts a real redis-server (the test is skipped when it is not
// installed, see redistest.Start) and a kevy server, runs script against
// each, and compares the transcripts.
func dmRun(t *testing.T, script func(t *testing.T, tg dmTarget) dmTranscript) {
	t.Helper()
	rs := redistest.Start(t)
	ks := startServer(t, Config{})
	want := script(t, dmTarget{"redis", rs.Addr()})
	got := script(t, dmTarget{"kevy", ks.addr})
	if dir := *dmDumpFlag; dir != "" {
		for name, tr := range map[string]dmTranscript{"redis": want, "kevy": got} {
			file := filepath.Join(dir, t.Name()+"."+name+".txt")
			if err := os.WriteFile(file, []byte(strings.Join(tr, "\n")+"\n"), 0o644); err != nil {
				t.Error(err)
			}
		}
	}
	dmCompare(t, want, got)
}

// dmTranscript is what the clients of one run observed, a line per event.
type dmTranscript []string

func (tr *dmTranscript) add(format string, args ...any) {
	*tr = append(*tr, fmt.Sprintf(format, args...))
}

// dmCompare fails at the first line where kevy's transcript differs from
// Redis's, showing the lines before it.
func dmCompare(t *testing.T, redis, kevy dmTranscript) {
	t.Helper()
	if len(redis) == 0 {
		t.Fatal("empty transcript")
	}
	for i := range min(len(redis), len(kevy)) {
		if redis[i] != kevy[i] {
			from := max(0, i-12)
			t.Fatalf("kevy differs from redis at transcript line %d\nbefore:\n\t%s\nredis: %s\nkevy:  %s",
				i, strings.Join(redis[from:i], "\n\t"), redis[i], kevy[i])
		}
	}
	if len(redis) != len(kevy) {
		t.Fatalf("transcripts have %d lines (redis) and %d (kevy); first extra line: %s",
			len(redis), len(kevy), append(redis, kevy...)[min(len(redis), len(kevy))])
	}
	t.Logf("%d transcript lines identical", len(redis))
}

// dmConn is a raw client connection: unlike redistest.Client it can send
// without reading, for pushed messages and blocked commands.
type dmConn struct {
	t     testing.TB
	name  string // target and role, for failure messages
	role  string // role, for transcripts
	nc    net.Conn
	rd    *resp.Reader
	wbuf  []byte
	syncs int
	bg    *dmReader // reads the connection, once startReader ran
}

func dmDial(t testing.TB, tg dmTarget, role string) *dmConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", tg.addr, dmTimeout)
	if err != nil {
		t.Fatalf("%s: dial %s: %v", tg.name, tg.addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &dmConn{t: t, name: tg.name + " " + role, role: role, nc: nc, rd: resp.NewReader(nc)}
}

func (c *dmConn) trySend(args ...string) error {
	c.wbuf = resp.AppendCommand(c.wbuf[:0], args...)
	c.nc.SetWriteDeadline(time.Now().Add(dmTimeout))
	_, err := c.nc.Write(c.wbuf)
	return err
}

func (c *dmConn) tryRead() (resp.Value, error) {
	c.nc.SetReadDeadline(time.Now().Add(dmTimeout))
	return c.rd.ReadValue()
}

func (c *dmConn) tryDo(args ...string) (resp.Value, error) {
	if err := c.trySend(args...); err != nil {
		return resp.Value{}, err
	}
	return c.tryRead()
}

func (c *dmConn) send(args ...string) {
	c.t.Helper()
	if err := c.trySend(args...); err != nil {
		c.t.Fatalf("%s: send %q: %v", c.name, args, err)
	}
}

func (c *dmConn) read() resp.Value {
	c.t.Helper()
	if r := c.bg; r != nil {
		timeout := time.After(dmTimeout)
		for {
			r.mu.Lock()
			if len(r.vals) > 0 {
				v := r.vals[0]
				r.vals = r.vals[1:]
				r.mu.Unlock()
				return v
			}
			err := r.err
			r.mu.Unlock()
			if err != nil {
				c.t.Fatalf("%s: read: %v", c.name, err)
			}
			select {
			case <-r.more:
			case <-timeout:
				c.t.Fatalf("%s: nothing received in %v", c.name, dmTimeout)
			}
		}
	}
	v, err := c.tryRead()
	if err != nil {
		c.t.Fatalf("%s: read: %v", c.name, err)
	}
	return v
}

func (c *dmConn) do(args ...string) resp.Value {
	c.t.Helper()
	c.send(args...)
	return c.read()
}

// dmReader holds what a connection's reading goroutine received.
type dmReader struct {
	mu   sync.Mutex
	vals []resp.Value
	err  error
	more chan struct{} // signalled after each value
	done chan struct{} // closed when the goroutine ends
}

// startReader moves the reading of a subscriber's connection to a
// goroutine, which counts the messages (message, pmessage, smessage) it
// receives in msgs, a counter shared by the subscribers of a run: the
// test can then wait until every delivery that PUBLISH counted has
// arrived somewhere, without reading any subscriber.
func (c *dmConn) startReader(msgs *atomic.Int64) {
	r := &dmReader{more: make(chan struct{}, 1), done: make(chan struct{})}
	c.bg = r
	c.nc.SetReadDeadline(time.Time{})
	go func() {
		defer close(r.done)
		for {
			v, err := c.rd.ReadValue()
			switch dmMessageKind(v) {
			case "message", "pmessage", "smessage":
				msgs.Add(1)
			}
			r.mu.Lock()
			if err != nil {
				r.err = err
			} else {
				r.vals = append(r.vals, v)
			}
			r.mu.Unlock()
			select {
			case r.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	c.t.Cleanup(func() {
		c.nc.Close()
		<-r.done
	})
}

// dmWaitMsgs waits until the subscribers' readers received want messages
// in all, the sum of the PUBLISH replies so far.
func dmWaitMsgs(t *testing.T, tg dmTarget, msgs *atomic.Int64, want int64) {
	t.Helper()
	deadline := time.Now().Add(dmTimeout)
	for {
		got := msgs.Load()
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			t.Fatalf("%s: subscribers received %d messages, PUBLISH counted %d", tg.name, got, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// hello3 switches the connection to RESP3.
func (c *dmConn) hello3() {
	c.t.Helper()
	if v := c.do("HELLO", "3"); v.Kind != resp.Map {
		c.t.Fatalf("%s: HELLO 3 = %v, want a map", c.name, v)
	}
}

// id returns the connection's CLIENT ID.
func (c *dmConn) id() string {
	c.t.Helper()
	v := c.do("CLIENT", "ID")
	if v.Kind != resp.Integer {
		c.t.Fatalf("%s: CLIENT ID = %v", c.name, v)
	}
	return strconv.FormatInt(v.Int, 10)
}

// sync sends PING with a fresh tag and reads up to its reply: it returns
// everything the connection received before (replies, pushed messages)
// and the PING reply, a bulk string, or ["pong", tag] in RESP2
// subscribed mode. Redis writes a publication to its subscribers before
// it replies to PUBLISH, so once a publisher has its reply, the message
// precedes the reply to any later command of the subscriber; kevy too.
func (c *dmConn) sync() ([]resp.Value, resp.Value) {
	c.t.Helper()
	c.syncs++
	tag := "sync-" + strconv.Itoa(c.syncs)
	c.send("PING", tag)
	var got []resp.Value
	for {
		v := c.read()
		if v.Kind == resp.BulkString && v.Str == tag ||
			(v.Kind == resp.Array || v.Kind == resp.Push) && len(v.Elems) == 2 && v.Elems[0].Str == "pong" && v.Elems[1].Str == tag {
			return got, v
		}
		if got = append(got, v); len(got) > 1e5 {
			c.t.Fatalf("%s: no reply to PING %s after %d values", c.name, tag, len(got))
		}
	}
}

// dmInfo returns a field of an INFO section.
func dmInfo(c *dmConn, section, field string) string {
	c.t.Helper()
	v := c.do("INFO", section)
	for _, line := range strings.Split(v.Str, "\r\n") {
		if val, ok := strings.CutPrefix(line, field+":"); ok {
			return val
		}
	}
	c.t.Fatalf("%s: INFO %s has no %s: %v", c.name, section, field, v)
	return ""
}

// dmWaitBlocked polls INFO until blocked_clients is n.
func dmWaitBlocked(c *dmConn, n int) {
	c.t.Helper()
	want := strconv.Itoa(n)
	deadline := time.Now().Add(dmTimeout)
	for {
		got := dmInfo(c, "clients", "blocked_clients")
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: blocked_clients is %s after %v, want %s", c.name, got, dmTimeout, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func dmPick(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }

// dmSome returns 1 to most distinct elements of xs in random order.
func dmSome(r *rand.Rand, xs []string, most int) []string {
	p := r.Perm(len(xs))[:1+r.IntN(min(most, len(xs)))]
	out := make([]string, len(p))
	for i, j := range p {
		out[i] = xs[j]
	}
	return out
}

// dmSortPairs returns a flat field/value array with its pairs sorted
// (HGETALL's order is Redis's hash table order).
func dmSortPairs(v resp.Value) resp.Value {
	if len(v.Elems)%2 != 0 {
		return v
	}
	pairs := make([][2]resp.Value, len(v.Elems)/2)
	for i := range pairs {
		pairs[i] = [2]resp.Value{v.Elems[2*i], v.Elems[2*i+1]}
	}
	slices.SortFunc(pairs, func(a, b [2]resp.Value) int { return strings.Compare(a[0].String(), b[0].String()) })
	out := v
	out.Elems = nil
	for _, p := range pairs {
		out.Elems = append(out.Elems, p[0], p[1])
	}
	return out
}

// dmSorted returns an aggregate with its elements sorted.
func dmSorted(v resp.Value) resp.Value {
	out := v
	out.Elems = slices.Clone(v.Elems)
	slices.SortFunc(out.Elems, func(a, b resp.Value) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// ---------------------------------------------------------------------
// Transactions

// dmTxStep is a command of one of three clients, or (client -1) a record
// of every key's contents by a fourth, observing client.
type dmTxStep struct {
	client int
	args   []string
}

// dmTxKeys: strings s1 s2, counter n1, lists l1 l2, hash h1, and x1,
// which is only watched, checked or overwritten.
var dmTxKeys = []string{"s1", "s2", "n1", "l1", "l2", "h1", "x1"}

func dmTxGen(r *rand.Rand, n int) []dmTxStep {
	var inMulti [3]bool
	var steps []dmTxStep
	for len(steps) < n {
		if len(steps)%100 == 99 {
			steps = append(steps, dmTxStep{client: -1})
			continue
		}
		c := r.IntN(3)
		args := dmTxCmd(r, inMulti[c])
		switch args[0] {
		case "MULTI":
			inMulti[c] = true
		case "EXEC", "DISCARD":
			inMulti[c] = false
		}
		steps = append(steps, dmTxStep{c, args})
	}
	return append(steps, dmTxStep{client: -1})
}

// dmTxCmd returns a client's next command: transaction control, a data
// command (queued inside MULTI), or inside MULTI a command that fails when
// queued (wrong arity, unknown: EXECABORT) or must not block.
func dmTxCmd(r *rand.Rand, inMulti bool) []string {
	p := r.IntN(100)
	if inMulti {
		switch {
		case p < 14:
			return []string{"EXEC"}
		case p < 19:
			return []string{"DISCARD"}
		case p < 22:
			return dmTxBadArity(r)
		case p < 24:
			return []string{"NOSUCHCMD", dmPick(r, dmTxKeys...)}
		case p < 26:
			return []string{"WATCH", dmPick(r, dmTxKeys...)} // not allowed inside MULTI
		case p < 27:
			return []string{"MULTI"} // nested
		case p < 29:
			return []string{"UNWATCH"} // queued
		case p < 31:
			// Blocking commands do not block inside a transaction.
			return []string{dmPick(r, "BLPOP", "BRPOP"), dmPick(r, "l1", "l2"), "x1", "0"}
		case p < 32:
			return []string{"BLMOVE", dmPick(r, "l1", "l2"), dmPick(r, "l1", "l2"), "LEFT", "RIGHT", "0"}
		}
		return dmTxData(r)
	}
	switch {
	case p < 15:
		return append([]string{"WATCH"}, dmSome(r, dmTxKeys, 3)...)
	case p < 19:
		return []string{"UNWATCH"}
	case p < 37:
		return []string{"MULTI"}
	case p < 38:
		return []string{"EXEC"} // without MULTI
	case p < 39:
		return []string{"DISCARD"} // without MULTI
	}
	return dmTxData(r)
}

func dmTxBadArity(r *rand.Rand) []string {
	switch r.IntN(6) {
	case 0:
		return []string{"GET"}
	case 1:
		return []string{"SET", dmPick(r, "s1", "s2")}
	case 2:
		return []string{"LPUSH", "l1"}
	case 3:
		return []string{"HSET", "h1", "f"}
	case 4:
		return []string{"INCR", "n1", "x"}
	}
	return []string{"EXPIRE"}
}

// dmTxData returns a data command, usually on a key of the right type,
// sometimes on any key (WRONGTYPE, not an integer), including writes that
// delete, expire (with a long TTL, or 0: deleted), rename or flush.
func dmTxData(r *rand.Rand) []string {
	s, l, l2 := dmPick(r, "s1", "s2"), dmPick(r, "l1", "l2"), dmPick(r, "l1", "l2")
	k, k2 := dmPick(r, dmTxKeys...), dmPick(r, dmTxKeys...)
	v := dmPick(r, "a", "b", "c", "12")
	f := dmPick(r, "f", "g", "cnt")
	side := func() string { return dmPick(r, "LEFT", "RIGHT") }
	switch r.IntN(42) {
	case 0:
		return []string{"SET", s, v}
	case 1:
		return []string{"SET", s, v, "EX", "1000"}
	case 2:
		return []string{"GET", s}
	case 3:
		return []string{"APPEND", s, v}
	case 4:
		return []string{"INCR", "n1"}
	case 5:
		return []string{"INCRBY", "n1", "7"}
	case 6:
		return []string{"DECR", "n1"}
	case 7:
		return []string{"GET", "n1"}
	case 8:
		return []string{"LPUSH", l, v, dmPick(r, "x", "y")}
	case 9:
		return []string{"RPUSH", l, v}
	case 10:
		return []string{"LPOP", l}
	case 11:
		return []string{"RPOP", l}
	case 12:
		return []string{"LRANGE", l, "0", "-1"}
	case 13:
		return []string{"LLEN", l}
	case 14:
		return []string{"LMOVE", l, l2, side(), side()}
	case 15:
		return []string{"HSET", "h1", f, v}
	case 16:
		return []string{"HSET", "h1", "f", v, "g", v}
	case 17:
		return []string{"HGET", "h1", f}
	case 18:
		return []string{"HDEL", "h1", f}
	case 19:
		return []string{"HINCRBY", "h1", "cnt", "2"}
	case 20:
		return []string{"HLEN", "h1"}
	case 21:
		return []string{"HMGET", "h1", "f", "g", "cnt"}
	case 22:
		return []string{"DEL", k}
	case 23:
		return []string{"DEL", k, k2}
	case 24:
		return []string{"EXISTS", k, k2}
	case 25, 26:
		return []string{"EXPIRE", k, "1000"}
	case 27:
		return []string{"EXPIRE", k, "0"}
	case 28:
		return []string{"PERSIST", k}
	case 29:
		return []string{"TYPE", k}
	case 30:
		return []string{"RENAME", k, k2}
	case 31:
		return []string{"SET", k, v}
	case 32:
		return []string{"INCR", k}
	case 33:
		return []string{"LPUSH", k, v}
	case 34:
		return []string{"HSET", k, f, v}
	case 35:
		return []string{"GET", k}
	case 36:
		return []string{"SET", s, v, "NX"}
	case 37:
		return []string{"SET", s, v, "GET"}
	case 38:
		return []string{"EXPIRE", k, "1000", dmPick(r, "NX", "XX", "LT")} // not GT: 1000 s from now is later than 1000 s from a moment ago
	case 39:
		return []string{"STRLEN", s}
	case 40:
		return []string{"SET", "n1", dmPick(r, "5", "-3", "99")}
	}
	if r.IntN(3) == 0 {
		return []string{dmPick(r, "FLUSHALL", "FLUSHDB")}
	}
	return []string{"EXISTS", k}
}

// dmTxState records every key's type, contents and whether it has a TTL.
func dmTxState(c *dmConn, tr *dmTranscript) {
	c.t.Helper()
	for _, k := range dmTxKeys {
		typ := c.do("TYPE", k)
		var val resp.Value
		switch typ.Str {
		case "string":
			val = c.do("GET", k)
		case "list":
			val = c.do("LRANGE", k, "0", "-1")
		case "hash":
			val = dmSortPairs(c.do("HGETALL", k))
		}
		ttl := c.do("TTL", k)
		if ttl.Kind == resp.Integer && ttl.Int > 0 {
			ttl = resp.Value{Kind: resp.SimpleString, Str: "long"}
		}
		tr.add("state %s: %s %s ttl %s", k, typ, val, ttl)
	}
}

// TestDiffServerTransactions proves that MULTI/EXEC/DISCARD/WATCH/UNWATCH
// through the server reply exactly as Redis does when three clients (one
// of them RESP3) interleave random steps on a few strings, counters,
// lists and a hash: EXEC arrays (with run-time errors such as WRONGTYPE
// inside), nil EXECs after another client touched (wrote, deleted,
// expired, renamed, flushed) a watched key, and not after writes to other
// keys, EXECABORT after a queuing error (arity, unknown command), the
// errors of nested MULTI, WATCH inside MULTI and EXEC/DISCARD without
// MULTI, and blocking commands that do not block inside MULTI; and that
// the keys end with the same contents.
func TestDiffServerTransactions(t *testing.T) {
	seed := dmSeed(t)
	steps := dmTxGen(rand.New(rand.NewPCG(seed, 1)), 700)
	dmRun(t, func(t *testing.T, tg dmTarget) dmTranscript {
		var cl [3]*dmConn
		for i := range cl {
			cl[i] = dmDial(t, tg, "c"+strconv.Itoa(i))
		}
		cl[2].hello3()
		obs := dmDial(t, tg, "observer")
		var tr dmTranscript
		outcomes := map[string]int{}
		for i, st := range steps {
			if st.client < 0 {
				dmTxState(obs, &tr)
				continue
			}
			v := cl[st.client].do(st.args...)
			tr.add("%d c%d %q -> %s", i, st.client, st.args, v)
			if st.args[0] == "EXEC" {
				switch {
				case v.IsNull():
					outcomes["watch-aborted"]++
				case v.IsError() && strings.HasPrefix(v.Str, "EXECABORT"):
					outcomes["execabort"]++
				case v.Kind == resp.Array && slices.ContainsFunc(v.Elems, resp.Value.IsError):
					outcomes["with-errors"]++
				case v.Kind == resp.Array:
					outcomes["ok"]++
				}
			}
		}
		t.Logf("%s: EXEC outcomes %v", tg.name, outcomes)
		if outcomes["watch-aborted"] == 0 || outcomes["ok"] == 0 {
			t.Errorf("%s: the script did not exercise both committed and watch-aborted transactions: %v", tg.name, outcomes)
		}
		return tr
	})
}

// ---------------------------------------------------------------------
// Blocking commands

var (
	dmListKeys = []string{"L1", "L2", "L3"}
	dmZKeys    = []string{"Z1", "Z2"}
)

// dmBlockRound is one round of the wake-order test.
type dmBlockRound struct {
	order   []int      // the blocking connections, in the order they block
	cmds    [][]string // their commands
	watch   []string   // keys a watching client's transaction depends on
	pushes  [][]string // the driver's commands
	unblock string     // CLIENT UNBLOCK's reason for the ones still blocked
}

const dmBlockers = 5

func dmBlockGen(r *rand.Rand, rounds int) []dmBlockRound {
	var out []dmBlockRound
	for ri := range rounds {
		n := 3 + r.IntN(3)
		rd := dmBlockRound{order: r.Perm(dmBlockers)[:n], unblock: dmPick(r, "TIMEOUT", "ERROR")}
		for range n {
			rd.cmds = append(rd.cmds, dmBlockCmd(r))
		}
		rd.watch = dmSome(r, append(slices.Clone(dmListKeys), dmZKeys...), 2)
		seq := 0
		elem := func() string { seq++; return fmt.Sprintf("e%d.%d", ri, seq) }
		for range 1 + r.IntN(4) {
			rd.pushes = append(rd.pushes, dmPushCmds(r, elem)...)
		}
		out = append(out, rd)
	}
	return out
}

// dmBlockCmd returns a blocking command with timeout 0 on empty keys,
// some of them of the other type (a list waiter on a sorted set key is
// not served from it).
func dmBlockCmd(r *rand.Rand) []string {
	side := func() string { return dmPick(r, "LEFT", "RIGHT") }
	l := func() string { return dmPick(r, dmListKeys...) }
	count := func(args []string) []string {
		if r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+r.IntN(3)))
		}
		return args
	}
	switch r.IntN(10) {
	case 0, 1:
		return append(append([]string{dmPick(r, "BLPOP", "BRPOP")}, dmSome(r, dmListKeys, 3)...), "0")
	case 2:
		return []string{"BLMOVE", l(), l(), side(), side(), "0"}
	case 3:
		return []string{"BRPOPLPUSH", l(), l(), "0"}
	case 4, 5:
		ks := dmSome(r, dmListKeys, 3)
		args := append([]string{"BLMPOP", "0", strconv.Itoa(len(ks))}, ks...)
		return count(append(args, side()))
	case 6:
		return append(append([]string{dmPick(r, "BZPOPMIN", "BZPOPMAX")}, dmSome(r, dmZKeys, 2)...), "0")
	case 7:
		ks := dmSome(r, dmZKeys, 2)
		args := append([]string{"BZMPOP", "0", strconv.Itoa(len(ks))}, ks...)
		return count(append(args, dmPick(r, "MIN", "MAX")))
	case 8:
		return []string{"BLPOP", dmPick(r, dmZKeys...), l(), "0"}
	}
	return []string{"BZPOPMIN", l(), dmPick(r, dmZKeys...), "0"}
}

// dmPushCmds returns driver commands that give the blocked keys elements:
// pushes, ZADD, transactions writing several keys (or creating then
// deleting a key), and LMOVE from an unwatched list into a blocked one.
func dmPushCmds(r *rand.Rand, elem func() string) [][]string {
	l := func() string { return dmPick(r, dmListKeys...) }
	z := func() string { return dmPick(r, dmZKeys...) }
	side := func() string { return dmPick(r, "LEFT", "RIGHT") }
	zadd := func() []string {
		args := []string{"ZADD", z()}
		for range 1 + r.IntN(3) {
			args = append(args, strconv.Itoa(r.IntN(5)), elem())
		}
		return args
	}
	switch r.IntN(8) {
	case 0, 1:
		args := []string{dmPick(r, "LPUSH", "RPUSH"), l()}
		for range 1 + r.IntN(3) {
			args = append(args, elem())
		}
		return [][]string{args}
	case 2:
		return [][]string{zadd()}
	case 3:
		return [][]string{{"MULTI"}, {"RPUSH", l(), elem()}, {"LPUSH", l(), elem(), elem()}, zadd(), {"EXEC"}}
	case 4:
		return [][]string{{"RPUSH", "T", elem(), elem()}, {"LMOVE", "T", l(), side(), side()}}
	case 5:
		k := l()
		return [][]string{{"MULTI"}, {"LPUSH", k, elem()}, {"DEL", k}, {"EXEC"}}
	case 6:
		k := l()
		return [][]string{{"MULTI"}, {"RPUSH", k, elem()}, {"LPOP", k}, {"RPUSH", k, elem()}, {"EXEC"}}
	}
	return [][]string{{"RPUSH", l(), elem(), elem()}, {"RPUSH", l(), elem()}}
}

// TestDiffServerBlockingWakeOrder proves that clients blocked (timeout 0)
// with BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN/MAX and BZMPOP on
// overlapping keys, in a known order, are served as Redis serves them
// when a driver pushes (LPUSH/RPUSH of several elements, ZADD, MULTI/EXEC
// writing several keys or creating and deleting one, LMOVE into a blocked
// key, BLMOVE chains): the same client gets the same elements, the effects
// are visible as soon as the push replied (blocked_clients, a transaction
// watching the keys is aborted by a served pop), CLIENT UNBLOCK TIMEOUT or
// ERROR finds the same clients still blocked and they get the same null
// or UNBLOCKED reply (RESP2 and RESP3), and the keys end the same.
func TestDiffServerBlockingWakeOrder(t *testing.T) {
	seed := dmSeed(t)
	rounds := dmBlockGen(rand.New(rand.NewPCG(seed, 2)), 40)
	dmRun(t, func(t *testing.T, tg dmTarget) dmTranscript {
		drv := dmDial(t, tg, "driver")
		watcher := dmDial(t, tg, "watcher")
		var bl [dmBlockers]*dmConn
		var ids [dmBlockers]string
		for i := range bl {
			bl[i] = dmDial(t, tg, "b"+strconv.Itoa(i))
			if i%2 == 1 {
				bl[i].hello3()
			}
			ids[i] = bl[i].id()
		}
		var tr dmTranscript
		served := 0
		for ri, rd := range rounds {
			tr.add("round %d FLUSHALL -> %s", ri, drv.do("FLUSHALL"))
			for j, b := range rd.order {
				bl[b].send(rd.cmds[j]...)
				dmWaitBlocked(drv, j+1)
				tr.add("b%d blocked: %q", b, rd.cmds[j])
			}
			tr.add("watcher WATCH %q -> %s", rd.watch, watcher.do(append([]string{"WATCH"}, rd.watch...)...))
			tr.add("watcher MULTI -> %s, LLEN -> %s", watcher.do("MULTI"), watcher.do("LLEN", "L1"))
			for _, p := range rd.pushes {
				tr.add("driver %q -> %s", p, drv.do(p...))
			}
			tr.add("blocked_clients %s", dmInfo(drv, "clients", "blocked_clients"))
			tr.add("watcher EXEC -> %s", watcher.do("EXEC"))
			for _, b := range rd.order {
				v := drv.do("CLIENT", "UNBLOCK", ids[b], rd.unblock)
				tr.add("CLIENT UNBLOCK b%d %s -> %s", b, rd.unblock, v)
				if v.Kind == resp.Integer && v.Int == 0 {
					served++
				}
			}
			for _, b := range rd.order {
				tr.add("b%d got %s", b, bl[b].read())
			}
			for _, k := range append(slices.Clone(dmListKeys), "T") {
				tr.add("%s: %s", k, drv.do("LRANGE", k, "0", "-1"))
			}
			for _, k := range dmZKeys {
				tr.add("%s: %s", k, drv.do("ZRANGE", k, "0", "-1", "WITHSCORES"))
			}
			tr.add("blocked_clients after %s", dmInfo(drv, "clients", "blocked_clients"))
		}
		t.Logf("%s: %d blocked commands served by pushes", tg.name, served)
		if served == 0 {
			t.Errorf("%s: no blocked command was served", tg.name)
		}
		return tr
	})
}

// TestDiffServerBlockingTimeoutsAndUnblock proves, against Redis, the
// replies of blocking commands that do not wait for an element: timeouts
// that expire (all at once, on their own connections; only the null reply
// is compared, RESP2 and RESP3), invalid timeouts and arguments, wrong
// types, keys that already hold elements, blocking commands inside MULTI;
// CLIENT UNBLOCK (no reason, TIMEOUT, ERROR) of each blocking command
// and of clients that are not blocked; commands pipelined behind a
// blocked command, sent with it and while it waits; and that a client
// hanging up while blocked is not served a later push.
func TestDiffServerBlockingTimeoutsAndUnblock(t *testing.T) {
	expiring := [][]string{
		{"BLPOP", "nokey", "0.2"},
		{"BRPOP", "nokey", "nokey2", "0.2"},
		{"BLMOVE", "nokey", "dst", "LEFT", "RIGHT", "0.2"},
		{"BRPOPLPUSH", "nokey", "dst", "0.2"},
		{"BLMPOP", "0.2", "2", "nokey", "nokey2", "LEFT"},
		{"BZPOPMIN", "nokeyz", "0.2"},
		{"BZPOPMAX", "nokeyz", "nokey", "0.2"},
		{"BZMPOP", "0.2", "1", "nokeyz", "MAX", "COUNT", "2"},
	}
	immediate := [][]string{
		{"BLPOP", "nokey", "-1"},
		{"BLPOP", "nokey", "abc"},
		{"BLMPOP", "0", "0", "nokey", "LEFT"},
		{"BLMPOP", "0", "1", "nokey", "UP"},
		{"BZMPOP", "0", "1", "nokeyz", "MIN", "COUNT", "0"},
		{"BLPOP", "str", "0"},
		{"BZPOPMIN", "str", "0"},
		{"BLMOVE", "full", "str", "LEFT", "LEFT", "0"},
		{"BLPOP", "nokey", "full", "0"},
		{"BLMPOP", "0", "2", "nokey", "full", "RIGHT", "COUNT", "5"},
		{"BZPOPMAX", "fullz", "0"},
		{"BZMPOP", "0", "1", "fullz", "MIN", "COUNT", "5"},
		{"MULTI"},
		{"BLPOP", "nokey", "0"},
		{"BZPOPMIN", "nokeyz", "0"},
		{"BLMOVE", "nokey", "dst", "LEFT", "LEFT", "0"},
		{"BLMPOP", "0", "1", "nokey", "LEFT"},
		{"EXEC"},
	}
	unblockable := [][]string{
		{"BLPOP", "q", "q2", "0"},
		{"BRPOPLPUSH", "q", "q2", "0"},
		{"BLMOVE", "q", "q2", "LEFT", "RIGHT", "0"},
		{"BLMPOP", "0", "1", "q", "LEFT", "COUNT", "2"},
		{"BZPOPMIN", "zq", "0"},
		{"BZMPOP", "0", "1", "zq", "MAX"},
	}
	dmRun(t, func(t *testing.T, tg dmTarget) dmTranscript {
		var tr dmTranscript
		drv := dmDial(t, tg, "driver")
		rec := func(who string, c *dmConn, args ...string) {
			t.Helper()
			tr.add("%s %q -> %s", who, args, c.do(args...))
		}

		var waiting []*dmConn
		for _, resp3 := range []bool{false, true} {
			for _, args := range expiring {
				c := dmDial(t, tg, fmt.Sprintf("%q resp3=%v", args, resp3))
				if resp3 {
					c.hello3()
				}
				c.send(args...)
				waiting = append(waiting, c)
			}
		}
		for _, c := range waiting {
			tr.add("%s timed out: %s", c.role, c.read())
		}

		a := dmDial(t, tg, "a")
		b := dmDial(t, tg, "b")
		b.hello3()
		clients := []*dmConn{a, b}
		for _, c := range clients {
			rec("driver", drv, "SET", "str", "x")
			rec("driver", drv, "DEL", "full", "fullz")
			rec("driver", drv, "RPUSH", "full", "a", "b", "c")
			rec("driver", drv, "ZADD", "fullz", "1", "m1", "2", "m2")
			for _, args := range immediate {
				rec(c.role, c, args...)
			}
		}

		// The ids differ between the servers: the transcript names the
		// clients instead.
		unblock := func(c *dmConn, id string, reason ...string) {
			t.Helper()
			tr.add("CLIENT UNBLOCK <%s> %q -> %s", c.role, reason, drv.do(append([]string{"CLIENT", "UNBLOCK", id}, reason...)...))
		}
		unblock(a, a.id())
		unblock(a, a.id(), "FOO")
		rec("driver", drv, "CLIENT", "UNBLOCK", "999999", "ERROR")
		rec("driver", drv, "CLIENT", "UNBLOCK", "abc")
		for _, c := range clients {
			id := c.id()
			for _, reason := range [][]string{nil, {"TIMEOUT"}, {"ERROR"}} {
				for _, args := range unblockable {
					c.send(args...)
					dmWaitBlocked(drv, 1)
					unblock(c, id, reason...)
					tr.add("%s %q unblocked: %s", c.role, args, c.read())
				}
			}
		}

		// Input behind a blocked command: sent with it, and while it waits.
		a.send("BLPOP", "pq", "0")
		a.send("ECHO", "sent-with")
		dmWaitBlocked(drv, 1)
		a.send("ECHO", "sent-while-blocked")
		rec("driver", drv, "RPUSH", "pq", "x", "y")
		for range 3 {
			tr.add("a pipelined: %s", a.read())
		}
		rec("driver", drv, "LRANGE", "pq", "0", "-1")

		// A client that hangs up while blocked is not served.
		gone := dmDial(t, tg, "gone")
		gone.send("BRPOP", "hq", "0")
		dmWaitBlocked(drv, 1)
		gone.nc.Close()
		dmWaitBlocked(drv, 0)
		rec("driver", drv, "RPUSH", "hq", "x")
		rec("driver", drv, "LRANGE", "hq", "0", "-1")
		tr.add("blocked_clients %s", dmInfo(drv, "clients", "blocked_clients"))
		return tr
	})
}

// ---------------------------------------------------------------------
// ---------------------------------------------------------------------
// Pub/sub

// dmPSStep is a step of the pub/sub script: a publisher's command (P0
// RESP2, P1 RESP3), a subscriber's command (S0, S1 RESP2; S2, S3 RESP3)
// followed by reading what the subscriber received up to a PING, or
// ("sync") that reading for every subscriber.
type dmPSStep struct {
	who       string
	args      []string
	unordered bool // an argument-less unsubscribe: Redis confirms in hash table order
}

var (
	dmChans  = []string{"ch1", "ch2", "news.art", "news.tech", "hello", "hallo", "hbllo", "hzllo", "h*llo", `a\b`, "ab", "x"}
	dmPats   = []string{"news.*", "h?llo", "h[a-c]llo", "h[^e]llo", `h\*llo`, `a\\b`, "*", "ch?", "x*"}
	dmShards = []string{"sh1", "sh2", "sh3"}
	dmSubs   = []string{"S0", "S1", "S2", "S3"}
)

// dmPSPrologue covers each pub/sub behaviour once, before the random part.
func dmPSPrologue() []dmPSStep {
	s := func(who string, args ...string) dmPSStep { return dmPSStep{who: who, args: args} }
	steps := []dmPSStep{
		s("S0", "SUBSCRIBE", "ch1", "ch2", "news.art"),
		s("S1", "PSUBSCRIBE", "news.*", "h?llo", "h[a-c]llo", `h\*llo`, `a\\b`, "h[^e]llo"),
		s("S2", "SUBSCRIBE", "ch1"),
		s("S2", "PSUBSCRIBE", "*"),
		s("S2", "SSUBSCRIBE", "sh1"),
		s("S3", "SSUBSCRIBE", "sh1", "sh2"),
		s("S3", "SUBSCRIBE", "ch1", "ch1"),
		// RESP2 subscribed mode: only (un)subscribe, PING, QUIT, RESET.
		s("S0", "GET", "k"),
		s("S0", "PING"),
		s("S0", "PING", "hi"),
		s("S0", "PING", "a", "b"),
		s("S0", "PUBLISH", "ch1", "refused"),
		// RESP3: any command while subscribed.
		s("S2", "PING"),
		s("S2", "PING", "hi"),
		s("S2", "SET", "k", "v"),
		s("S2", "GET", "k"),
		s("S2", "PUBLISH", "ch1", "self-1"), // its own messages come before the reply
		s("S3", "SPUBLISH", "sh1", "self-2"),
	}
	n := 0
	for _, ch := range dmChans {
		n++
		steps = append(steps, s(dmPick2(n, "P0", "P1"), "PUBLISH", ch, "pro-"+strconv.Itoa(n)))
	}
	for _, sh := range dmShards {
		n++
		steps = append(steps, s(dmPick2(n, "P0", "P1"), "SPUBLISH", sh, "pro-"+strconv.Itoa(n)))
	}
	steps = append(steps,
		s("P0", "PUBSUB", "CHANNELS"),
		s("P0", "PUBSUB", "CHANNELS", "news.*"),
		s("P1", "PUBSUB", "NUMSUB", "ch1", "ch2", "nosuch"),
		s("P1", "PUBSUB", "NUMPAT"),
		s("P0", "PUBSUB", "SHARDCHANNELS"),
		s("P0", "PUBSUB", "SHARDNUMSUB", "sh1", "sh2", "sh3"),
		s("S1", "PUNSUBSCRIBE", "h?llo", "nosuch"),
		s("S0", "UNSUBSCRIBE", "ch2"),
		dmPSStep{who: "S0", args: []string{"UNSUBSCRIBE"}, unordered: true},
		dmPSStep{who: "S0", args: []string{"UNSUBSCRIBE"}, unordered: true}, // none left
		// Out of subscribed mode.
		s("S0", "GET", "k"),
		s("S1", "RESET"),
		s("S1", "GET", "k"),
		s("S1", "PUNSUBSCRIBE"),
		dmPSStep{who: "S3", args: []string{"SUNSUBSCRIBE"}, unordered: true},
		s("P0", "PUBLISH", "ch1", "pro-after-1"),
		s("P1", "PUBLISH", "hallo", "pro-after-2"),
		s("P0", "SPUBLISH", "sh1", "pro-after-3"),
		s("P0", "PUBSUB", "NUMSUB", "ch1", "ch2"),
		s("P0", "PUBSUB", "NUMPAT"),
		dmPSStep{who: "sync"},
	)
	return steps
}

func dmPick2(n int, a, b string) string {
	if n%2 == 0 {
		return a
	}
	return b
}

// dmPSGen returns n random steps after the prologue.
func dmPSGen(r *rand.Rand, n int) []dmPSStep {
	steps := dmPSPrologue()
	msg := 0
	payload := func() string { msg++; return "m" + strconv.Itoa(msg) }
	sub := func(who string, args ...string) dmPSStep { return dmPSStep{who: who, args: args} }
	for i := 0; i < n; i++ {
		if i%25 == 24 {
			steps = append(steps, dmPSStep{who: "sync"})
			continue
		}
		s, pub := dmPick(r, dmSubs...), dmPick(r, "P0", "P1")
		p := r.IntN(100)
		switch {
		case p < 38:
			steps = append(steps, sub(pub, "PUBLISH", dmPick(r, dmChans...), payload()))
		case p < 45:
			steps = append(steps, sub(pub, "SPUBLISH", dmPick(r, dmShards...), payload()))
		case p < 54:
			steps = append(steps, sub(s, append([]string{"SUBSCRIBE"}, dmSome(r, dmChans, 2)...)...))
		case p < 61:
			steps = append(steps, sub(s, append([]string{"PSUBSCRIBE"}, dmSome(r, dmPats, 2)...)...))
		case p < 66:
			steps = append(steps, sub(s, append([]string{"SSUBSCRIBE"}, dmSome(r, dmShards, 2)...)...))
		case p < 71:
			steps = append(steps, sub(s, append([]string{"UNSUBSCRIBE"}, dmSome(r, dmChans, 2)...)...))
		case p < 76:
			steps = append(steps, sub(s, append([]string{"PUNSUBSCRIBE"}, dmSome(r, dmPats, 2)...)...))
		case p < 79:
			steps = append(steps, sub(s, append([]string{"SUNSUBSCRIBE"}, dmSome(r, dmShards, 2)...)...))
		case p < 83:
			steps = append(steps, dmPSStep{who: s, args: []string{dmPick(r, "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE")}, unordered: true})
		case p < 86:
			if r.IntN(2) == 0 {
				steps = append(steps, sub(s, "PING"))
			} else {
				steps = append(steps, sub(s, "PING", payload()))
			}
		case p < 89:
			if r.IntN(2) == 0 {
				steps = append(steps, sub(s, "GET", "k"))
			} else {
				steps = append(steps, sub(s, "SET", "k", payload()))
			}
		case p < 93:
			steps = append(steps, sub(s, "PUBLISH", dmPick(r, dmChans...), payload()))
		case p < 94:
			steps = append(steps, sub(s, "RESET"))
			if s == "S2" || s == "S3" {
				steps = append(steps, sub(s, "HELLO", "3"))
			}
		default:
			args := [][]string{
				{"PUBSUB", "CHANNELS"},
				{"PUBSUB", "CHANNELS", dmPick(r, dmPats...)},
				append([]string{"PUBSUB", "NUMSUB"}, dmSome(r, dmChans, 4)...),
				{"PUBSUB", "NUMPAT"},
				{"PUBSUB", "SHARDCHANNELS"},
				append([]string{"PUBSUB", "SHARDNUMSUB"}, dmSome(r, dmShards, 3)...),
			}[r.IntN(6)]
			steps = append(steps, sub(pub, args...))
		}
	}
	return append(steps, dmPSStep{who: "sync"})
}

// dmMessageKind returns the kind of a message or confirmation ("message",
// "pmessage", "unsubscribe"...), or "" for other values.
func dmMessageKind(v resp.Value) string {
	if (v.Kind == resp.Array || v.Kind == resp.Push) && len(v.Elems) >= 3 && v.Elems[0].Kind == resp.BulkString {
		return v.Elems[0].Str
	}
	return ""
}

// dmRenderReceived renders what a subscriber received, sorting what Redis
// orders by its hash tables: consecutive pmessages of one publication
// (payloads are unique) and, after an argument-less unsubscribe, the names
// of consecutive confirmations (their counts stay in place). HELLO's map
// is reduced to its protocol.
func dmRenderReceived(vals []resp.Value, unordered bool) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = v.String()
		if v.Kind == resp.Map {
			for j := 0; j+1 < len(v.Elems); j += 2 {
				if v.Elems[j].Str == "proto" {
					out[i] = "HELLO map, proto " + v.Elems[j+1].String()
				}
			}
		}
	}
	for i := 0; i < len(vals); {
		j := i + 1
		if dmMessageKind(vals[i]) == "pmessage" {
			payload := vals[i].Elems[len(vals[i].Elems)-1].Str
			for j < len(vals) && dmMessageKind(vals[j]) == "pmessage" && vals[j].Elems[len(vals[j].Elems)-1].Str == payload {
				j++
			}
			slices.Sort(out[i:j])
		}
		i = j
	}
	if !unordered {
		return out
	}
	for i := 0; i < len(vals); {
		kind := dmMessageKind(vals[i])
		if kind != "unsubscribe" && kind != "punsubscribe" && kind != "sunsubscribe" {
			i++
			continue
		}
		j := i
		var names []resp.Value
		for j < len(vals) && dmMessageKind(vals[j]) == kind {
			names = append(names, vals[j].Elems[1])
			j++
		}
		slices.SortFunc(names, func(a, b resp.Value) int { return strings.Compare(a.String(), b.String()) })
		for k := i; k < j; k++ {
			v := vals[k]
			v.Elems = []resp.Value{v.Elems[0], names[k-i], v.Elems[2]}
			out[k] = v.String() + " (names compared as a set)"
		}
		i = j
	}
	return out
}

// dmSubSync records what a subscriber received up to a PING, and
// returns it.
func dmSubSync(c *dmConn, tr *dmTranscript, unordered bool) []resp.Value {
	c.t.Helper()
	vals, pong := c.sync()
	for _, line := range dmRenderReceived(vals, unordered) {
		tr.add("\t%s <- %s", c.role, line)
	}
	tr.add("\t%s <- %s (sync)", c.role, pong)
	return vals
}

// TestDiffServerPubSub proves that pub/sub through the server behaves as
// Redis: four subscribers (two RESP2, two RESP3) subscribe to channels,
// glob patterns (?, *, [a-c], [^e], backslash escapes) and shard channels,
// and two publishers publish a scripted then random sequence. Every
// subscriber must receive exactly Redis's sequence of messages and
// confirmations (names and counts; duplicates; unsubscribing what is not
// subscribed; argument-less unsubscribes compared as sets), every PUBLISH
// and SPUBLISH must return Redis's count, PUBSUB CHANNELS, NUMSUB, NUMPAT,
// SHARDCHANNELS and SHARDNUMSUB must agree, a RESP2 subscriber must get
// Redis's subscribed-mode error and ["pong", msg] to PING while RESP3 ones
// run GET/SET, PING and PUBLISH (their own messages before the PUBLISH
// reply), and RESET must leave subscribed mode. Before each subscriber
// command the test waits until the subscribers received as many messages
// as PUBLISH counted (never more), which keeps it off a kevy race (see
// dmConn.sync).
func TestDiffServerPubSub(t *testing.T) {
	seed := dmSeed(t)
	steps := dmPSGen(rand.New(rand.NewPCG(seed, 3)), 400)
	dmRun(t, func(t *testing.T, tg dmTarget) dmTranscript {
		pubs := map[string]*dmConn{"P0": dmDial(t, tg, "P0"), "P1": dmDial(t, tg, "P1")}
		pubs["P1"].hello3()
		subs := map[string]*dmConn{}
		var msgs atomic.Int64 // messages the subscribers received
		for i, name := range dmSubs {
			subs[name] = dmDial(t, tg, name)
			if i >= 2 {
				subs[name].hello3()
			}
			subs[name].startReader(&msgs)
		}
		var tr dmTranscript
		published := int64(0) // the sum of PUBLISH and SPUBLISH replies
		isPublish := func(args []string) bool {
			return strings.EqualFold(args[0], "PUBLISH") || strings.EqualFold(args[0], "SPUBLISH")
		}
		for i, st := range steps {
			switch {
			case st.who == "sync":
				tr.add("%d sync", i)
				for _, name := range dmSubs {
					dmSubSync(subs[name], &tr, false)
				}
			case st.who[0] == 'P':
				v := pubs[st.who].do(st.args...)
				switch strings.ToUpper(st.args[0]) + " " + strings.ToUpper(st.args[1]) {
				case "PUBSUB CHANNELS", "PUBSUB SHARDCHANNELS":
					v = dmSorted(v)
				}
				if v.Kind == resp.Integer && isPublish(st.args) {
					published += v.Int
				}
				tr.add("%d %s %q -> %s", i, st.who, st.args, v)
			default:
				c := subs[st.who]
				c.send(st.args...)
				tr.add("%d %s %q", i, st.who, st.args)
				vals := dmSubSync(c, &tr, st.unordered)
				if isPublish(st.args) {
					for _, v := range vals {
						if v.Kind == resp.Integer {
							published += v.Int
						}
					}
				}
			}
		}
		dmWaitMsgs(t, tg, &msgs, published)
		t.Logf("%s: %d steps, %d messages delivered", tg.name, len(steps), published)
		return tr
	})
}

// TestDiffServerPubSubConcurrentPublishers proves that the messages of two
// publishers publishing at the same time all reach a RESP2 channel
// subscriber and a RESP3 channel-and-pattern subscriber, each publisher's
// messages (and pmessages) in publishing order, and that PUBLISH counts
// the same deliveries as Redis. (Redis also delivers a publication's
// message and pmessage back to back, and every subscriber sees the same
// interleaving of the publishers; kevy does not, see the log line.)
func TestDiffServerPubSubConcurrentPublishers(t *testing.T) {
	const perPub = 200
	dmRun(t, func(t *testing.T, tg dmTarget) dmTranscript {
		var tr dmTranscript
		s0 := dmDial(t, tg, "S0")
		s0.send("SUBSCRIBE", "burst")
		s1 := dmDial(t, tg, "S1")
		s1.hello3()
		s1.send("SUBSCRIBE", "burst")
		s1.send("PSUBSCRIBE", "bur*")
		var msgs atomic.Int64
		for _, c := range []*dmConn{s0, s1} {
			c.startReader(&msgs)
			vals, pong := c.sync()
			tr.add("%s subscribed: %s %s", c.role, dmRenderReceived(vals, false), pong)
		}
		pubs := [2]*dmConn{dmDial(t, tg, "P0"), dmDial(t, tg, "P1")}
		var counts [2]int64
		var errs [2]error
		var wg sync.WaitGroup
		for p := range pubs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perPub {
					v, err := pubs[p].tryDo("PUBLISH", "burst", fmt.Sprintf("p%d-%d", p, i))
					if err != nil || v.Kind != resp.Integer {
						errs[p] = fmt.Errorf("PUBLISH %d: %v %v", i, v, err)
						return
					}
					counts[p] += v.Int
				}
			}()
		}
		wg.Wait()
		for p, err := range errs {
			if err != nil {
				t.Fatalf("%s: publisher %d: %v", tg.name, p, err)
			}
		}
		tr.add("PUBLISH counts %d %d", counts[0], counts[1])
		dmWaitMsgs(t, tg, &msgs, counts[0]+counts[1])
		var orders [2][]string // the publishers' interleaving each subscriber saw
		apart := 0             // pmessages not right after their publication's message
		for si, c := range []*dmConn{s0, s1} {
			vals, pong := c.sync()
			next := map[string]int{} // kind and publisher -> next index
			for i, v := range vals {
				kind := dmMessageKind(v)
				var p, n int
				if _, err := fmt.Sscanf(v.Elems[len(v.Elems)-1].Str, "p%d-%d", &p, &n); err != nil || kind == "" {
					t.Fatalf("%s: unexpected %v", c.name, v)
				}
				key := fmt.Sprintf("%s from P%d", kind, p)
				if n != next[key] {
					t.Fatalf("%s: %s: got #%d, want #%d (value %d of %d)", c.name, key, n, next[key], i, len(vals))
				}
				next[key]++
				if kind == "message" {
					orders[si] = append(orders[si], v.Elems[2].Str)
				} else if i == 0 || dmMessageKind(vals[i-1]) != "message" || vals[i-1].Elems[2].Str != v.Elems[3].Str {
					apart++
				}
			}
			tr.add("%s received %d: %v, then %s", c.role, len(vals), next, pong)
		}
		t.Logf("%s: %d pmessages apart from their message; subscribers saw the same interleaving: %v",
			tg.name, apart, slices.Equal(orders[0], orders[1]))
		return tr
	})
}

// dmMarkSync reads what a notification subscriber received up to the
// message tag on channel "marker", published after the write: a write's
// notifications precede its reply, so they precede the marker.
func dmMarkSync(c *dmConn, tr *dmTranscript, tag string) {
	c.t.Helper()
	for {
		v := c.read()
		if dmMessageKind(v) == "message" && v.Elems[1].Str == "marker" && v.Elems[2].Str == tag {
			return
		}
		tr.add("\t%s <- %s", c.role, dmRenderReceived([]resp.Value{v}, false)[0])
	}
}

// TestDiffServerKeyspaceNotifications proves that with CONFIG SET
// notify-keyspace-events KEA, subscribers through the server (RESP2 on
// __key*@0__:*, RESP3 on __keyevent@0__:*) receive for each write,
// including inside MULTI/EXEC, exactly the keyspace and keyevent
// notifications Redis sends, in Redis's order: a scripted series (SET,
// DEL, LPUSH, HSET, EXPIRE with a long TTL, RENAME, INCR...) then random
// writes.
func TestDiffServerKeyspaceNotifications(t *testing.T) {
	seed := dmSeed(t)
	r := rand.New(rand.NewPCG(seed, 4))
	script := [][]string{
		{"SET", "k1", "v"}, {"SET", "k1", "v2", "EX", "1000"}, {"APPEND", "k1", "x"}, {"SETRANGE", "k1", "1", "yy"},
		{"INCR", "cnt"}, {"INCRBY", "cnt", "5"}, {"DECR", "cnt"}, {"INCRBYFLOAT", "cnt", "1.5"}, {"DEL", "cnt"},
		{"LPUSH", "lst", "a", "b", "c"}, {"RPUSH", "lst", "d"}, {"LPOP", "lst"}, {"LSET", "lst", "0", "z"},
		{"LMOVE", "lst", "lst2", "LEFT", "RIGHT"}, {"LTRIM", "lst", "0", "0"}, {"RPOP", "lst"},
		{"HSET", "h", "f", "v", "g", "w"}, {"HDEL", "h", "f"}, {"HINCRBY", "h", "n", "1"},
		{"EXPIRE", "h", "1000"}, {"PERSIST", "h"}, {"PEXPIRE", "h", "5000000"}, {"RENAME", "k1", "k2"},
		{"SADD", "s", "a", "b"}, {"SREM", "s", "a"}, {"SPOP", "s"}, {"ZADD", "z", "1", "a", "2", "b"},
		{"ZINCRBY", "z", "2", "a"}, {"ZREM", "z", "a"}, {"GETDEL", "k2"}, {"EXPIRE", "lst2", "0"},
		{"SET", "k3", "1"}, {"GETSET", "k3", "2"}, {"COPY", "k3", "k4"}, {"SETEX", "k5", "1000", "v"},
		{"MULTI"}, {"SET", "a", "1"}, {"LPUSH", "b", "x"}, {"DEL", "a"}, {"EXEC"},
		{"DEL", "h", "z", "k3", "nosuch"}, {"RENAME", "k4", "k4"}, {"FLUSHALL"},
	}
	for range 200 {
		script = append(script, dmTxData(r))
	}
	dmRun(t, func(t *testing.T, tg dmTarget) dmTranscript {
		var tr dmTranscript
		w := dmDial(t, tg, "writer")
		tr.add("CONFIG SET -> %s", w.do("CONFIG", "SET", "notify-keyspace-events", "KEA"))
		tr.add("CONFIG GET -> %s", w.do("CONFIG", "GET", "notify-keyspace-events"))
		n2 := dmDial(t, tg, "N2")
		n2.send("PSUBSCRIBE", "__key*@0__:*")
		n2.send("SUBSCRIBE", "marker")
		n3 := dmDial(t, tg, "N3")
		n3.hello3()
		n3.send("PSUBSCRIBE", "__keyevent@0__:*")
		n3.send("SUBSCRIBE", "marker")
		subs := []*dmConn{n2, n3}
		marker := dmDial(t, tg, "marker") // not the writer, which may be in MULTI
		mark := func(tag string) {
			t.Helper()
			tr.add("PUBLISH marker %s -> %s", tag, marker.do("PUBLISH", "marker", tag))
			for _, c := range subs {
				dmMarkSync(c, &tr, tag)
			}
		}
		for _, c := range subs {
			dmWaitSubscribed(c, 2)
		}
		mark("start")
		for i, args := range script {
			tr.add("%d %q -> %s", i, args, w.do(args...))
			mark(strconv.Itoa(i))
		}
		return tr
	})
}

// dmWaitSubscribed reads the confirmations of a connection's first n
// subscriptions.
func dmWaitSubscribed(c *dmConn, n int) {
	c.t.Helper()
	for i := range n {
		if v := c.read(); !strings.HasSuffix(dmMessageKind(v), "subscribe") || v.Elems[2].Int != int64(i+1) {
			c.t.Fatalf("%s: subscription %d confirmed with %v", c.name, i+1, v)
		}
	}
}
