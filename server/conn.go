package server

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/resp"
)

// A connection is served by one goroutine: it reads every request already
// buffered, executes each into the reply buffer c.w.Buf, and writes the
// buffer once the input is drained. Pushed output (MONITOR; later pub/sub)
// goes through a pushSink with its own writer goroutine, owned by the
// connection.

// Unauthenticated clients may send no more than this (Redis 7.0).
const (
	unauthMaxMultibulk = 10
	unauthMaxBulk      = 16384
)

// Reply buffers above this capacity are released after a flush, so idle
// connections keep little memory.
const maxRetainedReply = 64 << 10

// opportunisticFlush is the reply size from which a connection that still
// has input to parse tries to write what the socket accepts, so a client
// that writes a long pipeline before reading does not pile up replies.
const opportunisticFlush = 1 << 20

var (
	errQueryLimit = errors.New("query buffer limit reached")
	errClosing    = errors.New("server shutting down")
	errOutLimit   = errors.New("output buffer limit reached")
	// errWouldBlock is what an event loop's connection returns instead of
	// waiting for its socket.
	errWouldBlock = errors.New("operation would block")
)

// needsGoroutine reports whether a command may have to wait, or pushes
// output, and so cannot run on an event loop: its connection moves to a
// goroutine of its own first.
func needsGoroutine(name string) bool {
	// Every such name has five letters or more and starts with one of
	// these: most commands are told apart without a lookup.
	if len(name) < 5 {
		return false
	}
	switch name[0] | 0x20 {
	case 'b', 'd', 'm', 'p', 's', 'u':
	default:
		return false
	}
	if cmd := engine.Lookup(name); cmd != nil {
		return cmd.Flags&engine.FlagBlocking != 0 || isSubscribeCmd(cmd.Name)
	}
	if sc := lookupServerCmd(name); sc != nil {
		switch sc.name {
		case "monitor", "debug", "shutdown":
			return true
		}
	}
	return false
}

// connMode is the connection's state in its state machine. Transactions,
// subscriptions and blocking commands add their states here.
type connMode uint8

const (
	modeNormal  connMode = iota
	modeMonitor          // MONITOR: receives the command feed, no idle timeout
)

type conn struct {
	s       *Server
	nc      net.Conn   // owned by the serving goroutine or event loop
	lp      *eventLoop // the event loop serving the connection, if any; owned like nc
	id      int64
	created time.Time
	addr    string // the peer as CLIENT LIST and MONITOR show it
	laddr   string
	unix    bool

	rd  *resp.Reader
	in  inputReader
	w   connWriter // w.Buf is the pending reply batch
	ctx engine.Ctx
	// batch keeps the shard of a write locked across the pipelined
	// requests after it (see execCommand); released before any wait.
	batch engine.Batch
	// borrowed says the request being run has its arguments as views of
	// the read buffer (see borrowable).
	borrowed bool
	argv     []string

	wmu   sync.Mutex // serializes writes to nc between the batch and the push sink
	push  *pushSink  // non-nil while output is pushed (MONITOR, subscriptions)
	multi *engine.Multi

	// Owned by the serving goroutine.
	authed      bool
	replyOff    bool
	skipCurrent bool // CLIENT REPLY SKIP: drop this command's reply
	skipNext    bool
	closeAfter  bool // QUIT, a protocol error, or CLIENT KILL of itself
	mode        connMode
	batchCmds   int64
	hideCmd     bool          // set by a handler: keep this command from MONITOR (admin subcommands)
	softSince   time.Time     // when the reply buffer first exceeded the soft limit
	readAt      time.Time     // when the last read returned data
	prevEnd     time.Duration // when the last command ended, after readAt
	flushes     int           // flushes so far: a command that flushed keeps its reply
	inExec      bool          // running a queued server command inside EXEC
	stalled     bool          // event loop: the socket took part of the replies
	parked      []string      // event loop: the command left to the connection's goroutine

	// Read by other goroutines (CLIENT LIST, INFO, KILL).
	shared     atomic.Pointer[net.Conn]  // nc once on a goroutine, for kill and wake
	loop       atomic.Pointer[eventLoop] // lp while an event loop serves it
	name       atomic.Pointer[string]
	resp3      atomic.Bool
	lastCmd    atomic.Pointer[string]
	lastActive atomic.Int64 // Unix nanoseconds
	flags      atomic.Uint32
	killed     atomic.Bool
	cmds       atomic.Int64
	netIn      atomic.Int64
	netOut     atomic.Int64
	writeCalls atomic.Int64               // writes of reply batches (tests check batching)
	ps         atomic.Pointer[subState]   // the subscription, once (P|S)SUBSCRIBE ran
	subCounts  atomic.Uint64              // channels, patterns, shard channels (see afterSubscribe)
	blocked    atomic.Pointer[blockedRun] // the blocking command waiting now
	blockPhase atomic.Int32               // phaseIdle, phaseRunning, phaseWaiting
	multiLen   atomic.Int32               // commands queued in MULTI, -1 outside
}

// Flags shown by CLIENT LIST.
const (
	flagMonitor uint32 = 1 << iota
	flagCloseASAP
	flagNoEvict
	flagPubSub  // subscribed to something
	flagBlocked // waiting in a blocking command
	flagMulti   // in MULTI
)

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{s: s, nc: nc, id: s.nextID.Add(1), created: time.Now()}
	c.in.c = c
	c.w.c = c
	c.multiLen.Store(-1)
	c.shared.Store(&nc)
	c.rd = resp.NewReader(&c.in)
	c.rd.Borrow = c.borrowable
	c.w.Buf = make([]byte, 0, 1024)
	c.argv = make([]string, 0, 8)
	c.authed = s.p.password() == ""
	c.lastActive.Store(c.created.UnixNano())
	c.readAt = c.created
	if a := nc.LocalAddr(); a != nil {
		c.laddr = a.String()
	}
	if a := nc.RemoteAddr(); a != nil {
		c.addr = a.String()
		if a.Network() == "unix" { // as Redis: the socket's path and port 0
			c.unix = true
			c.laddr += ":0"
			c.addr = c.laddr
		}
	}
	return c
}

// inputReader is the Reader's source: it applies the idle timeout, counts
// input and enforces client-query-buffer-limit.
type inputReader struct {
	c        *conn
	total    int64 // bytes read
	deadline bool  // a read deadline is set

	// Input read while a blocking command waited (see watchBlocked), and
	// the error that ended that read, served before reading the socket.
	pending    []byte
	pendingErr error
}

func (r *inputReader) Read(p []byte) (int, error) {
	c := r.c
	c.batch.Release() // no shard stays locked while the client is awaited
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		if r.pending = r.pending[n:]; len(r.pending) == 0 {
			r.pending = nil
		}
		c.readAt, c.prevEnd = time.Now(), 0
		r.total += int64(n)
		return n, nil
	}
	if err := r.pendingErr; err != nil {
		r.pendingErr = nil
		return 0, err
	}
	if t := c.s.p.timeout.Load(); t > 0 && c.mode != modeMonitor {
		c.nc.SetReadDeadline(time.Now().Add(time.Duration(t)))
		r.deadline = true
	} else if r.deadline {
		c.nc.SetReadDeadline(time.Time{})
		r.deadline = false
	}
	// wake sets a past deadline after marking the server shutting down,
	// so checking after setting ours cannot miss it.
	if c.s.shutting.Load() {
		return 0, errClosing
	}
	n, err := c.nc.Read(p)
	if n > 0 {
		// One full clock read per read; commands are timed from it with
		// monotonic reads only.
		c.readAt, c.prevEnd = time.Now(), 0
		c.lastActive.Store(c.readAt.UnixNano())
		r.total += int64(n)
		c.netIn.Add(int64(n))
		if r.total-c.rd.Offset() > c.s.p.queryLimit.Load() {
			return 0, errQueryLimit
		}
	}
	return n, err
}

// wake interrupts a connection waiting for input, for Shutdown (which
// marks the server shutting down first).
func (c *conn) wake() {
	if lp := c.loop.Load(); lp != nil {
		lp.notify()
		return
	}
	(*c.shared.Load()).SetReadDeadline(time.Now())
}

// kill closes the connection from another goroutine (CLIENT KILL, Close,
// output limits).
func (c *conn) kill() {
	c.killed.Store(true)
	c.flags.Or(flagCloseASAP)
	if lp := c.loop.Load(); lp != nil {
		lp.notify() // the loop closes it; see eventLoop.handoff for the race
		return
	}
	(*c.shared.Load()).Close()
}

// serve is the connection's goroutine. A connection handed over by an
// event loop first writes the replies the loop could not, then runs the
// command the loop left to it.
func (c *conn) serve() {
	defer c.finish()
	if len(c.w.Buf) > 0 && !c.flush() {
		return
	}
	if args := c.parked; args != nil {
		c.parked = nil
		if !c.exec(args) {
			return
		}
	}
	c.run()
}

// What run returns: the connection is finished (the caller releases it),
// waits for input (event loop), or must move to a goroutine of its own.
type runState uint8

const (
	runDone runState = iota
	runWait
	runHandoff
)

// run reads and executes requests. On a goroutine it returns once the
// connection is done; under an event loop (c.lp non-nil) also when the
// input read so far is used up (runWait: the loop writes the replies) or
// when the next command needs a goroutine of its own (runHandoff, c.parked
// holding it).
func (c *conn) run() runState {
	for {
		c.setLimits()
		c.borrowed = false // set by borrowable if the reader asks
		args, err := c.rd.ReadCommandInto(c.argv)
		if err != nil {
			c.batch.Release() // the read released it, unless it failed first
			if err == errWouldBlock {
				// The event loop writes the replies once it has read
				// every connection that had input (see eventLoop.run).
				return runWait
			}
			c.readFailed(err)
			return runDone
		}
		c.argv = args
		// Under appendfsync always a write waits for its fsync: on a
		// goroutine it shares that fsync with other writers (group
		// commit), where a loop would wait for one fsync per write. While
		// an embedded subscription makes publishers wait for room, any
		// command may wait (PUBLISH, or a write's keyspace notification),
		// which must not stall the loop's other connections.
		if c.lp != nil && (needsGoroutine(args[0]) || c.s.en.SyncAlways() || c.s.en.PubSub().MayBlock()) {
			c.batch.Release()
			c.parked, c.argv, c.borrowed = cloneArgs(args), nil, false // a copy: args may be views of the read buffer
			return runHandoff
		}
		if !c.exec(args) {
			c.batch.Release()
			return runDone
		}
		if c.lp != nil && (c.stalled || c.push != nil || c.mode != modeNormal) {
			c.batch.Release()
			return runHandoff
		}
	}
}

// exec runs one request and writes the replies once the input is drained.
// It reports false when the connection must close.
func (c *conn) exec(args []string) bool {
	c.handle(args)
	if c.closeAfter || c.killed.Load() {
		c.batch.Release()
		if !c.killed.Load() {
			c.flush()
		}
		return false
	}
	if c.overLimit() {
		c.s.log.Warn("client closed for overcoming of output buffer limits", "addr", c.addr, "id", c.id)
		return false
	}
	switch {
	case c.rd.Buffered() == 0:
		// An event loop writes the replies after its round (eventLoop.run).
		if c.lp == nil {
			c.batch.Release() // writing may wait for the client
			if !c.flush() || c.s.shutting.Load() {
				return false
			}
		}
	case len(c.w.Buf) >= opportunisticFlush:
		c.batch.Release()
		if !c.flushSome() {
			return false
		}
	}
	return true
}

// borrowable tells the request reader whether the command named name may
// get its arguments as views of the read buffer instead of a copy: the
// command must keep none (engine.FlagBorrowArgs), and no transaction may
// be queueing it for EXEC.
func (c *conn) borrowable(name []byte) bool {
	if c.multi != nil && c.multi.Active() {
		return false
	}
	c.borrowed = len(name) > 0 && engine.BorrowsArgs(unsafe.String(&name[0], len(name)))
	return c.borrowed
}

// cloneArgs copies a request's arguments into memory of their own.
func cloneArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.Clone(a)
	}
	return out
}

// setLimits sets the reader's limits for the next request.
func (c *conn) setLimits() {
	if !c.authed && c.s.p.password() != "" {
		c.rd.MaxMultibulkLen, c.rd.MaxBulkLen = unauthMaxMultibulk, unauthMaxBulk
		return
	}
	c.rd.MaxMultibulkLen, c.rd.MaxBulkLen = resp.DefaultMaxMultibulkLen, c.s.p.protoMaxBulk.Load()
}

// readFailed ends the connection after a read error, replying Redis's
// protocol error first when the request was malformed.
func (c *conn) readFailed(err error) {
	var pe *resp.ProtocolError
	switch {
	case errors.As(err, &pe):
		msg := pe.Msg
		if c.rd.MaxMultibulkLen == unauthMaxMultibulk {
			switch msg {
			case "Protocol error: invalid multibulk length":
				msg = "Protocol error: unauthenticated multibulk length"
			case "Protocol error: invalid bulk length":
				msg = "Protocol error: unauthenticated bulk length"
			}
		}
		c.w.Buf = resp.AppendError(c.w.Buf, "ERR "+msg)
		c.flush()
		c.s.log.Info("protocol error from client", "addr", c.addr, "err", msg)
	case err == errQueryLimit:
		c.s.log.Warn("closing client that reached max query buffer length", "addr", c.addr, "id", c.id)
	case err == errClosing, errors.Is(err, os.ErrDeadlineExceeded) && c.s.shutting.Load():
		c.flush()
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.s.log.Debug("closing idle client", "addr", c.addr, "id", c.id)
	case err == io.EOF, err == io.ErrUnexpectedEOF, errors.Is(err, net.ErrClosed):
	default:
		c.s.log.Debug("client read error", "addr", c.addr, "err", err)
	}
}

// finish releases the connection.
func (c *conn) finish() {
	if c.mode == modeMonitor {
		c.s.mon.remove(c)
	}
	if c.push != nil && !c.killed.Load() {
		// Write what the sink holds (QUIT's reply, a protocol error), for
		// a bounded time.
		c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		c.unsubscribeAll()
		c.push.stop()
		c.push = nil
	}
	c.nc.Close() // first: it unblocks a push writer stuck on a client that does not read
	c.unsubscribeAll()
	if c.multi != nil {
		c.multi.Close()
	}
	c.stopPush()
	c.cmds.Add(c.batchCmds)
	c.batchCmds = 0
	c.s.removeConn(c)
}

// flush writes the pending replies. It reports false when the connection
// must close.
func (c *conn) flush() bool {
	c.cmds.Add(c.batchCmds)
	c.batchCmds = 0
	clear(c.argv) // do not retain the last request while idle
	c.flushes++
	if len(c.w.Buf) == 0 {
		return true
	}
	if c.push != nil {
		c.pushReplies()
		return !c.killed.Load()
	}
	lim := c.outLimit()
	c.wmu.Lock()
	if lim.Soft > 0 && lim.SoftFor > 0 && int64(len(c.w.Buf)) > lim.Soft {
		c.nc.SetWriteDeadline(time.Now().Add(lim.SoftFor))
		defer c.nc.SetWriteDeadline(time.Time{})
	}
	n, err := c.nc.Write(c.w.Buf)
	c.wmu.Unlock()
	c.netOut.Add(int64(n))
	c.writeCalls.Add(1)
	if err == errWouldBlock { // event loop: the socket is full; a goroutine writes the rest
		c.w.Buf = c.w.Buf[:copy(c.w.Buf, c.w.Buf[n:])]
		c.stalled = true
		return true
	}
	if cap(c.w.Buf) > maxRetainedReply {
		c.w.Buf = make([]byte, 0, 1024)
	} else {
		c.w.Buf = c.w.Buf[:0]
	}
	c.softSince = time.Time{}
	return err == nil
}

// flushSome writes as much of the pending replies as the socket takes
// within a few milliseconds and keeps the rest.
func (c *conn) flushSome() bool {
	c.wmu.Lock()
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Millisecond))
	n, err := c.nc.Write(c.w.Buf)
	c.nc.SetWriteDeadline(time.Time{})
	c.wmu.Unlock()
	c.netOut.Add(int64(n))
	c.writeCalls.Add(1)
	c.w.Buf = c.w.Buf[:copy(c.w.Buf, c.w.Buf[n:])]
	return err == nil || err == errWouldBlock || errors.Is(err, os.ErrDeadlineExceeded)
}

// outLimit returns the client-output-buffer-limit class of the connection:
// pubsub while it is subscribed, else normal.
func (c *conn) outLimit() BufferLimit {
	ol := c.s.p.outLimits.Load()
	if c.flags.Load()&flagPubSub != 0 {
		return ol.pubsub
	}
	return ol.normal
}

// overLimit applies client-output-buffer-limit to the pending replies.
func (c *conn) overLimit() bool {
	lim := c.outLimit()
	n := int64(len(c.w.Buf))
	if lim.Hard > 0 && n > lim.Hard {
		return true
	}
	if lim.Soft > 0 && n > lim.Soft {
		if c.softSince.IsZero() {
			c.softSince = time.Now()
		} else if time.Since(c.softSince) > lim.SoftFor {
			return true
		}
	}
	return false
}

// handle runs one request and applies the reply mode.
func (c *conn) handle(args []string) {
	mark := len(c.w.Buf)
	flushes := c.flushes
	slower := c.s.p.slowerThan.Load()
	startOff := c.prevEnd // the previous command's end, or the read's time
	vis := c.dispatch(args)
	c.batchCmds++
	endOff := time.Since(c.readAt) // monotonic clock only
	c.prevEnd = endOff
	if slower >= 0 && vis&visSlowlog != 0 {
		if d := endOff - startOff; d.Microseconds() >= slower {
			c.s.slow.add(c, args, c.readAt.Add(startOff), d)
		}
	}
	if vis&visMonitor != 0 && c.s.mon.n.Load() > 0 {
		c.batch.Release() // a monitor's sink may make the feed wait
		c.s.mon.feed(c, args, c.readAt.Add(startOff))
	}
	if c.flushes != flushes {
		mark = 0 // the replies before this one were written meanwhile
	}
	if (c.replyOff || c.skipCurrent) && mark <= len(c.w.Buf) {
		c.w.Buf = c.w.Buf[:mark]
	}
	c.skipCurrent = c.skipNext
	c.skipNext = false
	if c.push != nil {
		c.batch.Release() // pushing waits for the subscription's forwarder
		c.pushReplies()
	}
}

// Where an executed command is shown.
const (
	visMonitor = 1 << iota
	visSlowlog
)

// dispatch runs a request: a server command, or an engine command. It
// reports where the command may be shown (MONITOR, the slow log); a
// rejected command is shown nowhere.
//
// As Redis's processCommand, it checks in order: the command exists, its
// arity, authentication, RESP2 subscribed mode (only (P|S)SUBSCRIBE,
// (P|S)UNSUBSCRIBE, PING, QUIT and RESET), then an open MULTI queues the
// command. A rejected command fails an open transaction (EXECABORT).
func (c *conn) dispatch(args []string) int {
	cmd := engine.Lookup(args[0])
	var sc *serverCmd
	if cmd == nil || cmd == c.s.engInfo || cmd == c.s.engConfig {
		sc = lookupServerCmd(args[0])
	}
	var name *string
	arity := 0
	switch {
	case sc != nil:
		name, arity = &sc.name, sc.arity
	case cmd != nil:
		name, arity = &cmd.Name, cmd.Arity
	default:
		c.reject(unknownCommand(args))
		return 0
	}
	if c.lastCmd.Load() != name { // pipelines repeat a command; a store is a full barrier
		c.lastCmd.Store(name)
	}
	if !engine.ArityOK(arity, len(args)) {
		c.reject(engine.ErrorText(engine.ArityError(*name)))
		return 0
	}
	if (sc == nil || !sc.noAuth) && !c.authed && c.s.p.password() != "" {
		c.reject(noAuthMsg)
		return 0
	}
	if c.subscribed() && !c.w.RESP3 && !allowedSubscribed(*name) {
		c.reject("ERR Can't execute '" + *name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return 0
	}
	if (c.multi != nil && c.multi.Active()) || isTxCmd(*name) {
		if *name != "quit" && *name != "reset" {
			c.batch.Release()
			return c.execTx(args, *name)
		}
	}
	if sc != nil {
		c.batch.Release() // a server command may wait or use the engine itself
		c.hideCmd = false
		sc.run(c, args)
		vis := 0
		if !sc.noMonitor && !c.hideCmd {
			vis |= visMonitor
		}
		if !sc.noSlowlog {
			vis |= visSlowlog
		}
		return vis
	}
	switch {
	case cmd.Flags&engine.FlagBlocking != 0:
		c.batch.Release()
		c.execBlocking(args)
	case cmd.Flags&engine.FlagPubSub != 0 && isSubscribeCmd(cmd.Name):
		c.execEngine(args)
		c.afterSubscribe()
	case c.subscribed() && !c.w.RESP3 && cmd.Name == "ping":
		subscribedPing(c, args)
	default:
		c.execCommand(args, cmd)
	}
	if cmd.Flags&engine.FlagAdmin != 0 {
		return visSlowlog
	}
	return visMonitor | visSlowlog
}

// reject replies an error for a command that is not run, failing an open
// transaction.
func (c *conn) reject(msg string) {
	c.errText(msg)
	if c.multi != nil {
		c.multi.Fail()
	}
}

// execEngine runs args through the store's engine.
func (c *conn) execEngine(args []string) { c.execCommand(args, nil) }

// execCommand is execEngine for a command already looked up (cmd non-nil;
// nil looks it up). A command looked up runs through the connection's
// batch, which may keep the shard of a write locked for the next requests
// (engine.Batch); everything that could wait releases it first.
func (c *conn) execCommand(args []string, cmd *engine.Command) {
	mark := len(c.w.Buf)
	c.ctx = engine.Ctx{Args: args, W: &c.w, Borrowed: c.borrowed}
	if cmd != nil {
		c.s.en.ExecBatched(&c.batch, &c.ctx, cmd)
	} else {
		c.batch.Release()
		c.s.en.Exec(&c.ctx)
	}
	if err := c.ctx.Err; err != nil { // applied but not durable: say so instead
		c.w.Buf = c.w.Buf[:mark]
		c.w.WriteError(err)
	}
}

// errText replies an error whose text already starts with its code.
func (c *conn) errText(msg string) { c.w.Buf = resp.AppendError(c.w.Buf, msg) }

// replyErr is an error whose text is a complete Redis error reply.
type replyErr string

func (e replyErr) Error() string { return string(e) }

// peerDesc is the client as MONITOR shows it: "ip:port" or "unix:path".
func (c *conn) peerDesc() string {
	if c.unix {
		return "unix:" + strings.TrimSuffix(c.laddr, ":0")
	}
	return c.addr
}

// lower returns the lowercase form of an ASCII command name.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
