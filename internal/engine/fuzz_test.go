package engine

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/resp"
)

// FuzzExec feeds arbitrary argument vectors (NUL-separated) to the command
// table: no input may panic, every command must write exactly one
// well-formed reply, and every error must carry a Redis error code.
func FuzzExec(f *testing.F) {
	files, _ := filepath.Glob("testdata/script/*.txt")
	for _, path := range files {
		steps, _ := parseScript(&testing.T{}, path)
		for _, st := range steps {
			f.Add(strings.Join(st.args, "\x00"))
		}
	}
	for _, s := range []string{"SET\x00k\x00v\x00EX\x00-1", "ZADD\x00z\x00INCR\x00nan\x00m",
		"BITFIELD\x00b\x00SET\x00i64\x00#9223372036854775807\x001", "LPOS\x00l\x00x\x00RANK\x00-9223372036854775808",
		"GETRANGE\x00s\x00-9223372036854775808\x009223372036854775807", "SRANDMEMBER\x00s\x00-9223372036854775807",
		"RESTORE\x00k\x000\x00\x00", "SCAN\x00-1\x00COUNT\x000", "ZMPOP\x009223372036854775807\x00k\x00MIN", "OBJECT\x00", "CONFIG\x00SET\x00maxmemory\x00-1"} {
		f.Add(s)
	}
	en := New(Config{ManualReaper: true, Shards: 2})
	defer en.Close()
	f.Fuzz(func(t *testing.T, in string) {
		args := strings.Split(in, "\x00")
		if len(args) > 0 && (eq(args[0], "flushall") || eq(args[0], "flushdb")) {
			return
		}
		for _, a := range args {
			if len(a) > 1<<16 {
				return // keep single runs small
			}
		}
		if c := Lookup(args[0]); c != nil && c.Flags&FlagBlocking != 0 {
			return // would wait for its timeout, possibly forever
		}
		if c := Lookup(args[0]); c != nil && c.Name == "config" && len(args) > 2 && eq(args[1], "set") {
			return // settings would leak into later inputs
		}
		w := &RESPWriter{}
		en.Exec(&Ctx{Args: args, W: w})
		r := resp.NewReader(bytes.NewReader(w.Buf))
		v, err := r.ReadValue()
		if err != nil || r.Offset() != int64(len(w.Buf)) {
			t.Fatalf("%q: malformed or multiple replies %q: %v", args, w.Buf, err)
		}
		if v.Kind == resp.ErrorReply {
			code, _, _ := strings.Cut(v.Str, " ")
			if code == "" || strings.ToUpper(code) != code {
				t.Fatalf("%q: error without a Redis code: %q", args, v.Str)
			}
		}
	})
}
