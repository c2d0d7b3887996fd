package server

import (
	"context"
	"errors"
	"os"
	"runtime"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// Blocking commands (BLPOP and friends) wait in the connection's goroutine,
// inside the engine. When a command is about to wait the connection writes
// the replies before it (the client may be waiting for them) and starts a
// watcher goroutine that keeps reading the socket: bytes a pipelining
// client sends meanwhile are kept for after the command, and a hang-up,
// CLIENT KILL or server shutdown cancels the wait, so nothing is popped for
// a client that is gone. CLIENT UNBLOCK cancels it with a timeout or
// Redis's UNBLOCKED error.

var (
	errHangup     = errors.New("client closed the connection while blocked")
	errUnblockTmo = errors.New("unblocked by CLIENT UNBLOCK TIMEOUT")
)

// blockedRun is a blocking command in progress.
type blockedRun struct {
	cancel context.CancelCauseFunc // cancels the wait (hang-up, shutdown)
	wait   func(error) bool        // cancels the wait if it is still waiting (CLIENT UNBLOCK)
	done   chan struct{}           // the watcher ended
	stop   chan struct{}           // closed to end the watcher
}

// A connection's blockPhase: CLIENT UNBLOCK, from another goroutine, must
// not miss a command between the engine queueing it (INFO blocked_clients
// counts it) and the connection learning so.
const (
	phaseIdle    int32 = iota
	phaseRunning       // a blocking command runs and may be about to wait
	phaseWaiting       // c.blocked is set
)

// execBlocking runs a command that may block.
func (c *conn) execBlocking(args []string) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	b := &blockedRun{cancel: cancel}
	mark := len(c.w.Buf)
	c.ctx = engine.Ctx{Args: args, W: &c.w, Context: ctx, Blocked: func(wait func(error) bool) {
		b.wait = wait
		c.startBlocked(b)
	}}
	c.blockPhase.Store(phaseRunning)
	c.s.en.Exec(&c.ctx)
	c.blockPhase.Store(phaseIdle)
	if b.done != nil {
		c.endBlocked(b)
		mark = 0 // the replies before were written
	} else if c.blocked.Load() != nil {
		c.blocked.Store(nil)
		c.flags.And(^flagBlocked)
		mark = 0
	}
	if err := c.ctx.Err; err != nil {
		c.w.Buf = c.w.Buf[:min(mark, len(c.w.Buf))]
		c.w.WriteError(err)
	}
}

// startBlocked runs when the command is about to wait.
func (c *conn) startBlocked(b *blockedRun) {
	c.blocked.Store(b)
	c.flags.Or(flagBlocked)
	c.blockPhase.Store(phaseWaiting)
	if !c.flush() {
		b.cancel(errHangup)
		return
	}
	b.done, b.stop = make(chan struct{}), make(chan struct{})
	// Here, not in the watcher: endBlocked's wake-up deadline, set once
	// the command ends, must not be cleared by a watcher that starts late.
	c.nc.SetReadDeadline(time.Time{}) // idle timeout does not apply to blocked clients
	c.in.deadline = false
	go c.watchBlocked(b)
}

// watchBlocked reads the socket while the command waits.
func (c *conn) watchBlocked(b *blockedRun) {
	defer close(b.done)
	var buf [1024]byte
	for {
		if c.s.shutting.Load() {
			b.cancel(errClosing)
			return
		}
		n, err := c.nc.Read(buf[:])
		if n > 0 {
			c.netIn.Add(int64(n))
			c.in.pending = append(c.in.pending, buf[:n]...)
			if int64(len(c.in.pending)) > c.s.p.queryLimit.Load() {
				c.in.pendingErr = errQueryLimit
				b.cancel(errQueryLimit)
				return
			}
		}
		if err != nil {
			select {
			case <-b.stop: // the command ended: not the client's doing
				return
			default:
			}
			if errors.Is(err, os.ErrDeadlineExceeded) && !c.s.shutting.Load() {
				c.nc.SetReadDeadline(time.Time{}) // a stray deadline
				continue
			}
			c.in.pendingErr = err
			b.cancel(errHangup)
			return
		}
	}
}

// endBlocked stops the watcher after the command ended.
func (c *conn) endBlocked(b *blockedRun) {
	c.blocked.Store(nil)
	c.flags.And(^flagBlocked)
	close(b.stop)
	c.nc.SetReadDeadline(time.Now()) // interrupt the watcher's read
	<-b.done
	c.nc.SetReadDeadline(time.Time{})
	c.in.deadline = false
	if c.s.shutting.Load() {
		c.wake() // Shutdown's wake-up may have been consumed by the watcher
	}
}

// unblock cancels the connection's blocked command, if it is blocked, as
// CLIENT UNBLOCK does: with Redis's UNBLOCKED error, or as a timeout.
func (c *conn) unblock(withError bool) bool {
	// A command about to wait becomes waiting within microseconds.
	for deadline := time.Now().Add(100 * time.Millisecond); c.blockPhase.Load() == phaseRunning; {
		if time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
	}
	b := c.blocked.Load()
	if b == nil {
		return false
	}
	if withError {
		return b.wait(engine.ErrUnblocked)
	}
	return b.wait(errUnblockTmo)
}
