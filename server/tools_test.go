package server

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Real Redis tools against the server: redis-cli and redis-benchmark
// (Debian's redis-tools). They skip when not installed, except under CI.

func hostPort(t *testing.T, addr string) (string, string) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

func runTool(t *testing.T, timeout time.Duration, stdin string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, needTool(t, name), args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestRedisCLISession(t *testing.T) {
	ts := startServer(t, Config{RequirePass: "pw"})
	h, p := hostPort(t, ts.addr)
	script := strings.Join([]string{
		"PING",
		"SET greeting \"hello world\"",
		"GET greeting",
		"INCR counter",
		"RPUSH list a b c",
		"LRANGE list 0 -1",
		"HSET user:1 name Ada lang Go",
		"HGET user:1 name",
		"ZADD board 10 ada 20 bob",
		"ZRANGE board 0 -1 WITHSCORES",
		"EXPIRE greeting 100",
		"TTL greeting",
		"SELECT 1",
		"CLIENT SETNAME cli",
		"CLIENT GETNAME",
		"DBSIZE",
		"NOSUCHCOMMAND x",
	}, "\n") + "\n"
	out := runTool(t, 20*time.Second, script, "redis-cli", "-h", h, "-p", p, "-a", "pw", "--no-auth-warning")
	want := strings.Join([]string{
		"PONG", "OK", "hello world", "1", "3", "a", "b", "c", "2", "Ada", "2",
		"ada", "10", "bob", "20", "1", "100", "ERR DB index is out of range", "", "OK", "cli", "5",
		"ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' ", "", // redis-cli adds a blank line after an error
	}, "\n") + "\n"
	if out != want {
		t.Fatalf("redis-cli session:\n%s\nwant:\n%s", out, want)
	}

	// RESP3 through HELLO, and a map reply.
	out = runTool(t, 20*time.Second, "HGETALL user:1\n", "redis-cli", "-3", "-h", h, "-p", p, "-a", "pw", "--no-auth-warning")
	if out != "name Ada\nlang Go\n" { // a map: redis-cli prints key and value on one line
		t.Fatalf("redis-cli -3 HGETALL: %q", out)
	}

	// Mass insertion with --pipe.
	var pipe strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&pipe, "*3\r\n$3\r\nSET\r\n$%d\r\nkey:%d\r\n$1\r\nv\r\n", len(fmt.Sprint("key:", i)), i)
	}
	out = runTool(t, 20*time.Second, pipe.String(), "redis-cli", "-h", h, "-p", p, "-a", "pw", "--no-auth-warning", "--pipe")
	if !strings.Contains(out, "errors: 0, replies: 1000") {
		t.Fatalf("redis-cli --pipe: %s", out)
	}

	// Without the password.
	out = runTool(t, 20*time.Second, "GET greeting\n", "redis-cli", "-h", h, "-p", p)
	if !strings.Contains(out, "NOAUTH Authentication required.") {
		t.Fatalf("unauthenticated: %q", out)
	}
}

func TestRedisBenchmark(t *testing.T) {
	ts := startServer(t, Config{})
	h, p := hostPort(t, ts.addr)
	for _, pipeline := range []string{"1", "16"} {
		out := runTool(t, 120*time.Second, "", "redis-benchmark", "-h", h, "-p", p, "-q", "-n", "20000", "-c", "20",
			"-P", pipeline, "-t", "set,get,incr,lpush,lpop,sadd,hset,zadd")
		out = strings.ReplaceAll(out, "\r", "\n")
		for _, test := range []string{"SET", "GET", "INCR", "LPUSH", "LPOP", "SADD", "HSET", "ZADD"} {
			if !strings.Contains(out, test+": ") || !strings.Contains(out, "requests per second") {
				t.Fatalf("-P %s: no result for %s:\n%s", pipeline, test, out)
			}
		}
		for _, bad := range []string{"Error", "ERR", "WARNING"} {
			if strings.Contains(out, bad) {
				t.Fatalf("-P %s: %q in output:\n%s", pipeline, bad, out)
			}
		}
	}
	c := ts.dial(t)
	if v := do(t, c, "DBSIZE"); v.Int < 5 {
		t.Fatalf("DBSIZE after benchmark = %v", v)
	}
}
