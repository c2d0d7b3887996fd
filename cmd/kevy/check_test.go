package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/resp"
)

func TestCheckRDB(t *testing.T) {
	src := filepath.Join("..", "..", "internal", "rdb", "testdata", "redis7.rdb")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := checkRDB([]string{src}, &out); code != 0 || !strings.Contains(out.String(), `\o/ RDB looks OK! \o/`) {
		t.Fatalf("valid file: exit %d\n%s", code, out.String())
	}
	torn := filepath.Join(t.TempDir(), "torn.rdb")
	os.WriteFile(torn, data[:len(data)/2], 0o644)
	out.Reset()
	if code := checkRDB([]string{torn}, &out); code != 1 || !strings.Contains(out.String(), "--- RDB ERROR DETECTED ---\n[offset ") {
		t.Fatalf("torn file: exit %d\n%s", code, out.String())
	}
	bad := append([]byte(nil), data...)
	bad[len(bad)-1] ^= 0xff // the checksum
	os.WriteFile(torn, bad, 0o644)
	out.Reset()
	if code := checkRDB([]string{torn}, &out); code != 1 || !strings.Contains(out.String(), "checksum mismatch") {
		t.Fatalf("bad checksum: exit %d\n%s", code, out.String())
	}
}

func TestCheckAOF(t *testing.T) {
	var aof []byte
	for _, c := range [][]string{{"SET", "a", "1"}, {"MULTI"}, {"INCR", "a"}, {"EXEC"}, {"RPUSH", "l", "x"}} {
		aof = resp.AppendCommand(aof, c...)
	}
	good := len(aof)
	path := filepath.Join(t.TempDir(), "appendonly.aof")
	os.WriteFile(path, aof, 0o644)
	var out bytes.Buffer
	if code := checkAOF([]string{path}, nil, &out); code != 0 || !strings.Contains(out.String(), "is valid") {
		t.Fatalf("valid: exit %d\n%s", code, out.String())
	}

	// A torn last command: reported, then fixed after confirmation.
	os.WriteFile(path, append(append([]byte(nil), aof...), "*2\r\n$3\r\nDEL\r\n$1"...), 0o644)
	out.Reset()
	if code := checkAOF([]string{path}, nil, &out); code != 1 ||
		!strings.Contains(out.String(), "ok_up_to="+itoa(good)) || !strings.Contains(out.String(), "Use the --fix option") {
		t.Fatalf("torn: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := checkAOF([]string{"--fix", path}, strings.NewReader("n\n"), &out); code != 1 {
		t.Fatalf("declined fix: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := checkAOF([]string{"--fix", path}, strings.NewReader("y\n"), &out); code != 0 || !strings.Contains(out.String(), "Successfully truncated") {
		t.Fatalf("fix: exit %d\n%s", code, out.String())
	}
	if fi, _ := os.Stat(path); fi.Size() != int64(good) {
		t.Fatalf("fixed size %d, want %d", fi.Size(), good)
	}

	// An unterminated MULTI is cut before the MULTI.
	tail := resp.AppendCommand(nil, "MULTI")
	tail = resp.AppendCommand(tail, "INCR", "a")
	os.WriteFile(path, append(append([]byte(nil), aof...), tail...), 0o644)
	out.Reset()
	if code := checkAOF([]string{path}, nil, &out); code != 1 || !strings.Contains(out.String(), "ok_up_to="+itoa(good)) ||
		!strings.Contains(out.String(), "Reached EOF before reading EXEC for MULTI") {
		t.Fatalf("open MULTI: exit %d\n%s", code, out.String())
	}

	// Garbage in the middle.
	os.WriteFile(path, append(append([]byte(nil), aof[:20]...), "garbage\r\n"...), 0o644)
	out.Reset()
	if code := checkAOF([]string{path}, nil, &out); code != 1 || !strings.Contains(out.String(), "Bad file format") {
		t.Fatalf("garbage: exit %d\n%s", code, out.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
