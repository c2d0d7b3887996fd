package kevy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// fillTypes writes every type, in small and large encodings, a long list
// (many nodes), keys with a TTL and one already expired, through do.
func fillTypes(do func(args ...string)) {
	do("SET", "str", "value")
	do("SET", "int", "12345")
	do("SET", "ttl", "v", "PX", "3600000")
	for i := range 3000 {
		do("RPUSH", "lbig", "e"+strconv.Itoa(i)+strings.Repeat("x", i%200))
		if i < 300 {
			do("HSET", "hbig", "f"+strconv.Itoa(i), strconv.Itoa(i))
			do("SADD", "sbig", "m"+strconv.Itoa(i))
			do("ZADD", "zbig", strconv.Itoa(i)+".5", "m"+strconv.Itoa(i))
		}
	}
	do("RPUSH", "lsmall", "a", "", "c")
	do("HSET", "hsmall", "f", "v", "n", "1")
	do("SADD", "sint", "1", "2", "-3")
	do("ZADD", "zsmall", "1", "a", "-inf", "b")
	do("PEXPIRE", "hbig", "3600000")
}

// contents reads every key with type-specific commands through do, so
// that two stores (or a store and redis-server) can be compared whatever
// their encodings.
func contents(t *testing.T, do func(args ...string) resp.Value) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range do("KEYS", "*").Elems {
		key := k.Str
		var v []string
		switch typ := do("TYPE", key).Str; typ {
		case "string":
			v = []string{do("GET", key).Str}
		case "list":
			v = strs(do("LRANGE", key, "0", "-1"))
		case "hash":
			v = strs(do("HGETALL", key))
			slices.Sort(v)
		case "set":
			v = strs(do("SMEMBERS", key))
			slices.Sort(v)
		case "zset":
			v = strs(do("ZRANGE", key, "0", "-1", "WITHSCORES"))
		default:
			t.Fatalf("key %q has type %q", key, typ)
		}
		ttl := do("PTTL", key).Int > 0
		out[key] = fmt.Sprintf("%v %q", ttl, v)
	}
	return out
}

// strs flattens an array reply (Do gives WITHSCORES as pairs) to strings.
func strs(v resp.Value) []string {
	var out []string
	for _, e := range v.Elems {
		if len(e.Elems) > 0 {
			out = append(out, strs(e)...)
		} else {
			out = append(out, e.Str)
		}
	}
	return out
}

// storeDo runs a command on s and returns its reply in package resp's form.
func storeDo(t *testing.T, s *Store) func(args ...string) resp.Value {
	return func(args ...string) resp.Value {
		t.Helper()
		r, err := s.Do(args...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return toValue(r)
	}
}

func toValue(r Reply) resp.Value {
	v := resp.Value{Str: r.Str, Int: r.Int}
	for _, e := range r.Elems {
		v.Elems = append(v.Elems, toValue(e))
	}
	return v
}

func diffContents(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d keys, want %d", len(got), len(want))
	}
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("key %q: %.200s, want %.200s", k, g, w)
		}
	}
}

func TestWriteRDBLoadRDB(t *testing.T) {
	for _, shards := range []int{1, 4} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			src := open(t, &Options{Shards: shards})
			do := storeDo(t, src)
			fillTypes(func(args ...string) { do(args...) })
			do("SET", "gone", "v", "PX", "1")
			time.Sleep(5 * time.Millisecond)
			want := contents(t, do)
			var buf bytes.Buffer
			n, err := src.WriteRDB(&buf)
			if err != nil || n != len(want) {
				t.Fatalf("WriteRDB = %d, %v; want %d keys", n, err, len(want))
			}
			dst := open(t, &Options{Shards: 5 - shards})
			if n, err := dst.LoadRDB(bytes.NewReader(buf.Bytes())); err != nil || n != len(want) {
				t.Fatalf("LoadRDB = %d, %v; want %d keys", n, err, len(want))
			}
			diffContents(t, contents(t, storeDo(t, dst)), want)
			if c := dst.Changes(); c != 0 {
				t.Errorf("Changes() = %d after loading, want 0", c)
			}
		})
	}
}

func TestChanges(t *testing.T) {
	s := open(t, &Options{Shards: 2})
	if c := s.Changes(); c != 0 {
		t.Fatalf("Changes() = %d on a new store", c)
	}
	do := storeDo(t, s)
	do("SET", "a", "1")
	do("GET", "a")
	do("RPUSH", "l", "x", "y")
	do("DEL", "nosuchkey")
	if c := s.Changes(); c < 2 || c > 4 {
		t.Fatalf("Changes() = %d after a SET, a read, an RPUSH (creating the key) and a DEL of nothing", c)
	}
}

// TestRedisLoadsWriteRDB: redis-server 7.0 starts from WriteRDB's file and
// holds the same keys.
func TestRedisLoadsWriteRDB(t *testing.T) {
	s := open(t, &Options{Shards: 3})
	do := storeDo(t, s)
	fillTypes(func(args ...string) { do(args...) })
	want := contents(t, do)
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteRDB(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	srv := redistest.Start(t, "--dir", dir, "--dbfilename", "dump.rdb")
	c := srv.Dial(t)
	diffContents(t, contents(t, func(args ...string) resp.Value {
		v, err := c.Do(args...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return v
	}), want)
}

// TestLoadRDBFromRedis: a dump.rdb saved by redis-server 7.0 loads with
// the same keys.
func TestLoadRDBFromRedis(t *testing.T) {
	dir := t.TempDir()
	srv := redistest.Start(t, "--dir", dir)
	c := srv.Dial(t)
	rdo := func(args ...string) resp.Value {
		v, err := c.Do(args...)
		if err != nil || v.Kind == resp.ErrorReply {
			t.Fatalf("%q: %v %v", args, v, err)
		}
		return v
	}
	fillTypes(func(args ...string) { rdo(args...) })
	want := contents(t, rdo)
	rdo("SAVE")
	data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, &Options{Shards: 2})
	if n, err := s.LoadRDB(bytes.NewReader(data)); err != nil || n != len(want) {
		t.Fatalf("LoadRDB = %d, %v; want %d keys", n, err, len(want))
	}
	diffContents(t, contents(t, storeDo(t, s)), want)
}

// TestLoadRDBBadInput: a truncated or corrupted file gives an error with
// its offset and keeps the keys read before it; a store with Dir refuses.
func TestLoadRDBBadInput(t *testing.T) {
	src := open(t, nil)
	for i := range 100 {
		src.Do("SET", "k"+strconv.Itoa(i), strings.Repeat("v", 100))
	}
	var buf bytes.Buffer
	if _, err := src.WriteRDB(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	s := open(t, nil)
	n, err := s.LoadRDB(bytes.NewReader(data[:len(data)/2]))
	if err == nil || n == 0 || n >= 100 {
		t.Fatalf("LoadRDB of half a file = %d, %v; want some keys and an error", n, err)
	}
	if got, _ := s.DBSize(); got != n {
		t.Fatalf("DBSize %d after loading %d keys", got, n)
	}
	bad := bytes.Clone(data)
	bad[len(bad)-20] ^= 0xff // inside the last value: the checksum fails
	if _, err := open(t, nil).LoadRDB(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("LoadRDB of a corrupted file: %v, want a checksum error", err)
	}
	if _, err := open(t, nil).LoadRDB(strings.NewReader("not an rdb file")); err == nil {
		t.Fatal("LoadRDB of text succeeded")
	}
	withDir := open(t, &Options{Dir: t.TempDir()})
	if _, err := withDir.LoadRDB(bytes.NewReader(data)); !errors.Is(err, ErrLoadWithDir) {
		t.Fatalf("LoadRDB with Dir: %v, want ErrLoadWithDir", err)
	}
	if n, err := withDir.WriteRDB(&bytes.Buffer{}); err != nil || n != 0 {
		t.Fatalf("WriteRDB with Dir = %d, %v", n, err)
	}
}
