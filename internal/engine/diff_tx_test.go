package engine

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// TestDiffTx compares MULTI/EXEC/DISCARD/WATCH/UNWATCH outcomes with real
// Redis: two clients per side, A running transactions (with watched keys,
// queued commands of every kind, errors that abort at EXEC and errors
// inside the result array) and B writing to the same keys before and
// during them. The engine's clients go through Multi, as the server's
// will, on a 4-shard engine so transactions span shards.

type txStep struct {
	client int // 0: A, 1: B
	args   []string
}

// txWrite returns a write, often one that does not modify its key (which
// must not abort a WATCH).
func txWrite(r *rand.Rand) []string {
	k, k2 := key(r), key(r)
	switch r.IntN(26) {
	case 0:
		return []string{"SET", k, value(r)}
	case 1:
		return []string{"SET", k, "v1", pick(r, "NX", "XX")}
	case 2:
		return []string{"INCR", k}
	case 3:
		return []string{"APPEND", k, "x"}
	case 4:
		return []string{"DEL", k}
	case 5:
		return []string{"LPUSH", k, listElem(r)}
	case 6:
		return []string{"LPUSHX", k, listElem(r)}
	case 7:
		return []string{"RPOP", k}
	case 8:
		return []string{"SADD", k, member(r)}
	case 9:
		return []string{"SREM", k, member(r)}
	case 10:
		return []string{"HSET", k, "f", value(r)}
	case 11:
		return []string{"HDEL", k, "f"}
	case 12:
		return []string{"ZADD", k, strconv.Itoa(r.IntN(5)), member(r)}
	case 13:
		return []string{"ZREM", k, member(r)}
	case 14:
		return []string{"EXPIRE", k, "1000"}
	case 15:
		return []string{"PERSIST", k}
	case 16:
		return []string{"RENAME", k, k2}
	case 17:
		return []string{"GETDEL", k}
	case 18:
		return []string{"MSET", k, "1", k2, "2"}
	case 19:
		return []string{"LMOVE", k, k2, "LEFT", "RIGHT"}
	case 20:
		return []string{"EXPIRE", k, pick(r, "-1", "0")}
	case 21:
		return []string{"SET", k, "v1"} // often the value it already has
	case 22:
		return []string{"INCRBY", k, "0"}
	case 23:
		return []string{"SETNX", k, "v"}
	case 24:
		if r.IntN(4) == 0 {
			return []string{"FLUSHALL"}
		}
		return []string{"COPY", k, k2}
	default:
		return []string{"ZINCRBY", k, "1", member(r)}
	}
}

func txRead(r *rand.Rand) []string {
	k := key(r)
	return pick(r, []string{"GET", k}, []string{"EXISTS", k}, []string{"TYPE", k}, []string{"LRANGE", k, "0", "-1"},
		[]string{"SCARD", k}, []string{"HGET", k, "f"}, []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}, []string{"DBSIZE"})
}

// txQueued returns a command for inside MULTI: mostly reads and writes,
// sometimes one that aborts EXEC or fails inside it, or a transaction
// command.
func txQueued(r *rand.Rand) []string {
	k := key(r)
	switch r.IntN(20) {
	case 0:
		return []string{"NOSUCHCMD", k}
	case 1:
		return pick(r, []string{"SET", k}, []string{"GET"}, []string{"LPUSH", k})
	case 2:
		return pick(r, []string{"MULTI"}, []string{"WATCH", k}, []string{"MULTI", "x"}, []string{"WATCH"}, []string{"DISCARD", "x"})
	case 3:
		return []string{"UNWATCH"}
	case 4:
		return pick(r, []string{"BLPOP", k, key(r), "0"}, []string{"BRPOPLPUSH", k, key(r), "0"},
			[]string{"BZPOPMIN", k, "0"}, []string{"BLMOVE", k, key(r), "LEFT", "LEFT", "0"},
			[]string{"BLMPOP", "0", "1", k, "RIGHT"}, []string{"BZMPOP", "0", "2", k, key(r), "MAX", "COUNT", "2"},
			[]string{"BLPOP", k, "x"})
	case 5, 6, 7, 8:
		return txRead(r)
	default:
		return txWrite(r)
	}
}

func genTxRound(r *rand.Rand) []txStep {
	var steps []txStep
	add := func(c int, args ...string) { steps = append(steps, txStep{c, args}) }
	for range r.IntN(4) {
		add(1, txWrite(r)...)
	}
	if r.IntN(4) > 0 {
		ks := []string{"WATCH"}
		for range 1 + r.IntN(3) {
			ks = append(ks, key(r))
		}
		add(0, ks...)
		if r.IntN(5) == 0 {
			add(0, "WATCH", key(r))
		}
		if r.IntN(8) == 0 {
			add(0, "UNWATCH")
		}
	}
	for range r.IntN(3) {
		add(0, txRead(r)...)
	}
	for range r.IntN(3) {
		add(1, txWrite(r)...)
	}
	if r.IntN(10) == 0 {
		add(0, pick(r, "EXEC", "DISCARD"))
	}
	add(0, "MULTI")
	for range r.IntN(6) {
		add(0, txQueued(r)...)
		if r.IntN(6) == 0 {
			add(1, txWrite(r)...)
		}
	}
	switch n := r.IntN(20); {
	case n < 16:
		add(0, "EXEC")
	case n < 19:
		add(0, "DISCARD")
	default:
		add(0, "EXEC", "x")
	}
	for _, k := range []string{"k0", "k1", "k2", "k3", "k4", "k5"} {
		add(1, "TYPE", k)
		add(1, "GET", k)
		add(1, "LRANGE", k, "0", "-1")
		add(1, "ZRANGE", k, "0", "-1", "WITHSCORES")
		add(1, "HGET", k, "f")
		add(1, "SMISMEMBER", k, "m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11")
	}
	return steps
}

func TestDiffTx(t *testing.T) {
	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	r := rand.New(rand.NewPCG(seed, 0x7478))
	srv := redistest.Start(t)
	rcs := []*redistest.Client{srv.Dial(t), srv.Dial(t)}
	en := New(Config{Shards: 4, ManualReaper: true})
	defer en.Close()
	ms := []*Multi{en.NewMulti(), en.NewMulti()}
	count, rounds := 0, 0
	outcomes := map[string]int{}
	for count < 20000**diffScale {
		steps := genTxRound(r)
		rounds++
		if _, err := rcs[1].Do("FLUSHALL"); err != nil {
			t.Fatal(err)
		}
		en.FlushAll()
		for i, st := range steps {
			want, err := rcs[st.client].Do(st.args...)
			if err != nil {
				t.Fatal(err)
			}
			got := execMultiRESP(t, en, ms[st.client], st.args)
			count++
			if equalFold(st.args[0], "exec") {
				switch {
				case got.Kind == resp.NullArray:
					outcomes["watch-aborted"]++
				case got.Kind == resp.ErrorReply:
					outcomes[strings.Fields(got.Str)[0]]++
				default:
					outcomes["applied"]++
				}
			}
			if !want.Equal(got) {
				var b strings.Builder
				for j, s := range steps[:i+1] {
					fmt.Fprintf(&b, "\n  %c: %s", "AB"[s.client], quoteArgs(s.args))
					if j == i {
						b.WriteString("   <--")
					}
				}
				t.Fatalf("mismatch (seed %d; rerun with -diff.seed=%d):%s\nredis: %v\nkevy:  %v", seed, seed, b.String(), want, got)
			}
		}
	}
	t.Logf("seed %d: %d commands in %d transactions, 0 mismatches; EXEC outcomes %v", seed, count, rounds, outcomes)
}

// TestTxScript walks through MULTI/EXEC/WATCH with two clients, replies
// recorded from Redis 7.0 (testdata/tx.txt; -update regenerates them).
// Lines are "A> cmd" or "B> cmd" followed by the reply.
func TestTxScript(t *testing.T) {
	const path = "testdata/tx.txt"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	var rcs []*redistest.Client
	if *update {
		srv := redistest.Start(t)
		rcs = []*redistest.Client{srv.Dial(t), srv.Dial(t)}
	}
	en := New(Config{Shards: 4, ManualReaper: true})
	defer en.Close()
	ms := []*Multi{en.NewMulti(), en.NewMulti()}
	var out []string
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		out = append(out, line)
		if len(line) < 3 || (line[0] != 'A' && line[0] != 'B') || line[1] != '>' {
			continue
		}
		client := int(line[0] - 'A')
		args, err := splitScriptArgs(line[2:])
		if err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		want := ""
		if i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "#") && !(len(lines[i+1]) > 1 && lines[i+1][1] == '>') {
			i++
			want = lines[i]
		}
		if *update {
			v, err := rcs[client].Do(args...)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, v.String())
			continue
		}
		if got := execMultiRESP(t, en, ms[client], args).String(); got != want {
			t.Errorf("%s:%d: %s = %s, want %s", path, i, quoteArgs(args), got, want)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
