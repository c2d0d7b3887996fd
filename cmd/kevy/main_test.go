package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
	"github.com/kevy-go/kevy/server"
)

func TestParseArgsDefaults(t *testing.T) {
	o, err := parseArgs(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(o.addrs(), " "); got != "127.0.0.1:6379 -[::1]:6379" {
		t.Fatalf("default addrs %q", got)
	}
	if !o.protectedMode || o.maxClients != 10000 || o.shards != 1 || o.save != "3600 1 300 100 60 10000" {
		t.Fatalf("defaults %+v", o)
	}
}

func TestConfigFileAndCommandLine(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "redis.conf")
	os.WriteFile(conf, []byte(`# a redis.conf using only the supported options
port 7000
bind 127.0.0.1 ::1
protected-mode no
unixsocket /tmp/kevy-test.sock
unixsocketperm 700
dir `+dir+`
dbfilename "my dump.rdb"
appendonly yes
appendfilename appendonly.aof
appendfsync always
save 900 1
save 300 10
maxmemory 100mb
maxmemory-policy allkeys-lru
maxmemory-samples 10
requirepass "s3cret pass"
maxclients 50
timeout 30
notify-keyspace-events Ex
loglevel warning
logfile ""
hash-max-listpack-entries 64
daemonize no
`), 0o644)
	o, err := parseArgs([]string{conf, "--port", "7001", "--shards", "8", "--save", "60", "5"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := options{configFile: conf, port: 7001, bind: []string{"127.0.0.1", "::1"}, unixSocket: "/tmp/kevy-test.sock",
		unixSocketPerm: 0o700, requirePass: "s3cret pass", maxClients: 50, timeout: 30, shards: 8, loglevel: "warning",
		dir: dir, dbfilename: "my dump.rdb", appendonly: true, appendfilename: "appendonly.aof", appendfsync: "always",
		save: "900 1 300 10 60 5", savePointsSet: true, maxmemory: 100 << 20, maxmemoryPolicy: "allkeys-lru",
		maxmemorySamples: 10, notifyKeyspaceEvents: "Ex", params: [][2]string{{"hash-max-listpack-entries", "64"}},
		ignored: []string{"daemonize"}}
	if o.protectedMode || o.configFile != want.configFile || o.port != want.port ||
		strings.Join(o.bind, " ") != "127.0.0.1 ::1" || o.unixSocket != want.unixSocket ||
		o.unixSocketPerm != want.unixSocketPerm || o.requirePass != want.requirePass || o.maxClients != want.maxClients ||
		o.timeout != want.timeout || o.shards != want.shards || o.loglevel != want.loglevel || o.dir != want.dir ||
		o.dbfilename != want.dbfilename || !o.appendonly || o.appendfsync != want.appendfsync || o.save != want.save ||
		o.maxmemory != want.maxmemory || o.maxmemoryPolicy != want.maxmemoryPolicy ||
		o.maxmemorySamples != want.maxmemorySamples || o.notifyKeyspaceEvents != want.notifyKeyspaceEvents ||
		len(o.params) != 1 || o.params[0] != want.params[0] || strings.Join(o.ignored, ",") != "daemonize" {
		t.Fatalf("parsed\n%+v\nwant\n%+v", *o, want)
	}
	if o.serverIOThreads() != 1 {
		t.Fatalf("default io-threads: IOThreads %d, want 1", o.serverIOThreads())
	}
	if o, _ := parseArgs(nil, nil); o.serverIOPoll() != server.DefaultIOPoll {
		t.Fatalf("default io-poll-us: IOPoll %v, want %v", o.serverIOPoll(), server.DefaultIOPoll)
	}
	if o, _ := parseArgs([]string{"--io-poll-us", "0"}, nil); o.serverIOPoll() >= 0 {
		t.Fatalf("--io-poll-us 0: IOPoll %v, want it off (negative)", o.serverIOPoll())
	}
	if o, _ := parseArgs([]string{"--io-poll-us", "100"}, nil); o.serverIOPoll() != 100*time.Microsecond {
		t.Fatalf("--io-poll-us 100: IOPoll %v", o.serverIOPoll())
	}
	if o, _ := parseArgs([]string{"--io-threads", "4"}, nil); o.serverIOThreads() != 4 {
		t.Fatalf("--io-threads 4: IOThreads %d", o.serverIOThreads())
	}
	if o, _ := parseArgs([]string{"--io-threads", "4", "--io-loop", "no"}, nil); o.serverIOThreads() != -1 {
		t.Fatalf("--io-loop no: IOThreads %d, want -1", o.serverIOThreads())
	}
	if o, _ := parseArgs([]string{"--save", ""}, nil); o.save != "" {
		t.Fatalf(`--save "" left %q`, o.save)
	}
	if o, _ := parseArgs([]string{"-"}, strings.NewReader("port 0\nbind *\n")); len(o.addrs()) != 0 {
		t.Fatalf("port 0 listens on %v", o.addrs())
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		file string
		want string
	}{
		{[]string{"--port", "x"}, "", ">>> 'port x'\nargument couldn't be parsed into an integer"},
		{[]string{"--port", "70000"}, "", "argument must be between 0 and 65535 inclusive"},
		{[]string{"--io-threads", "0"}, "", "argument must be between 1 and 128 inclusive"},
		{[]string{"--io-loop", "maybe"}, "", "argument must be 'yes' or 'no'"},
		{[]string{"--io-poll-us", "-1"}, "", "argument must be between 0 and 1000 inclusive"},
		{[]string{"--appendonly", "maybe"}, "", "argument must be 'yes' or 'no'"},
		{[]string{"--appendfsync", "sometimes"}, "", "argument(s) must be one of the following: always, everysec, no"},
		{[]string{"--save", "10"}, "", "Invalid save parameters"},
		{[]string{"--bind"}, "", "Bad directive or wrong number of arguments"},
		{[]string{"stray"}, "port 1\nnosuch-directive\n", "at line 2\n>>> 'nosuch-directive'\nBad directive or wrong number of arguments"},
		{nil, "port \"1\n", "Unbalanced quotes in configuration line"},
		{[]string{"--port", "1", "orphan"}, "", ">>> 'port 1 orphan'\nBad directive or wrong number of arguments"},
	} {
		args := tc.args
		if tc.file != "" {
			f := filepath.Join(t.TempDir(), "c.conf")
			os.WriteFile(f, []byte(tc.file), 0o644)
			args = []string{f}
		}
		_, err := parseArgs(args, nil)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%v: %v", args, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "*** FATAL CONFIG FILE ERROR") {
			t.Errorf("%v: error %v, want %q", args, err, tc.want)
		}
	}
}

// buildKevy builds the binary once per test run.
func buildKevy(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kevy")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startBinary runs kevy, in a temporary directory unless args give a
// --dir, and waits until it accepts connections.
func startBinary(t *testing.T, bin string, args ...string) (*exec.Cmd, *bytes.Buffer, string) {
	t.Helper()
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", t.TempDir()}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("kevy did not start:\n%s", out.String())
		}
	}
	return cmd, &out, addr
}

func waitExit(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("kevy exited with %v:\n%s", err, out.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("kevy did not exit:\n%s", out.String())
	}
}

func TestBinarySIGTERMAndSHUTDOWN(t *testing.T) {
	bin := buildKevy(t)
	for _, stop := range []string{"SIGTERM", "SIGINT", "SHUTDOWN"} {
		t.Run(stop, func(t *testing.T) {
			cmd, out, addr := startBinary(t, bin, "--save", "", "--loglevel", "verbose")
			c := redistest.Dial(t, addr)
			if v, err := c.Do("SET", "k", "v"); err != nil || v.Str != "OK" {
				t.Fatalf("SET: %v %v", v, err)
			}
			if v, _ := c.Do("CONFIG", "GET", "save"); len(v.Elems) != 2 || v.Elems[1].Str != "" {
				t.Fatalf("CONFIG GET save = %v", v)
			}
			switch stop {
			case "SIGTERM":
				cmd.Process.Signal(syscall.SIGTERM)
			case "SIGINT":
				cmd.Process.Signal(syscall.SIGINT)
			default:
				if _, err := c.Do("SHUTDOWN"); err == nil {
					t.Fatal("SHUTDOWN replied")
				}
			}
			waitExit(t, cmd, out)
			if !strings.Contains(out.String(), "ready to exit, bye bye") {
				t.Fatalf("log:\n%s", out.String())
			}
		})
	}
}

func TestBinaryInlineSession(t *testing.T) {
	bin := buildKevy(t)
	cmd, out, addr := startBinary(t, bin, "--requirepass", "pw", "--shards", "4")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(nc, "GET x\r\nAUTH pw\r\nSET x 1\r\nINFO server\r\n")
	rd := resp.NewReader(bufio.NewReader(nc))
	var got []string
	for range 4 {
		v, err := rd.ReadValue()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v.Str)
	}
	if got[0] != "NOAUTH Authentication required." || got[1] != "OK" || got[2] != "OK" ||
		!strings.Contains(got[3], "kevy_shards:4") || !strings.Contains(got[3], "tcp_port:") {
		t.Fatalf("replies %q", got)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd, out)
}

func TestBinaryBadConfigExits1(t *testing.T) {
	bin := buildKevy(t)
	out, err := exec.Command(bin, "--port", "nope").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "FATAL CONFIG FILE ERROR") {
		t.Fatalf("exit %v, output %s", err, out)
	}
}

func TestBinaryBadEngineParameter(t *testing.T) {
	bin := buildKevy(t)
	out, err := exec.Command(bin, "--port", "0", "--unixsocket", filepath.Join(t.TempDir(), "s"),
		"--hash-max-listpack-entries", "x").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
		!strings.Contains(string(out), ">>> 'hash-max-listpack-entries x'\nargument couldn't be parsed into an integer") {
		t.Fatalf("exit %v, output %s", err, out)
	}
	out, _ = exec.Command(bin, "--port", "0", "--unixsocket", filepath.Join(t.TempDir(), "s"), "--no-such", "1").CombinedOutput()
	if !strings.Contains(string(out), ">>> 'no-such 1'\nBad directive or wrong number of arguments") {
		t.Fatalf("output %s", out)
	}
}

// SIGTERM while clients write under appendfsync always: kevy exits 0, and
// after a restart on the same directory every acknowledged write is there
// (each counter at least its last acknowledged value, at most its last
// sent one).
func TestBinarySIGTERMUnderWriteLoad(t *testing.T) {
	bin := buildKevy(t)
	dir := t.TempDir()
	args := []string{"--save", "", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--shards", "4"}
	cmd, out, addr := startBinary(t, bin, args...)
	const writers = 8
	acked := make([]int64, writers)
	sent := make([]int64, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer nc.Close()
			rd := bufio.NewReader(nc)
			key := "counter:" + strconv.Itoa(w)
			req := fmt.Sprintf("*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n", len(key), key)
			for {
				atomic.AddInt64(&sent[w], 1)
				if _, err := nc.Write([]byte(req)); err != nil {
					return
				}
				line, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, ":")), 10, 64)
				if err != nil {
					return // an error reply while shutting down: not acknowledged
				}
				atomic.StoreInt64(&acked[w], n)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd, out)
	wg.Wait()
	total := int64(0)
	for w := range writers {
		total += acked[w]
	}
	if total == 0 {
		t.Fatal("no write was acknowledged before SIGTERM")
	}

	cmd, out, addr = startBinary(t, bin, args...)
	c := redistest.Dial(t, addr)
	for w := range writers {
		v, err := c.Do("GET", "counter:"+strconv.Itoa(w))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := strconv.ParseInt(v.Str, 10, 64)
		if got < acked[w] || got > sent[w] {
			t.Fatalf("counter %d = %d after restart; acknowledged %d, sent %d", w, got, acked[w], sent[w])
		}
	}
	c.Do("SHUTDOWN")
	waitExit(t, cmd, out)
	t.Logf("%d acknowledged INCRs before SIGTERM, all present after restart", total)
}

// TestBinaryDumpRDB: without appendonly, kevy keeps redis-server's default
// persistence: dump.rdb in --dir, loaded at start, written by SHUTDOWN and
// SIGTERM when save points are set (not by SHUTDOWN NOSAVE, nor with
// save ""), by SAVE in any case, and by the save points themselves; a file
// redis-server loads. A corrupt dump.rdb stops kevy from starting.
func TestBinaryDumpRDB(t *testing.T) {
	bin := buildKevy(t)
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump.rdb")
	run := func(args ...string) (*exec.Cmd, *bytes.Buffer, *redistest.Client) {
		t.Helper()
		cmd, out, addr := startBinary(t, bin, append([]string{"--dir", dir}, args...)...)
		return cmd, out, redistest.Dial(t, addr)
	}
	mustDo := func(c *redistest.Client, args ...string) resp.Value {
		t.Helper()
		v, err := c.Do(args...)
		if err != nil || v.Kind == resp.ErrorReply {
			t.Fatalf("%q: %v %v", args, v, err)
		}
		return v
	}
	get := func(c *redistest.Client, key string) string {
		t.Helper()
		return mustDo(c, "GET", key).Str
	}

	// Default save points: SHUTDOWN saves, the next start loads.
	cmd, out, c := run()
	mustDo(c, "SET", "a", "1")
	mustDo(c, "RPUSH", "l", "x", "y")
	if v := mustDo(c, "INFO", "persistence").Str; !strings.Contains(v, "rdb_changes_since_last_save:") {
		t.Fatalf("INFO persistence: %q", v)
	}
	c.Do("SHUTDOWN")
	waitExit(t, cmd, out)
	if _, err := os.Stat(dump); err != nil {
		t.Fatalf("no dump.rdb after SHUTDOWN: %v\n%s", err, out)
	}

	// SIGTERM saves too; SHUTDOWN NOSAVE does not.
	cmd, out, c = run()
	if get(c, "a") != "1" || len(mustDo(c, "LRANGE", "l", "0", "-1").Elems) != 2 {
		t.Fatalf("after a restart: a=%q, l=%v\n%s", get(c, "a"), mustDo(c, "LRANGE", "l", "0", "-1"), out)
	}
	mustDo(c, "SET", "b", "2")
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd, out)
	cmd, out, c = run()
	mustDo(c, "SET", "c", "3")
	c.Do("SHUTDOWN", "NOSAVE")
	waitExit(t, cmd, out)

	// With save "", only SAVE writes; stopping does not.
	cmd, out, c = run("--save", "")
	if get(c, "b") != "2" || get(c, "c") != "" {
		t.Fatalf("b=%q (saved by SIGTERM), c=%q (not saved by NOSAVE)", get(c, "b"), get(c, "c"))
	}
	mustDo(c, "SET", "d", "4")
	mustDo(c, "SAVE")
	mustDo(c, "SET", "e", "5")
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd, out)

	// A save point fires on its own.
	cmd, out, c = run("--save", "1", "1")
	if get(c, "d") != "4" || get(c, "e") != "" {
		t.Fatalf("d=%q (saved by SAVE), e=%q (save \"\" and SIGTERM)", get(c, "d"), get(c, "e"))
	}
	before := mustDo(c, "LASTSAVE").Int
	mustDo(c, "SET", "f", "6")
	for start := time.Now(); mustDo(c, "LASTSAVE").Int == before || strings.Contains(mustDo(c, "INFO", "persistence").Str, "rdb_changes_since_last_save:1"); time.Sleep(100 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("save 1 1 did not save within 10 s:\n%s", out)
		}
	}
	cmd.Process.Kill() // no shutdown save: what is on disk came from the save point
	cmd.Wait()

	// redis-server loads the file.
	srv := redistest.Start(t, "--dir", dir, "--dbfilename", "dump.rdb")
	rc := srv.Dial(t)
	if v, _ := rc.Do("MGET", "a", "b", "d", "f"); len(v.Elems) != 4 || v.Elems[0].Str != "1" || v.Elems[1].Str != "2" || v.Elems[2].Str != "4" || v.Elems[3].Str != "6" {
		t.Fatalf("redis-server loaded a, b, d, f = %v", v)
	}

	// A corrupt file: kevy refuses to start, saying why, and leaves it.
	if err := os.WriteFile(dump, []byte("REDIS0010garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := exec.Command(bin, "--port", strconv.Itoa(freePort(t)), "--bind", "127.0.0.1", "--dir", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(res), "Fatal error loading the DB") {
		t.Fatalf("kevy on a corrupt dump.rdb: %v\n%s", err, res)
	}
	if b, _ := os.ReadFile(dump); string(b) != "REDIS0010garbage" {
		t.Fatalf("the corrupt file was changed: %q", b)
	}
}
