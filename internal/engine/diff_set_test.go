package engine

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/resp"
)

// setMember returns a member from a vocabulary mixing integers (which keep
// a set an intset) and strings (which convert it to a hashtable).
func setMember(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0, 1, 2, 3:
		return strconv.Itoa(r.IntN(16) - 3)
	case 4:
		return pick(r, "007", "-0", "+1", "1.5", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "", " 1")
	default:
		return member(r)
	}
}

func setMembersArgs(r *rand.Rand, max int, ints bool) []string {
	out := make([]string, 1+r.IntN(max))
	for i := range out {
		if ints {
			out[i] = strconv.Itoa(r.IntN(20) - 3)
		} else {
			out[i] = setMember(r)
		}
	}
	return out
}

func keysArgs(r *rand.Rand, max int) []string {
	out := make([]string, 1+r.IntN(max))
	for i := range out {
		out[i] = key(r)
	}
	return out
}

// genSet generates set commands, plus writes of other types on the same
// keys so WRONGTYPE paths are exercised.
func genSet(r *rand.Rand) diffCmd {
	k := key(r)
	switch r.IntN(46) {
	case 0, 1, 2, 3, 4, 5:
		return cmd(append([]string{pick(r, "SADD", "sadd"), k}, setMembersArgs(r, 6, r.IntN(3) == 0)...)...)
	case 6, 7, 8:
		return cmd(append([]string{"SREM", k}, setMembersArgs(r, 4, false)...)...)
	case 9, 10:
		return diffCmd{Args: []string{"SMEMBERS", k}, Cmp: cmpUnordered}
	case 11:
		return cmd("SCARD", k)
	case 12, 13:
		return cmd("SISMEMBER", k, setMember(r))
	case 14:
		return cmd(append([]string{"SMISMEMBER", k}, setMembersArgs(r, 4, false)...)...)
	case 15:
		return diffCmd{Args: []string{"SPOP", k}, Cmp: cmpShape, Sync: []string{k}}
	case 16:
		return diffCmd{Args: []string{"SPOP", k, strconv.Itoa(r.IntN(8))}, Cmp: cmpShape, Sync: []string{k}}
	case 17:
		// SPOP replies fully determined: errors, empty sets.
		args := []string{"SPOP", k, pick(r, "-1", "x", "0", "1.5", "-9223372036854775808", "9223372036854775808")}
		if r.IntN(3) == 0 {
			args = append(args, "1")
		}
		return cmd(args...)
	case 18:
		return diffCmd{Args: []string{"SRANDMEMBER", k}, Cmp: cmpShape}
	case 19, 20:
		return diffCmd{Args: []string{"SRANDMEMBER", k, strconv.Itoa(r.IntN(17) - 8)}, Cmp: cmpShape}
	case 21:
		args := []string{"SRANDMEMBER", k, pick(r, "0", "x", "-9223372036854775808", "9223372036854775808", "1.5")}
		if r.IntN(3) == 0 {
			args = append(args, "1")
		}
		return cmd(args...)
	case 22:
		// count >= size: every member, in iteration order (unspecified
		// for a hashtable).
		return diffCmd{Args: []string{"SRANDMEMBER", k, pick(r, "100", "9223372036854775807")}, Cmp: cmpUnordered}
	case 23, 24, 25:
		return cmd("SMOVE", k, key(r), setMember(r))
	case 26, 27, 28:
		return diffCmd{Args: append([]string{pick(r, "SINTER", "SUNION", "SDIFF")}, keysArgs(r, 4)...), Cmp: cmpUnordered}
	case 29, 30, 31:
		return cmd(append([]string{pick(r, "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), k}, keysArgs(r, 4)...)...)
	case 32, 33:
		keys := keysArgs(r, 4)
		args := append([]string{"SINTERCARD", strconv.Itoa(len(keys))}, keys...)
		if r.IntN(2) == 0 {
			args = append(args, pick(r, "LIMIT", "limit"), pick(r, "0", "1", "2", "5"))
		}
		return cmd(args...)
	case 34:
		// SINTERCARD argument errors.
		switch r.IntN(4) {
		case 0:
			return cmd("SINTERCARD", pick(r, "0", "-1", "x", "9223372036854775808", "3"), k, key(r))
		case 1:
			return cmd("SINTERCARD", "1", k, pick(r, "LIMIT", "limit", "bogus"), pick(r, "-1", "x", "1.5"))
		case 2:
			return cmd("SINTERCARD", "1", k, "LIMIT")
		default:
			return cmd("SINTERCARD", "1", k, "LIMIT", "1", "LIMIT", pick(r, "0", "2", "x"))
		}
	case 35, 36:
		// SSCAN over sets that may be hashtables: order and cursors differ.
		return diffCmd{Args: sscanArgs(r, k), Cmp: cmpShape}
	case 37:
		return cmd("SSCAN", k, pick(r, "0", "x", "1", "18446744073709551616", "-", "+", " 1", "1 ", "-18446744073709551616", "0x1"),
			pick(r, "COUNT", "MATCH", "count", "TYPE", "bogus"), pick(r, "0", "-1", "x", "2"), pick(r, "COUNT", "MATCH"))
	case 38:
		// An intset is scanned whole and in order, whatever the cursor.
		ik := "i" + strconv.Itoa(r.IntN(2))
		if r.IntN(2) == 0 {
			return cmd(append([]string{"SADD", ik}, setMembersArgs(r, 5, true)...)...)
		}
		return cmd(sscanArgs(r, ik)...)
	case 39:
		return cmd(pick(r, "SET", "RPUSH", "HSET"), k, value(r), pick(r, "1", "x"))
	case 40:
		return cmd("DEL", k)
	case 41:
		return cmd("EXPIRE", k, pick(r, "100", "1000"))
	case 42:
		return diffCmd{Args: []string{"TTL", k}, Cmp: cmpTTL}
	case 43:
		return cmd(pick(r, "SADD", "SREM", "SMOVE", "SISMEMBER", "SMISMEMBER", "SCARD", "SSCAN", "SINTERSTORE", "SINTERCARD"), k)
	case 44:
		return cmd(pick(r, "SMEMBERS", "SCARD", "SISMEMBER", "SMOVE", "SPOP", "SRANDMEMBER"), k, "1", "2", "3")
	default:
		return cmd("TYPE", k)
	}
}

// sscanArgs returns an SSCAN call with valid options.
func sscanArgs(r *rand.Rand, k string) []string {
	args := []string{"SSCAN", k, pick(r, "0", "0", "0", "5", "18446744073709551615", "-1", "+2", "", "007", "-18446744073709551615")}
	for i := r.IntN(3); i > 0; i-- {
		if r.IntN(2) == 0 {
			args = append(args, pick(r, "MATCH", "match"), pick(r, "*", "m*", "1*", "-*", "?", "*1*", "m[0-5]"))
		} else {
			args = append(args, pick(r, "COUNT", "count"), pick(r, "1", "3", "10", "1000"))
		}
	}
	return args
}

func TestDiffSet(t *testing.T) {
	n := runDiff(t, 20000, genSet)
	if n < 20000 {
		t.Errorf("compared %d commands, want at least 20000", n)
	}
}

// TestDiffSetScan checks full SSCAN iterations of hashtable sets, whose
// cursors and order differ from Redis's: every member present for the
// whole scan is returned, and nothing else. Intsets are compared exactly.
func TestDiffSetScan(t *testing.T) {
	d := newDiffer(t)
	r := rand.New(rand.NewPCG(uint64(len(t.Name())), 11))
	for round := 0; round < 20; round++ {
		d.reset()
		n := []int{3, 20, 100, 600, 2000}[round%5]
		args := []string{"SADD", "s"}
		for i := 0; i < n; i++ {
			m := strconv.Itoa(i * 7)
			if round%2 == 1 {
				m = "member:" + m
			}
			args = append(args, m)
		}
		if _, err := d.rc.Do(args...); err != nil {
			t.Fatal(err)
		}
		execRESP(t, d.en, args)
		match := pick(r, "", "*", "1*", "*7", "member:2*", "nomatch*")
		count := pick(r, "", "1", "5", "10", "100")
		mk := func(cur string) []string { return withOpts([]string{"SSCAN", "s", cur}, match, count) }
		if v := execRESP(t, d.en, []string{"OBJECT", "ENCODING", "s"}); v.Str == "intset" {
			a := mk("0")
			if want, got := mustDo(t, d, a), execRESP(t, d.en, a); !want.Equal(got) {
				t.Fatalf("%s: redis %v, kevy %v", quoteArgs(a), want, got)
			}
		}
		want := fullScan(t, mk, func(a []string) (string, []string) { return scanReply(t, mustDo(t, d, a)) })
		got := fullScan(t, mk, func(a []string) (string, []string) { return scanReply(t, execRESP(t, d.en, a)) })
		want, got = sortedSet(want), sortedSet(got)
		if !slices.Equal(want, got) {
			t.Fatalf("round %d (%d members, MATCH %q COUNT %q): redis scanned %d members, kevy %d", round, n, match, count, len(want), len(got))
		}
	}
}

func sortedSet(xs []string) []string {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return slices.Compact(xs)
}

// withOpts appends MATCH and COUNT options when set.
func withOpts(args []string, match, count string) []string {
	if match != "" {
		args = append(args, "MATCH", match)
	}
	if count != "" {
		args = append(args, "COUNT", count)
	}
	return args
}

// fullScan iterates a *SCAN from cursor 0 until it returns 0 and returns
// every item reported.
func fullScan(t *testing.T, mk func(cursor string) []string, do func([]string) (string, []string)) []string {
	t.Helper()
	var all []string
	cur := "0"
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("scan does not terminate")
		}
		next, items := do(mk(cur))
		all = append(all, items...)
		if next == "0" {
			return all
		}
		cur = next
	}
}

func mustDo(t *testing.T, d *differ, args []string) resp.Value {
	t.Helper()
	v, err := d.rc.Do(args...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// scanReply splits a [cursor, [items]] reply.
func scanReply(t *testing.T, v resp.Value) (string, []string) {
	t.Helper()
	if v.Kind != resp.Array || len(v.Elems) != 2 {
		t.Fatalf("not a scan reply: %v", v)
	}
	return v.Elems[0].Str, strs(v.Elems[1])
}

// TestHashSetJournalReplay runs the hash and set generators on a sharded
// engine with journals attached, replays each shard's journal into a fresh
// engine, and checks both hold the same keys, values and deadlines: every
// write logs a deterministic effect (SPOP its SREMs, HINCRBYFLOAT its
// result, the STORE commands their destination).
func TestHashSetJournalReplay(t *testing.T) {
	for _, gen := range []func(*rand.Rand) diffCmd{genHash, genSet} {
		en := New(Config{Shards: 3, ManualReaper: true})
		defer en.Close()
		for i := 0; i < en.ShardCount(); i++ {
			en.Shard(i).SetJournal(NewJournal())
		}
		re := New(Config{Shards: 3, ManualReaper: true})
		defer re.Close()
		r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
		var last diffCmd
		replay := func() {
			for i := 0; i < en.ShardCount(); i++ {
				data, _ := en.Shard(i).Journal().Take(nil)
				rd := resp.NewReader(bytes.NewReader(data))
				for {
					v, err := rd.ReadValue()
					if err != nil {
						break
					}
					if v := execRESP(t, re, strs(v)); v.Kind == resp.ErrorReply {
						t.Fatalf("after %s, replaying the journal: %v", quoteArgs(last.Args), v)
					}
				}
			}
		}
		for i := 0; i < 5000; i++ {
			last = gen(r)
			execRESP(t, en, last.Args)
			replay()
			want, got := dumpKeyspace(t, en), dumpKeyspace(t, re)
			if !slices.Equal(want, got) {
				t.Fatalf("after %s the replayed keyspace differs:\nwant %q\ngot  %q", quoteArgs(last.Args), want, got)
			}
		}
	}
}

// dumpKeyspace renders every key with its type, deadline and contents
// (sets and hashtable hashes sorted; listpack hashes in order).
func dumpKeyspace(t *testing.T, en *Engine) []string {
	keys := en.Keys("*", 0)
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		typ := execRESP(t, en, []string{"TYPE", k}).Str
		line := k + " " + typ + " " + execRESP(t, en, []string{"PEXPIRETIME", k}).String() + " "
		switch typ {
		case "set":
			line += strings.Join(sortedSet(strs(execRESP(t, en, []string{"SMEMBERS", k}))), ",")
		case "hash":
			kv := strs(execRESP(t, en, []string{"HGETALL", k}))
			if execRESP(t, en, []string{"OBJECT", "ENCODING", k}).Str == "listpack" {
				line += strings.Join(kv, ",")
			} else {
				line += strings.Join(pairSet(kv), ",")
			}
		case "string":
			line += execRESP(t, en, []string{"GET", k}).Str
		case "list":
			line += strings.Join(strs(execRESP(t, en, []string{"LRANGE", k, "0", "-1"})), ",")
		}
		out = append(out, line)
	}
	return out
}

// TestHashSetSharded runs the generators on a one-shard and a four-shard
// engine and compares the replies: commands over keys of several shards
// (SMOVE, SINTERSTORE, SINTERCARD...) must not depend on the sharding.
// Random writes (SPOP) are left out, as the engines would diverge.
func TestHashSetSharded(t *testing.T) {
	for _, gen := range []func(*rand.Rand) diffCmd{genHash, genSet} {
		one := New(Config{ManualReaper: true})
		defer one.Close()
		four := New(Config{Shards: 4, ManualReaper: true})
		defer four.Close()
		r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
		for i := 0; i < 10000; i++ {
			c := gen(r)
			if len(c.Sync) > 0 {
				continue
			}
			want, got := execRESP(t, one, c.Args), execRESP(t, four, c.Args)
			if !same(c.Cmp, want, got) {
				t.Fatalf("%s: one shard %v, four shards %v", quoteArgs(c.Args), want, got)
			}
		}
	}
}

// TestHashSetRESP3 compares RESP3 replies, whose types (sets, maps, nested
// pairs, nulls) differ from RESP2's, with Redis's.
func TestHashSetRESP3(t *testing.T) {
	d := newDiffer(t)
	if _, err := d.rc.Do("HELLO", "3"); err != nil {
		t.Fatal(err)
	}
	exec3 := func(args []string) resp.Value {
		w := &RESPWriter{RESP3: true}
		d.en.Exec(&Ctx{Args: slices.Clone(args), W: w})
		v, err := resp.NewReader(bytes.NewReader(w.Buf)).ReadValue()
		if err != nil {
			t.Fatalf("%s: malformed reply %q: %v", quoteArgs(args), w.Buf, err)
		}
		return v
	}
	steps := []struct {
		mode cmp
		args string
	}{
		{cmpExact, "HSET h a 1 b 2 c 3"},
		{cmpExact, "HGETALL h"},
		{cmpExact, "HGETALL nokey"},
		{cmpExact, "HMGET h a x"},
		{cmpExact, "HGET h x"},
		{cmpExact, "HRANDFIELD nokey"},
		{cmpExact, "HRANDFIELD nokey 2 WITHVALUES"},
		{cmpExact, "HRANDFIELD h 10 WITHVALUES"},
		{cmpExact, "HRANDFIELD h 10"},
		{cmpShape, "HRANDFIELD h -5 WITHVALUES"},
		{cmpShape, "HRANDFIELD h 2 WITHVALUES"},
		{cmpShape, "HRANDFIELD h 1 WITHVALUES"},
		{cmpExact, "HSCAN h 0"},
		{cmpExact, "HSCAN nokey 0"},
		{cmpExact, "SADD s 3 1 2"},
		{cmpExact, "SADD t 2 3 4"},
		{cmpExact, "SMEMBERS s"},
		{cmpExact, "SMEMBERS nokey"},
		{cmpExact, "SINTER s t"},
		{cmpExact, "SINTER s nokey"},
		{cmpExact, "SUNION s t"},
		{cmpExact, "SDIFF s t"},
		{cmpExact, "SMISMEMBER s 1 9"},
		{cmpExact, "SRANDMEMBER s 10"},
		{cmpExact, "SRANDMEMBER nokey 10"},
		{cmpExact, "SRANDMEMBER nokey"},
		{cmpShape, "SRANDMEMBER s -4"},
		{cmpExact, "SPOP nokey"},
		{cmpExact, "SPOP nokey 3"},
		{cmpExact, "SPOP s 0"},
		{cmpShape, "SPOP t 2"},
		{cmpExact, "SPOP s 10"},
		{cmpExact, "SSCAN t 0"},
		{cmpExact, "SSCAN nokey 0"},
	}
	for _, st := range steps {
		args := strings.Fields(st.args)
		want := mustDo(t, d, args)
		got := exec3(args)
		if want.Kind != got.Kind || !same(st.mode, want, got) {
			t.Errorf("%s: redis %v (%v), kevy %v (%v)", st.args, want, want.Kind, got, got.Kind)
		}
		if st.args == "SPOP t 2" {
			d.syncKey("t")
		}
	}
}
