// Package kevy is an in-process, Redis-compatible key-value store: Redis's
// strings, hashes, lists, sets and sorted sets, with TTLs, in your program's
// own address space, with no network hop.
//
//	s, err := kevy.Open(nil) // in memory, one shard, background expiry
//	if err != nil { ... }
//	defer s.Close()
//	s.Set("greeting", "hello")
//	v, err := s.Get("greeting")                 // "hello"
//	s.HSet("user:1", "name", "Ada", "lang", "go")
//	r, err := s.Do("ZADD", "board", "10", "ada") // any Redis command
//
// Semantics follow Redis 7.0: reply values, error texts (ErrWrongType is
// "WRONGTYPE Operation against a key holding the wrong kind of value"), and
// edge cases such as negative indexes, collections deleted when emptied, and
// SET clearing a key's TTL. The typed methods, Do and the RESP server all run
// the same implementation of each command.
//
// # Concurrency
//
// Every method of Store is safe for concurrent use. Keys are spread over
// Options.Shards shards by a stable hash that honours Redis {hash tags}; each
// shard has its own lock. Writers take their shard's lock; readers of
// hashes, lists, sets and sorted sets share it; reads of string values (Get,
// GET, MGET, STRLEN, GETRANGE) take no lock at all and write no shared
// memory, so they scale across cores. A command on several keys holds all
// their shards (acquired in ascending order) for its whole duration, so no
// reader sees it half done. With, WithKey and ForEachShard run a function
// while holding a shard, for several operations that must be atomic together.
//
// # Ownership
//
// Keys and values are Go strings, which are immutable: the store keeps the
// strings you pass and hands stored strings back without copying. Slices a
// method returns are the caller's. A Reply from Do is the caller's.
//
// # Expiry
//
// TTLs are stored as absolute deadlines in Unix milliseconds. A key whose
// deadline has passed is never returned; it is deleted by the next write
// that touches it or by active expiry, Redis's cycle that samples keys with
// a TTL about ten times a second (a background goroutine, or Store.Tick with
// ReaperManual). Reads compare deadlines against a clock cached once per
// millisecond in background mode, so a key may outlive its deadline by about
// a millisecond but never expires early. Options.Clock replaces the clock for
// tests.
//
// # Handles
//
// Clone returns another handle to the same keyspace; the keyspace closes
// when its last handle does. Downgrade returns a WeakStore that does not keep
// it open. Calls on a closed handle return ErrClosed.
//
// # Persistence
//
// With Options.Dir, the store keeps a per-shard append-only log and RDB
// snapshots there, and Open loads them (Options.AppendFsync chooses when a
// write is durable). Independently of Dir, WriteRDB and LoadRDB write and
// read one Redis RDB file, the dump.rdb that redis-server loads and saves.
//
// # Caveats
//
//   - Go strings passed to the store must not alias mutable memory (for
//     example via unsafe.String over a reused buffer); the store keeps them.
//   - A With block holds its shard exclusively: do not call Store methods on
//     keys of the same shard from inside it (use the Tx), and do not block in
//     it.
//   - Memory figures (UsedMemory, MemoryUsage) are estimates of heap bytes,
//     modelled on the Go allocator's size classes.
package kevy
