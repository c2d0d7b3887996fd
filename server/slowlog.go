package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// SLOWLOG: commands whose execution took at least slowlog-log-slower-than
// microseconds, newest first, at most slowlog-max-len of them.

// Redis's bounds on what a slow log entry keeps of a command.
const (
	slowlogMaxArgc   = 32
	slowlogMaxArgLen = 128
)

type slowEntry struct {
	id       int64
	at       int64 // Unix seconds
	duration int64 // microseconds
	args     []string
	peer     string
	name     string
}

type slowlog struct {
	mu      sync.Mutex
	entries []slowEntry // oldest first
	nextID  int64
}

// add records a command, copying the parts of its arguments it keeps.
func (l *slowlog) add(c *conn, args []string, start time.Time, d time.Duration) {
	n := min(len(args), slowlogMaxArgc)
	kept := make([]string, n)
	for i := range n {
		a := args[i]
		switch {
		case i == slowlogMaxArgc-1 && len(args) > slowlogMaxArgc:
			a = "... (" + strconv.Itoa(len(args)-slowlogMaxArgc+1) + " more arguments)"
		case len(a) > slowlogMaxArgLen:
			a = a[:slowlogMaxArgLen] + "... (" + strconv.Itoa(len(a)-slowlogMaxArgLen) + " more bytes)"
		default:
			a = string([]byte(a)) // do not retain the request buffer
		}
		kept[i] = a
	}
	maxLen := int(c.s.p.slowMaxLen.Load())
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, slowEntry{id: l.nextID, at: start.Unix(), duration: d.Microseconds(),
		args: kept, peer: c.addr, name: c.getName()})
	l.nextID++
	l.trimLocked(maxLen)
}

func (l *slowlog) trim(n int) {
	l.mu.Lock()
	l.trimLocked(n)
	l.mu.Unlock()
}

func (l *slowlog) trimLocked(n int) {
	if over := len(l.entries) - n; over > 0 {
		l.entries = append(l.entries[:0], l.entries[over:]...)
	}
}

var slowlogHelp = []string{
	"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET [<count>]",
	"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
	"    Entries are made of:",
	"    id, timestamp, time in microseconds, arguments array, client IP and port,",
	"    client name",
	"LEN",
	"    Return the length of the slowlog.",
	"RESET",
	"    Reset the slowlog.",
	"HELP",
	"    Prints this help.",
}

func slowlogCmd(c *conn, args []string) {
	l := &c.s.slow
	switch {
	case len(args) == 2 && eq(args[1], "help"):
		c.writeHelp(slowlogHelp)
	case len(args) == 2 && eq(args[1], "reset"):
		l.mu.Lock()
		l.entries = nil
		l.mu.Unlock()
		c.w.WriteSimple("OK")
	case len(args) == 2 && eq(args[1], "len"):
		l.mu.Lock()
		n := len(l.entries)
		l.mu.Unlock()
		c.w.WriteInt(int64(n))
	case (len(args) == 2 || len(args) == 3) && eq(args[1], "get"):
		count := int64(10)
		if len(args) == 3 {
			n, ok := engine.ParseInt(args[2])
			if !ok || n < -1 {
				c.errText("ERR count should be greater than or equal to -1")
				return
			}
			count = n
		}
		l.mu.Lock()
		es := l.entries
		if count >= 0 && int64(len(es)) > count {
			es = es[int64(len(es))-count:]
		}
		es = append([]slowEntry(nil), es...)
		l.mu.Unlock()
		c.w.WriteArray(len(es))
		for i := len(es) - 1; i >= 0; i-- {
			e := &es[i]
			c.w.WriteArray(6)
			c.w.WriteInt(e.id)
			c.w.WriteInt(e.at)
			c.w.WriteInt(e.duration)
			c.w.WriteArray(len(e.args))
			for _, a := range e.args {
				c.w.WriteBulk(a)
			}
			c.w.WriteBulk(e.peer)
			c.w.WriteBulk(e.name)
		}
	case eq(args[1], "get"), eq(args[1], "len"), eq(args[1], "reset"), eq(args[1], "help"):
		c.w.WriteError(engine.ArityError("slowlog|" + lower(args[1])))
	default:
		c.errText("ERR unknown subcommand '" + trunc(args[1], 128) + "'. Try SLOWLOG HELP.")
	}
}
