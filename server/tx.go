package server

import "github.com/kevy-go/kevy/internal/engine"

// Transactions: the connection's engine.Multi queues commands between MULTI
// and EXEC and runs them at EXEC holding their shards; the server's own
// commands are queued and run through ServerArity and ServerRun.

// isTxCmd reports whether name is a command that Multi handles even
// outside a transaction.
func isTxCmd(name string) bool {
	switch name {
	case "multi", "exec", "discard", "watch", "unwatch":
		return true
	}
	return false
}

// noMulti lists the commands refused inside MULTI ("Command not allowed
// inside a transaction", as Redis refuses its no-multi commands). Redis
// 7.0 still queues (P|S)SUBSCRIBE and MONITOR, and its EXEC reply is then
// malformed (redis/redis#12207, #5720); kevy refuses them, with the
// commands that cannot run while EXEC holds the keyspace's shards.
var noMulti = map[string]bool{
	"subscribe": true, "unsubscribe": true, "psubscribe": true, "punsubscribe": true,
	"ssubscribe": true, "sunsubscribe": true, "monitor": true,
	"save": true, "bgsave": true, "bgrewriteaof": true, "shutdown": true, "debug": true,
}

// execTx runs a transaction command, or queues args in the open
// transaction.
func (c *conn) execTx(args []string, name string) int {
	if c.multi == nil {
		c.multi = c.s.en.NewMulti()
		c.multi.ServerArity = func(name string) (int, bool) {
			if sc := lookupServerCmd(name); sc != nil {
				return sc.arity, true
			}
			return 0, false
		}
		c.multi.ServerRun = func(args []string, _ engine.Writer) {
			if sc := lookupServerCmd(args[0]); sc != nil {
				c.inExec = true // CLIENT LIST shows cmd=exec, as Redis
				sc.run(c, args) // writes to c.w, EXEC's writer
				c.inExec = false
			}
		}
	}
	if c.multi.Active() && noMulti[name] {
		c.reject("ERR Command not allowed inside a transaction")
		return 0
	}
	mark := len(c.w.Buf)
	_, err := c.multi.Handle(args, &c.w)
	if err != nil { // EXEC applied but not durable: say so instead
		c.w.Buf = c.w.Buf[:mark]
		c.w.WriteError(err)
	}
	if c.multi.Active() {
		c.flags.Or(flagMulti)
		c.multiLen.Store(int32(c.multi.Len()))
		if !isTxCmd(name) {
			return 0 // queued: shown when EXEC runs it
		}
	} else {
		c.flags.And(^flagMulti)
		c.multiLen.Store(-1)
	}
	return visMonitor | visSlowlog
}
