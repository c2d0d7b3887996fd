//go:build linux

package server

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/kevy-go/kevy"
)

// TestLoopReadBudget checks that a connection on an event loop reads at
// most roundBudget bytes per readiness report while its input keeps
// coming, so that a client streaming a long pipeline cannot keep the loop
// from the others; the next report reads on.
func TestLoopReadBudget(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	// A socket buffer larger than two rounds' budget, kept full.
	if err := syscall.SetsockoptInt(fds[1], syscall.SOL_SOCKET, syscall.SO_SNDBUF, 1<<20); err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	fill := func() {
		for {
			if _, err := syscall.Write(fds[1], chunk); err != nil {
				return // full
			}
		}
	}
	fill()
	f := &fdConn{fd: fds[0]}
	buf := make([]byte, 4096)
	for round := range 2 {
		f.readDone, f.roundBytes = false, 0
		total := 0
		for {
			n, err := f.Read(buf)
			if err == errWouldBlock {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			total += n
			if total > 2*roundBudget {
				t.Fatalf("round %d read %d bytes and goes on", round, total)
			}
		}
		if total < roundBudget || total >= roundBudget+len(buf) {
			t.Fatalf("round %d read %d bytes, want the budget (%d) rounded up to a read", round, total, roundBudget)
		}
		fill()
	}
}

// TestLoopNotifyAfterExit checks that waking an event loop that has exited
// (CLIENT KILL or Close racing with the loop's end) writes nothing: the
// loop's eventfd is closed by then and its number may belong to another
// file.
func TestLoopNotifyAfterExit(t *testing.T) {
	ts := startServer(t, Config{IOThreads: 1})
	wantStr(t, do(t, ts.dial(t), "PING"), "PONG")
	ts.mu.Lock()
	lp := ts.loops[0]
	ts.mu.Unlock()
	wakefd := lp.wakefd
	ts.Close() // the loop exits and closes its eventfd
	// Take the eventfd's number back with a pipe's write end.
	var p [2]int
	for range 64 {
		if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		defer syscall.Close(p[0])
		defer syscall.Close(p[1])
		if p[1] == wakefd {
			break
		}
	}
	if p[1] != wakefd {
		t.Skipf("descriptor %d was not reused", wakefd)
	}
	lp.notify()
	var buf [8]byte
	if n, err := syscall.Read(p[0], buf[:]); err != syscall.EAGAIN {
		t.Fatalf("notify after exit wrote %d bytes into a reused descriptor (err %v)", n, err)
	}
}

// TestSeveralEventLoops serves clients from four loops: connections are
// spread over them and commands of different loops run side by side on
// the store.
func TestSeveralEventLoops(t *testing.T) {
	ts := startServer(t, Config{IOThreads: 4})
	const clients = 8
	done := make(chan error, clients)
	for i := range clients {
		c := ts.dial(t)
		go func() {
			for j := range 200 {
				if v, err := c.Do("INCR", "n"); err != nil || v.IsError() {
					done <- fmt.Errorf("client %d request %d: %v %v", i, j, v, err)
					return
				}
			}
			done <- nil
		}()
	}
	for range clients {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	wantStr(t, do(t, ts.dial(t), "GET", "n"), fmt.Sprint(clients*200))
	ts.mu.Lock()
	loops := len(ts.loops)
	ts.mu.Unlock()
	if loops != 4 {
		t.Fatalf("%d event loops, want 4", loops)
	}
}

// TestLoopPublishToWaitingSubscriber: an embedded subscription whose
// policy makes publishers wait for room has a full queue. A client's
// PUBLISH to it waits; the other clients of the same event loop must still
// be served meanwhile (the loop hands a connection that may wait to a
// goroutine of its own), and the PUBLISH completes once there is room.
func TestLoopPublishToWaitingSubscriber(t *testing.T) {
	ts := startServer(t, Config{IOThreads: 1})
	sub, err := ts.store.SubscribeWith(kevy.SubscribeOptions{QueueSize: 1, Overflow: kevy.BlockPublisher, BlockTimeout: time.Minute}, "c")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if n, err := ts.store.Publish("c", "first"); n != 1 || err != nil {
		t.Fatalf("Publish = %d, %v", n, err) // the queue is full now
	}
	a, b := dialRaw(t, ts.addr), dialRaw(t, ts.addr)
	b.send("PING\r\n")
	b.expect("+PONG\r\n")
	a.send("*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$6\r\nsecond\r\n")
	time.Sleep(200 * time.Millisecond) // let a's PUBLISH reach the full queue
	// With the loop stuck in a's PUBLISH, b would get no reply for a
	// minute (expect gives up after 10 s).
	b.send("PING\r\n")
	b.expect("+PONG\r\n")
	for _, want := range []string{"first", "second"} {
		select {
		case m := <-sub.C():
			if m.Payload != want {
				t.Fatalf("received %q, want %q", m.Payload, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no message %q", want)
		}
	}
	a.expect(":1\r\n")
}

// TestLoopKeepsConnectionsBesideSubscribers: a RESP client's subscription
// is drained by its forwarder, which never waits, so it does not make
// publishers wait for long: the other connections stay on the event loop
// (no goroutine each), unlike with an embedded BlockPublisher subscription.
func TestLoopKeepsConnectionsBesideSubscribers(t *testing.T) {
	ts := startServer(t, Config{IOThreads: 1})
	s := dialRaw(t, ts.addr)
	s.send("SUBSCRIBE x\r\n")
	s.expect("*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n")
	before := runtime.NumGoroutine()
	for range 20 {
		c := dialRaw(t, ts.addr)
		c.send("PUBLISH x hi\r\n")
		c.expect(":1\r\n")
	}
	s.expect("*3\r\n$7\r\nmessage\r\n$1\r\nx\r\n$2\r\nhi\r\n")
	if after := runtime.NumGoroutine(); after-before >= 10 {
		t.Fatalf("20 more connections beside a subscriber added %d goroutines", after-before)
	}
}

// TestLoopPollsOnlyAfterInput: after a round with input the loop polls for
// Config.IOPoll more, then blocks in epoll_wait, so an idle server spends
// next to no CPU (2-4 ms in 300 ms here); a loop that never blocked, going
// from polls and naps to polls, would spend a whole core.
func TestLoopPollsOnlyAfterInput(t *testing.T) {
	ts := startServer(t, Config{IOThreads: 1, IOPoll: time.Millisecond})
	c := ts.dial(t)
	for range 200 {
		wantStr(t, do(t, c, "SET", "k", "v"), "OK")
	}
	time.Sleep(20 * time.Millisecond) // past the last round's polling
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	before := cpu()
	time.Sleep(300 * time.Millisecond)
	used := cpu() - before
	t.Logf("used %v", used)
	if used > 30*time.Millisecond {
		t.Fatalf("an idle server used %v of CPU in 300 ms", used)
	}
}
