// Package redistest runs a real redis-server for differential tests and talks
// to it (or to any RESP server) with a small synchronous client.
//
// Start launches a private redis-server on a free loopback port and stops it
// when the test ends; Dial connects a Client, whose Do and Pipeline return
// replies as resp.Values. When redis-server is not installed, Start skips the
// test, except under CI (CI=true), where it fails it: CI must never skip a
// differential test silently.
package redistest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/resp"
)

const (
	// startTimeout bounds how long Start waits for the server to answer.
	startTimeout = 10 * time.Second
	// stopTimeout bounds how long a stopping server may take before it is
	// killed.
	stopTimeout = 5 * time.Second
	// startAttempts is how many ports Start tries, in case another process
	// takes the chosen free port first.
	startAttempts = 5
	// maxLog is how much of the server's output is kept for failure reports.
	maxLog = 64 * 1024
)

// Server is a running redis-server owned by one test.
type Server struct {
	addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	log  *tailBuffer
}

// Start starts redis-server on 127.0.0.1 on a free port, with persistence off
// (--save "" --appendonly no) and its working directory in a fresh temporary
// directory, followed by extraArgs (e.g. "--maxmemory", "10mb"; a later
// "--dir" overrides the default). It waits until this very process answers
// PING and registers a cleanup that shuts it down and waits for it to exit.
//
// If redis-server is not in PATH the test is skipped, unless the environment
// has CI=true, in which case it fails.
func Start(tb testing.TB, extraArgs ...string) *Server {
	tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		const msg = "redis-server not installed (apt-get install redis-server); skipping differential test"
		if os.Getenv("CI") == "true" {
			tb.Fatal("redistest: CI=true and " + msg)
		}
		tb.Skip(msg)
	}
	dir := tb.TempDir()
	var lastErr error
	for range startAttempts {
		s, err := launch(path, dir, extraArgs)
		if err == nil {
			tb.Cleanup(func() {
				if err := s.stop(); err != nil {
					tb.Errorf("redistest: stopping redis-server: %v", err)
				}
				if tb.Failed() {
					tb.Logf("redis-server output:\n%s", s.log.String())
				}
			})
			return s
		}
		lastErr = err
	}
	tb.Fatalf("redistest: could not start redis-server: %v", lastErr)
	return nil
}

// Addr returns the server's address, "127.0.0.1:port".
func (s *Server) Addr() string {
	return s.addr
}

// Dial connects a new Client to the server; it is closed when the test ends.
func (s *Server) Dial(tb testing.TB) *Client {
	tb.Helper()
	return Dial(tb, s.addr)
}

// launch starts one redis-server process and waits until it is ready.
func launch(path, dir string, extraArgs []string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--logfile", "",
		"--dir", dir,
	}
	args = append(args, extraArgs...)
	cmd := exec.Command(path, args...)
	setParentDeathSignal(cmd)
	s := &Server{
		addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		cmd:  cmd,
		done: make(chan struct{}),
		log:  &tailBuffer{},
	}
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	go func() {
		cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w; server output:\n%s", err, s.log.String())
	}
	return s, nil
}

// waitReady polls until the server answers, and checks that the answer comes
// from this process rather than from another server that took the port.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	want := "process_id:" + strconv.Itoa(s.cmd.Process.Pid) + "\r\n"
	for {
		select {
		case <-s.done:
			return errors.New("redis-server exited during startup")
		default:
		}
		if err := probe(s.addr, want); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("redis-server not ready after %v: %w", startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// probe sends PING and INFO server to addr and checks the replies.
func probe(addr, wantInfo string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	c := newClient(conn)
	c.Timeout = 2 * time.Second
	replies, err := c.Pipeline([][]string{{"PING"}, {"INFO", "server"}})
	if err != nil {
		return err
	}
	if replies[0].Kind != resp.SimpleString || replies[0].Str != "PONG" {
		return fmt.Errorf("PING = %v, want +PONG", replies[0])
	}
	if !bytes.Contains([]byte(replies[1].Str), []byte(wantInfo)) {
		return errors.New("another process answers on the port")
	}
	return nil
}

// stop terminates the server and waits for it to exit.
func (s *Server) stop() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		select {
		case <-s.done:
			return nil
		default:
			return err
		}
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(stopTimeout):
	}
	s.cmd.Process.Kill()
	<-s.done
	return fmt.Errorf("redis-server did not exit within %v of SIGTERM and was killed", stopTimeout)
}

// freePort asks the kernel for a currently unused loopback TCP port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer is a concurrency-safe writer that keeps the last maxLog bytes.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - maxLog; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
