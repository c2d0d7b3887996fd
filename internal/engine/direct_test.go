package engine

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/kevy-go/kevy/internal/resp"
)

// execGeneric runs args as the dispatcher does for a command without a
// direct path: a copy of the command with direct unset.
func execGeneric(t *testing.T, en *Engine, args []string) resp.Value {
	t.Helper()
	cmd := *Lookup(args[0])
	cmd.direct = nil
	w := &RESPWriter{}
	en.ExecCommand(&Ctx{Args: slices.Clone(args), W: w}, &cmd)
	return oneReply(t, args, w.Buf)
}

// TestDirectPathsMatchDispatcher runs the same commands through the direct
// paths (SET through Engine.Set; INCR, DECR, INCRBY, DECRBY through
// Engine.IncrBy) and through the dispatcher's general path on two engines,
// over the cases the direct paths handle themselves: new keys, existing
// values, a TTL kept or cleared, a TTL that has passed (the key expires
// first), a value APPEND grew in place, wrong types, bad numbers and
// overflow. Replies, values, TTLs, expiry counts and memory accounting
// must be the same.
func TestDirectPathsMatchDispatcher(t *testing.T) {
	now := int64(1_700_000_000_000)
	clock := func() int64 { return now }
	direct := New(Config{ManualReaper: true, Now: clock})
	defer direct.Close()
	general := New(Config{ManualReaper: true, Now: clock})
	defer general.Close()

	script := [][]string{
		{"INCR", "n"}, {"INCR", "n"}, {"DECR", "n"}, {"INCRBY", "n", "1000"}, {"DECRBY", "n", "-5"},
		{"DECR", "fresh"}, {"INCRBY", "big", "9223372036854775807"}, {"INCR", "big"},
		{"DECRBY", "n", "-9223372036854775808"}, {"INCRBY", "n", "x"},
		{"SET", "s", "abc"}, {"INCR", "s"}, {"RPUSH", "l", "a"}, {"INCR", "l"}, {"SET", "l", "7"}, {"INCR", "l"},
		{"SET", "t", "10", "PX", "5000"}, {"INCR", "t"}, {"PTTL", "t"}, {"SET", "t", "1"}, {"PTTL", "t"},
		{"SET", "e", "41", "PX", "10"}, {"SET", "e2", "x", "PX", "10"}, {"ADVANCE"},
		{"INCR", "e"}, {"SET", "e2", "y"}, {"PTTL", "e"},
		{"APPEND", "a", "1"}, {"APPEND", "a", "2"}, {"INCR", "a"}, {"APPEND", "a", "3"}, {"SET", "a", "9"},
		{"APPEND", "a", "9"}, {"DECRBY", "a", "100"}, {"GET", "a"}, {"STRLEN", "a"},
		{"SET", "n", "-"}, {"SET", "n", "12345678901234567890"}, {"INCR", "n"}, {"SET", "n", " 1"}, {"INCR", "n"},
	}
	for _, args := range script {
		if args[0] == "ADVANCE" {
			now += 20
			continue
		}
		d := execRESP(t, direct, args)
		g := execGeneric(t, general, args)
		if d.String() != g.String() {
			t.Fatalf("%q: direct path replied %v, dispatcher %v", args, d, g)
		}
		for _, key := range []string{"n", "fresh", "big", "s", "l", "t", "e", "e2", "a"} {
			dv, gv := execRESP(t, direct, []string{"GET", key}), execRESP(t, general, []string{"GET", key})
			dt, gt := execRESP(t, direct, []string{"PTTL", key}), execRESP(t, general, []string{"PTTL", key})
			if dv.String() != gv.String() || dt.String() != gt.String() {
				t.Fatalf("after %q, key %s: direct %v (PTTL %v), dispatcher %v (PTTL %v)", args, key, dv, dt, gv, gt)
			}
		}
		if du, gu := direct.Shard(0).used.Load(), general.Shard(0).used.Load(); du != gu {
			t.Fatalf("after %q: direct path accounts %d bytes, dispatcher %d", args, du, gu)
		}
		checkAccounting(t, direct)
	}
	if de, ge := direct.Shard(0).expired.Load(), general.Shard(0).expired.Load(); de != ge || de != 2 {
		t.Fatalf("expired keys: direct path %d, dispatcher %d, want 2", de, ge)
	}
}

// TestNoteExpiredCopiesKey: a key queued for the reaper is a copy, since
// the caller's may be a view of a buffer it reuses (FlagBorrowArgs).
func TestNoteExpiredCopiesKey(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	buf := []byte("victim")
	sh := en.Shard(0)
	sh.noteExpired(unsafe.String(&buf[0], len(buf)))
	copy(buf, "xxxxxx") // the server reads its next request into the buffer
	sh.reapMu.Lock()
	defer sh.reapMu.Unlock()
	if len(sh.reapKeys) != 1 || sh.reapKeys[0] != "victim" {
		t.Fatalf("queued keys %q, want [victim]", sh.reapKeys)
	}
}

// TestBorrowArgsFlag: the commands the server may pass views of its read
// buffer are exactly the ones listed: reads, and the writes of counters
// (whose only argument kept is the key, copied by the shard).
func TestBorrowArgsFlag(t *testing.T) {
	writes := map[string]bool{"incr": true, "decr": true, "incrby": true, "decrby": true,
		"lpush": true, "rpush": true, "lpushx": true, "rpushx": true, "lpop": true, "rpop": true,
		"sadd": true, "srem": true, "hset": true, "hmset": true, "hsetnx": true, "zadd": true}
	n := 0
	for name, cmd := range commands {
		if cmd.Flags&FlagBorrowArgs == 0 {
			continue
		}
		n++
		ok := cmd.Flags&FlagReadOnly != 0 && cmd.Flags&FlagWrite == 0
		if writes[name] {
			ok = cmd.Flags&FlagWrite != 0
		}
		if !borrowArgs[name] || !ok || cmd.Flags&(FlagBlocking|FlagPubSub|FlagSelfLock) != 0 {
			t.Errorf("%s is marked FlagBorrowArgs (flags %b)", name, cmd.Flags)
		}
	}
	if n != len(borrowArgs) {
		t.Fatalf("%d commands marked FlagBorrowArgs, %d listed", n, len(borrowArgs))
	}
}

// TestBorrowedWritesCopyWhatTheyKeep runs the borrowing writes on
// arguments that are views of one buffer, overwritten after every command
// as the server's next read overwrites it, through the dispatcher and
// through a Batch, with a keyspace listener keeping the events: the keys
// created, their values and the events' keys must be intact afterwards.
func TestBorrowedWritesCopyWhatTheyKeep(t *testing.T) {
	for _, batched := range []bool{false, true} {
		en := New(Config{Shards: 4, ManualReaper: true})
		var events []string
		var mu sync.Mutex
		remove := en.Listen(ClassString|ClassNew, func(evs []Event) {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range evs {
				events = append(events, e.Key) // kept as given
			}
		})
		var b Batch
		buf := make([]byte, 64)
		var want []string
		for i := range 40 {
			name := []string{"INCR", "DECR", "INCRBY", "DECRBY"}[i%4]
			key := "counter:" + strconv.Itoa(i%10)
			n := copy(buf, name)
			n += copy(buf[n:], key)
			n += copy(buf[n:], "3")
			view := func(from, to int) string { return unsafe.String(&buf[from], to-from) }
			args := []string{view(0, len(name)), view(len(name), len(name)+len(key))}
			if strings.HasSuffix(name, "BY") {
				args = append(args, view(n-1, n))
			}
			c := &Ctx{Args: args, W: &RESPWriter{}, Borrowed: true}
			if batched {
				en.ExecBatched(&b, c, Lookup(name))
			} else {
				en.Exec(c)
			}
			if i%7 == 0 {
				b.Release()
			}
			for j := range buf {
				buf[j] = 'x' // the next read
			}
			if i < 10 {
				want = append(want, key)
			}
		}
		b.Release()
		keys := strs(execRESP(t, en, []string{"KEYS", "*"}))
		slices.Sort(keys)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Fatalf("batched %v: keys %q, want %q", batched, keys, want)
		}
		for _, k := range keys {
			want := "8" // even counters: INCR and INCRBY 3, twice each
			if (k[len(k)-1]-'0')%2 == 1 {
				want = "-8" // odd ones: DECR and DECRBY 3
			}
			if v := execRESP(t, en, []string{"GET", k}); v.Str != want {
				t.Errorf("batched %v: %s = %v, want %s", batched, k, v, want)
			}
		}
		mu.Lock()
		for _, k := range events {
			if !strings.HasPrefix(k, "counter:") {
				t.Errorf("batched %v: an event's key reads %q: overwritten", batched, k)
			}
		}
		if len(events) != 50 { // 40 changes and 10 new keys
			t.Errorf("batched %v: %d events, want 50", batched, len(events))
		}
		mu.Unlock()
		remove()
		en.Close()
	}
}

// TestBorrowedWritesCopyValues pushes list values, adds set members
// (integers, then others, which convert an intset), sets hash fields
// (then a long one, which converts a listpack hash) and adds sorted-set
// members, all views of one buffer overwritten after every command,
// through the dispatcher and a Batch: the containers keep what was
// written, and pops give it back.
func TestBorrowedWritesCopyValues(t *testing.T) {
	for _, batched := range []bool{false, true} {
		en := New(Config{Shards: 4, ManualReaper: true})
		var b Batch
		buf := make([]byte, 256)
		run := func(parts ...string) resp.Value {
			var args []string
			at := 0
			for _, p := range parts {
				n := copy(buf[at:], p)
				args = append(args, unsafe.String(&buf[at], n))
				at += n
			}
			w := &RESPWriter{}
			c := &Ctx{Args: args, W: w, Borrowed: true}
			if batched {
				en.ExecBatched(&b, c, Lookup(parts[0]))
			} else {
				en.Exec(c)
			}
			for j := range buf {
				buf[j] = 'x' // the next read
			}
			return oneReply(t, parts, w.Buf) // parts: args now read "xx..."
		}
		for i := range 30 {
			k := "list:" + strconv.Itoa(i%3)
			switch i % 5 {
			case 0, 1:
				run("LPUSH", k, "a"+strconv.Itoa(i), "b"+strconv.Itoa(i))
			case 2:
				run("RPUSH", k, "c"+strconv.Itoa(i))
			case 3:
				run("RPUSHX", k, "d"+strconv.Itoa(i))
			case 4:
				if v := run("LPOP", k); v.IsNull() || v.Str[0] == 'x' {
					t.Fatalf("batched %v: LPOP %s = %v", batched, k, v)
				}
			}
		}
		model := map[string]map[string]bool{}
		for i := range 30 {
			k := "set:" + strconv.Itoa(i%2) // integers first, then others: the intset converts
			if model[k] == nil {
				model[k] = map[string]bool{}
			}
			switch {
			case i < 10 || i%3 == 0:
				a, b := strconv.Itoa(i), strconv.Itoa(i+100)
				run("SADD", k, a, b)
				model[k][a], model[k][b] = true, true
			case i%3 == 1:
				m := "m" + strconv.Itoa(i)
				run("SADD", k, m, m)
				model[k][m] = true
			default:
				m := strconv.Itoa(i - 8)
				run("SREM", k, m)
				delete(model[k], m)
			}
		}
		hashes := map[string]map[string]string{}
		zsets := map[string]map[string]string{}
		for i := range 40 {
			k := strconv.Itoa(i % 2)
			if hashes[k] == nil {
				hashes[k], zsets[k] = map[string]string{}, map[string]string{}
			}
			f, v := "f"+strconv.Itoa(i%7), "v"+strconv.Itoa(i)
			if i > 30 { // past hash-max-listpack-value: the hash converts
				f += strings.Repeat("-", 70)
			}
			switch i % 3 {
			case 0:
				run("HSET", "hash:"+k, f, v, "g"+strconv.Itoa(i), v)
				hashes[k][f], hashes[k]["g"+strconv.Itoa(i)] = v, v
			case 1:
				run("HMSET", "hash:"+k, f, v)
				hashes[k][f] = v
			default:
				if run("HSETNX", "hash:"+k, f, v).Int == 1 {
					hashes[k][f] = v
				}
			}
			score := strconv.Itoa(i % 5)
			run("ZADD", "zset:"+k, score, f, score, "m"+strconv.Itoa(i))
			zsets[k][f], zsets[k]["m"+strconv.Itoa(i)] = score, score
		}
		b.Release()
		for k, fields := range hashes {
			got := strs(execRESP(t, en, []string{"HGETALL", "hash:" + k}))
			if len(got) != 2*len(fields) {
				t.Fatalf("batched %v: hash:%s holds %q, want %v", batched, k, got, fields)
			}
			for j := 0; j < len(got); j += 2 {
				if fields[got[j]] != got[j+1] {
					t.Errorf("batched %v: hash:%s field %q = %q, want %q", batched, k, got[j], got[j+1], fields[got[j]])
				}
			}
			got = strs(execRESP(t, en, []string{"ZRANGE", "zset:" + k, "0", "-1", "WITHSCORES"}))
			if len(got) != 2*len(zsets[k]) {
				t.Fatalf("batched %v: zset:%s holds %q, want %v", batched, k, got, zsets[k])
			}
			for j := 0; j < len(got); j += 2 {
				if zsets[k][got[j]] != got[j+1] {
					t.Errorf("batched %v: zset:%s member %q has score %q, want %q", batched, k, got[j], got[j+1], zsets[k][got[j]])
				}
			}
		}
		for i := range 3 {
			k := "list:" + strconv.Itoa(i)
			for _, v := range strs(execRESP(t, en, []string{"LRANGE", k, "0", "-1"})) {
				if len(v) < 2 || !strings.Contains("abcd", v[:1]) {
					t.Errorf("batched %v: %s holds %q: overwritten", batched, k, v)
				}
			}
		}
		for k, members := range model {
			got := strs(execRESP(t, en, []string{"SMEMBERS", k}))
			slices.Sort(got)
			want := slices.Sorted(maps.Keys(members))
			if !slices.Equal(got, want) {
				t.Errorf("batched %v: %s holds %q, want %q", batched, k, got, want)
			}
		}
		en.Close()
	}
}

// TestBorrowsArgs checks the shortcut against the flag for every command,
// in both cases, and names that are no command.
func TestBorrowsArgs(t *testing.T) {
	for name, cmd := range commands {
		want := cmd.Flags&FlagBorrowArgs != 0
		for _, n := range []string{name, strings.ToUpper(name)} {
			if got := BorrowsArgs(n); got != want {
				t.Errorf("BorrowsArgs(%q) = %v, want %v", n, got, want)
			}
		}
	}
	for _, n := range []string{"", "g", "gets", "ge", "\xff", "getgetgetgetgetgetget", "GeT1"} {
		if BorrowsArgs(n) {
			t.Errorf("BorrowsArgs(%q) = true", n)
		}
	}
}
