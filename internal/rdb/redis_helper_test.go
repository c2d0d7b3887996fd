package rdb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// redisServer is a redis-server child process started for one test, and a
// minimal RESP2 connection to it.
type redisServer struct {
	t    *testing.T
	cmd  *exec.Cmd
	log  *syncBuffer
	conn net.Conn
	rd   *bufio.Reader
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// needRedis skips the test when redis-server is not installed, unless the
// environment variable CI is "true", where its absence is a failure.
func needRedis(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is required when CI=true: %v", err)
		}
		t.Skip("redis-server not installed; skipping the check against real Redis")
	}
}

// startRedis starts redis-server on a free 127.0.0.1 port with persistence
// off, loading dir/dbfile if it exists, and stops it when the test ends.
// If Redis exits (for instance because it refused the file), the test
// fails showing Redis's log.
func startRedis(t *testing.T, dir, dbfile string, extra ...string) *redisServer {
	t.Helper()
	needRedis(t)
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		args := append([]string{"--bind", "127.0.0.1", "--port", strconv.Itoa(port),
			"--save", "", "--appendonly", "no", "--dir", dir, "--dbfilename", dbfile,
			"--enable-debug-command", "yes"}, extra...)
		s := &redisServer{t: t, cmd: exec.Command("redis-server", args...), log: new(syncBuffer)}
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { s.cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			if s.conn != nil {
				s.conn.Close()
			}
			s.cmd.Process.Kill()
			<-exited
		})
		if s.connect(port, exited) {
			return s
		}
		if !strings.Contains(s.log.String(), "Address already in use") {
			t.Fatalf("redis-server did not start:\n%s", s.log.String())
		}
	}
	t.Fatal("redis-server: no free port after 5 attempts")
	return nil
}

// connect waits until the server started by s answers on port, and checks
// it is that server and not another one that grabbed the port.
func (s *redisServer) connect(port int, exited <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		s.conn, s.rd = conn, bufio.NewReader(conn)
		info, err := s.do("INFO", "server")
		if err != nil {
			conn.Close()
			s.conn = nil
			time.Sleep(20 * time.Millisecond) // still loading
			continue
		}
		if !strings.Contains(info.(string), "process_id:"+strconv.Itoa(s.cmd.Process.Pid)+"\r\n") {
			conn.Close()
			s.conn = nil
			return false
		}
		return true
	}
	s.t.Fatalf("redis-server did not answer within 10s:\n%s", s.log.String())
	return false
}

// redisError is an error reply.
type redisError string

func (e redisError) Error() string { return string(e) }

// do sends a command and returns its reply: string, int64, nil, []any, or
// a redisError as the error.
func (s *redisServer) do(args ...string) (any, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	s.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := s.conn.Write(b.Bytes()); err != nil {
		return nil, err
	}
	return s.reply()
}

// must runs a command that has to succeed.
func (s *redisServer) must(args ...string) any {
	s.t.Helper()
	v, err := s.do(args...)
	if err != nil {
		s.t.Fatalf("redis %q: %v", args, err)
	}
	return v
}

func (s *redisServer) reply() (any, error) {
	line, err := s.rd.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("bad reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, redisError(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(s.rd, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		items := make([]any, n)
		for i := range items {
			if items[i], err = s.reply(); err != nil {
				var re redisError
				if !errors.As(err, &re) {
					return nil, err
				}
				items[i] = err
			}
		}
		return items, nil
	}
	return nil, fmt.Errorf("bad reply line %q", line)
}

// strs runs a command whose reply is an array of bulk strings.
func (s *redisServer) strs(args ...string) []string {
	s.t.Helper()
	v := s.must(args...)
	arr, ok := v.([]any)
	if !ok {
		s.t.Fatalf("redis %q: reply %#v is not an array", args, v)
	}
	out := make([]string, len(arr))
	for i, x := range arr {
		if out[i], ok = x.(string); !ok {
			s.t.Fatalf("redis %q: element %d is %#v, not a string", args, i, x)
		}
	}
	return out
}

func (s *redisServer) integer(args ...string) int64 {
	s.t.Helper()
	v := s.must(args...)
	n, ok := v.(int64)
	if !ok {
		s.t.Fatalf("redis %q: reply %#v is not an integer", args, v)
	}
	return n
}

// object reads a key back from Redis into an Object, with its expiry.
func (s *redisServer) object(key string) (Object, int64) {
	s.t.Helper()
	var o Object
	switch typ := s.must("TYPE", key); typ {
	case "string":
		o = Object{Kind: KindString, Str: s.must("GET", key).(string)}
	case "list":
		o = Object{Kind: KindList, List: s.strs("LRANGE", key, "0", "-1")}
	case "set":
		o = Object{Kind: KindSet, Set: s.strs("SMEMBERS", key)}
	case "hash":
		o = Object{Kind: KindHash, Hash: s.strs("HGETALL", key)}
	case "zset":
		flat := s.strs("ZRANGE", key, "0", "-1", "WITHSCORES")
		o = Object{Kind: KindZSet}
		for i := 0; i+1 < len(flat); i += 2 {
			f, err := strconv.ParseFloat(flat[i+1], 64)
			if err != nil {
				s.t.Fatalf("ZRANGE %q: score %q: %v", key, flat[i+1], err)
			}
			o.ZSet = append(o.ZSet, ZMember{flat[i], f})
		}
	default:
		s.t.Fatalf("TYPE %q = %v", key, typ)
	}
	exp := s.integer("PEXPIRETIME", key)
	if exp == -1 {
		exp = 0
	}
	return o, exp
}

// sameObject reports how a differs from b, ignoring the order of set
// members, hash fields and sorted set members, or "" if they are equal.
func sameObject(a, b Object) string {
	if a.Kind != b.Kind {
		return fmt.Sprintf("kind %s, want %s", a.Kind, b.Kind)
	}
	switch a.Kind {
	case KindString:
		if a.Str != b.Str {
			return fmt.Sprintf("value %.60q, want %.60q", a.Str, b.Str)
		}
	case KindList:
		if !slices.Equal(a.List, b.List) {
			return fmt.Sprintf("list of %d %.200q, want %d %.200q", len(a.List), a.List, len(b.List), b.List)
		}
	case KindSet:
		x, y := slices.Clone(a.Set), slices.Clone(b.Set)
		slices.Sort(x)
		slices.Sort(y)
		if !slices.Equal(x, y) {
			return fmt.Sprintf("set %.200q, want %.200q", x, y)
		}
	case KindHash:
		x, y := hashPairs(a.Hash), hashPairs(b.Hash)
		if !slices.Equal(x, y) {
			return fmt.Sprintf("hash %.200q, want %.200q", x, y)
		}
	case KindZSet:
		x, y := slices.Clone(a.ZSet), slices.Clone(b.ZSet)
		byMember := func(p, q ZMember) int { return strings.Compare(p.Member, q.Member) }
		slices.SortFunc(x, byMember)
		slices.SortFunc(y, byMember)
		if !slices.Equal(x, y) {
			return fmt.Sprintf("zset %.200v, want %.200v", x, y)
		}
	}
	return ""
}

func hashPairs(h []string) []string {
	var pairs []string
	for i := 0; i+1 < len(h); i += 2 {
		pairs = append(pairs, strconv.Quote(h[i])+" "+strconv.Quote(h[i+1]))
	}
	slices.Sort(pairs)
	return pairs
}
