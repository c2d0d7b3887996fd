package persist

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/resp"
)

// recordStarts returns the offsets at which the log's records start.
func recordStarts(t testing.TB, data []byte) []int64 {
	t.Helper()
	rd := resp.NewReader(bytes.NewReader(data))
	var out []int64
	for {
		off := rd.Offset()
		if _, err := rd.ReadStrictCommand(); err != nil {
			break
		}
		out = append(out, off)
	}
	return out
}

// logBuffer is a slog handler target.
type logBuffer struct{ bytes.Buffer }

func newLogger(b *logBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

func TestTornTailEveryByte(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	e := open(t, base, 1, nil)
	writeMix(e, "k", 30)
	e.do("SET", "last", strings.Repeat("x", 40))
	e.mustClose()
	log := readFile(t, filepath.Join(base, "aof-0.aof"))
	starts := recordStarts(t, log)
	last := starts[len(starts)-1]

	// The state without the last record.
	dir := copyDir(t, base)
	os.Truncate(filepath.Join(dir, "aof-0.aof"), last)
	e = open(t, dir, 1, nil)
	want := state(e.en)
	e.mustClose()
	if _, ok := want["last"]; ok {
		t.Fatal("the last record was not the SET")
	}

	for cut := last + 1; cut < int64(len(log)); cut++ {
		dir := copyDir(t, base)
		path := filepath.Join(dir, "aof-0.aof")
		os.Truncate(path, cut)
		var lb logBuffer
		e := open(t, dir, 1, func(c *Config) { c.Logger = newLogger(&lb) })
		diffState(t, want, state(e.en))
		if e.ls.Truncated != cut-last {
			t.Errorf("cut %d: Truncated = %d, want %d", cut, e.ls.Truncated, cut-last)
		}
		if !strings.Contains(lb.String(), "incomplete record") {
			t.Errorf("cut %d: no warning logged: %q", cut, lb.String())
		}
		// The cut bytes are kept in a side file.
		var side []byte
		for _, n := range files(t, dir) {
			if strings.Contains(n, tornInfix) {
				side = readFile(t, filepath.Join(dir, n))
			}
		}
		if !bytes.Equal(side, log[last:cut]) {
			t.Errorf("cut %d: side file %q, want %q", cut, side, log[last:cut])
		}
		// Appending continues after the cut.
		e.do("SET", "again", "1")
		w2 := state(e.en)
		e.mustClose()
		e = open(t, dir, 1, nil)
		diffState(t, w2, state(e.en))
		if e.ls.Truncated != 0 {
			t.Errorf("cut %d: second open truncated %d", cut, e.ls.Truncated)
		}
		e.mustClose()
	}
}

func TestLogCorruptionInTheMiddle(t *testing.T) {
	base := t.TempDir()
	e := open(t, base, 1, nil)
	for i := range 20 {
		e.do("RPUSH", "l", fmt.Sprint(i))
	}
	e.mustClose()
	path := "aof-0.aof"
	log := readFile(t, filepath.Join(base, path))
	starts := recordStarts(t, log)
	mid := starts[10]

	// A flipped record marker: an error naming the file and the offset.
	dir := copyDir(t, base)
	bad := bytes.Clone(log)
	bad[mid] = '+'
	os.WriteFile(filepath.Join(dir, path), bad, 0o600)
	_, err := tryOpen(t, dir, 1, nil)
	var fe *fileError
	if !errors.As(err, &fe) || fe.Offset != mid || !strings.HasSuffix(fe.File, path) ||
		!strings.Contains(err.Error(), fmt.Sprintf("byte offset %d", mid)) {
		t.Fatalf("Open: %v, want an error at offset %d of %s", err, mid, path)
	}
	if !bytes.Equal(readFile(t, filepath.Join(dir, path)), bad) {
		t.Error("a failed Open changed the file")
	}

	// With LoadValidPrefix: the prefix, the rest kept aside, and a usable
	// directory.
	var lb logBuffer
	e = open(t, dir, 1, func(c *Config) { c.LoadValidPrefix = true; c.Logger = newLogger(&lb) })
	if got := listOf(t, e.en, "l"); len(got) != 9 { // records 1..9 are the pushes 0..8
		t.Errorf("valid prefix: list %v, want 9 elements", got)
	}
	if !strings.Contains(lb.String(), "valid prefix") {
		t.Errorf("no warning: %q", lb.String())
	}
	e.do("RPUSH", "l", "x")
	want := state(e.en)
	e.mustClose()
	e = open(t, dir, 1, nil)
	diffState(t, want, state(e.en))
	e.mustClose()
	found := false
	for _, n := range files(t, dir) {
		if strings.Contains(n, corruptInfix) {
			found = bytes.Equal(readFile(t, filepath.Join(dir, n)), bad[mid:])
		}
	}
	if !found {
		t.Errorf("corrupt bytes not kept aside: %v", files(t, dir))
	}

	// Every single-byte change in the middle record: an error naming the
	// file, or a successful load (RESP has no checksum: a changed payload
	// byte is a different value) — never a panic.
	for off := mid; off < starts[11]; off++ {
		dir := copyDir(t, base)
		bad := bytes.Clone(log)
		bad[off] ^= 0x41
		os.WriteFile(filepath.Join(dir, path), bad, 0o600)
		e, err := tryOpen(t, dir, 1, nil)
		if err != nil {
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "byte offset") {
				t.Errorf("flip at %d: error %v does not name the file and offset", off, err)
			}
			continue
		}
		e.close()
	}

	// A replayed command that fails (wrong type): an error too.
	dir = copyDir(t, base)
	f, _ := os.OpenFile(filepath.Join(dir, path), os.O_APPEND|os.O_WRONLY, 0)
	f.Write(resp.AppendCommand(nil, "SADD", "l", "x"))
	f.Write(resp.AppendCommand(nil, "SET", "z", "1"))
	f.Close()
	_, err = tryOpen(t, dir, 1, nil)
	if !errors.As(err, &fe) || fe.Offset != int64(len(log)) || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("Open: %v, want a WRONGTYPE error at offset %d", err, len(log))
	}
}

func TestSnapshotCorruption(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	e := open(t, base, 1, nil)
	writeMix(e, "k", 10)
	if _, err := e.st.SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	want := state(e.en)
	e.mustClose()
	rdbData := readFile(t, filepath.Join(base, "dump-0.rdb"))
	for off := 0; off < len(rdbData); off++ {
		dir := copyDir(t, base)
		bad := bytes.Clone(rdbData)
		bad[off] ^= 0x10
		os.WriteFile(filepath.Join(dir, "dump-0.rdb"), bad, 0o600)
		_, err := tryOpen(t, dir, 1, nil)
		if err == nil || !strings.Contains(err.Error(), "dump-0.rdb") || !strings.Contains(err.Error(), "byte offset") {
			t.Fatalf("flip at %d: Open: %v, want an error naming dump-0.rdb and an offset", off, err)
		}
	}
	// Truncated at every length.
	for n := 0; n < len(rdbData); n += 7 {
		dir := copyDir(t, base)
		os.WriteFile(filepath.Join(dir, "dump-0.rdb"), rdbData[:n], 0o600)
		_, err := tryOpen(t, dir, 1, nil)
		if err == nil || !strings.Contains(err.Error(), "dump-0.rdb") {
			t.Fatalf("cut at %d: Open: %v", n, err)
		}
	}
	// The valid prefix of a snapshot whose checksum fails is all of it.
	dir := copyDir(t, base)
	bad := bytes.Clone(rdbData)
	bad[len(bad)-1] ^= 1
	os.WriteFile(filepath.Join(dir, "dump-0.rdb"), bad, 0o600)
	e = open(t, dir, 1, func(c *Config) { c.LoadValidPrefix = true })
	diffState(t, want, state(e.en))
	e.do("SET", "new", "1")
	want["new"] = `string:"1" exp=0`
	e.mustClose()
	e = open(t, dir, 1, nil)
	diffState(t, want, state(e.en))
}

// FuzzLoadAOF opens a directory whose log is the input: Open must fail
// cleanly or load, never panic or hang, and a load must be repeatable.
func FuzzLoadAOF(f *testing.F) {
	f.Add(resp.AppendCommand(nil, "SET", "a", "1"))
	f.Add(append(header{gen: 0, shard: 0}.record(), resp.AppendCommand(nil, "RPUSH", "l", "a", "b")...))
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$999999999\r\nx"))
	f.Add([]byte("*2\r\n$4\r\nPING\r\n$30\r\nkevy-aof gen=5 base=1 shard=0\r\n"))
	f.Add([]byte("*1\r\n$8\r\nFLUSHALL\r\n*-1\r\n"))
	f.Add([]byte("*2147483647\r\n$1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "aof-0.aof"), data, 0o600)
		e, err := tryOpen(t, dir, 1, nil)
		if err != nil {
			return
		}
		want := state(e.en)
		e.mustClose()
		e = open(t, dir, 1, nil)
		diffState(t, want, state(e.en))
	})
}

// FuzzLoadRDB opens a directory whose snapshot is the input.
func FuzzLoadRDB(f *testing.F) {
	dir := f.TempDir()
	e := open(f, dir, 1, nil)
	writeMix(e, "k", 20)
	e.st.SaveSnapshot()
	e.mustClose()
	f.Add(readFile(f, filepath.Join(dir, "dump-0.rdb")))
	f.Add([]byte("REDIS0010\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "dump-0.rdb"), data, 0o600)
		e, err := tryOpen(t, dir, 1, nil)
		if err != nil {
			return
		}
		e.close()
	})
}
