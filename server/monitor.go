package server

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// MONITOR: every command executed (except administrative ones) is sent to
// the monitoring clients as a status line
//
//	+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"
//
// through each monitor's pushSink, so a slow monitor never slows the
// connection whose command it reports.

type monitors struct {
	mu   sync.RWMutex
	list []*conn
	n    atomic.Int32 // len(list), read on every command
}

// add registers c as a monitor; first runs under the registry's lock,
// before any command can be fed to c.
func (m *monitors) add(c *conn, first func()) {
	m.mu.Lock()
	first()
	m.list = append(m.list, c)
	m.n.Store(int32(len(m.list)))
	m.mu.Unlock()
}

func (m *monitors) remove(c *conn) {
	m.mu.Lock()
	for i, o := range m.list {
		if o == c {
			m.list = append(m.list[:i], m.list[i+1:]...)
			break
		}
	}
	m.n.Store(int32(len(m.list)))
	m.mu.Unlock()
}

// feed sends one executed command to every monitor.
func (m *monitors) feed(from *conn, args []string, at time.Time) {
	line := make([]byte, 0, 64)
	line = append(line, '+')
	line = strconv.AppendInt(line, at.Unix(), 10)
	line = append(line, '.')
	us := strconv.AppendInt(nil, int64(at.Nanosecond()/1000), 10)
	for range 6 - len(us) {
		line = append(line, '0')
	}
	line = append(line, us...)
	line = append(line, " [0 "...)
	line = append(line, from.peerDesc()...)
	line = append(line, ']')
	for _, a := range args {
		line = append(line, ' ')
		line = appendRepr(line, a)
	}
	line = append(line, '\r', '\n')
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, c := range m.list {
		if c == from {
			// A monitor's own command: after its reply, as in Redis.
			c.w.Buf = append(c.w.Buf, line...)
		} else if p := c.push; p != nil {
			p.write(line)
		}
	}
}

// appendRepr quotes s as Redis's sdscatrepr.
func appendRepr(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '\\', '"':
			b = append(b, '\\', ch)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if ch >= ' ' && ch <= '~' {
				b = append(b, ch)
			} else {
				b = append(b, '\\', 'x', hex[ch>>4], hex[ch&15])
			}
		}
	}
	return append(b, '"')
}

// MONITOR
func monitorCmd(c *conn, args []string) {
	if c.mode == modeMonitor {
		c.w.WriteSimple("OK")
		return
	}
	c.w.WriteSimple("OK")
	c.mode = modeMonitor
	c.flags.Or(flagMonitor)
	if c.push == nil {
		c.push = newPushSink(c)
	}
	// +OK (and earlier replies) go to the sink before the first fed line,
	// and the monitor is registered before the client can read +OK: a
	// command sent after it is always shown, as in Redis.
	c.s.mon.add(c, c.pushReplies)
}

// leaveMonitor ends MONITOR mode (RESET).
func (c *conn) leaveMonitor() {
	if c.mode != modeMonitor {
		return
	}
	c.s.mon.remove(c)
	c.mode = modeNormal
	c.flags.And(^flagMonitor)
}

// stopPush ends pushed output, once neither MONITOR nor a subscription
// needs it, after writing what it queued.
func (c *conn) stopPush() {
	if c.push == nil || c.mode == modeMonitor || c.ps.Load() != nil {
		return
	}
	c.push.stop()
	c.push = nil
}

// pushSink queues output produced by other goroutines for a connection
// and writes it from a goroutine of its own, which the connection owns:
// newPushSink starts it and stop waits for it. Its queue is subject to
// the normal client-output-buffer-limit class.
type pushSink struct {
	c         *conn
	mu        sync.Mutex
	buf       []byte
	softSince time.Time
	wake      chan struct{}
	quit      chan struct{}
	done      chan struct{}
	stopOnce  sync.Once
}

func newPushSink(c *conn) *pushSink {
	p := &pushSink{c: c, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// write queues b, disconnecting the client when the queue exceeds the
// output buffer limits.
func (p *pushSink) write(b []byte) {
	lim := p.c.outLimit()
	p.mu.Lock()
	p.buf = append(p.buf, b...)
	n := int64(len(p.buf))
	over := lim.Hard > 0 && n > lim.Hard
	if lim.Soft > 0 && n > lim.Soft {
		if p.softSince.IsZero() {
			p.softSince = time.Now()
		} else if time.Since(p.softSince) > lim.SoftFor {
			over = true
		}
	} else {
		p.softSince = time.Time{}
	}
	if over {
		p.buf = nil
	}
	p.mu.Unlock()
	if over {
		p.c.s.log.Warn("client closed for overcoming of output buffer limits", "addr", p.c.addr, "id", p.c.id)
		p.c.kill()
		return
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *pushSink) run() {
	defer close(p.done)
	var out []byte
	for {
		quit := false
		select {
		case <-p.quit:
			quit = true // write what is queued, then stop
		case <-p.wake:
		}
		p.mu.Lock()
		out, p.buf = p.buf, out[:0]
		p.mu.Unlock()
		if len(out) > 0 {
			c := p.c
			c.wmu.Lock()
			n, err := c.nc.Write(out)
			c.wmu.Unlock()
			c.netOut.Add(int64(n))
			if err != nil {
				c.kill()
				return
			}
			if cap(out) > maxRetainedReply {
				out = nil
			}
		}
		if quit {
			return
		}
	}
}

// stop ends the writer goroutine, after it wrote what was queued, and waits
// for it. The caller closes the connection first if the writer may be
// blocked on a client that does not read.
func (p *pushSink) stop() {
	p.stopOnce.Do(func() { close(p.quit) })
	<-p.done
}
