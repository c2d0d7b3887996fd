package redistest

import (
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/resp"
)

func TestServerAndClient(t *testing.T) {
	s := Start(t)
	c := s.Dial(t)

	tests := []struct {
		args []string
		want resp.Value
	}{
		{[]string{"PING"}, resp.Value{Kind: resp.SimpleString, Str: "PONG"}},
		{[]string{"SET", "k", "v\r\n\x00"}, resp.Value{Kind: resp.SimpleString, Str: "OK"}},
		{[]string{"GET", "k"}, resp.Value{Kind: resp.BulkString, Str: "v\r\n\x00"}},
		{[]string{"GET", "missing"}, resp.Value{Kind: resp.Null}},
		{[]string{"INCR", "n"}, resp.Value{Kind: resp.Integer, Int: 1}},
		{[]string{"INCR", "k"}, resp.Value{Kind: resp.ErrorReply, Str: "ERR value is not an integer or out of range"}},
		{[]string{"RPUSH", "l", "a", "b"}, resp.Value{Kind: resp.Integer, Int: 2}},
		{[]string{"LRANGE", "l", "0", "-1"}, resp.Value{Kind: resp.Array, Elems: []resp.Value{
			{Kind: resp.BulkString, Str: "a"}, {Kind: resp.BulkString, Str: "b"},
		}}},
		{[]string{"BLPOP", "nothing", "0.01"}, resp.Value{Kind: resp.NullArray}},
	}
	for _, tt := range tests {
		got, err := c.Do(tt.args...)
		if err != nil {
			t.Fatalf("Do(%q): %v", tt.args, err)
		}
		if !got.Equal(tt.want) {
			t.Errorf("Do(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestHello3(t *testing.T) {
	s := Start(t)
	c := s.Dial(t)
	v, err := c.Do("HELLO", "3")
	if err != nil {
		t.Fatalf("Do(HELLO 3): %v", err)
	}
	if v.Kind != resp.Map {
		t.Fatalf("Do(HELLO 3) = %v, want a map", v)
	}
	fields := map[string]resp.Value{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		fields[v.Elems[i].Str] = v.Elems[i+1]
	}
	if got := fields["server"]; got.Kind != resp.BulkString || got.Str != "redis" {
		t.Errorf("HELLO 3 server = %v, want \"redis\"", got)
	}
	if got := fields["proto"]; got.Kind != resp.Integer || got.Int != 3 {
		t.Errorf("HELLO 3 proto = %v, want 3", got)
	}

	// RESP3 types now flow through the same client.
	if _, err := c.Do("HSET", "h", "f", "v"); err != nil {
		t.Fatal(err)
	}
	resp3 := []struct {
		args []string
		want string
	}{
		{[]string{"HGETALL", "h"}, `{"f": "v"}`},
		{[]string{"GET", "missing"}, "nil"},
		{[]string{"ZADD", "z", "1.5", "m"}, "1"},
		{[]string{"ZSCORE", "z", "m"}, "double(1.5)"},
		{[]string{"SADD", "s", "x"}, "1"},
		{[]string{"SMEMBERS", "s"}, `set["x"]`},
	}
	for _, tt := range resp3 {
		got, err := c.Do(tt.args...)
		if err != nil {
			t.Fatalf("Do(%q): %v", tt.args, err)
		}
		if got.String() != tt.want {
			t.Errorf("Do(%q) = %v, want %s", tt.args, got, tt.want)
		}
	}
}

func TestPipeline(t *testing.T) {
	s := Start(t)
	c := s.Dial(t)
	var cmds [][]string
	for i := 0; i < 5000; i++ {
		cmds = append(cmds, []string{"RPUSH", "list", strings.Repeat("x", 100)})
	}
	cmds = append(cmds, []string{"LLEN", "list"}, []string{"NOSUCHCOMMAND"})
	replies, err := c.Pipeline(cmds)
	if err != nil {
		t.Fatalf("Pipeline: %v", err)
	}
	if len(replies) != len(cmds) {
		t.Fatalf("Pipeline returned %d replies, want %d", len(replies), len(cmds))
	}
	for i := 0; i < 5000; i++ {
		if replies[i].Kind != resp.Integer || replies[i].Int != int64(i+1) {
			t.Fatalf("reply %d = %v, want %d", i, replies[i], i+1)
		}
	}
	if got := replies[5000]; got.Int != 5000 {
		t.Errorf("LLEN = %v, want 5000", got)
	}
	if got := replies[5001]; !got.IsError() || !strings.HasPrefix(got.Str, "ERR unknown command 'NOSUCHCOMMAND'") {
		t.Errorf("NOSUCHCOMMAND = %v, want an unknown command error", got)
	}
}

func TestExtraArgs(t *testing.T) {
	dir := t.TempDir()
	s := Start(t, "--dir", dir, "--maxmemory", "12mb")
	c := s.Dial(t)
	v, err := c.Do("CONFIG", "GET", "maxmemory")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != `["maxmemory" "12582912"]` {
		t.Errorf("CONFIG GET maxmemory = %s, want 12mb in bytes", got)
	}
	v, err = c.Do("CONFIG", "GET", "dir")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(dir)
	if len(v.Elems) != 2 || v.Elems[1].Str != want {
		t.Errorf("CONFIG GET dir = %v, want %q", v, want)
	}
}

// TestTimeout checks that a server that never answers fails a call within
// the client's timeout instead of hanging.
func TestTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			defer conn.Close()
			time.Sleep(5 * time.Second)
		}
	}()
	c := Dial(t, ln.Addr().String())
	c.Timeout = 200 * time.Millisecond
	start := time.Now()
	if v, err := c.Do("PING"); err == nil {
		t.Fatalf("Do(PING) to a silent server = %v, want a timeout error", v)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Do(PING) to a silent server took %v, want about 200ms", elapsed)
	}
	if _, err := c.Do("PING"); err == nil {
		t.Error("Do after a timeout succeeded, want the sticky error")
	}
	if _, err := c.Pipeline([][]string{{"PING"}, {"PING"}}); err == nil {
		t.Error("Pipeline after a timeout succeeded, want the sticky error")
	}
}

// TestStopped checks that the server process is gone after its test's
// cleanups run.
func TestStopped(t *testing.T) {
	var s *Server
	t.Run("inner", func(t *testing.T) {
		s = Start(t)
		if _, err := s.Dial(t).Do("PING"); err != nil {
			t.Fatal(err)
		}
	})
	if s == nil {
		t.Skip("redis-server not available")
	}
	select {
	case <-s.done:
	default:
		t.Fatal("redis-server still running after the test's cleanup")
	}
	if conn, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		conn.Close()
		t.Errorf("dial %s succeeded after cleanup, want connection refused", s.Addr())
	}
}

// TestCIForbidsSkip checks that Start fails rather than skips under CI when
// redis-server is missing.
func TestCIForbidsSkip(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", "true")
	ft := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(ft)
	}()
	<-done
	if !ft.fatal || ft.skipped {
		t.Errorf("Start without redis-server under CI=true: fatal=%v skipped=%v, want fatal", ft.fatal, ft.skipped)
	}

	t.Setenv("CI", "")
	ft = &fakeTB{TB: t}
	done = make(chan struct{})
	go func() {
		defer close(done)
		Start(ft)
	}()
	<-done
	if ft.fatal || !ft.skipped {
		t.Errorf("Start without redis-server outside CI: fatal=%v skipped=%v, want skipped", ft.fatal, ft.skipped)
	}
}

// fakeTB records Fatal and Skip calls; like the real ones, they end the
// calling goroutine.
type fakeTB struct {
	testing.TB
	fatal, skipped bool
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatal(args ...any) {
	f.fatal = true
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = true
	runtime.Goexit()
}

func (f *fakeTB) Skip(args ...any) {
	f.skipped = true
	runtime.Goexit()
}
