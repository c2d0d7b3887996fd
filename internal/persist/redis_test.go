package persist

import (
	"fmt"
	"os"
	oexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/rdb"
	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// redisState reads every key of a real server in state's format: the
// value through DUMP (decoded by package rdb) and PEXPIRETIME.
func redisState(t *testing.T, c *redistest.Client) map[string]string {
	t.Helper()
	keys, err := c.Do("KEYS", "*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys.Elems {
		d, err := c.Do("DUMP", k.Str)
		if err != nil || d.Kind != resp.BulkString {
			t.Fatalf("DUMP %q: %v %v", k.Str, d, err)
		}
		obj, err := rdb.DecodeDump(d.Str)
		if err != nil {
			t.Fatalf("DUMP %q: %v", k.Str, err)
		}
		x, err := c.Do("PEXPIRETIME", k.Str)
		if err != nil {
			t.Fatal(err)
		}
		out[k.Str] = canon(obj) + fmt.Sprintf(" exp=%d", max(x.Int, 0))
	}
	return out
}

// encodingMix writes values of every encoding Redis 7.0 has: small and
// big lists, integer and other sets, small and big hashes and sorted sets,
// integer, short, long and compressible strings, with and without TTLs.
func encodingMix(do func(args ...string)) {
	at := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	do("SET", "int", "12345")
	do("SET", "neg", "-9")
	do("SET", "str", "hello")
	do("SET", "long", strings.Repeat("abcdefgh", 100))
	do("SET", "rand", fmt.Sprintf("%x", time.Now().UnixNano())+strings.Repeat("q", 30))
	do("SET", "ttl", "v", "PXAT", at)
	do("RPUSH", "lsmall", "a", "1", "b")
	for i := range 300 {
		do("RPUSH", "lbig", strings.Repeat("x", i%70))
		do("SADD", "sbig", "m"+strconv.Itoa(i))
		do("HSET", "hbig", "f"+strconv.Itoa(i), strings.Repeat("v", i%80))
		do("ZADD", "zbig", strconv.Itoa(i)+".25", "m"+strconv.Itoa(i))
	}
	do("SADD", "sint", "1", "2", "-3", "1000000")
	do("SADD", "ssmall", "a", "b", "c")
	do("HSET", "hsmall", "f", "v", "n", "1")
	do("ZADD", "zsmall", "1", "a", "2.5", "b", "-inf", "c")
	do("PEXPIREAT", "lbig", at)
	do("PEXPIREAT", "hsmall", at)
	do("PFADD", "hll", "a", "b", "c")
}

func TestRedisLoadsKevySnapshot(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir, 1, nil)
	encodingMix(func(args ...string) { e.do(args...) })
	writeMix(e, "k", 50)
	if _, err := e.st.SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	want := state(e.en)
	e.mustClose()
	srv := redistest.Start(t, "--dir", dir, "--dbfilename", "dump-0.rdb")
	diffState(t, want, redisState(t, srv.Dial(t)))
}

func TestKevyLoadsRedisSnapshot(t *testing.T) {
	rdir := t.TempDir()
	srv := redistest.Start(t, "--dir", rdir)
	c := srv.Dial(t)
	encodingMix(func(args ...string) {
		if v, err := c.Do(args...); err != nil || v.Kind == resp.ErrorReply {
			t.Fatalf("%v: %v %v", args, v, err)
		}
	})
	want := redisState(t, c)
	if v, err := c.Do("SAVE"); err != nil || v.Str != "OK" {
		t.Fatalf("SAVE: %v %v", v, err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dump-0.rdb"), readFile(t, filepath.Join(rdir, "dump.rdb")), 0o600)
	e := open(t, dir, 1, nil)
	diffState(t, want, state(e.en))
	if e.ls.SnapshotKeys != len(want) {
		t.Errorf("LoadStats %+v, want %d snapshot keys", e.ls, len(want))
	}
	// The Redis file stays the base; kevy's log follows it.
	e.do("RPUSH", "lsmall", "more")
	w2 := state(e.en)
	e.mustClose()
	e = open(t, dir, 1, nil)
	diffState(t, w2, state(e.en))
	e.mustClose()
	// And re-sharding a Redis file works.
	e = open(t, dir, 4, nil)
	diffState(t, w2, state(e.en))
}

func redisCheckAOF(t *testing.T, path string) {
	t.Helper()
	bin, err := oexec.LookPath("redis-check-aof")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and redis-check-aof is not installed")
		}
		t.Skip("redis-check-aof not installed")
	}
	out, err := oexec.Command(bin, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is valid") {
		t.Fatalf("redis-check-aof %s: %v\n%s", path, err, out)
	}
}

func TestRedisCheckAOFAndReplay(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir, 1, nil)
	encodingMix(func(args ...string) { e.do(args...) })
	writeMix(e, "k", 100)
	e.mustClose()
	redisCheckAOF(t, filepath.Join(dir, "aof-0.aof"))

	// A rewritten log (base=1) is valid too, and real Redis replays it to
	// the same state: Redis 7.0 takes a lone appendonly file as the base
	// of its multi-part log.
	e = open(t, dir, 1, nil)
	if _, err := e.st.RewriteAOF(); err != nil {
		t.Fatal(err)
	}
	e.do("RPUSH", "lsmall", "after")
	e.do("SPOP", "ssmall")
	want := state(e.en)
	e.mustClose()
	redisCheckAOF(t, filepath.Join(dir, "aof-0.aof"))
	rdir := t.TempDir()
	os.WriteFile(filepath.Join(rdir, "appendonly.aof"), readFile(t, filepath.Join(dir, "aof-0.aof")), 0o600)
	srv := redistest.Start(t, "--dir", rdir, "--appendonly", "yes", "--appendfilename", "appendonly.aof")
	diffState(t, want, redisState(t, srv.Dial(t)))
}
