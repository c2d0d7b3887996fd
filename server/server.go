package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/internal/bridge"
	"github.com/kevy-go/kevy/internal/engine"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close, and after a SHUTDOWN command.
var ErrServerClosed = errors.New("server: Server closed")

// Server serves one store over RESP. Create it with New; its methods are
// safe for concurrent use.
type Server struct {
	store *kevy.Store
	en    *engine.Engine
	cfg   Config
	p     params
	extra map[string]string // lowercase name → value, for CONFIG GET
	log   *slog.Logger
	slow  slowlog
	mon   monitors
	start time.Time
	runID string

	engInfo, engConfig *engine.Command // engine commands the server wraps

	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	conns     map[*conn]struct{}
	drained   chan struct{} // closed once shutting down with no connection left
	isDrained bool
	connWG    sync.WaitGroup // connection goroutines
	bgWG      sync.WaitGroup // the cron
	cronStop  chan struct{}
	cronOn    bool
	shutting  atomic.Bool
	stopOnce  sync.Once
	done      chan struct{} // closed when the server starts shutting down

	nextID atomic.Int64
	stats  serverStats

	loops    []*eventLoop // created with the first connection; s.mu
	loopNext int
}

// New returns a server for store. The server does not own the store:
// closing the server leaves it open.
func New(store *kevy.Store, cfg Config) *Server {
	s := &Server{
		store:     store,
		en:        bridge.EngineOf(store),
		cfg:       cfg,
		log:       cfg.Logger,
		start:     time.Now(),
		listeners: map[*net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
		drained:   make(chan struct{}),
		cronStop:  make(chan struct{}),
		done:      make(chan struct{}),
		engInfo:   engine.Lookup("info"),
		engConfig: engine.Lookup("config"),
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.cfg.Addrs = append([]string(nil), cfg.Addrs...)
	s.extra = maps.Clone(extraDefaults)
	for k, v := range cfg.ExtraParams {
		s.extra[strings.ToLower(k)] = v
	}
	if _, ok := cfg.ExtraParams["dir"]; !ok {
		if wd, err := os.Getwd(); err == nil {
			s.extra["dir"] = wd
		}
	}
	s.p.init(&s.cfg)
	var id [20]byte
	rand.Read(id[:])
	s.runID = hex.EncodeToString(id[:])
	return s
}

// Done returns a channel closed when the server starts shutting down
// (Shutdown, Close or a SHUTDOWN command).
func (s *Server) Done() <-chan struct{} { return s.done }

// Serve accepts connections on l and serves each in its own goroutine. It
// always returns a non-nil error; after Shutdown or Close, ErrServerClosed.
// Serve may be called concurrently on several listeners; it closes l when
// it returns.
func (s *Server) Serve(l net.Listener) error {
	if !s.trackListener(&l, true) {
		l.Close()
		return ErrServerClosed
	}
	defer s.trackListener(&l, false)
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.shutting.Load() {
				return ErrServerClosed
			}
			if te, ok := err.(interface{ Temporary() bool }); ok && te.Temporary() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("accept error; retrying", "err", err, "delay", delay)
				select {
				case <-time.After(delay):
				case <-s.done:
				}
				continue
			}
			l.Close()
			return err
		}
		delay = 0
		s.accept(nc)
	}
}

// trackListener adds or removes a listener; adding fails once shutting
// down. Adding also starts the cron.
func (s *Server) trackListener(l *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.listeners, l)
		return true
	}
	if s.shutting.Load() {
		return false
	}
	s.listeners[l] = struct{}{}
	if !s.cronOn {
		s.cronOn = true
		s.bgWG.Add(1)
		go s.cron()
	}
	return true
}

// accept admits or refuses a new connection.
func (s *Server) accept(nc net.Conn) {
	s.stats.connsReceived.Add(1)
	if s.p.protected.Load() && s.p.password() == "" && !isLocal(nc) {
		s.refuse(nc, deniedMsg)
		return
	}
	s.mu.Lock()
	if s.shutting.Load() {
		s.mu.Unlock()
		nc.Close()
		return
	}
	if int64(len(s.conns)) >= s.p.maxClients.Load() {
		s.mu.Unlock()
		s.stats.rejected.Add(1)
		s.refuse(nc, "-ERR max number of clients reached\r\n")
		return
	}
	c := newConn(s, nc)
	s.conns[c] = struct{}{}
	s.connWG.Add(1)
	lp := s.pickLoop()
	s.mu.Unlock()
	if lp == nil || !lp.adopt(c) {
		go c.serve()
	}
}

// pickLoop returns the event loop for a new connection, round robin, or
// nil when connections get goroutines of their own. s.mu held.
func (s *Server) pickLoop() *eventLoop {
	n := s.cfg.IOThreads
	if n < 0 {
		return nil
	}
	n = max(n, 1)
	if len(s.loops) < n {
		lp := newEventLoop(s)
		if lp == nil {
			s.cfg.IOThreads = -1
			return nil
		}
		s.loops = append(s.loops, lp)
		return lp
	}
	s.loopNext = (s.loopNext + 1) % n
	return s.loops[s.loopNext]
}

// refuse writes a final message to a connection and closes it.
func (s *Server) refuse(nc net.Conn, msg string) {
	nc.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	io.WriteString(nc, msg)
	nc.Close()
}

// removeConn unregisters a finished connection.
func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.checkDrained()
	s.mu.Unlock()
	s.stats.retire(c)
	s.connWG.Done()
}

// checkDrained closes drained once shutting down with no connection left.
// s.mu held.
func (s *Server) checkDrained() {
	if s.shutting.Load() && len(s.conns) == 0 && !s.isDrained {
		s.isDrained = true
		close(s.drained)
	}
}

// beginShutdown stops accepting: it marks the server shutting down, closes
// every listener and stops the cron. It runs once.
func (s *Server) beginShutdown() {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.shutting.Store(true)
		close(s.done)
		for l := range s.listeners {
			(*l).Close()
		}
		close(s.cronStop)
		s.checkDrained()
		for _, lp := range s.loops {
			lp.notify()
		}
		s.mu.Unlock()
		if s.cfg.UnixSocket != "" {
			os.Remove(s.cfg.UnixSocket)
		}
	})
}

// snapshotConns returns the live connections.
func (s *Server) snapshotConns() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// Shutdown stops the server gracefully: it closes the listeners, lets
// every connection finish the batch of requests it is executing and write
// its replies, closes the connections, and waits for their goroutines. If
// ctx ends first, Shutdown returns ctx.Err() and the connections left keep
// draining (Close ends them). Shutdown does not close the store.
func (s *Server) Shutdown(ctx context.Context) error {
	s.beginShutdown()
	for _, c := range s.snapshotConns() {
		c.wake()
	}
	var err error
	select {
	case <-s.drained:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil {
		s.bgWG.Wait()
	}
	return err
}

// Close closes the listeners and every connection at once, and waits for
// the connection goroutines to exit. It does not close the store.
func (s *Server) Close() error {
	s.beginShutdown()
	for _, c := range s.snapshotConns() {
		c.kill()
	}
	s.connWG.Wait()
	s.bgWG.Wait()
	return nil
}

// ListenAndServe listens on Config.Addrs (default DefaultAddr) and
// Config.UnixSocket, and serves them until Shutdown or Close, returning
// ErrServerClosed then, or the first error of a listener.
func (s *Server) ListenAndServe() error {
	ls, err := s.Listen()
	if err != nil {
		return err
	}
	return s.ServeListeners(ls)
}

// ServeListeners serves every listener, each with Serve in a goroutine of
// its own, and returns when all have returned: ErrServerClosed after
// Shutdown or Close, else the first other error.
func (s *Server) ServeListeners(ls []net.Listener) error {
	errs := make(chan error, len(ls))
	for _, l := range ls {
		go func() { errs <- s.Serve(l) }()
	}
	var first error
	for range ls {
		if err := <-errs; first == nil || first == ErrServerClosed {
			first = err
		}
	}
	return first
}

// Listen opens the listeners ListenAndServe serves: one per address of
// Config.Addrs (an address prefixed with "-" is skipped when it cannot be
// bound) and Config.UnixSocket. On error every listener opened is closed.
func (s *Server) Listen() ([]net.Listener, error) {
	addrs := s.cfg.Addrs
	if len(addrs) == 0 && s.cfg.UnixSocket == "" {
		addrs = []string{DefaultAddr}
	}
	var ls []net.Listener
	fail := func(err error) ([]net.Listener, error) {
		for _, l := range ls {
			l.Close()
		}
		return nil, err
	}
	for _, a := range addrs {
		optional := strings.HasPrefix(a, "-")
		l, err := net.Listen("tcp", strings.TrimPrefix(a, "-"))
		if err != nil {
			if optional {
				s.log.Warn("could not bind optional address", "addr", a, "err", err)
				continue
			}
			return fail(err)
		}
		ls = append(ls, l)
	}
	if p := s.cfg.UnixSocket; p != "" {
		os.Remove(p)
		l, err := net.Listen("unix", p)
		if err != nil {
			return fail(err)
		}
		if perm := s.cfg.UnixSocketPerm; perm != 0 {
			if err := os.Chmod(p, perm); err != nil {
				l.Close()
				return fail(err)
			}
		}
		ls = append(ls, l)
	}
	if len(ls) == 0 {
		return nil, errors.New("server: no address could be bound")
	}
	return ls, nil
}

// stopFromCommand shuts the server down on behalf of the SHUTDOWN command:
// it stops accepting and wakes every connection, which finishes its batch
// and exits; the caller's connection exits after its own batch.
func (s *Server) stopFromCommand() {
	s.beginShutdown()
	for _, c := range s.snapshotConns() {
		c.wake()
	}
}

// isLocal reports whether a connection comes from the loopback interface
// or a Unix socket.
func isLocal(nc net.Conn) bool {
	switch a := nc.RemoteAddr().(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	case nil:
		return true
	}
	return nc.RemoteAddr().Network() == "unix"
}

const deniedMsg = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"

// cron samples the command rate ten times a second, for INFO's
// instantaneous_ops_per_sec, until the server shuts down.
func (s *Server) cron() {
	defer s.bgWG.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.cronStop:
			return
		case now := <-t.C:
			s.stats.sample(now, s.totals())
		}
	}
}
