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
	t    *testing.T
	rc   *redistest.Client // commands to Redis
	conn net.Conn          // Redis subscriber
	rd   *resp.Reader
	en   *Engine
	sub  *pubsub.Subscription
	cnt  int // commands compared
	msgs int // notifications compared
	mark int
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
	d := &notifyDiffer{t: t, rc: rc, conn: conn, rd: resp.NewReader(conn)}
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

// genAll mixes every group's generator on the shared small keyspace.
func genAll(t *testing.T) func(r *rand.Rand) diffCmd {
	keys := genKeys(payloadPool(t))
	gens := []func(r *rand.Rand) diffCmd{genString, genHash, genList, genSet, genZSet, genZLex, genBitmap, genHLL, keys, keys}
	return func(r *rand.Rand) diffCmd {
		c := gens[r.IntN(len(gens))](r)
		if c.Cmp == cmpExact {
			switch strings.ToUpper(c.Args[0]) {
			case "SMEMBERS", "KEYS", "SUNION", "SINTER", "SDIFF":
				c.Cmp = cmpUnordered
			case "HGETALL":
				c.Cmp = cmpPairs
			}
		}
		return c
	}
}

func runNotifyDiff(t *testing.T, n int, gen func(r *rand.Rand) diffCmd) {
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
		for i := range cmds {
			cmds[i] = gen(r)
		}
		m := d.round(flags, cmds)
		if m == nil {
			continue
		}
		small := d.shrink(flags, cmds[:m.i+1])
		m = d.round(flags, small)
		var b strings.Builder
		for _, c := range small {
			fmt.Fprintf(&b, "\n  %s", quoteArgs(c.Args))
		}
		if m == nil {
			t.Fatalf("notification mismatch did not replay (seed %d)", seed)
		}
		t.Fatalf("%s mismatch under notify-keyspace-events %q (seed %d; rerun with -diff.seed=%d)\nshortest failing sequence:%s\nredis: %s\nkevy:  %s",
			m.why, flags, seed, seed, b.String(), m.redis, m.kevy)
	}
	t.Logf("seed %d: %d commands, %d notifications compared, 0 mismatches", seed, d.cnt, d.msgs)
}

func TestDiffNotify(t *testing.T) {
	runNotifyDiff(t, 20000, genAll(t))
}
