package server

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// CLIENT and its subcommands.

type clientSub struct {
	name  string // "client|list", as CLIENT LIST's cmd= field shows it
	arity int
	run   func(c *conn, args []string)
}

// adminClientSubs are Redis's admin CLIENT subcommands, which MONITOR
// does not show.
var adminClientSubs = map[string]bool{"client|list": true, "client|kill": true, "client|no-evict": true,
	"client|pause": true, "client|unpause": true, "client|unblock": true}

var clientSubs []clientSub

func init() {
	clientSubs = []clientSub{
		{"client|id", 2, func(c *conn, _ []string) { c.w.WriteInt(c.id) }},
		{"client|info", 2, func(c *conn, _ []string) { c.w.WriteBulk(c.infoLine()) }},
		{"client|list", -2, clientList},
		{"client|getname", 2, clientGetName},
		{"client|setname", 3, func(c *conn, a []string) {
			if c.setName(a[2]) {
				c.w.WriteSimple("OK")
			}
		}},
		{"client|kill", -3, clientKill},
		{"client|reply", 3, clientReply},
		{"client|no-evict", 3, clientNoEvict},
		{"client|tracking", -3, clientTracking},
		{"client|caching", 3, func(c *conn, _ []string) {
			c.errText("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		}},
		{"client|getredir", 2, func(c *conn, _ []string) { c.w.WriteInt(-1) }},
		{"client|trackinginfo", 2, clientTrackingInfo},
		{"client|unblock", -3, clientUnblock},
		{"client|pause", -3, func(c *conn, _ []string) {
			c.errText("ERR CLIENT PAUSE is not supported by this server")
		}},
		{"client|unpause", 2, func(c *conn, _ []string) { c.w.WriteSimple("OK") }},
		{"client|help", 2, func(c *conn, _ []string) { c.writeHelp(clientHelp) }},
	}
}

var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"    * ID <client-id>",
	"      Kill connections by client id.",
	"    * MAXAGE <maxage>",
	"      Kill connections older than the specified age.",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"HELP",
	"    Prints this help.",
}

// writeHelp replies a HELP text as status lines, as Redis's addReplyHelp.
func (c *conn) writeHelp(lines []string) {
	c.w.WriteArray(len(lines))
	for _, l := range lines {
		c.w.WriteSimple(l)
	}
}

func clientCmd(c *conn, args []string) {
	for i := range clientSubs {
		sub := &clientSubs[i]
		if !eq(sub.name[len("client|"):], args[1]) {
			continue
		}
		if !c.inExec {
			c.lastCmd.Store(&sub.name)
		}
		c.hideCmd = adminClientSubs[sub.name]
		if !engine.ArityOK(sub.arity, len(args)) {
			c.w.WriteError(engine.ArityError(sub.name))
			return
		}
		sub.run(c, args)
		return
	}
	c.errText("ERR unknown subcommand '" + trunc(args[1], 128) + "'. Try CLIENT HELP.")
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// setName validates and sets the client name, replying the error if it
// is invalid. An empty name clears it.
func (c *conn) setName(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			c.errText("ERR Client names cannot contain spaces, newlines or special characters.")
			return false
		}
	}
	if name == "" {
		c.name.Store(nil)
	} else {
		c.name.Store(&name)
	}
	return true
}

func (c *conn) getName() string {
	if p := c.name.Load(); p != nil {
		return *p
	}
	return ""
}

func clientGetName(c *conn, _ []string) {
	if p := c.name.Load(); p != nil {
		c.w.WriteBulk(*p)
		return
	}
	c.w.WriteNull()
}

// infoLine is the client's CLIENT LIST / CLIENT INFO line, with Redis
// 7.0's fields. Buffer sizes kevy does not track are reported as 0.
func (c *conn) infoLine() string {
	now := time.Now()
	flags := ""
	f := c.flags.Load()
	if f&flagMonitor != 0 {
		flags += "O"
	}
	if f&flagPubSub != 0 {
		flags += "P"
	}
	if f&flagMulti != 0 {
		flags += "x"
	}
	if f&flagBlocked != 0 {
		flags += "b"
	}
	if f&flagCloseASAP != 0 {
		flags += "A"
	}
	if c.unix {
		flags += "U"
	}
	if f&flagNoEvict != 0 {
		flags += "e"
	}
	if flags == "" {
		flags = "N"
	}
	cmd := "NULL"
	if p := c.lastCmd.Load(); p != nil {
		cmd = *p
	}
	proto := 2
	if c.resp3.Load() {
		proto = 3
	}
	age := int64(now.Sub(c.created) / time.Second)
	idle := int64(now.Sub(time.Unix(0, c.lastActive.Load())) / time.Second)
	var b strings.Builder
	b.Grow(256)
	b.WriteString("id=")
	b.WriteString(strconv.FormatInt(c.id, 10))
	b.WriteString(" addr=" + c.addr + " laddr=" + c.laddr + " fd=-1 name=" + c.getName())
	b.WriteString(" age=" + strconv.FormatInt(age, 10) + " idle=" + strconv.FormatInt(max(idle, 0), 10))
	chans, pats, shard := c.counts()
	b.WriteString(" flags=" + flags + " db=0 sub=" + strconv.Itoa(chans) + " psub=" + strconv.Itoa(pats))
	b.WriteString(" ssub=" + strconv.Itoa(shard) + " multi=" + strconv.Itoa(int(c.multiLen.Load())))
	b.WriteString(" qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0")
	b.WriteString(" rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=" + cmd + " user=default redir=-1")
	b.WriteString(" resp=" + strconv.Itoa(proto))
	return b.String()
}

// clientType is the connection's class for CLIENT LIST/KILL TYPE.
func (c *conn) clientType() string {
	if c.subscribed() {
		return "pubsub"
	}
	return "normal"
}

func parseClientType(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "normal":
		return "normal", true
	case "master":
		return "master", true
	case "replica", "slave":
		return "replica", true
	case "pubsub":
		return "pubsub", true
	}
	return "", false
}

// CLIENT LIST [TYPE type] [ID id [id ...]]
func clientList(c *conn, args []string) {
	conns := c.s.snapshotConns()
	switch {
	case len(args) == 2:
	case len(args) == 4 && eq(args[2], "type"):
		t, ok := parseClientType(args[3])
		if !ok {
			c.errText("ERR Unknown client type '" + args[3] + "'")
			return
		}
		conns = slices.DeleteFunc(conns, func(o *conn) bool { return o.clientType() != t })
	case len(args) > 3 && eq(args[2], "id"):
		var ids []int64
		for _, a := range args[3:] {
			id, ok := engine.ParseInt(a)
			if !ok || id <= 0 {
				c.errText("ERR Invalid client ID")
				return
			}
			ids = append(ids, id)
		}
		conns = slices.DeleteFunc(conns, func(o *conn) bool { return !slices.Contains(ids, o.id) })
	default:
		c.w.WriteError(engine.ErrSyntax)
		return
	}
	slices.SortFunc(conns, func(a, b *conn) int { return int(a.id - b.id) })
	var b strings.Builder
	for _, o := range conns {
		b.WriteString(o.infoLine())
		b.WriteByte('\n')
	}
	c.w.WriteBulk(b.String())
}

// CLIENT KILL ip:port | CLIENT KILL <filter> <value> ...
func clientKill(c *conn, args []string) {
	type filter struct {
		id          int64
		typ         string
		addr, laddr string
		user        string
		maxAge      int64
		skipMe      bool
	}
	f := filter{skipMe: true}
	old := len(args) == 3
	if old {
		f.addr, f.skipMe = args[2], false
	} else {
		if len(args)%2 != 0 {
			c.w.WriteError(engine.ErrSyntax)
			return
		}
		for i := 2; i < len(args); i += 2 {
			v := args[i+1]
			switch strings.ToLower(args[i]) {
			case "id":
				id, ok := engine.ParseInt(v)
				if !ok || id < 1 {
					c.errText("ERR client-id should be greater than 0")
					return
				}
				f.id = id
			case "type":
				t, ok := parseClientType(v)
				if !ok {
					c.errText("ERR Unknown client type '" + v + "'")
					return
				}
				f.typ = t
			case "addr":
				f.addr = v
			case "laddr":
				f.laddr = v
			case "user":
				if v != "default" {
					c.errText("ERR No such user '" + v + "'")
					return
				}
				f.user = v
			case "skipme":
				switch strings.ToLower(v) {
				case "yes":
					f.skipMe = true
				case "no":
					f.skipMe = false
				default:
					c.w.WriteError(engine.ErrSyntax)
					return
				}
			case "maxage":
				n, ok := engine.ParseInt(v)
				if !ok {
					c.w.WriteError(engine.ErrNotInteger)
					return
				}
				f.maxAge = n
			default:
				c.w.WriteError(engine.ErrSyntax)
				return
			}
		}
	}
	killed := 0
	now := time.Now()
	for _, o := range c.s.snapshotConns() {
		switch {
		case f.id != 0 && o.id != f.id,
			f.typ != "" && o.clientType() != f.typ,
			f.addr != "" && o.addr != f.addr,
			f.laddr != "" && o.laddr != f.laddr,
			f.maxAge != 0 && int64(now.Sub(o.created)/time.Second) < f.maxAge,
			f.skipMe && o == c:
			continue
		}
		killed++
		if o == c {
			c.closeAfter = true
			c.flags.Or(flagCloseASAP)
		} else {
			o.kill()
		}
	}
	if old {
		if killed == 0 {
			c.errText("ERR No such client")
		} else {
			c.w.WriteSimple("OK")
		}
		return
	}
	c.w.WriteInt(int64(killed))
}

// CLIENT REPLY ON|OFF|SKIP
func clientReply(c *conn, args []string) {
	switch strings.ToLower(args[2]) {
	case "on":
		c.replyOff, c.skipCurrent, c.skipNext = false, false, false
		c.w.WriteSimple("OK")
	case "off":
		c.replyOff = true
	case "skip":
		if !c.replyOff {
			c.skipNext = true
		}
	default:
		c.w.WriteError(engine.ErrSyntax)
	}
}

// CLIENT NO-EVICT ON|OFF: kept as a flag (eviction of clients is not
// implemented).
func clientNoEvict(c *conn, args []string) {
	switch strings.ToLower(args[2]) {
	case "on":
		c.flags.Or(flagNoEvict)
	case "off":
		c.flags.And(^flagNoEvict)
	default:
		c.w.WriteError(engine.ErrSyntax)
		return
	}
	c.w.WriteSimple("OK")
}

// CLIENT TRACKING: client-side caching is not implemented; turning it off
// is accepted.
func clientTracking(c *conn, args []string) {
	switch strings.ToLower(args[2]) {
	case "off":
		c.w.WriteSimple("OK")
	case "on":
		c.errText("ERR CLIENT TRACKING is not supported by this server")
	default:
		c.w.WriteError(engine.ErrSyntax)
	}
}

func clientTrackingInfo(c *conn, _ []string) {
	c.w.WriteMap(3)
	c.w.WriteBulk("flags")
	c.w.WriteSet(1)
	c.w.WriteBulk("off")
	c.w.WriteBulk("redirect")
	c.w.WriteInt(-1)
	c.w.WriteBulk("prefixes")
	c.w.WriteArray(0)
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: no client blocks yet, so none is
// unblocked.
func clientUnblock(c *conn, args []string) {
	if len(args) > 4 || (len(args) == 4 && !eq(args[3], "timeout") && !eq(args[3], "error")) {
		c.errText("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		return
	}
	id, ok := engine.ParseInt(args[2])
	if !ok {
		c.w.WriteError(engine.ErrNotInteger)
		return
	}
	for _, o := range c.s.snapshotConns() {
		if o.id == id && o.unblock(len(args) == 4 && eq(args[3], "error")) {
			c.w.WriteInt(1)
			return
		}
	}
	c.w.WriteInt(0)
}
