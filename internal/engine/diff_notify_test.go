package engine

import (
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/pubsub"
	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// The keyspace-notification differential test: the same seeded commands run
// on redis-server and on an engine, each with a subscriber on
// __key*__:*, and after every command the notifications it raised are
// compared, message for message and in order.

// notifyDiffer drives both sides.
type notifyDiffer struct {
	t      *testing.T
	rc     *redistest.Client // commands to Redis
	conn   net.Conn          // Redis subscriber
	rd     *resp.Reader
	en     *Engine
	sub    *pubsub.Subscription
	cnt    int            // commands compared
	msgs   int            // notifications compared
	events map[string]int // keyevent notifications compared, by event
	mark   int
}

const notifyMarker = "kevy-notify-marker"

func newNotifyDiffer(t *testing.T) *notifyDiffer {
	t.Helper()
	srv := redistest.Start(t, "--enable-debug-command", "yes")
	rc := srv.Dial(t)
	if v, err := rc.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0"); err != nil || v.IsError() {
		t.Fatalf("DEBUG SET-ACTIVE-EXPIRE 0: %v %v", v, err)
	}
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	d := &notifyDiffer{t: t, rc: rc, conn: conn, rd: resp.NewReader(conn), events: map[string]int{}}
	conn.Write(resp.AppendCommand(nil, "PSUBSCRIBE", "__key*__:*"))
	conn.Write(resp.AppendCommand(nil, "SUBSCRIBE", notifyMarker))
	for range 2 {
		if _, err := d.rd.ReadValue(); err != nil {
			t.Fatal(err)
		}
	}
	d.en = New(Config{ManualReaper: true})
	t.Cleanup(d.en.Close)
	d.sub, err = d.en.PubSub().NewSubscription(pubsub.Options{QueueSize: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.sub.PSubscribe("__key*__:*"); err != nil {
		t.Fatal(err)
	}
	return d
}

// redisNotes reads Redis's notifications up to a fresh marker.
func (d *notifyDiffer) redisNotes() []string {
	d.t.Helper()
	d.mark++
	m := strconv.Itoa(d.mark)
	if _, err := d.rc.Do("PUBLISH", notifyMarker, m); err != nil {
		d.t.Fatal(err)
	}
	d.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out []string
	for {
		v, err := d.rd.ReadValue()
		if err != nil {
			d.t.Fatalf("reading notifications: %v", err)
		}
		if len(v.Elems) == 3 && v.Elems[0].Str == "message" && v.Elems[1].Str == notifyMarker {
			if v.Elems[2].Str != m {
				d.t.Fatalf("marker %s, want %s", v.Elems[2].Str, m)
			}
			return out
		}
		if len(v.Elems) != 4 {
			d.t.Fatalf("unexpected push %v", v)
		}
		out = append(out, v.Elems[2].Str+" "+v.Elems[3].Str)
	}
}

// kevyNotes takes the engine's queued notifications: delivery is
// synchronous, so they are all queued when Exec returns.
func (d *notifyDiffer) kevyNotes() []string {
	var out []string
	for {
		select {
		case m := <-d.sub.C():
			out = append(out, m.Channel+" "+m.Payload)
		default:
			if err := d.sub.Err(); err != nil {
				d.t.Fatalf("kevy subscription: %v", err)
			}
			return out
		}
	}
}

// setFlags sets notify-keyspace-events on both sides.
func (d *notifyDiffer) setFlags(flags string) {
	d.t.Helper()
	if v, err := d.rc.Do("CONFIG", "SET", "notify-keyspace-events", flags); err != nil || v.IsError() {
		d.t.Fatalf("redis CONFIG SET: %v %v", v, err)
	}
	if err := d.en.ConfigSet("notify-keyspace-events", flags); err != nil {
		d.t.Fatal(err)
	}
}

type notifyMismatch struct {
	i           int
	why         string
	redis, kevy string
}

// round runs cmds from an empty keyspace under flags and returns the first
// mismatch of replies or notifications.
func (d *notifyDiffer) round(flags string, cmds []diffCmd) *notifyMismatch {
	d.t.Helper()
	d.setFlags("")
	if _, err := d.rc.Do("FLUSHALL"); err != nil {
		d.t.Fatal(err)
	}
	d.en.FlushAll()
	if _, err := d.rc.Do(configDefaults...); err != nil {
		d.t.Fatal(err)
	}
	execRESP(d.t, d.en, configDefaults)
	d.redisNotes()
	d.kevyNotes()
	d.setFlags(flags)
	for i, c := range cmds {
		want, err := d.rc.Do(c.Args...)
		if err != nil {
			d.t.Fatal(err)
		}
		got := execRESP(d.t, d.en, c.Args)
		d.cnt++
		if !same(c.Cmp, want, got) {
			return &notifyMismatch{i, "reply", want.String(), got.String()}
		}
		rn, kn := d.redisNotes(), d.kevyNotes()
		d.msgs += len(rn)
		for _, n := range rn {
			if ev, ok := strings.CutPrefix(n, "__keyevent@0__:"); ok {
				ev, _, _ = strings.Cut(ev, " ")
				d.events[ev]++
			}
		}
		if !slices.Equal(rn, kn) {
			return &notifyMismatch{i, "notifications", fmt.Sprintf("%q", rn), fmt.Sprintf("%q", kn)}
		}
		if len(c.Sync) > 0 {
			d.en.setNotify(0) // the copy is no command of the sequence
			dd := &differ{t: d.t, rc: d.rc, en: d.en}
			for _, k := range c.Sync {
				dd.syncKey(k)
			}
			d.setFlags(flags)
			d.kevyNotes()
		}
	}
	return nil
}

// shrinkNotify removes commands while the last one still mismatches.
func (d *notifyDiffer) shrink(flags string, cmds []diffCmd) []diffCmd {
	fails := func(c []diffCmd) bool {
		m := d.round(flags, c)
		return m != nil && m.i == len(c)-1
	}
	cur := slices.Clone(cmds)
	for chunk := len(cur) / 2; chunk >= 1; chunk /= 2 {
		for i := 0; i+chunk < len(cur); {
			try := append(slices.Clone(cur[:i]), cur[i+chunk:]...)
			if fails(try) {
				cur = try
			} else {
				i += chunk
			}
		}
	}
	return cur
}

// notifyFlagSets are the notify-keyspace-events values rounds run under.
var notifyFlagSets = []string{"KEA", "KEA", "KEAn", "AKEn", "Kg", "E$lx", "Kshzn", "KEgn", "El"}

// notifyGens returns the groups' generators: a round draws its commands
// from one of them, or from all at once (mixing types on one keyspace).
func notifyGens(t *testing.T) []func(r *rand.Rand) diffCmd {
	keys := genKeys(payloadPool(t))
	gens := []func(r *rand.Rand) diffCmd{genString, genHash, genList, genSet, genZSet, genZLex, genBitmap, genHLL, keys}
	all := func(r *rand.Rand) diffCmd { return gens[r.IntN(len(gens))](r) }
	out := make([]func(r *rand.Rand) diffCmd, 0, len(gens)+1)
	for _, g := range append(gens, all) {
		out = append(out, notifyGen(g))
	}
	return out
}

// notifyGen adapts a generator's comparison modes to this test.
func notifyGen(gen func(r *rand.Rand) diffCmd) func(r *rand.Rand) diffCmd {
	return func(r *rand.Rand) diffCmd {
		c := gen(r)
		for eq(c.Args[0], "OBJECT") {
			// Encodings and idle times are the other tests' business, and
			// the copy of a key after a random command (Sync) rebuilds it.
			c = gen(r)
		}
		switch strings.ToUpper(c.Args[0]) {
		case "HSCAN", "SSCAN", "ZSCAN", "SCAN", "HRANDFIELD", "SRANDMEMBER", "ZRANDMEMBER":
			c.Cmp = cmpShape
		}
		if c.Cmp == cmpExact {
			switch strings.ToUpper(c.Args[0]) {
			case "SMEMBERS", "KEYS", "SUNION", "SINTER", "SDIFF", "HKEYS", "HVALS":
				c.Cmp = cmpUnordered
			case "HGETALL":
				c.Cmp = cmpPairs
			}
		}
		return c
	}
}

func runNotifyDiff(t *testing.T, n int, gens []func(r *rand.Rand) diffCmd) {
	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	d := newNotifyDiffer(t)
	r := rand.New(rand.NewPCG(seed, 0x6e6f7469))
	n *= *diffScale
	for d.cnt < n {
		flags := notifyFlagSets[r.IntN(len(notifyFlagSets))]
		cmds := make([]diffCmd, 200)
		gen := gens[r.IntN(len(gens))]
		for i := range cmds {
			cmds[i] = gen(r)
		}
		m := d.round(flags, cmds)
		if m == nil {
			continue
		}
		first := *m
		small := d.shrink(flags, cmds[:m.i+1])
		m = d.round(flags, small)
		var b strings.Builder
		if m == nil {
			for _, c := range cmds[:first.i+1] {
				fmt.Fprintf(&b, "\n  %s", quoteArgs(c.Args))
			}
			t.Fatalf("%s mismatch under %q that did not replay (seed %d):%s\nredis: %s\nkevy:  %s",
				first.why, flags, seed, b.String(), first.redis, first.kevy)
		}
		for _, c := range small {
			fmt.Fprintf(&b, "\n  %s", quoteArgs(c.Args))
		}
		t.Fatalf("%s mismatch under notify-keyspace-events %q (seed %d; rerun with -diff.seed=%d)\nshortest failing sequence:%s\nredis: %s\nkevy:  %s",
			m.why, flags, seed, seed, b.String(), m.redis, m.kevy)
	}
	t.Logf("seed %d: %d commands, %d notifications compared, 0 mismatches; keyevents: %v", seed, d.cnt, d.msgs, d.events)
}

func TestDiffNotify(t *testing.T) {
	runNotifyDiff(t, 30000, notifyGens(t))
}

// TestNotifyCases replays hand-written sequences aimed at the corners of
// each command's notifications (no-op writes, emptied keys, replaced
// destinations, deadlines in the past) and compares them with Redis.
func TestNotifyCases(t *testing.T) {
	c := func(args ...string) diffCmd { return cmd(args...) }
	cases := [][]diffCmd{
		{c("SET", "s", "1"), c("SET", "s", "2", "NX"), c("SET", "s", "3", "XX", "GET"), c("SET", "s", "4", "EX", "100"),
			c("SET", "s", "5", "KEEPTTL"), c("SET", "t", "v", "PXAT", "1"), c("SETNX", "s", "x"), c("SETNX", "u", "x"),
			c("SETEX", "s", "10", "v"), c("PSETEX", "s", "10000", "v"), c("GETSET", "s", "w"), c("GETSET", "new", "w"),
			c("MSET", "a", "1", "b", "2", "a", "3"), c("MSETNX", "a", "1", "z", "2"), c("MSETNX", "y", "1", "z", "2")},
		{c("INCR", "n"), c("DECR", "n"), c("INCRBY", "n", "0"), c("DECRBY", "n", "5"), c("INCRBYFLOAT", "n", "1.5"),
			c("INCRBYFLOAT", "f", "0"), c("INCR", "nope", "x"), c("SET", "str", "abc"), c("INCR", "str"),
			c("APPEND", "str", ""), c("APPEND", "fresh", ""), c("APPEND", "str", "d"), c("SETRANGE", "str", "1", ""),
			c("SETRANGE", "none", "3", ""), c("SETRANGE", "str", "10", "x"), c("SETRANGE", "r", "0", "y"),
			c("GETDEL", "str"), c("GETDEL", "str"), c("SET", "g", "v"), c("GETEX", "g"), c("GETEX", "g", "PERSIST"),
			c("GETEX", "g", "EX", "100"), c("GETEX", "g", "PERSIST"), c("GETEX", "g", "PXAT", "1"), c("GETEX", "g", "EX", "1")},
		{c("SET", "k", "v"), c("EXPIRE", "k", "100"), c("EXPIRE", "k", "100", "NX"), c("EXPIRE", "k", "50", "GT"),
			c("PEXPIRE", "k", "500000", "GT"), c("EXPIREAT", "k", "99999999999"), c("PERSIST", "k"), c("PERSIST", "k"),
			c("PEXPIREAT", "k", "1"), c("SET", "k", "v"), c("EXPIRE", "k", "-1"), c("EXPIRE", "missing", "10"),
			c("SET", "a", "1"), c("SET", "b", "2"), c("DEL", "a", "b", "c"), c("UNLINK", "a"), c("SET", "x", "1"),
			c("RENAME", "x", "y"), c("SET", "x", "2"), c("RENAME", "x", "y"), c("RENAME", "y", "y"), c("RENAMENX", "y", "y"),
			c("SET", "x", "3"), c("RENAMENX", "x", "y"), c("RENAMENX", "x", "w"), c("RENAME", "nokey", "q"),
			c("COPY", "w", "y"), c("COPY", "w", "y", "REPLACE"), c("COPY", "w", "fresh"), c("COPY", "none", "v"),
			c("FLUSHALL"), c("SET", "x", "1"), c("FLUSHDB")},
		{c("RPUSH", "l", "a", "b", "c"), c("LPUSH", "l", "z"), c("LPUSHX", "m", "a"), c("RPUSHX", "l", "d"),
			c("LINSERT", "l", "BEFORE", "a", "x"), c("LINSERT", "l", "AFTER", "nope", "x"), c("LSET", "l", "0", "q"),
			c("LREM", "l", "0", "nope"), c("LREM", "l", "1", "x"), c("LTRIM", "l", "0", "-1"), c("LTRIM", "l", "1", "2"),
			c("LPOP", "l", "0"), c("LPOP", "l"), c("RPOP", "l", "5"), c("RPUSH", "l", "a", "b"), c("LTRIM", "l", "5", "9"),
			c("RPUSH", "s", "1", "2"), c("LMOVE", "s", "d", "LEFT", "RIGHT"), c("LMOVE", "s", "d", "RIGHT", "LEFT"),
			c("RPUSH", "r", "only"), c("LMOVE", "r", "r", "LEFT", "RIGHT"), c("RPOPLPUSH", "r", "r"), c("RPOPLPUSH", "r", "d"),
			c("RPOPLPUSH", "none", "d"), c("LMPOP", "2", "none", "d", "LEFT", "COUNT", "10"), c("RPUSH", "e", "1"),
			c("LMPOP", "1", "e", "RIGHT")},
		{c("HSET", "h", "a", "1", "b", "2"), c("HSET", "h", "a", "1"), c("HSETNX", "h", "a", "x"), c("HSETNX", "h", "c", "3"),
			c("HINCRBY", "h", "n", "0"), c("HINCRBYFLOAT", "h", "f", "1.5"), c("HDEL", "h", "zz"), c("HDEL", "h", "a", "b"),
			c("HDEL", "h", "c", "n", "f"), c("HMSET", "g", "x", "1"), c("HINCRBY", "g", "x", "x")},
		{c("SADD", "s", "a", "b"), c("SADD", "s", "a"), c("SREM", "s", "z"), c("SREM", "s", "a"), c("SMOVE", "s", "t", "b"),
			c("SMOVE", "t", "t", "b"), c("SMOVE", "t", "s", "zz"), c("SADD", "u", "1", "2", "3"), c("SPOP", "u", "0"),
			c("SINTERSTORE", "d", "t", "u"), c("SUNIONSTORE", "d", "t", "u"), c("SINTERSTORE", "d", "t", "nope"),
			c("SDIFFSTORE", "d", "t", "t"), c("SUNIONSTORE", "d", "t"), c("SUNIONSTORE", "d", "t"), c("SADD", "p", "x"),
			c("SPOP", "p"), c("SADD", "q", "1", "2"), c("SPOP", "q", "5")},
		{c("ZADD", "z", "1", "a", "2", "b"), c("ZADD", "z", "1", "a"), c("ZADD", "z", "XX", "5", "nope"),
			c("ZADD", "z", "NX", "5", "a"), c("ZADD", "z", "GT", "0", "a"), c("ZADD", "z", "INCR", "1", "a"),
			c("ZADD", "nz", "XX", "1", "a"), c("ZINCRBY", "z", "0", "a"), c("ZINCRBY", "w", "2", "m"), c("ZREM", "z", "q"),
			c("ZREMRANGEBYSCORE", "z", "100", "200"), c("ZREMRANGEBYRANK", "z", "0", "0"), c("ZADD", "y", "0", "a", "0", "b"),
			c("ZREMRANGEBYLEX", "y", "-", "+"), c("ZADD", "y", "1", "x", "2", "y", "3", "z"), c("ZPOPMIN", "y", "0"),
			c("ZPOPMIN", "y"), c("ZPOPMAX", "y", "5"), c("ZMPOP", "2", "nope", "z", "MIN", "COUNT", "9"),
			c("ZADD", "a", "1", "x"), c("ZADD", "b", "2", "y"), c("ZUNIONSTORE", "d", "2", "a", "b"),
			c("ZINTERSTORE", "d", "2", "a", "b"), c("ZINTERSTORE", "d", "2", "a", "b"), c("ZDIFFSTORE", "d", "1", "a"),
			c("ZRANGESTORE", "r", "a", "0", "-1"), c("ZRANGESTORE", "r", "a", "5", "9"), c("ZRANGESTORE", "r", "a", "5", "9")},
		{c("SETBIT", "b", "7", "1"), c("SETBIT", "b", "7", "1"), c("SETBIT", "b", "7", "0"), c("SETBIT", "b", "100", "0"),
			c("BITFIELD", "f", "GET", "u8", "0"), c("BITFIELD", "f", "SET", "u8", "0", "0"), c("BITFIELD", "f", "SET", "u8", "0", "0"),
			c("BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "9"), c("BITFIELD", "f", "INCRBY", "u8", "0", "1"),
			c("BITOP", "AND", "d", "b", "f"), c("BITOP", "OR", "d", "nope"), c("BITOP", "OR", "d", "nope"),
			c("PFADD", "h", "a"), c("PFADD", "h", "a"), c("PFADD", "h"), c("PFADD", "h2"), c("PFMERGE", "m", "h", "h2"),
			c("PFMERGE", "m"), c("PFCOUNT", "m")},
	}
	d := newNotifyDiffer(t)
	for _, flags := range []string{"AKEn", "KEA", "Kgn", "E$lshz"} {
		for i, cmds := range cases {
			if m := d.round(flags, cmds); m != nil {
				t.Errorf("%s: case %d, %s: %s mismatch\nredis: %s\nkevy:  %s", flags, i, quoteArgs(cmds[m.i].Args), m.why, m.redis, m.kevy)
			}
		}
	}
	t.Logf("%d commands, %d notifications, identical to Redis; keyevents: %v", d.cnt, d.msgs, d.events)
}
