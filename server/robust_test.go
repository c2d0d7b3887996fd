package server

import (
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/internal/resp"
)

// FuzzRequests sends arbitrary bytes to a connection: the server must
// answer or close it, and keep serving others.
func FuzzRequests(f *testing.F) {
	for _, seed := range []string{
		"PING\r\n", "*1\r\n$4\r\nPING\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "*-1\r\n*0\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$-5\r\n", "HELLO 3\r\nCLIENT LIST\r\n", "CLIENT REPLY OFF\r\nPING\r\n",
		"\"unterminated\r\n", "*1\r\n$x\r\n", "MONITOR\r\nRESET\r\n", "SUBSCRIBE a\r\nQUIT\r\n",
		"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*1\r\n$4\r\nQUIT\r\n", "DEBUG SLEEP 0\r\n", "CONFIG SET timeout 0\r\n",
	} {
		f.Add([]byte(seed))
	}
	ts := startServer(f, Config{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(bytes.ToLower(data), []byte("shutdown")) || bytes.Contains(bytes.ToLower(data), []byte("sleep")) &&
			!bytes.Contains(data, []byte("SLEEP 0\r")) || bytes.Contains(bytes.ToLower(data), []byte("config")) &&
			!bytes.Contains(data, []byte("timeout 0")) {
			return // would stop or slow the shared server
		}
		nc, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		nc.Write(data)
		nc.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, nc) // until the server closes it
		c := ts.dial(t)
		wantStr(t, do(t, c, "PING"), "PONG")
	})
}

func TestProtectedMode(t *testing.T) {
	st, _ := kevy.Open(nil)
	defer st.Close()
	srv := New(st, Config{ProtectedMode: true})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(&remoteListener{Listener: l}) }()
	defer func() { srv.Close(); <-done }()
	r := dialRaw(t, l.Addr().String())
	r.expect("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user.")
	// With a password, remote clients are admitted (and must AUTH).
	srv.ConfigSet("requirepass", "pw")
	r = dialRaw(t, l.Addr().String())
	r.send("PING\r\n")
	r.expect("-NOAUTH Authentication required.\r\n")
}

// remoteListener makes its connections look as if they came from another
// host (the address is only reported, never contacted).
type remoteListener struct{ net.Listener }

func (l *remoteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return remoteConn{c}, nil
}

type remoteConn struct{ net.Conn }

func (remoteConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 40000} // TEST-NET-1, never dialled
}

func TestListenAndServeUnixSocket(t *testing.T) {
	st, _ := kevy.Open(nil)
	defer st.Close()
	sock := filepath.Join(t.TempDir(), "kevy.sock")
	srv := New(st, Config{Addrs: []string{"127.0.0.1:0", "-192.0.2.1:0"}, UnixSocket: sock, UnixSocketPerm: 0o700})
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	var nc net.Conn
	var err error
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(10 * time.Millisecond) {
		if nc, err = net.Dial("unix", sock); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	r := &rawConn{t: t, nc: nc, br: newBufReader(nc)}
	defer nc.Close()
	r.send("CLIENT INFO\r\nCONFIG GET unixsocket*\r\n")
	r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, err := resp.NewReader(r.br).ReadValue()
	if err != nil || !strings.Contains(v.Str, " addr="+sock+":0 ") || !strings.Contains(v.Str, " flags=U ") {
		t.Fatalf("CLIENT INFO over the socket: %v %v", v, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != ErrServerClosed {
		t.Fatalf("ListenAndServe = %v", err)
	}
}

// TestManyIdleConnections holds 10,000 idle clients open with
// redis-benchmark's idle mode while another client keeps working. On the
// event loop they cost no goroutine each (with a goroutine per connection,
// the race detector's cap on live goroutines allows fewer clients).
func TestManyIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("opens thousands of connections")
	}
	n := 10000
	if raceEnabled && testIOThreads < 0 {
		n = 3000
	}
	goroutines := runtime.NumGoroutine()
	ts := startServer(t, Config{MaxClients: n + 10})
	h, p, _ := net.SplitHostPort(ts.addr)
	cmd := exec.Command(needTool(t, "redis-benchmark"), "-h", h, "-p", p, "-c", strconv.Itoa(n), "-I")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	c := ts.dial(t)
	connected := func() int {
		info := do(t, c, "INFO", "clients").Str
		i := strings.Index(info, "connected_clients:")
		v, _ := strconv.Atoi(strings.Fields(info[i+len("connected_clients:"):])[0])
		return v
	}
	start := time.Now()
	for connected() < n+1 {
		if time.Since(start) > 60*time.Second {
			t.Fatalf("only %d clients connected after a minute", connected())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range 100 {
		wantStr(t, do(t, c, "SET", "k", strconv.Itoa(i)), "OK")
	}
	if g := runtime.NumGoroutine() - goroutines; testIOThreads >= 0 && g > 100 {
		t.Fatalf("%d goroutines more with %d clients on the event loop", g, n)
	}
	cmd.Process.Kill()
	cmd.Wait()
	for start := time.Now(); connected() > 1; time.Sleep(100 * time.Millisecond) {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("%d clients still connected after the idle ones left", connected())
		}
	}
}
