package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// testServer is a server on a free loopback port, closed when the test
// ends.
type testServer struct {
	*Server
	addr   string
	store  *kevy.Store
	served chan error
}

// testIOThreads is the IOThreads of test servers whose Config leaves it
// zero: KEVY_TEST_IOTHREADS=-1 runs the suite with a goroutine per
// connection (.ci/run does both).
var testIOThreads = func() int {
	n, _ := strconv.Atoi(os.Getenv("KEVY_TEST_IOTHREADS"))
	return n
}()

func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	st, err := kevy.Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IOThreads == 0 {
		cfg.IOThreads = testIOThreads
	}
	ts := &testServer{Server: New(st, cfg), addr: l.Addr().String(), store: st, served: make(chan error, 1)}
	go func() { ts.served <- ts.Serve(l) }()
	t.Cleanup(func() {
		ts.Close()
		if err := <-ts.served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		st.Close()
	})
	return ts
}

func (ts *testServer) dial(t testing.TB) *redistest.Client {
	t.Helper()
	return redistest.Dial(t, ts.addr)
}

// rawConn is a connection for byte-level protocol tests.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (r *rawConn) send(s string) {
	r.t.Helper()
	r.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(r.nc, s); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

// expect reads exactly len(want) bytes and compares them.
func (r *rawConn) expect(want string) {
	r.t.Helper()
	r.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, len(want))
	n, err := io.ReadFull(r.br, got)
	if err != nil || string(got) != want {
		r.t.Fatalf("read %q (err %v), want %q", short(string(got[:n])), err, short(want))
	}
}

// expectClosed waits for the server to close the connection.
func (r *rawConn) expectClosed() {
	r.t.Helper()
	r.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(r.br)
	if err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		r.t.Fatalf("waiting for close: read %q, %v", b, err)
	}
	if len(b) > 0 {
		r.t.Fatalf("unexpected bytes before close: %q", short(string(b)))
	}
}

// short abbreviates long protocol text for failure messages.
func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func isReset(err error) bool { return strings.Contains(err.Error(), "connection reset") }

// do runs one command and returns its reply, failing on I/O errors.
func do(t testing.TB, c *redistest.Client, args ...string) resp.Value {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

// wantStr checks a reply's text (status, bulk or error).
func wantStr(t testing.TB, v resp.Value, want string) {
	t.Helper()
	if v.Str != want {
		t.Fatalf("reply %v, want %q", v, want)
	}
}

func wantInt(t testing.TB, v resp.Value, want int64) {
	t.Helper()
	if v.Kind != resp.Integer || v.Int != want {
		t.Fatalf("reply %v, want integer %d", v, want)
	}
}

// needTool returns the path of a Redis tool, skipping the test when it is
// not installed, except under CI where it fails.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := name + " not installed (apt-get install redis-tools); skipping"
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and " + msg)
		}
		t.Skip(msg)
	}
	return p
}

func newBufReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }
