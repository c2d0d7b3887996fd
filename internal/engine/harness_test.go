package engine

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// The differential harness: the same seeded random command sequences go to
// a real redis-server and to an engine, and every reply is compared.

var (
	diffSeed  = flag.Uint64("diff.seed", 0, "replay one differential seed (0 = time-based)")
	diffScale = flag.Int("diff.scale", 1, "multiply the number of differential commands")
)

// cmp says how two replies are compared.
type cmp int

const (
	cmpExact     cmp = iota // byte-for-byte
	cmpUnordered            // an array compared as a multiset (SMEMBERS, KEYS...)
	cmpPairs                // an array of pairs compared as a multiset of pairs (HGETALL)
	cmpShape                // only the kind and length (random replies); then Sync keys
	cmpTTL                  // integers within ttlSlack of each other
	cmpKind                 // only the kind (estimates: MEMORY USAGE's bytes)
)

const ttlSlack = 1500 // ms; TTL replies differ by the time between the two calls

// diffCmd is one generated command.
type diffCmd struct {
	Args []string
	Cmp  cmp
	Sync []string // keys to copy from Redis into the engine after a cmpShape command
}

// execRESP runs args on en and decodes the RESP2 reply.
func execRESP(t testing.TB, en *Engine, args []string) resp.Value {
	t.Helper()
	w := &RESPWriter{}
	en.Exec(&Ctx{Args: slices.Clone(args), W: w})
	return oneReply(t, args, w.Buf)
}

// oneReply decodes buf, the reply args got, which must be exactly one
// well-formed RESP value.
func oneReply(t testing.TB, args []string, buf []byte) resp.Value {
	t.Helper()
	r := resp.NewReader(bytes.NewReader(buf))
	v, err := r.ReadValue()
	if err != nil {
		t.Fatalf("%s: engine wrote a malformed reply %q: %v", quoteArgs(args), buf, err)
	}
	if r.Offset() != int64(len(buf)) {
		t.Fatalf("%s: engine wrote more than one reply: %q", quoteArgs(args), buf)
	}
	return v
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return strings.Join(q, " ")
}

// same compares two replies the way c says.
func same(c cmp, a, b resp.Value) bool {
	switch c {
	case cmpUnordered, cmpPairs:
		if a.Kind != b.Kind || a.Kind != resp.Array && a.Kind != resp.Set && a.Kind != resp.Map {
			return a.Equal(b)
		}
		step := 1
		if c == cmpPairs {
			step = 2
		}
		return slices.Equal(sortedItems(a.Elems, step), sortedItems(b.Elems, step))
	case cmpShape:
		return a.Kind == b.Kind && len(a.Elems) == len(b.Elems) && (a.Kind != resp.Integer || a.Int == b.Int)
	case cmpKind:
		return a.Kind == b.Kind
	case cmpTTL:
		if a.Kind == resp.Integer && b.Kind == resp.Integer {
			d := a.Int - b.Int
			if a.Int < 0 || b.Int < 0 {
				return d == 0
			}
			return d >= -ttlSlack && d <= ttlSlack
		}
		return a.Equal(b)
	}
	return a.Equal(b)
}

func sortedItems(vs []resp.Value, step int) []string {
	var out []string
	for i := 0; i+step <= len(vs); i += step {
		var b strings.Builder
		for j := 0; j < step; j++ {
			b.WriteString(vs[i+j].String())
			b.WriteByte(0)
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

// differ runs generated commands against Redis and an engine.
type differ struct {
	t   *testing.T
	rc  *redistest.Client
	en  *Engine
	cnt int // commands compared
}

func newDiffer(t *testing.T) *differ {
	t.Helper()
	srv := redistest.Start(t, "--enable-debug-command", "yes")
	en := New(Config{ManualReaper: true})
	t.Cleanup(en.Close)
	rc := srv.Dial(t)
	// The engine's reaper is manual: stop Redis's active expiry too, so
	// keys that expired are reaped on access on both sides alike.
	if v, err := rc.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0"); err != nil || v.IsError() {
		t.Fatalf("DEBUG SET-ACTIVE-EXPIRE 0: %v %v", v, err)
	}
	return &differ{t: t, rc: rc, en: en}
}

// reset empties both sides.
func (d *differ) reset() {
	d.t.Helper()
	if _, err := d.rc.Do("FLUSHALL"); err != nil {
		d.t.Fatal(err)
	}
	d.en.FlushAll()
}

// round runs cmds from an empty keyspace and returns the index of the first
// mismatch (-1 if none) with both replies.
func (d *differ) round(cmds []diffCmd) (int, resp.Value, resp.Value) {
	d.t.Helper()
	d.reset()
	batch := make([][]string, len(cmds))
	for i, c := range cmds {
		batch[i] = c.Args
	}
	// Commands that need a sync after them must see Redis's state first,
	// so split the pipeline there.
	start := 0
	for start < len(cmds) {
		end := start
		for end < len(cmds) && len(cmds[end].Sync) == 0 {
			end++
		}
		if end < len(cmds) {
			end++
		}
		got, err := d.rc.Pipeline(batch[start:end])
		if err != nil {
			d.t.Fatalf("redis pipeline: %v", err)
		}
		for i := start; i < end; i++ {
			mine := execRESP(d.t, d.en, cmds[i].Args)
			d.cnt++
			if !same(cmds[i].Cmp, got[i-start], mine) {
				return i, got[i-start], mine
			}
			for _, k := range cmds[i].Sync {
				d.syncKey(k)
			}
		}
		start = end
	}
	return -1, resp.Value{}, resp.Value{}
}

// syncKey copies key's value and TTL from Redis into the engine, after a
// command whose effect is random (SPOP, for one).
func (d *differ) syncKey(key string) {
	d.t.Helper()
	do := func(args ...string) resp.Value {
		v, err := d.rc.Do(args...)
		if err != nil {
			d.t.Fatal(err)
		}
		return v
	}
	execRESP(d.t, d.en, []string{"DEL", key})
	var build []string
	switch typ := do("TYPE", key).Str; typ {
	case "none":
		return
	case "string":
		build = []string{"SET", key, do("GET", key).Str}
	case "list":
		build = append([]string{"RPUSH", key}, strs(do("LRANGE", key, "0", "-1"))...)
	case "set":
		build = append([]string{"SADD", key}, strs(do("SMEMBERS", key))...)
	case "hash":
		build = append([]string{"HSET", key}, strs(do("HGETALL", key))...)
	case "zset":
		pairs := strs(do("ZRANGE", key, "0", "-1", "WITHSCORES"))
		build = []string{"ZADD", key}
		for i := 0; i < len(pairs); i += 2 {
			build = append(build, pairs[i+1], pairs[i])
		}
	default:
		d.t.Fatalf("syncKey: unexpected type %q", typ)
	}
	execRESP(d.t, d.en, build)
	if ms := do("PEXPIRETIME", key).Int; ms > 0 {
		execRESP(d.t, d.en, []string{"PEXPIREAT", key, strconv.FormatInt(ms, 10)})
	}
}

func strs(v resp.Value) []string {
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = e.Str
	}
	return out
}

// shrink removes commands from a failing round while the last command
// still mismatches, and returns the shorter sequence.
func (d *differ) shrink(cmds []diffCmd) []diffCmd {
	last := len(cmds) - 1
	fails := func(c []diffCmd) bool {
		i, _, _ := d.round(c)
		return i == len(c)-1
	}
	cur := slices.Clone(cmds[:last+1])
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

// runDiff compares rounds of generated commands, at least n commands in all.
func runDiff(t *testing.T, n int, gen func(r *rand.Rand) diffCmd) int {
	t.Helper()
	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	d := newDiffer(t)
	r := rand.New(rand.NewPCG(seed, 0x6b657679))
	const roundLen = 200
	n *= *diffScale
	for d.cnt < n {
		cmds := make([]diffCmd, roundLen)
		for i := range cmds {
			cmds[i] = gen(r)
		}
		i, want, got := d.round(cmds)
		if i < 0 {
			continue
		}
		first := fmt.Sprintf("%s\nredis: %v\nkevy:  %v", quoteArgs(cmds[i].Args), want, got)
		small := d.shrink(cmds[:i+1])
		j, want, got := d.round(small)
		var b strings.Builder
		for _, c := range small {
			fmt.Fprintf(&b, "\n  %s", quoteArgs(c.Args))
		}
		shrunk := fmt.Sprintf("redis: %v\nkevy:  %v", want, got)
		if j < 0 {
			shrunk = "(the shrunk sequence did not fail again: timing-dependent?)"
		}
		t.Fatalf("differential mismatch (seed %d; rerun with -diff.seed=%d) at command %d: %s\nshortest failing sequence:%s\n%s",
			seed, seed, i, first, b.String(), shrunk)
	}
	t.Logf("seed %d: %d commands, 0 mismatches", seed, d.cnt)
	return d.cnt
}

// Shared vocabulary: a small keyspace so types collide and WRONGTYPE paths
// are hit, small member and value sets so commands find what others wrote.

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func key(r *rand.Rand) string    { return "k" + strconv.Itoa(r.IntN(6)) }
func member(r *rand.Rand) string { return "m" + strconv.Itoa(r.IntN(12)) }

// value returns a short string, sometimes an integer or a float.
func value(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return strconv.Itoa(r.IntN(200) - 100)
	case 1:
		return strconv.FormatFloat(r.Float64()*100-50, 'f', r.IntN(4), 64)
	case 2:
		return ""
	default:
		return "v" + strconv.Itoa(r.IntN(20))
	}
}

// index returns a list/string index, often negative or out of range.
func index(r *rand.Rand) string { return strconv.Itoa(r.IntN(30) - 15) }

func members(r *rand.Rand, max int) []string {
	out := make([]string, 1+r.IntN(max))
	for i := range out {
		out[i] = member(r)
	}
	return out
}

func cmd(args ...string) diffCmd { return diffCmd{Args: args} }

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}
