package server

import (
	"crypto/subtle"
	"strings"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/types"
)

// The commands the server answers itself: connection state (HELLO, AUTH,
// SELECT, QUIT, RESET, CLIENT), and server administration, which lives in
// admin.go. Every other command goes to the engine's command table.

// serverCmd is one command the server implements.
type serverCmd struct {
	name      string      // lowercase
	arity     int         // as Redis: negative means at least -arity
	flags     engine.Flag // as COMMAND reports them
	noAuth    bool        // allowed before AUTH
	noMonitor bool        // not shown to MONITOR (admin or secret arguments)
	noSlowlog bool        // not recorded in the slow log
	run       func(c *conn, args []string)
}

var serverCmds map[string]*serverCmd

func init() {
	serverCmds = map[string]*serverCmd{}
	const (
		conn  = engine.FlagNoScript | engine.FlagLoading | engine.FlagStale
		admin = engine.FlagAdmin | engine.FlagNoScript | engine.FlagLoading | engine.FlagStale
		fast  = engine.FlagFast
	)
	for _, sc := range []*serverCmd{
		{name: "auth", arity: -2, flags: conn | fast, noAuth: true, noMonitor: true, noSlowlog: true, run: authCmd},
		{name: "hello", arity: -1, flags: conn | fast, noAuth: true, noMonitor: true, noSlowlog: true, run: helloCmd},
		{name: "select", arity: 2, flags: engine.FlagLoading | engine.FlagStale | fast, run: selectCmd},
		{name: "quit", arity: -1, flags: conn | fast, noAuth: true, run: quitCmd},
		{name: "reset", arity: 1, flags: conn | fast, noAuth: true, run: resetCmd},
		{name: "client", arity: -2, flags: conn, run: clientCmd},
		{name: "info", arity: -1, run: infoCmd},
		{name: "config", arity: -2, noMonitor: true, run: configCmd},
		{name: "monitor", arity: 1, flags: admin, noMonitor: true, run: monitorCmd},
		{name: "slowlog", arity: -2, flags: admin, noMonitor: true, run: slowlogCmd},
		{name: "debug", arity: -2, flags: admin, noMonitor: true, run: debugCmd},
		{name: "shutdown", arity: -1, flags: admin, noMonitor: true, run: shutdownCmd},
		{name: "save", arity: 1, flags: admin, noMonitor: true, run: saveCmd},
		{name: "bgsave", arity: -1, flags: admin, noMonitor: true, run: bgsaveCmd},
		{name: "bgrewriteaof", arity: 1, flags: admin, noMonitor: true, run: bgrewriteaofCmd},
		{name: "lastsave", arity: 1, flags: engine.FlagLoading | engine.FlagStale | fast, run: lastsaveCmd},
		{name: "role", arity: 1, flags: conn | fast, run: roleCmd},
	} {
		serverCmds[sc.name] = sc
		// COMMAND reports these beside the engine's (info and config are
		// the engine's, wrapped).
		engine.Describe(&engine.Command{Name: sc.name, Arity: sc.arity, Flags: sc.flags})
	}
}

// lookupServerCmd finds a server command by name, case-insensitively,
// without allocating.
func lookupServerCmd(name string) *serverCmd {
	var b [16]byte
	if len(name) > len(b) {
		return nil
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b[i] = ch
	}
	return serverCmds[string(b[:len(name)])]
}

// eq compares ignoring ASCII case, as Redis compares option names.
func eq(a, b string) bool { return types.EqualFold(a, b) }

// unknownCommand is Redis's reply to a command it does not know (the
// engine's text, built the same way).
func unknownCommand(args []string) string {
	var list strings.Builder
	for _, a := range args[1:] {
		if list.Len() >= 128 {
			break
		}
		list.WriteString("'")
		list.WriteString(trunc(a, max(128-list.Len(), 0)))
		list.WriteString("' ")
	}
	msg := "ERR unknown command '" + trunc(args[0], 128) + "', with args beginning with: " + list.String()
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, msg)
}

const (
	wrongPass = "WRONGPASS invalid username-password pair or user is disabled."
	noAuthMsg = "NOAUTH Authentication required."
)

// checkAuth reports whether user and pass authenticate the default user
// (the only user: ACLs are not implemented).
func (c *conn) checkAuth(user, pass string) bool {
	if user != "default" {
		return false
	}
	want := c.s.p.password()
	if want == "" {
		return true // the default user is "nopass"
	}
	return subtle.ConstantTimeCompare([]byte(pass), []byte(want)) == 1
}

// AUTH [username] password
func authCmd(c *conn, args []string) {
	if len(args) > 3 {
		c.w.WriteError(engine.ErrSyntax)
		return
	}
	user, pass := "default", args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	} else if c.s.p.password() == "" {
		c.errText("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		return
	}
	if !c.checkAuth(user, pass) {
		c.errText(wrongPass)
		return
	}
	c.authed = true
	c.w.WriteSimple("OK")
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func helloCmd(c *conn, args []string) {
	ver := int64(0)
	i := 1
	if len(args) >= 2 {
		v, ok := engine.ParseInt(args[1])
		if !ok {
			c.errText("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.errText("NOPROTO unsupported protocol version")
			return
		}
		ver, i = v, 2
	}
	var user, pass, name string
	var hasAuth, hasName bool
	for ; i < len(args); i++ {
		more := len(args) - i - 1
		switch {
		case eq(args[i], "auth") && more >= 2:
			user, pass, hasAuth = args[i+1], args[i+2], true
			i += 2
		case eq(args[i], "setname") && more >= 1:
			name, hasName = args[i+1], true
			i++
		default:
			c.errText("ERR Syntax error in HELLO option '" + args[i] + "'")
			return
		}
	}
	if hasAuth {
		if !c.checkAuth(user, pass) {
			c.errText(wrongPass)
			return
		}
		c.authed = true
	}
	if !c.authed && c.s.p.password() != "" {
		c.errText("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if hasName && !c.setName(name) {
		return
	}
	if ver != 0 {
		c.w.RESP3 = ver == 3
		c.resp3.Store(ver == 3)
	}
	proto := int64(2)
	if c.w.RESP3 {
		proto = 3
	}
	w := &c.w
	w.WriteMap(7)
	w.WriteBulk("server")
	w.WriteBulk("redis")
	w.WriteBulk("version")
	w.WriteBulk(redisVersion)
	w.WriteBulk("proto")
	w.WriteInt(proto)
	w.WriteBulk("id")
	w.WriteInt(c.id)
	w.WriteBulk("mode")
	w.WriteBulk("standalone")
	w.WriteBulk("role")
	w.WriteBulk("master")
	w.WriteBulk("modules")
	w.WriteArray(0)
}

// redisVersion is the Redis version kevy answers as.
const redisVersion = "7.0.15"

// SELECT index: only database 0 exists.
func selectCmd(c *conn, args []string) {
	n, ok := engine.ParseInt(args[1])
	switch {
	case !ok || n != int64(int32(n)):
		c.w.WriteError(engine.ErrNotInteger)
	case n != 0:
		c.errText("ERR DB index is out of range")
	default:
		c.w.WriteSimple("OK")
	}
}

func quitCmd(c *conn, args []string) {
	c.w.WriteSimple("OK")
	c.closeAfter = true
}

// RESET returns the connection to its initial state.
func resetCmd(c *conn, args []string) {
	if c.multi != nil {
		c.multi.Close()
		c.multiLen.Store(-1)
		c.flags.And(^flagMulti)
	}
	c.unsubscribeAll()
	c.leaveMonitor()
	c.stopPush()
	c.w.RESP3 = false
	c.resp3.Store(false)
	c.name.Store(nil)
	c.authed = c.s.p.password() == ""
	c.replyOff, c.skipCurrent, c.skipNext = false, false, false
	c.flags.And(^flagNoEvict)
	c.mode = modeNormal
	c.w.WriteSimple("RESET")
}

// ROLE: kevy is always a master without replicas.
func roleCmd(c *conn, args []string) {
	c.w.WriteArray(3)
	c.w.WriteBulk("master")
	c.w.WriteInt(0)
	c.w.WriteArray(0)
}
