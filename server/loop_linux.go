//go:build linux

package server

import (
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// An eventLoop serves many connections from one goroutine, as Redis's main
// thread does: one epoll_wait reports every connection with input, each
// gets one read and its commands executed, and then each gets one write of
// its replies. A
// goroutine per connection costs a read that finds the socket empty and a
// park and wake-up of the goroutine for every batch of requests; with
// dozens of clients those dominated the server's time.
//
// The loop keeps only connections in the plain request-reply state. A
// connection that needs to wait (a blocking command, SUBSCRIBE, MONITOR,
// DEBUG SLEEP, SHUTDOWN; any command under appendfsync always, or while an
// embedded BlockPublisher subscription may make a publish wait) or whose
// socket does not take all its replies is
// handed to a goroutine of its own for the rest of its life, through a
// net.Conn made from its descriptor (handoff).
//
// Epoll is level-triggered, so a connection gets one read per readiness
// report; data left in the socket is reported again by the next wait.
type eventLoop struct {
	s      *Server
	epfd   int
	wakefd int // an eventfd: notify makes the loop look at adds, kills, shutdown

	mu     sync.Mutex
	adds   []*conn
	exited bool // the loop has returned: adopt must not hand it more

	conns     map[int]*conn // by descriptor; owned by the loop goroutine
	unflushed []*conn       // served this round, replies not yet written
	events    [128]syscall.EpollEvent
}

// fdConn is the net.Conn of a connection served by an event loop: reads
// and writes never block; a read that finds no data, and a write the socket
// does not take whole, return errWouldBlock. Deadlines are ignored (the
// loop applies the idle timeout itself). Only the loop goroutine uses it.
type fdConn struct {
	fd           int
	lp           *eventLoop
	laddr, raddr net.Addr
	readDone     bool // no more reads until the next readiness report
	roundBytes   int  // bytes read since the last readiness report
}

// roundBudget caps what a connection reads per readiness report: a client
// streaming a long pipeline (redis-cli --pipe) would otherwise keep the
// loop to itself while its input keeps coming. Redis reads 16 KB per event.
const roundBudget = 64 << 10

// yieldEvery is how long an event loop runs before it yields to the Go
// scheduler (see eventLoop.run); the runtime preempts after 10 ms.
const yieldEvery = 5 * time.Millisecond

func (f *fdConn) Read(p []byte) (int, error) {
	if f.readDone {
		return 0, errWouldBlock
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			f.readDone = true
			return 0, errWouldBlock
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		// A read that filled the buffer may have left more behind: let
		// the next one try, within the round's budget.
		f.roundBytes += n
		f.readDone = n < len(p) || f.roundBytes >= roundBudget
		return n, nil
	}
}

func (f *fdConn) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := syscall.Write(f.fd, p[n:])
		if m > 0 {
			n += m
		}
		switch {
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			return n, errWouldBlock
		case err != nil:
			return n, err
		}
	}
	return n, nil
}

// Close removes the descriptor from the loop and closes it.
func (f *fdConn) Close() error {
	if f.fd < 0 {
		return nil
	}
	f.lp.forget(f.fd)
	err := syscall.Close(f.fd)
	f.fd = -1
	return err
}

func (f *fdConn) LocalAddr() net.Addr              { return f.laddr }
func (f *fdConn) RemoteAddr() net.Addr             { return f.raddr }
func (f *fdConn) SetDeadline(time.Time) error      { return nil }
func (f *fdConn) SetReadDeadline(time.Time) error  { return nil }
func (f *fdConn) SetWriteDeadline(time.Time) error { return nil }

// newEventLoop creates a loop and starts its goroutine, or returns nil if
// the system refuses.
func newEventLoop(s *Server) *eventLoop {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		s.log.Warn("event loop unavailable; one goroutine per connection", "err", err)
		return nil
	}
	r, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		syscall.Close(epfd)
		s.log.Warn("event loop unavailable; one goroutine per connection", "err", errno)
		return nil
	}
	lp := &eventLoop{s: s, epfd: epfd, wakefd: int(r), conns: map[int]*conn{}}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(lp.wakefd)}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, lp.wakefd, &ev); err != nil {
		syscall.Close(lp.wakefd)
		syscall.Close(epfd)
		s.log.Warn("event loop unavailable; one goroutine per connection", "err", err)
		return nil
	}
	s.bgWG.Add(1)
	go lp.run()
	return lp
}

// adopt moves a freshly accepted connection onto the loop. It reports
// false, leaving nc untouched, when nc has no descriptor to take over.
func (lp *eventLoop) adopt(c *conn) bool {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	fd := -1
	cerr := raw.Control(func(orig uintptr) {
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, orig, syscall.F_DUPFD_CLOEXEC, 0)
		if errno == 0 {
			fd = int(r)
		}
	})
	if cerr != nil || fd < 0 {
		return false
	}
	// The duplicate shares the socket, non-blocking flag included; closing
	// the original takes the socket out of Go's poller.
	fc := &fdConn{fd: fd, lp: lp, laddr: c.nc.LocalAddr(), raddr: c.nc.RemoteAddr()}
	c.nc.Close()
	c.nc, c.lp = fc, lp
	c.loop.Store(lp)
	lp.mu.Lock()
	if lp.exited { // shutting down: the caller's goroutine sees it and ends
		lp.mu.Unlock()
		c.nc = &closedConn{fc}
		c.lp = nil
		c.loop.Store(nil)
		return false
	}
	lp.adds = append(lp.adds, c)
	lp.mu.Unlock()
	lp.notify()
	return true
}

// notify wakes the loop to look at new connections, killed ones and
// shutdown.
// Once the loop has exited it does nothing: its eventfd is closed, and
// its number may belong to another file by then.
func (lp *eventLoop) notify() {
	lp.mu.Lock()
	if !lp.exited {
		one := [8]byte{1}
		syscall.Write(lp.wakefd, one[:])
	}
	lp.mu.Unlock()
}

// shut marks the loop exited and closes its descriptors.
func (lp *eventLoop) shut() {
	lp.mu.Lock()
	lp.exited = true
	syscall.Close(lp.wakefd)
	lp.mu.Unlock()
	syscall.Close(lp.epfd)
}

// forget removes a descriptor from the loop, before it is closed or handed
// to a goroutine.
func (lp *eventLoop) forget(fd int) {
	delete(lp.conns, fd)
	syscall.EpollCtl(lp.epfd, syscall.EPOLL_CTL_DEL, fd, nil)
}

// run is the loop's goroutine. It ends once the server is shutting down
// and every connection has left.
func (lp *eventLoop) run() {
	// The loop keeps one thread. Otherwise, each time the loop waits in
	// epoll_wait the scheduler hands its P to another thread, and the loop
	// resumes on whichever thread picks it up: under load that migration
	// cost 1-10 % of throughput (redis-benchmark -P 16, 7 rounds each).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer lp.s.bgWG.Done()
	defer lp.shut()
	lastIdle := time.Now()
	lastYield := lastIdle
	naps := lp.naps()
	busy := false
	for {
		var n int
		var err error
		if busy && naps > 0 {
			n = lp.poll(naps)
		}
		if n == 0 {
			n, err = syscall.EpollWait(lp.epfd, lp.events[:], 1000)
		}
		busy = n > 0
		if err != nil && err != syscall.EINTR {
			lp.s.log.Error("event loop failed", "err", err)
			lp.closeAll()
			return
		}
		control := false
		for i := 0; i < n; i++ {
			fd := int(lp.events[i].Fd)
			if fd == lp.wakefd {
				control = true
				continue
			}
			if c := lp.conns[fd]; c != nil {
				lp.serve(c)
			}
		}
		lp.flushAll()
		if time.Since(lastYield) >= yieldEvery {
			// Give the scheduler a turn before it takes one: a goroutine
			// that runs 10 ms without one is preempted, and each
			// preemption keeps the runtime's monitor thread waking every
			// 20 µs for a while, which on a busy machine preempts the
			// loop's thread in turn (3,000 times in 3,000,000 GETs at
			// -P 16; with this, 900).
			runtime.Gosched()
			lastYield = time.Now()
		}
		if control {
			var buf [8]byte
			syscall.Read(lp.wakefd, buf[:])
			if lp.control() {
				return
			}
		}
		if t := lp.s.p.timeout.Load(); t > 0 {
			if now := time.Now(); now.Sub(lastIdle) >= time.Second {
				lastIdle = now
				lp.closeIdle(now, time.Duration(t))
			}
		}
	}
}

// napTime is the length of one of the loop's naps between polls.
const napTime = 3 * time.Microsecond

// naps returns how many naps the loop takes before it blocks (Config.IOPoll)
// and, if any, sets the loop's thread's timer slack to 1 µs: with Linux's
// default of 50 µs a 3 µs nap would last up to 53. The loop keeps its
// thread, so the setting stays with the loop.
func (lp *eventLoop) naps() int {
	d := lp.s.cfg.IOPoll
	switch {
	case d < 0:
		return 0
	case d == 0:
		d = DefaultIOPoll
	}
	n := max(1, int(d/napTime))
	const prSetTimerSlack = 29
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, uintptr(time.Microsecond), 0)
	return n
}

// poll looks for input without blocking, up to naps times with a nap of
// napTime before each retry, and returns the number of events found (in
// lp.events). Both calls are raw: they return within microseconds, too
// soon for the runtime to hand the loop's P to another thread.
func (lp *eventLoop) poll(naps int) int {
	nap := syscall.NsecToTimespec(int64(napTime))
	for i := 0; ; i++ {
		// epoll_pwait with no signal mask is epoll_wait, which arm64 lacks.
		n, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(lp.epfd),
			uintptr(unsafe.Pointer(&lp.events[0])), uintptr(len(lp.events)), 0, 0, 0)
		if errno == 0 && n > 0 {
			return int(n)
		}
		if i == naps {
			return 0
		}
		syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&nap)), 0, 0)
	}
}

// serve runs the requests a connection has sent.
func (lp *eventLoop) serve(c *conn) {
	fc := c.nc.(*fdConn)
	fc.readDone, fc.roundBytes = false, 0
	switch c.run() {
	case runWait:
		lp.unflushed = append(lp.unflushed, c)
	case runDone:
		c.finish()
	case runHandoff:
		lp.handoff(c)
	}
}

// flushAll writes the replies of the round's connections. As Redis, the
// loop first reads and executes the input of every connection that has
// some, then writes: replies reach the clients together, and a client
// that answers a reply at once finds its next request read in the next
// round with the others, not in a round of its own.
func (lp *eventLoop) flushAll() {
	for i, c := range lp.unflushed {
		lp.unflushed[i] = nil
		switch {
		case !c.flush():
			c.finish()
		case c.stalled:
			lp.handoff(c)
		}
	}
	lp.unflushed = lp.unflushed[:0]
}

// control registers new connections and ends killed ones; during shutdown
// it ends every connection (their replies are written: the loop writes
// after each batch) and reports true once none is left.
func (lp *eventLoop) control() bool {
	lp.mu.Lock()
	adds := lp.adds
	lp.adds = nil
	lp.mu.Unlock()
	for _, c := range adds {
		fd := c.nc.(*fdConn).fd
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
		if err := syscall.EpollCtl(lp.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			lp.s.log.Warn("event loop could not watch a client", "addr", c.addr, "err", err)
			c.finish()
			continue
		}
		lp.conns[fd] = c
	}
	shutting := lp.s.shutting.Load()
	for _, c := range lp.conns {
		if c.killed.Load() {
			c.finish()
		} else if shutting {
			c.flush()
			c.finish()
		}
	}
	if !shutting || len(lp.conns) > 0 {
		return false
	}
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if len(lp.adds) > 0 {
		return false // the next notification brings them
	}
	lp.exited = true
	return true
}

// closeIdle ends connections idle longer than the timeout.
func (lp *eventLoop) closeIdle(now time.Time, timeout time.Duration) {
	for _, c := range lp.conns {
		if now.UnixNano()-c.lastActive.Load() > int64(timeout) {
			c.s.log.Debug("closing idle client", "addr", c.addr, "id", c.id)
			c.finish()
		}
	}
}

// closeAll ends every connection; the loop cannot go on.
func (lp *eventLoop) closeAll() {
	for _, c := range lp.conns {
		c.finish()
	}
	lp.mu.Lock()
	adds := lp.adds
	lp.adds = nil
	lp.exited = true // adopt hands no more connections to it
	lp.mu.Unlock()
	for _, c := range adds {
		c.finish()
	}
}

// handoff moves a connection to a goroutine of its own.
func (lp *eventLoop) handoff(c *conn) {
	fc := c.nc.(*fdConn)
	lp.forget(fc.fd)
	f := os.NewFile(uintptr(fc.fd), "client")
	nc, err := net.FileConn(f) // a duplicate, in Go's poller
	f.Close()
	fc.fd = -1
	if err != nil {
		lp.s.log.Warn("could not move a client off the event loop", "addr", c.addr, "err", err)
		c.finish()
		return
	}
	c.nc, c.lp, c.stalled = nc, nil, false
	c.shared.Store(&nc)
	c.loop.Store(nil)
	// kill stores killed, then loads loop; this stores loop, then loads
	// killed: one of the two sees the other, so a kill is never lost.
	if c.killed.Load() {
		nc.Close()
	}
	go c.serve()
}

// closedConn is the net.Conn of a connection adopted as its loop exited:
// every read fails, so its goroutine ends it.
type closedConn struct{ *fdConn }

func (c *closedConn) Read([]byte) (int, error) { return 0, net.ErrClosed }
func (c *closedConn) Close() error {
	if c.fd >= 0 {
		syscall.Close(c.fd)
		c.fd = -1
	}
	return nil
}
