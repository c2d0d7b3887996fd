package engine

import "testing"

// BenchmarkExec runs the commands of redis-benchmark's default tests
// through Exec with a RESP writer, as the server does: the engine's share
// of a request's cost, without the network.
func BenchmarkExec(b *testing.B) {
	benchExec(b, func(en *Engine, c *Ctx, _ *Batch, _ *Command) { en.Exec(c) })
}

// BenchmarkExecBatched is BenchmarkExec through a Batch, as the server
// runs a connection's pipelined requests.
func BenchmarkExecBatched(b *testing.B) {
	benchExec(b, func(en *Engine, c *Ctx, batch *Batch, cmd *Command) { en.ExecBatched(batch, c, cmd) })
}

func benchExec(b *testing.B, exec func(en *Engine, c *Ctx, batch *Batch, cmd *Command)) {
	for _, args := range benchCommands {
		b.Run(args[0], func(b *testing.B) {
			en := New(Config{Shards: 1})
			defer en.Close()
			en.Exec(&Ctx{Args: []string{"set", "key:__rand_int__", "xxx"}, W: &RESPWriter{}})
			var w RESPWriter
			var c Ctx // reused, as the server's connection reuses its own
			var batch Batch
			cmd := Lookup(args[0])
			b.ReportAllocs()
			for b.Loop() {
				w.Buf = w.Buf[:0]
				c = Ctx{Args: args, W: &w}
				exec(en, &c, &batch, cmd)
			}
			batch.Release()
		})
	}
}

// benchCommands are the commands of redis-benchmark's default tests.
var benchCommands = [][]string{
	{"set", "key:__rand_int__", "xxx"},
	{"get", "key:__rand_int__"},
	{"incr", "counter:__rand_int__"},
	{"lpush", "mylist", "xxx"},
	{"rpop", "mylist"},
	{"sadd", "myset", "element:__rand_int__"},
	{"hset", "myhash", "element:__rand_int__", "xxx"},
	{"zadd", "myzset", "0", "element:__rand_int__"},
}
