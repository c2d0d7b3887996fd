package server

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/resp"
)

// Server administration: CONFIG, SHUTDOWN, SAVE, BGSAVE, BGREWRITEAOF,
// LASTSAVE and DEBUG. INFO is in info.go.

// CONFIG GET|SET|RESETSTAT merge the server's parameters with the
// engine's; other subcommands are the engine's.
func configCmd(c *conn, args []string) {
	switch {
	case eq(args[1], "get") && len(args) >= 3:
		pairs := c.s.configGet(args[2:])
		c.w.WriteMap(len(pairs) / 2)
		for _, s := range pairs {
			c.w.WriteBulk(s)
		}
	case eq(args[1], "set") && len(args) >= 4 && len(args)%2 == 0:
		if err := c.s.configSet(args[2:]); err != nil {
			c.w.WriteError(err)
			return
		}
		c.w.WriteSimple("OK")
	case eq(args[1], "set") && len(args) >= 4:
		c.w.WriteError(engine.ErrSyntax)
	case eq(args[1], "resetstat") && len(args) == 2:
		c.s.resetStats()
		c.execEngine(args)
	default:
		c.execEngine(args) // HELP, REWRITE, and the engine's arity and subcommand errors
	}
}

// resetStats zeroes the server's INFO counters (CONFIG RESETSTAT).
func (s *Server) resetStats() {
	s.stats.connsReceived.Store(0)
	s.stats.rejected.Store(0)
	s.stats.retiredCmds.Store(0)
	s.stats.retiredIn.Store(0)
	s.stats.retiredOut.Store(0)
	for _, c := range s.snapshotConns() {
		c.cmds.Store(0)
		c.netIn.Store(0)
		c.netOut.Store(0)
	}
	s.stats.mu.Lock()
	s.stats.lastAt = time.Time{}
	s.stats.mu.Unlock()
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]
func shutdownCmd(c *conn, args []string) {
	mode := ShutdownDefault
	force := false
	for _, a := range args[1:] {
		switch {
		case eq(a, "nosave") && mode == ShutdownDefault:
			mode = ShutdownNoSave
		case eq(a, "save") && mode == ShutdownDefault:
			mode = ShutdownSave
		case eq(a, "now"):
		case eq(a, "force"):
			force = true
		case eq(a, "abort") && len(args) == 2:
			c.errText("ERR No shutdown in progress.")
			return
		default:
			c.w.WriteError(engine.ErrSyntax)
			return
		}
	}
	if p := c.s.cfg.Persistence; p != nil {
		if err := p.Shutdown(mode); err != nil {
			c.s.log.Error("error trying to shut down", "err", err)
			if !force {
				c.errText("ERR Errors trying to SHUTDOWN. Check logs.")
				return
			}
		}
	}
	c.s.log.Info("user requested shutdown", "addr", c.addr)
	c.closeAfter = true
	c.s.stopFromCommand()
}

func (c *conn) persistence() Persistence {
	p := c.s.cfg.Persistence
	if p == nil {
		c.w.WriteError(ErrNoPersistence)
	}
	return p
}

func saveCmd(c *conn, _ []string) {
	if p := c.persistence(); p != nil {
		if err := p.Save(); err != nil {
			c.w.WriteError(err)
			return
		}
		c.w.WriteSimple("OK")
	}
}

// BGSAVE [SCHEDULE]
func bgsaveCmd(c *conn, args []string) {
	if len(args) > 2 || (len(args) == 2 && !eq(args[1], "schedule")) {
		c.w.WriteError(engine.ErrSyntax)
		return
	}
	if p := c.persistence(); p != nil {
		if err := p.BackgroundSave(); err != nil {
			c.w.WriteError(err)
			return
		}
		c.w.WriteSimple("Background saving started")
	}
}

func bgrewriteaofCmd(c *conn, _ []string) {
	if p := c.persistence(); p != nil {
		if err := p.RewriteAOF(); err != nil {
			c.w.WriteError(err)
			return
		}
		c.w.WriteSimple("Background append only file rewriting started")
	}
}

func lastsaveCmd(c *conn, _ []string) {
	t := c.s.start
	if p := c.s.cfg.Persistence; p != nil {
		t = p.LastSave()
	}
	c.w.WriteInt(t.Unix())
}

var debugHelp = []string{
	"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"OBJECT <key>",
	"    Show low level info about the key and associated value.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
	"HELP",
	"    Prints this help.",
}

// DEBUG SLEEP|OBJECT|SET-ACTIVE-EXPIRE|HELP: the minimum tools expect.
// SLEEP blocks only the calling connection.
func debugCmd(c *conn, args []string) {
	switch {
	case eq(args[1], "help") && len(args) == 2:
		c.writeHelp(debugHelp)
	case eq(args[1], "sleep") && len(args) == 3:
		secs, err := strconv.ParseFloat(args[2], 64)
		if err != nil || secs < 0 {
			c.w.WriteError(engine.ErrNotFloat)
			return
		}
		t := time.NewTimer(time.Duration(secs * float64(time.Second)))
		select {
		case <-t.C:
		case <-c.s.done:
			t.Stop()
		}
		c.w.WriteSimple("OK")
	case eq(args[1], "set-active-expire") && len(args) == 3:
		c.w.WriteSimple("OK")
	case eq(args[1], "object") && len(args) == 3:
		debugObject(c, args[2])
	default:
		c.errText("ERR unknown subcommand or wrong number of arguments for '" + trunc(args[1], 128) + "'. Try DEBUG HELP.")
	}
}

// debugObject replies DEBUG OBJECT's line, from OBJECT ENCODING, OBJECT
// IDLETIME and DUMP run through the engine.
func debugObject(c *conn, key string) {
	enc := c.s.query("OBJECT", "ENCODING", key)
	if enc.Kind != resp.BulkString {
		c.errText("ERR no such key")
		return
	}
	idle := c.s.query("OBJECT", "IDLETIME", key)
	dump := c.s.query("DUMP", key)
	serLen := max(len(dump.Str)-11, 0) // less the type byte, RDB version and CRC64
	var extra string
	if enc.Str == "quicklist" {
		extra = " ql_nodes:1 ql_avg_node:0.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:0"
	}
	c.w.WriteSimple(fmt.Sprintf("Value at:0x%x refcount:1 encoding:%s serializedlength:%d lru:0 lru_seconds_idle:%d%s",
		0xc000000000+c.s.nextID.Load(), enc.Str, serLen, idle.Int, extra))
}

// query runs a command through the engine and decodes its RESP2 reply;
// for the server's own introspection, not the request path.
func (s *Server) query(args ...string) resp.Value {
	w := engine.RESPWriter{}
	ctx := engine.Ctx{Args: args, W: &w}
	s.en.Exec(&ctx)
	v, err := resp.NewReader(bytes.NewReader(w.Buf)).ReadValue()
	if err != nil {
		return resp.Value{Kind: resp.ErrorReply, Str: err.Error()}
	}
	return v
}
