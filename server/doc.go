// Package server serves a *kevy.Store over the Redis protocol (RESP2 and
// RESP3), so that redis-cli, redis-benchmark and any Redis client library
// can use it, while the program that owns the store keeps calling it
// in-process.
//
// A Server is shaped like net/http.Server:
//
//	st, _ := kevy.Open(nil)
//	srv := server.New(st, server.Config{Addrs: []string{"127.0.0.1:6379"}})
//	go srv.ListenAndServe()       // or srv.Serve(listener)
//	...
//	srv.Shutdown(ctx)             // stop accepting, finish batches, close
//
// On Linux, connections are served by event loops (Config.IOThreads, one by
// default, as redis-server's io-threads): a loop is one goroutine that
// waits on all its connections with one epoll call, as Redis's main thread
// does, makes one read on each connection with input and executes every
// request it holds (pipelining) against the store's engine, and then, as
// Redis before it sleeps, writes each connection's replies with one write.
// The loop keeps its OS thread. A connection moves to a goroutine of its
// own, which serves it the same way with blocking reads and writes, when it
// has to wait (blocking commands, SUBSCRIBE, MONITOR, DEBUG SLEEP), when it
// does not take its replies as fast as they come, and while the store
// fsyncs every write (so that concurrent writers share fsyncs); on other
// systems, and with IOThreads < 0, every connection has one from the start.
// After a round that had input, a loop keeps looking for more for
// Config.IOPoll (24 µs) in naps of 3 µs before it sleeps, so that a client
// answering at once finds it awake instead of having to wake it.
// The loop costs nothing per idle client, and spares the read that finds
// the socket empty and the park and wake-up of a goroutine per batch (a
// quarter of redis-benchmark -P 16 throughput here). Commands of different
// loops run in parallel on the store. Within a connection's pipeline, the
// shard a write locked stays locked for the single-key commands of that
// shard after it (up to 64), and is released before the connection waits
// for anything: reading or writing its socket, a blocking, transaction or
// server command. The hottest commands (reads, counters, list pushes and
// pops, SADD, SREM) run on views of the read buffer instead of a copy of
// each request; the store copies what it keeps of them.
//
// Inline commands (telnet, nc) work as in Redis. Connection commands
// (HELLO, AUTH, SELECT, CLIENT, QUIT, RESET), server commands (INFO, CONFIG, SLOWLOG, MONITOR,
// DEBUG, SHUTDOWN, SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE) are answered here;
// every other command runs through the same command table as Store.Do.
//
// Connection modes follow Redis: (P|S)SUBSCRIBE puts a connection in
// subscribed mode (RESP2: only the subscribe commands, PING, QUIT and
// RESET; RESP3: any command, messages arrive as pushes), with messages and
// replies written in order; MULTI queues commands until EXEC runs them
// atomically, holding their shards (WATCH aborts EXEC when a watched key
// changed); blocking commands (BLPOP...) wait in the connection, which
// keeps reading so that a client that hangs up is never served a popped
// element. Deliberate differences: (P|S)SUBSCRIBE, MONITOR, SAVE, BGSAVE,
// BGREWRITEAOF, SHUTDOWN and DEBUG are refused inside MULTI ("Command not
// allowed inside a transaction"), where Redis 7.0 queues them and, for the
// subscribe commands, replies a malformed EXEC array.
//
// The limits Redis enforces to survive abusive clients are enforced with
// Redis's texts: proto-max-bulk-len, the unauthenticated request limits,
// client-query-buffer-limit, client-output-buffer-limit, maxclients and the
// idle timeout. An offending client is disconnected; others are unaffected.
//
// Persistence commands call the Persistence interface given in Config; with
// none they reply an error.
package server
