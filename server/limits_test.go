package server

import (
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/resp"
)

// Each limit answers the offending client with Redis's text (when Redis
// sends one), disconnects it, and leaves a bystander unaffected.

func bystander(t *testing.T, ts *testServer) func() {
	c := ts.dial(t)
	wantStr(t, do(t, c, "SET", "bystander", "ok"), "OK")
	return func() {
		t.Helper()
		wantStr(t, do(t, c, "GET", "bystander"), "ok")
	}
}

func TestOversizedBulk(t *testing.T) {
	ts := startServer(t, Config{ProtoMaxBulkLen: 1 << 20})
	check := bystander(t, ts)
	r := dialRaw(t, ts.addr)
	r.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n")
	r.expect("-ERR Protocol error: invalid bulk length\r\n")
	r.expectClosed()
	check()

	// Exactly the limit is accepted.
	r = dialRaw(t, ts.addr)
	r.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n" + strings.Repeat("x", 1<<20) + "\r\nSTRLEN k\r\n")
	r.expect("+OK\r\n:1048576\r\n")

	// CONFIG SET changes it for the next request.
	c := ts.dial(t)
	wantStr(t, do(t, c, "CONFIG", "SET", "proto-max-bulk-len", "2mb"), "OK")
	r.send("PING\r\n") // the limit is read when the connection starts its next request
	r.expect("+PONG\r\n")
	r.send("*2\r\n$4\r\nECHO\r\n$1048577\r\n" + strings.Repeat("y", 1<<20+1) + "\r\n")
	r.expect("$1048577\r\n" + strings.Repeat("y", 1<<20+1) + "\r\n")
	wantStr(t, do(t, c, "CONFIG", "SET", "proto-max-bulk-len", "1000"), "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive")
}

func TestInvalidMultibulk(t *testing.T) {
	ts := startServer(t, Config{})
	check := bystander(t, ts)
	for _, tc := range []struct{ req, reply string }{
		{"*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n"},
		{"*" + strings.Repeat("1", 70000), "-ERR Protocol error: too big mbulk count string\r\n"},
		{strings.Repeat("a", 70000), "-ERR Protocol error: too big inline request\r\n"},
	} {
		r := dialRaw(t, ts.addr)
		r.send(tc.req)
		r.expect(tc.reply)
		r.expectClosed()
	}
	check()
}

func TestEndlessMultibulkHitsQueryBufferLimit(t *testing.T) {
	ts := startServer(t, Config{ClientQueryBufferLimit: 1 << 20})
	check := bystander(t, ts)
	r := dialRaw(t, ts.addr)
	r.send("*1000000000\r\n")
	chunk := strings.Repeat("$1\r\na\r\n", 10000)
	closed := false
	for range 1000 { // at most 70 MB
		r.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := r.nc.Write([]byte(chunk)); err != nil {
			closed = true
			break
		}
	}
	if !closed {
		r.expectClosed()
	}
	check()

	// One huge bulk that never completes hits it too.
	r = dialRaw(t, ts.addr)
	r.send("*2\r\n$4\r\nECHO\r\n$100000000\r\n")
	for range 1000 {
		r.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := r.nc.Write([]byte(chunk)); err != nil {
			break
		}
	}
	check()
}

func TestMaxClients(t *testing.T) {
	ts := startServer(t, Config{MaxClients: 2})
	a, b := ts.dial(t), ts.dial(t)
	do(t, a, "PING")
	do(t, b, "PING")
	r := dialRaw(t, ts.addr)
	r.expect("-ERR max number of clients reached\r\n")
	r.expectClosed()
	wantStr(t, do(t, a, "PING"), "PONG")
	if !strings.Contains(do(t, a, "INFO", "stats").Str, "rejected_connections:1\r\n") {
		t.Fatal("rejected_connections not counted")
	}
	// Raising it admits more.
	wantStr(t, do(t, a, "CONFIG", "SET", "maxclients", "3"), "OK")
	c := ts.dial(t)
	wantStr(t, do(t, c, "PING"), "PONG")
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, Config{Timeout: 300 * time.Millisecond})
	idle := dialRaw(t, ts.addr)
	idle.send("PING\r\n")
	idle.expect("+PONG\r\n")
	busy := ts.dial(t)
	start := time.Now()
	for time.Since(start) < 600*time.Millisecond {
		wantStr(t, do(t, busy, "PING"), "PONG")
		time.Sleep(50 * time.Millisecond)
	}
	idle.expectClosed()
	// A monitor is never timed out.
	mon := dialRaw(t, ts.addr)
	mon.send("MONITOR\r\n")
	mon.expect("+OK\r\n")
	time.Sleep(500 * time.Millisecond)
	do(t, ts.dial(t), "SET", "x", "1")
	mon.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := mon.br.ReadString('\n')
	if err != nil || !strings.HasSuffix(line, `"SET" "x" "1"`+"\r\n") {
		t.Fatalf("monitor read %q, %v", line, err)
	}
	wantStr(t, do(t, ts.dial(t), "CONFIG", "GET", "timeout").Elems[1], "0") // whole seconds, rounded down
}

func TestOutputBufferLimit(t *testing.T) {
	ts := startServer(t, Config{NormalOutputLimit: BufferLimit{Hard: 1 << 20}})
	check := bystander(t, ts)
	c := ts.dial(t)
	wantStr(t, do(t, c, "SET", "big", strings.Repeat("x", 2<<20)), "OK")
	if _, err := c.Do("GET", "big"); err == nil {
		t.Fatal("a 2 MB reply passed a 1 MB hard limit")
	}
	check()
	c = ts.dial(t)
	v := do(t, c, "CONFIG", "GET", "client-output-buffer-limit")
	wantStr(t, v.Elems[1], "normal 1048576 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
	wantStr(t, do(t, c, "CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"), "OK")
	if v := do(t, c, "GET", "big"); len(v.Str) != 2<<20 {
		t.Fatalf("GET big after lifting the limit: %d bytes", len(v.Str))
	}
	wantStr(t, do(t, c, "CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"), "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.")
}

func TestLongPipelineWithoutReading(t *testing.T) {
	// A client that writes a long pipeline before reading any reply must
	// not deadlock with the server.
	ts := startServer(t, Config{})
	c := ts.dial(t)
	cmds := make([][]string, 200000)
	for i := range cmds {
		cmds[i] = []string{"INCR", "counter"}
	}
	vs, err := c.Pipeline(cmds)
	if err != nil {
		t.Fatal(err)
	}
	if last := vs[len(vs)-1]; last.Kind != resp.Integer || last.Int != int64(len(cmds)) {
		t.Fatalf("last reply %v", last)
	}
}
