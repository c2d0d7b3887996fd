package hll

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file holds a minimal RESP client and a helper that runs a real
// redis-server for the differential tests.

// reply is a decoded RESP reply.
type reply struct {
	kind byte // '+', '-', ':', '$' or '*'
	str  string
	n    int64
	null bool
	arr  []reply
}

func (r reply) String() string {
	switch {
	case r.null:
		return "(nil)"
	case r.kind == ':':
		return strconv.FormatInt(r.n, 10)
	case r.kind == '-':
		return "error " + strconv.Quote(r.str)
	case r.kind == '*':
		return fmt.Sprintf("array of %d", len(r.arr))
	}
	return strconv.Quote(r.str)
}

// respConn is a connection to a Redis server.
type respConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

// do sends one command and reads its reply.
func (rc *respConn) do(args ...string) (reply, error) {
	if err := rc.c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return reply{}, err
	}
	fmt.Fprintf(rc.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(rc.w, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := rc.w.Flush(); err != nil {
		return reply{}, err
	}
	return rc.read()
}

func (rc *respConn) read() (reply, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return reply{}, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return reply{}, errors.New("empty reply line")
	}
	rep := reply{kind: line[0]}
	body := line[1:]
	switch rep.kind {
	case '+', '-':
		rep.str = body
	case ':':
		rep.n, err = strconv.ParseInt(body, 10, 64)
	case '$', '*':
		var n int
		if n, err = strconv.Atoi(body); err != nil {
			return reply{}, err
		}
		if n < 0 {
			rep.null = true
			return rep, nil
		}
		if rep.kind == '$' {
			buf := make([]byte, n+2)
			if _, err = io.ReadFull(rc.r, buf); err != nil {
				return reply{}, err
			}
			rep.str = string(buf[:n])
			return rep, nil
		}
		for i := 0; i < n; i++ {
			el, err := rc.read()
			if err != nil {
				return reply{}, err
			}
			rep.arr = append(rep.arr, el)
		}
	default:
		err = fmt.Errorf("unexpected reply type %q", rep.kind)
	}
	return rep, err
}

// startRedis starts a redis-server on a free local port for the duration of
// the test and returns a connection to it. It skips the test if there is no
// redis-server in PATH, unless CI=true.
func startRedis(t testing.TB) *respConn {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server not found in PATH (required when CI=true): %v", err)
		}
		t.Skip("redis-server not in PATH; skipping differential test against real Redis")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--dir", t.TempDir(), "--logfile", "")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			rc := &respConn{c: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)}
			t.Cleanup(func() { c.Close() })
			if rep, err := rc.do("PING"); err != nil || rep.str != "PONG" {
				t.Fatalf("PING = %v, %v, want PONG", rep, err)
			}
			return rc
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not accept connections on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
