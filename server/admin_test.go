package server

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/internal/resp"
)

func TestMonitor(t *testing.T) {
	ts := startServer(t, Config{})
	mon := dialRaw(t, ts.addr)
	mon.send("MONITOR\r\n")
	mon.expect("+OK\r\n")
	c := ts.dial(t)
	do(t, c, "SET", "k", "a \"b\"\n\x01")
	do(t, c, "CONFIG", "GET", "maxclients") // administrative: not shown
	do(t, c, "GET", "k")
	mon.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for _, want := range []string{`"SET" "k" "a \"b\"\n\x01"`, `"GET" "k"`} {
		line, err := mon.br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		prefix := "+" // +1339518083.107412 [0 127.0.0.1:60866] ...
		if !strings.HasPrefix(line, prefix) || !strings.Contains(line, " [0 127.0.0.1:") ||
			!strings.HasSuffix(line, "] "+want+"\r\n") {
			t.Fatalf("monitor line %q, want ... %s", line, want)
		}
	}
	if !strings.Contains(do(t, c, "CLIENT", "LIST").Str, "flags=O") {
		t.Fatal("CLIENT LIST does not flag the monitor")
	}
	// RESET leaves monitor mode; the monitor's own commands still reply.
	mon.send("PING\r\n")
	mon.expect("+PONG\r\n") // the monitor's own PING is fed after its reply
	mon.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if line, _ := mon.br.ReadString('\n'); !strings.HasSuffix(line, `"PING"`+"\r\n") {
		t.Fatalf("monitor's own command: %q", line)
	}
	mon.send("RESET\r\n")
	mon.expect("+RESET\r\n")
	do(t, c, "SET", "after", "reset")
	mon.send("PING\r\n")
	mon.expect("+PONG\r\n")
}

func TestSlowlog(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	wantStr(t, do(t, c, "CONFIG", "SET", "slowlog-log-slower-than", "100000"), "OK")
	do(t, c, "SET", "fast", "1")
	wantStr(t, do(t, c, "DEBUG", "SLEEP", "0.15"), "OK")
	wantInt(t, do(t, c, "SLOWLOG", "LEN"), 1)
	v := do(t, c, "SLOWLOG", "GET")
	if len(v.Elems) != 1 {
		t.Fatalf("SLOWLOG GET = %v", v)
	}
	e := v.Elems[0].Elems
	if len(e) != 6 || e[2].Int < 150000 || len(e[3].Elems) != 3 || e[3].Elems[0].Str != "DEBUG" ||
		!strings.HasPrefix(e[4].Str, "127.0.0.1:") {
		t.Fatalf("entry %v", v.Elems[0])
	}
	wantStr(t, do(t, c, "CONFIG", "SET", "slowlog-log-slower-than", "0"), "OK")
	long := strings.Repeat("x", 200)
	args := []string{"RPUSH", "l"}
	for range 40 {
		args = append(args, long)
	}
	do(t, c, args...)
	v = do(t, c, "SLOWLOG", "GET", "1")
	e = v.Elems[0].Elems
	if n := len(e[3].Elems); n != 32 || e[3].Elems[31].Str != "... (11 more arguments)" ||
		e[3].Elems[2].Str != strings.Repeat("x", 128)+"... (72 more bytes)" {
		t.Fatalf("long entry %v", v.Elems[0])
	}
	wantStr(t, do(t, c, "SLOWLOG", "RESET"), "OK")
	wantStr(t, do(t, c, "CONFIG", "SET", "slowlog-max-len", "2"), "OK")
	for range 5 {
		do(t, c, "PING")
	}
	wantInt(t, do(t, c, "SLOWLOG", "LEN"), 2)
	wantStr(t, do(t, c, "SLOWLOG", "GET", "-2"), "ERR count should be greater than or equal to -1")
}

func TestInfoAndConfig(t *testing.T) {
	ts := startServer(t, Config{ExtraParams: map[string]string{"appendonly": "yes"}})
	c := ts.dial(t)
	do(t, c, "SET", "k", "v")
	info := do(t, c, "INFO").Str
	var titles []string
	for _, line := range strings.Split(info, "\r\n") {
		if strings.HasPrefix(line, "# ") {
			titles = append(titles, line[2:])
		}
	}
	if got := strings.Join(titles, ","); got != "Server,Clients,Memory,Persistence,Stats,Replication,Cluster,Keyspace" {
		t.Fatalf("sections %s", got)
	}
	for _, f := range []string{"redis_version:7.0.15", "tcp_port:", "connected_clients:1", "maxclients:10000",
		"total_connections_received:1", "total_commands_processed:", "used_memory:", "db0:keys=1,expires=0",
		"role:master", "rdb_last_bgsave_status:ok", "expired_keys:0"} {
		if !strings.Contains(info, f) {
			t.Fatalf("INFO lacks %q:\n%s", f, info)
		}
	}
	if s := do(t, c, "INFO", "clients", "KEYSPACE").Str; !strings.HasPrefix(s, "# Clients\r\n") ||
		!strings.Contains(s, "# Keyspace\r\ndb0:") || strings.Contains(s, "# Server") {
		t.Fatalf("INFO clients keyspace = %q", s)
	}

	get := func(pattern string) map[string]string {
		v := do(t, c, "CONFIG", "GET", pattern)
		m := map[string]string{}
		for i := 0; i+1 < len(v.Elems); i += 2 {
			m[v.Elems[i].Str] = v.Elems[i+1].Str
		}
		return m
	}
	if m := get("maxclients"); m["maxclients"] != "10000" {
		t.Fatalf("CONFIG GET maxclients = %v", m)
	}
	if m := get("*max-*-entries"); m["hash-max-listpack-entries"] == "" {
		t.Fatalf("engine parameters missing: %v", m)
	}
	if m := get("append*"); m["appendonly"] != "yes" || m["appendfsync"] != "everysec" {
		t.Fatalf("extra parameters: %v", m)
	}
	wantStr(t, do(t, c, "CONFIG", "SET", "timeout", "10", "hash-max-listpack-entries", "64"), "OK")
	if m := get("*"); m["timeout"] != "10" || m["hash-max-listpack-entries"] != "64" {
		t.Fatalf("after SET: timeout %q hash-max-listpack-entries %q", m["timeout"], m["hash-max-listpack-entries"])
	}
	// All or nothing.
	wantStr(t, do(t, c, "CONFIG", "SET", "timeout", "20", "hash-max-listpack-entries", "x"),
		"ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument couldn't be parsed into an integer")
	if m := get("timeout"); m["timeout"] != "10" {
		t.Fatalf("timeout changed by a failed CONFIG SET: %v", m)
	}
	wantStr(t, do(t, c, "CONFIG", "SET", "timeout", "-1"),
		"ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive")
	wantStr(t, do(t, c, "CONFIG", "SET", "port", "1"),
		"ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config")
	wantStr(t, do(t, c, "CONFIG", "SET", "appendonly", "no"),
		"ERR CONFIG SET failed (possibly related to argument 'appendonly') - can't set immutable config")
	wantStr(t, do(t, c, "CONFIG", "SET", "nosuch", "1"), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
	wantStr(t, do(t, c, "CONFIG", "SET", "timeout", "1", "timeout", "2"),
		"ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter")
	wantStr(t, do(t, c, "CONFIG", "SET", "timeout", "0"), "OK")
	wantStr(t, do(t, c, "CONFIG", "RESETSTAT"), "OK")
	if s := do(t, c, "INFO", "stats").Str; !strings.Contains(s, "total_connections_received:0") {
		t.Fatalf("RESETSTAT: %s", s)
	}
}

func TestDebugObject(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	do(t, c, "SET", "n", "12345")
	v := do(t, c, "DEBUG", "OBJECT", "n")
	if v.Kind != resp.SimpleString || !strings.Contains(v.Str, " encoding:int ") || !strings.HasPrefix(v.Str, "Value at:") {
		t.Fatalf("DEBUG OBJECT = %v", v)
	}
	wantStr(t, do(t, c, "DEBUG", "OBJECT", "missing"), "ERR no such key")
}

// fakePersistence records what the server asks of it.
type fakePersistence struct {
	mu       sync.Mutex
	calls    []string
	fail     error
	lastSave time.Time
}

func (f *fakePersistence) record(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
	return f.fail
}
func (f *fakePersistence) Save() error           { return f.record("save") }
func (f *fakePersistence) BackgroundSave() error { return f.record("bgsave") }
func (f *fakePersistence) RewriteAOF() error     { return f.record("bgrewriteaof") }
func (f *fakePersistence) LastSave() time.Time   { return f.lastSave }
func (f *fakePersistence) Info() string          { return "aof_enabled:1\r\n" }
func (f *fakePersistence) Shutdown(m ShutdownMode) error {
	return f.record([]string{"shutdown", "shutdown save", "shutdown nosave"}[m])
}

func TestPersistenceCommands(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	wantStr(t, do(t, c, "SAVE"), ErrNoPersistence.Error())
	wantStr(t, do(t, c, "BGSAVE"), ErrNoPersistence.Error())
	if v := do(t, c, "LASTSAVE"); v.Kind != resp.Integer || v.Int < time.Now().Unix()-60 {
		t.Fatalf("LASTSAVE = %v", v)
	}

	p := &fakePersistence{lastSave: time.Unix(1700000000, 0)}
	ts = startServer(t, Config{Persistence: p})
	c = ts.dial(t)
	wantStr(t, do(t, c, "SAVE"), "OK")
	wantStr(t, do(t, c, "BGSAVE"), "Background saving started")
	wantStr(t, do(t, c, "BGSAVE", "SCHEDULE"), "Background saving started")
	wantStr(t, do(t, c, "BGREWRITEAOF"), "Background append only file rewriting started")
	wantInt(t, do(t, c, "LASTSAVE"), 1700000000)
	if !strings.Contains(do(t, c, "INFO", "persistence").Str, "aof_enabled:1") {
		t.Fatal("INFO persistence does not come from the hook")
	}
	p.fail = errors.New("ERR Background save already in progress")
	wantStr(t, do(t, c, "BGSAVE"), "ERR Background save already in progress")
	wantStr(t, do(t, c, "SHUTDOWN"), "ERR Errors trying to SHUTDOWN. Check logs.")
	wantStr(t, do(t, c, "SHUTDOWN", "SAVE", "NOSAVE"), "ERR syntax error")
	p.fail = nil
	if _, err := c.Do("SHUTDOWN", "NOSAVE"); err == nil {
		t.Fatal("SHUTDOWN replied")
	}
	select {
	case err := <-ts.served:
		ts.served <- err // for the cleanup
		if !errors.Is(err, ErrServerClosed) {
			t.Fatalf("Serve = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SHUTDOWN did not stop the server")
	}
	<-ts.Done()
	if got := strings.Join(p.calls, ","); got != "save,bgsave,bgsave,bgrewriteaof,bgsave,shutdown,shutdown nosave" {
		t.Fatalf("calls %s", got)
	}
	if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		t.Fatal("still accepting after SHUTDOWN")
	}
}

func TestGracefulShutdown(t *testing.T) {
	st, _ := kevy.Open(nil)
	defer st.Close()
	srv := New(st, Config{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	idle := dialRaw(t, l.Addr().String())
	idle.send("PING\r\n")
	idle.expect("+PONG\r\n")
	busy := dialRaw(t, l.Addr().String())
	busy.send("DEBUG SLEEP 0.2\r\n")
	time.Sleep(50 * time.Millisecond) // let the sleep start
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	busy.expect("+OK\r\n") // the running command finished and replied
	busy.expectClosed()
	idle.expectClosed()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve = %v", err)
	}
	if err := srv.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve after Shutdown = %v", err)
	}
	srv.Close() // idempotent
	if _, err := st.Get("x"); !errors.Is(err, kevy.ErrNotFound) {
		t.Fatalf("store closed by the server: %v", err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	ts := startServer(t, Config{})
	r := dialRaw(t, ts.addr)
	r.send("DEBUG SLEEP 5\r\n")
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	// DEBUG SLEEP stops at shutdown, so Shutdown may finish in time; if
	// not, it reports the deadline and Close ends the rest.
	if err := ts.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	ts.Close()
}
