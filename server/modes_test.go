package server

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// waitInfo polls INFO until field has the value want.
func waitInfo(t *testing.T, c *redistest.Client, field, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		info := do(t, c, "INFO", "everything").Str
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, field+":"); ok && v == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("INFO %s never became %s:\n%s", field, want, info)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A client that hangs up while blocked is forgotten: a later push stays in
// the list instead of being popped for nobody.
func TestBlockedClientHangupLosesNothing(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	r := dialRaw(t, ts.addr)
	r.send("BLPOP q 0\r\n")
	waitInfo(t, c, "blocked_clients", "1")
	r.nc.Close()
	waitInfo(t, c, "blocked_clients", "0")
	wantInt(t, do(t, c, "RPUSH", "q", "x"), 1)
	wantInt(t, do(t, c, "LLEN", "q"), 1)
}

// Replies before a blocking command are written before it waits, and the
// commands a client pipelines behind it run after it, in order.
func TestBlockingCommandInPipeline(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	r := dialRaw(t, ts.addr)
	r.send("SET a 1\r\nBLPOP q 0\r\n")
	r.expect("+OK\r\n") // written although BLPOP is waiting
	waitInfo(t, c, "blocked_clients", "1")
	r.send("GET a\r\nINCR a\r\n") // read by the server while blocked
	time.Sleep(50 * time.Millisecond)
	wantInt(t, do(t, c, "RPUSH", "q", "v"), 1)
	r.expect("*2\r\n$1\r\nq\r\n$1\r\nv\r\n$1\r\n1\r\n:2\r\n")
	wantInt(t, do(t, c, "LLEN", "q"), 0)
}

// CLIENT UNBLOCK replies 1 only for a blocked client; TIMEOUT makes it reply
// a null, ERROR Redis's UNBLOCKED error; CLIENT LIST shows the b flag.
func TestClientUnblock(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	r := dialRaw(t, ts.addr)
	r.send("CLIENT ID\r\n")
	line, _ := r.br.ReadString('\n')
	id := strings.TrimSpace(strings.TrimPrefix(line, ":"))
	wantInt(t, do(t, c, "CLIENT", "UNBLOCK", id), 0)
	r.send("BZPOPMIN z 0\r\n")
	waitInfo(t, c, "blocked_clients", "1")
	if list := do(t, c, "CLIENT", "LIST", "ID", id).Str; !strings.Contains(list, "flags=b ") {
		t.Fatalf("CLIENT LIST of a blocked client: %s", list)
	}
	wantInt(t, do(t, c, "CLIENT", "UNBLOCK", id, "TIMEOUT"), 1)
	r.expect("*-1\r\n")
	r.send("BRPOP l 0\r\n")
	waitInfo(t, c, "blocked_clients", "1")
	wantInt(t, do(t, c, "CLIENT", "UNBLOCK", id, "ERROR"), 1)
	r.expect("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
	r.send("PING\r\n")
	r.expect("+PONG\r\n")
}

// Shutdown ends a blocked connection promptly instead of waiting for its
// timeout.
func TestShutdownWhileBlocked(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	r := dialRaw(t, ts.addr)
	r.send("BLPOP q 0\r\n")
	waitInfo(t, c, "blocked_clients", "1")
	c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a blocked client: %v after %v", err, time.Since(start))
	}
	if n, err := ts.store.LLen("q"); err != nil || n != 0 {
		t.Fatalf("LLEN q = %d, %v", n, err)
	}
}

// A subscriber that does not read a busy channel is disconnected by the
// pubsub output-buffer limit; the publisher and other subscribers go on.
func TestSlowSubscriberIsDisconnected(t *testing.T) {
	ts := startServer(t, Config{PubSubOutputLimit: &BufferLimit{Hard: 1 << 20}})
	pub := ts.dial(t)
	fast := dialRaw(t, ts.addr)
	fast.send("SUBSCRIBE busy\r\n")
	fast.expect("*3\r\n$9\r\nsubscribe\r\n$4\r\nbusy\r\n:1\r\n")
	slow, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if tc, ok := slow.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	slow.Write([]byte("SUBSCRIBE busy\r\n"))
	waitInfo(t, pub, "pubsub_channels", "1")
	for {
		if n := do(t, pub, "PUBSUB", "NUMSUB", "busy").Elems[1].Int; n == 2 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	payload := strings.Repeat("p", 64<<10)
	want := "*3\r\n$7\r\nmessage\r\n$4\r\nbusy\r\n$" + strconv.Itoa(len(payload)) + "\r\n" + payload + "\r\n"
	const msgs = 400 // 26 MB: more than the kernel buffers and the slow one's 1 MB limit
	for i := range msgs {
		if n := do(t, pub, "PUBLISH", "busy", payload).Int; n < 1 || n > 2 {
			t.Fatalf("PUBLISH %d reached %d subscribers", i, n)
		}
		fast.expect(want) // in step: the fast one stays under its limit
	}
	deadline := time.Now().Add(10 * time.Second)
	for do(t, pub, "PUBSUB", "NUMSUB", "busy").Elems[1].Int != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the slow subscriber is still subscribed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	wantInt(t, do(t, pub, "PUBLISH", "busy", "x"), 1)
	fast.expect("*3\r\n$7\r\nmessage\r\n$4\r\nbusy\r\n$1\r\nx\r\n")
}

// In subscribed mode a RESP3 connection runs any command; a message it
// publishes to itself arrives before PUBLISH's reply, as in Redis.
func TestSubscribedRESP3(t *testing.T) {
	ts := startServer(t, Config{})
	r := dialRaw(t, ts.addr)
	r.send("HELLO 3\r\n")
	v, err := resp.NewReader(r.br).ReadValue()
	if err != nil || v.Kind != resp.Map {
		t.Fatalf("HELLO 3: %v %v", v, err)
	}
	r.send("SUBSCRIBE me\r\nSET k v\r\nPUBLISH me hi\r\nGET k\r\nCLIENT INFO\r\n")
	r.expect(">3\r\n$9\r\nsubscribe\r\n$2\r\nme\r\n:1\r\n+OK\r\n>3\r\n$7\r\nmessage\r\n$2\r\nme\r\n$2\r\nhi\r\n:1\r\n$1\r\nv\r\n")
	info, err := resp.NewReader(r.br).ReadValue()
	if err != nil || !strings.Contains(info.Str, " flags=P ") || !strings.Contains(info.Str, " sub=1 ") {
		t.Fatalf("CLIENT INFO while subscribed: %v %v", info, err)
	}
	r.send("RESET\r\nPUBLISH me x\r\n")
	r.expect("+RESET\r\n:0\r\n")
}

// MULTI shows in CLIENT LIST (flag x, multi=queued count, also inside
// EXEC, as Redis); a rejected
// command aborts EXEC; queued server commands run inside EXEC.
func TestMultiOnConnection(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.dial(t)
	r := dialRaw(t, ts.addr)
	r.send("MULTI\r\nSET a 1\r\nCLIENT SETNAME tx\r\nCLIENT INFO\r\n")
	r.expect("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n")
	list := do(t, c, "CLIENT", "LIST").Str
	if !strings.Contains(list, "flags=x ") || !strings.Contains(list, " multi=3 ") {
		t.Fatalf("CLIENT LIST during MULTI:\n%s", list)
	}
	r.send("EXEC\r\n")
	r.expect("*3\r\n+OK\r\n+OK\r\n")
	info, err := resp.NewReader(r.br).ReadValue()
	if err != nil || !strings.Contains(info.Str, " name=tx ") || !strings.Contains(info.Str, " flags=x ") ||
		!strings.Contains(info.Str, " multi=3 ") || !strings.Contains(info.Str, " cmd=exec ") { // as Redis
		t.Fatalf("CLIENT INFO inside EXEC: %v %v", info, err)
	}
	r.send("MULTI\r\nSUBSCRIBE x\r\nSET a 2\r\nEXEC\r\nGET a\r\n")
	r.expect("+OK\r\n-ERR Command not allowed inside a transaction\r\n+QUEUED\r\n" +
		"-EXECABORT Transaction discarded because of previous errors.\r\n$1\r\n1\r\n")
}
