package server

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/resp"
)

func TestPipeliningBatchesReplies(t *testing.T) {
	ts := startServer(t, Config{})
	r := dialRaw(t, ts.addr)
	const n = 500
	var req, want strings.Builder
	for i := range n {
		req.WriteString(string(resp.AppendCommand(nil, "SET", "k"+strconv.Itoa(i), strconv.Itoa(i))))
		want.WriteString("+OK\r\n")
	}
	for i := range n {
		req.WriteString(string(resp.AppendCommand(nil, "GET", "k"+strconv.Itoa(i))))
		fmt.Fprintf(&want, "$%d\r\n%d\r\n", len(strconv.Itoa(i)), i)
	}
	writes := func() (n int64) {
		for _, c := range ts.snapshotConns() {
			n += c.writeCalls.Load()
		}
		return n
	}
	before := writes()
	r.send(req.String())
	r.expect(want.String())
	// 1000 replies; the request arrives in a few reads, each answered by
	// one write, never one write per reply.
	if w := writes() - before; w > 50 {
		t.Fatalf("%d writes for %d pipelined commands", w, 2*n)
	}
}

func TestInlineCommands(t *testing.T) {
	ts := startServer(t, Config{})
	r := dialRaw(t, ts.addr)
	r.send("PING\r\n")
	r.expect("+PONG\r\n")
	r.send("set greeting \"hello world\"\nget greeting\r\n")
	r.expect("+OK\r\n$11\r\nhello world\r\n")
	r.send("\r\n   \r\nEcHo 'it''s'\r\n") // blank lines are skipped; a closing quote must end the argument
	r.expect("-ERR Protocol error: unbalanced quotes in request\r\n")
	r.expectClosed()
}

func TestHelloRESP3(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	v := do(t, c, "HELLO", "3", "SETNAME", "myconn")
	if v.Kind != resp.Map || len(v.Elems) != 14 {
		t.Fatalf("HELLO 3 = %v", v)
	}
	fields := map[string]resp.Value{}
	for i := 0; i < len(v.Elems); i += 2 {
		fields[v.Elems[i].Str] = v.Elems[i+1]
	}
	wantStr(t, fields["server"], "redis")
	wantStr(t, fields["version"], redisVersion)
	wantInt(t, fields["proto"], 3)
	wantStr(t, fields["mode"], "standalone")
	wantStr(t, fields["role"], "master")
	if fields["modules"].Kind != resp.Array {
		t.Fatalf("modules = %v", fields["modules"])
	}
	wantStr(t, do(t, c, "CLIENT", "GETNAME"), "myconn")
	do(t, c, "HSET", "h", "f", "v")
	if v := do(t, c, "HGETALL", "h"); v.Kind != resp.Map {
		t.Fatalf("HGETALL over RESP3 = %v, want a map", v)
	}
	if v := do(t, c, "GET", "missing"); v.Kind != resp.Null {
		t.Fatalf("GET missing = %v, want RESP3 null", v)
	}
	wantStr(t, do(t, c, "HELLO", "4"), "NOPROTO unsupported protocol version")
	wantStr(t, do(t, c, "HELLO", "x"), "ERR Protocol version is not an integer or out of range")
	wantStr(t, do(t, c, "HELLO", "3", "FOO"), "ERR Syntax error in HELLO option 'FOO'")
	v = do(t, c, "HELLO", "2")
	if v.Kind != resp.Array || len(v.Elems) != 14 {
		t.Fatalf("HELLO 2 = %v, want a flat array", v)
	}
	if v := do(t, c, "HGETALL", "h"); v.Kind != resp.Array {
		t.Fatalf("HGETALL over RESP2 = %v", v)
	}
	// HELLO without a version keeps the protocol.
	if v := do(t, c, "HELLO"); v.Kind != resp.Array || v.Elems[5].Int != 2 {
		t.Fatalf("HELLO = %v", v)
	}
}

func TestAuth(t *testing.T) {
	ts := startServer(t, Config{RequirePass: "s3cret"})
	c := ts.dial(t)
	wantStr(t, do(t, c, "GET", "k"), "NOAUTH Authentication required.")
	wantStr(t, do(t, c, "CLIENT", "ID"), "NOAUTH Authentication required.")
	wantStr(t, do(t, c, "NOSUCHCMD"), "ERR unknown command 'NOSUCHCMD', with args beginning with: ")
	wantStr(t, do(t, c, "GET"), "ERR wrong number of arguments for 'get' command")
	wantStr(t, do(t, c, "HELLO", "3"), "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
	wantStr(t, do(t, c, "AUTH", "wrong"), "WRONGPASS invalid username-password pair or user is disabled.")
	wantStr(t, do(t, c, "AUTH", "bob", "s3cret"), "WRONGPASS invalid username-password pair or user is disabled.")
	wantStr(t, do(t, c, "AUTH", "a", "b", "c"), "ERR syntax error")
	wantStr(t, do(t, c, "AUTH", "s3cret"), "OK")
	wantStr(t, do(t, c, "SET", "k", "v"), "OK")
	wantStr(t, do(t, c, "RESET"), "RESET") // deauthenticates
	wantStr(t, do(t, c, "GET", "k"), "NOAUTH Authentication required.")
	if v := do(t, c, "HELLO", "3", "AUTH", "default", "s3cret"); v.Kind != resp.Map {
		t.Fatalf("HELLO 3 AUTH = %v", v)
	}
	wantStr(t, do(t, c, "GET", "k"), "v")

	// Unauthenticated clients may not send big requests.
	r := dialRaw(t, ts.addr)
	r.send("*11\r\n")
	r.expect("-ERR Protocol error: unauthenticated multibulk length\r\n")
	r.expectClosed()
	r = dialRaw(t, ts.addr)
	r.send("*2\r\n$3\r\nGET\r\n$16385\r\n")
	r.expect("-ERR Protocol error: unauthenticated bulk length\r\n")
	r.expectClosed()

	// Changing the password keeps authenticated clients authenticated.
	wantStr(t, do(t, c, "CONFIG", "SET", "requirepass", ""), "OK")
	wantStr(t, do(t, c, "AUTH", "x"), "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
	wantStr(t, do(t, c, "AUTH", "default", "anything"), "OK")
	c2 := ts.dial(t)
	wantStr(t, do(t, c2, "GET", "k"), "v")
}

func TestSelectQuitResetEcho(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	wantStr(t, do(t, c, "SELECT", "0"), "OK")
	wantStr(t, do(t, c, "SELECT", "1"), "ERR DB index is out of range")
	wantStr(t, do(t, c, "SELECT", "x"), "ERR value is not an integer or out of range")
	wantStr(t, do(t, c, "ECHO", "hi"), "hi")
	wantStr(t, do(t, c, "PING"), "PONG")
	wantStr(t, do(t, c, "PING", "x"), "x")

	r := dialRaw(t, ts.addr)
	r.send("PING\r\nQUIT\r\nPING\r\n")
	r.expect("+PONG\r\n+OK\r\n")
	r.expectClosed()
}

func TestClientCommands(t *testing.T) {
	ts := startServer(t, Config{})
	a, b := ts.dial(t), ts.dial(t)
	idA := do(t, a, "CLIENT", "ID").Int
	idB := do(t, b, "CLIENT", "ID").Int
	if idA <= 0 || idB <= idA {
		t.Fatalf("ids %d, %d", idA, idB)
	}
	if v := do(t, a, "CLIENT", "GETNAME"); v.Kind != resp.Null {
		t.Fatalf("GETNAME = %v", v)
	}
	wantStr(t, do(t, a, "CLIENT", "SETNAME", "alpha"), "OK")
	wantStr(t, do(t, a, "CLIENT", "SETNAME", "has space"), "ERR Client names cannot contain spaces, newlines or special characters.")
	wantStr(t, do(t, a, "CLIENT", "GETNAME"), "alpha")
	info := do(t, a, "CLIENT", "INFO").Str
	for _, f := range []string{"id=" + strconv.FormatInt(idA, 10) + " ", " name=alpha ", " cmd=client|info ", " resp=2", " db=0 "} {
		if !strings.Contains(info, f) {
			t.Fatalf("CLIENT INFO %q lacks %q", info, f)
		}
	}
	list := do(t, b, "CLIENT", "LIST").Str
	if n := strings.Count(list, "\n"); n != 2 || !strings.Contains(list, "name=alpha") {
		t.Fatalf("CLIENT LIST = %q", list)
	}
	if l := do(t, b, "CLIENT", "LIST", "ID", strconv.FormatInt(idB, 10)).Str; strings.Count(l, "\n") != 1 {
		t.Fatalf("CLIENT LIST ID = %q", l)
	}
	wantStr(t, do(t, b, "CLIENT", "FOO"), "ERR unknown subcommand 'FOO'. Try CLIENT HELP.")
	wantStr(t, do(t, b, "CLIENT", "SETNAME"), "ERR wrong number of arguments for 'client|setname' command")
	if v := do(t, b, "CLIENT", "HELP"); v.Kind != resp.Array || len(v.Elems) < 10 {
		t.Fatalf("CLIENT HELP = %v", v)
	}

	// KILL by id, the old addr form, and SKIPME.
	wantInt(t, do(t, b, "CLIENT", "KILL", "ID", strconv.FormatInt(idA, 10)), 1)
	if _, err := a.Do("PING"); err == nil {
		t.Fatal("killed client still answered")
	}
	wantInt(t, do(t, b, "CLIENT", "KILL", "ID", strconv.FormatInt(idB, 10)), 0) // SKIPME yes
	wantStr(t, do(t, b, "CLIENT", "KILL", "1.2.3.4:5"), "ERR No such client")
	wantStr(t, do(t, b, "CLIENT", "KILL", "ID", "0"), "ERR client-id should be greater than 0")
	wantStr(t, do(t, b, "CLIENT", "KILL", "TYPE", "bogus"), "ERR Unknown client type 'bogus'")
	c := ts.dial(t)
	addr := strings.Fields(do(t, c, "CLIENT", "INFO").Str)[1][len("addr="):]
	wantStr(t, do(t, b, "CLIENT", "KILL", addr), "OK")
	if _, err := c.Do("PING"); err == nil {
		t.Fatal("client killed by address still answered")
	}

	// REPLY OFF / SKIP / ON.
	r := dialRaw(t, ts.addr)
	r.send("CLIENT REPLY OFF\r\nSET a 1\r\nGET a\r\nCLIENT REPLY ON\r\nGET a\r\n")
	r.expect("+OK\r\n$1\r\n1\r\n")
	r.send("CLIENT REPLY SKIP\r\nGET a\r\nPING\r\n")
	r.expect("+PONG\r\n")
	r.send("CLIENT NO-EVICT on\r\nCLIENT TRACKING off\r\nCLIENT KILL SKIPME no ADDR " + r.nc.LocalAddr().String() + "\r\n")
	r.expect("+OK\r\n+OK\r\n:1\r\n")
	r.expectClosed()
}

func TestCommandsBeforeAndAfterSubcommandErrors(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	wantStr(t, do(t, c, "SLOWLOG", "nope"), "ERR unknown subcommand 'nope'. Try SLOWLOG HELP.")
	wantStr(t, do(t, c, "DEBUG", "nope"), "ERR unknown subcommand or wrong number of arguments for 'nope'. Try DEBUG HELP.")
	wantStr(t, do(t, c, "CONFIG", "nope"), "ERR unknown subcommand 'nope'. Try CONFIG HELP.")
	wantStr(t, do(t, c, "ROLE").Elems[0], "master")
}

// TestRepliesLargerThanTheSocket sends requests whose replies overflow the
// socket buffers before reading any: on the event loop the connection moves
// to a goroutine with the unwritten replies, which arrive whole and in order,
// followed by the replies of commands sent later.
func TestRepliesLargerThanTheSocket(t *testing.T) {
	ts := startServer(t, Config{})
	big := strings.Repeat("x", 1<<20)
	if err := ts.store.Set("big", big); err != nil {
		t.Fatal(err)
	}
	r := dialRaw(t, ts.addr)
	const n = 24
	r.send(strings.Repeat("GET big\r\n", n) + "PING\r\n")
	time.Sleep(100 * time.Millisecond) // let the server fill the socket
	want := "$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n"
	for i := range n {
		r.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		got := make([]byte, len(want))
		if _, err := io.ReadFull(r.br, got); err != nil || string(got) != want {
			t.Fatalf("reply %d: %v (%d bytes)", i, err, len(got))
		}
	}
	r.expect("+PONG\r\n")
	r.send("SET small 1\r\nGET small\r\n")
	r.expect("+OK\r\n$1\r\n1\r\n")
}

// TestNeedsGoroutine checks needsGoroutine's shortcut against the command
// table: every blocking and subscribe command, in any case, and only those
// and MONITOR, DEBUG and SHUTDOWN.
func TestNeedsGoroutine(t *testing.T) {
	for _, cmd := range engine.Commands() {
		want := cmd.Flags&engine.FlagBlocking != 0 || isSubscribeCmd(cmd.Name) ||
			cmd.Name == "monitor" || cmd.Name == "debug" || cmd.Name == "shutdown"
		for _, name := range []string{cmd.Name, strings.ToUpper(cmd.Name)} {
			if got := needsGoroutine(name); got != want {
				t.Errorf("needsGoroutine(%q) = %v", name, got)
			}
		}
	}
	for _, name := range []string{"monitor", "DEBUG", "Shutdown"} {
		if !needsGoroutine(name) {
			t.Errorf("needsGoroutine(%q) = false", name)
		}
	}
	for _, name := range []string{"client", "config", "info", "save", "multi", "exec", "nosuchcommand"} {
		if needsGoroutine(name) {
			t.Errorf("needsGoroutine(%q) = true", name)
		}
	}
}
