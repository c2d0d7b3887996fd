package persist

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/rdb"
	"github.com/kevy-go/kevy/internal/types"
)

// env is an engine with its persistence, for tests.
type env struct {
	t   testing.TB
	dir string
	cfg Config
	en  *engine.Engine
	st  *Store
	ls  LoadStats
}

// open opens dir with shards shards; mod adjusts the Config.
func open(t testing.TB, dir string, shards int, mod func(*Config)) *env {
	t.Helper()
	e, err := tryOpen(t, dir, shards, mod)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return e
}

func tryOpen(t testing.TB, dir string, shards int, mod func(*Config)) (*env, error) {
	en := engine.New(engine.Config{Shards: shards, ManualReaper: true})
	cfg := Config{Dir: dir, Sync: engine.SyncEverySec, AutoRewritePercent: -1}
	if mod != nil {
		mod(&cfg)
	}
	if cfg.FS == nil {
		// Process crashes, not power loss, are what the tests simulate:
		// fsyncs need not wait for the device (TestKill's child and
		// TestRealFsync use the real ones).
		cfg.FS = &FaultFS{Inner: OSFS{}, SkipSync: true, budget: -1, crashAfter: -1}
	}
	st, ls, err := Open(en, cfg)
	if err != nil {
		en.Close()
		return nil, err
	}
	e := &env{t: t, dir: dir, cfg: cfg, en: en, st: st, ls: ls}
	t.Cleanup(func() { e.close() })
	return e, nil
}

// close closes the store (once) and the engine.
func (e *env) close() error {
	var err error
	if e.st != nil {
		err = e.st.Close()
		e.st = nil
	}
	if e.en != nil {
		e.en.Close()
		e.en = nil
	}
	return err
}

func (e *env) mustClose() {
	e.t.Helper()
	if err := e.close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
}

// exec runs a command and returns its RESP reply, or the error reply or
// durability error.
func exec(en *engine.Engine, args ...string) (string, error) {
	w := &engine.RESPWriter{}
	c := engine.Ctx{Args: args, W: w}
	en.Exec(&c)
	if c.Err != nil {
		return "", c.Err
	}
	if len(w.Buf) > 0 && w.Buf[0] == '-' {
		return "", errors.New(strings.TrimSpace(string(w.Buf[1:])))
	}
	return string(w.Buf), nil
}

func (e *env) do(args ...string) string {
	e.t.Helper()
	r, err := exec(e.en, args...)
	if err != nil {
		e.t.Fatalf("%v: %v", args, err)
	}
	return r
}

// state returns every live key of en as a canonical text: type, value
// (collections sorted where order is not part of the value) and deadline.
func state(en *engine.Engine) map[string]string {
	out := map[string]string{}
	var buf []engine.SnapItem
	for i := range en.ShardCount() {
		sh := en.Shard(i)
		sh.Lock()
		snap := sh.BeginSnapshot()
		sh.Unlock()
		for done := false; !done; {
			buf, done = snap.Next(buf[:0], 1000)
			for _, it := range buf {
				out[it.Key] = canon(it.Obj) + fmt.Sprintf(" exp=%d", it.ExpireAt)
			}
		}
	}
	return out
}

func canon(o rdb.Object) string {
	switch o.Kind {
	case rdb.KindString:
		return "string:" + fmt.Sprintf("%q", o.Str)
	case rdb.KindList:
		return "list:" + fmt.Sprintf("%q", o.List)
	case rdb.KindSet:
		s := slices.Clone(o.Set)
		sort.Strings(s)
		return "set:" + fmt.Sprintf("%q", s)
	case rdb.KindHash:
		var p []string
		for i := 0; i+1 < len(o.Hash); i += 2 {
			p = append(p, o.Hash[i]+"="+o.Hash[i+1])
		}
		sort.Strings(p)
		return "hash:" + fmt.Sprintf("%q", p)
	default:
		var p []string
		for _, m := range o.ZSet {
			p = append(p, m.Member+"="+types.FormatScore(m.Score))
		}
		sort.Strings(p)
		return "zset:" + fmt.Sprintf("%q", p)
	}
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

func diffState(t testing.TB, want, got map[string]string) {
	t.Helper()
	n := 0
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			if n++; n <= 10 {
				t.Errorf("key %q: got %s, want %s", k, short(g), short(v))
			}
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			if n++; n <= 10 {
				t.Errorf("key %q: got %s, want it absent", k, short(g))
			}
		}
	}
	if n > 10 {
		t.Errorf("... %d differences", n)
	}
}

// files lists the directory's file names.
func files(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyDir copies the regular files of src into a new temporary directory.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	for _, name := range files(t, src) {
		if name == lockName {
			continue
		}
		b := readFile(t, filepath.Join(src, name))
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// writeMix writes a bit of everything through the command table.
func writeMix(e *env, prefix string, n int) {
	e.t.Helper()
	for i := range n {
		k := fmt.Sprintf("%s%d", prefix, i)
		switch i % 9 {
		case 0:
			e.do("SET", k, strings.Repeat("v", i%50))
		case 1:
			e.do("SET", k, fmt.Sprint(i), "PX", "3600000")
			e.do("INCR", k)
		case 2:
			e.do("RPUSH", k, "a", "b", "c", fmt.Sprint(i))
			e.do("LPUSH", k, "z")
			e.do("LPOP", k)
		case 3:
			e.do("SADD", k, "1", "2", "3", fmt.Sprint(i))
			e.do("SREM", k, "2")
		case 4:
			e.do("SADD", k, "x", "y", "zz", fmt.Sprint(i))
			e.do("SPOP", k)
		case 5:
			e.do("HSET", k, "f1", "v1", "f2", fmt.Sprint(i))
			e.do("HINCRBY", k, "n", "5")
			e.do("HINCRBYFLOAT", k, "fl", "1.5")
		case 6:
			e.do("ZADD", k, "1.5", "a", "-2", "b", "inf", "c")
			e.do("ZINCRBY", k, "0.1", "a")
		case 7:
			e.do("SET", k, "x")
			e.do("EXPIRE", k, "1000")
			e.do("APPEND", k, "yz")
			e.do("INCRBYFLOAT", k+"f", "2.5")
		case 8:
			e.do("RPUSH", k, strings.Repeat("L", 100))
			e.do("SET", k+"gone", "1")
			e.do("DEL", k+"gone")
			e.do("PFADD", k+"hll", "a", "b", "c")
		}
	}
}
