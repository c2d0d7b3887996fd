// Package persist makes an engine durable: an append-only log (AOF) of
// every write, point-in-time snapshots in Redis's RDB format, and the
// loading of both on Open.
//
// # Files
//
// In the directory, per shard i: dump-{i}.rdb (the snapshot), aof-{i}.aof
// (the log; with one shard Config.AOFFilename may rename it) and, while a
// snapshot or rewrite is under way or after one failed, newer logs
// aof-{i}.aof.next.{gen}. kevy.manifest records the format version and
// the shard count (and, with one shard, the log's name); LOCK is the
// owner lock (a POSIX record lock plus a process-wide table on Unix, an
// exclusively created file elsewhere). Files are created 0600, the directory 0700. Every file that
// replaces another is written to a temporary name, fsynced, renamed, and
// the directory fsynced. Temporary files (*.tmp) are ignored and deleted
// by Open. A shard's log records FLUSHALL for that shard only, and Open
// replays it so.
//
// The logs are plain RESP, each command an effect with absolute times (the
// engine journals SET ... PXAT, PEXPIREAT, SREM of what SPOP popped, DEL
// of evicted keys...), so redis-check-aof accepts them and replaying them
// later yields the same state. The snapshots are RDB version 10 files
// Redis 7.0 loads, with the CRC64 trailer.
//
// # Generations
//
// Each shard's history is cut into generations 0, 1, 2... Every log
// starts with a header record, PING "kevy-aof gen=<g> base=<0|1>
// shard=<i>" (a real, harmless command): the log holds the writes of
// generation g, preceded, if base=1, by a base — the shard's contents at
// the start of generation g written as commands (a rewrite). A snapshot
// carries the auxiliary fields kevy-gen=<g>, kevy-shard=<i> and
// kevy-shards=<n>: it holds exactly the writes of the generations before
// g. A log without a header (a plain log from elsewhere) counts as a
// base=1 log of generation 0, a snapshot without kevy-gen as generation 0.
//
// A generation starts at an instant P chosen under the shard lock, the
// same lock every writer holds while it applies a write and appends its
// effect to the shard's journal, so P splits the shard's writes into
// before and after. SaveSnapshot and RewriteAOF for shard i:
//
//  1. Create aof-{i}.aof.next.{g+1} holding its header, durably.
//  2. Hold off the flusher. Under the shard lock: take the journal's bytes
//     (the last writes of generation g) and begin the engine's snapshot:
//     this is P. Write those bytes to the generation g log and fsync it;
//     only then may the flusher append the writes after P to the new log.
//     (If that write fails the switch is undone; nothing was written to
//     generation g+1.)
//  3. SaveSnapshot: write the snapshot of P with kevy-gen=g+1 to
//     dump-{i}.rdb.tmp, fsync, rename to dump-{i}.rdb, fsync the directory.
//     RewriteAOF: write the snapshot of P as commands (SET/APPEND, RPUSH,
//     SADD, HSET, ZADD in batches, PEXPIREAT) after a header gen=g+1 base=1
//     to a temporary file, copy the generation g+1 log's records after it
//     (the last bytes with the flusher held off), fsync.
//  4. SaveSnapshot: rename the g+1 log to aof-{i}.aof. RewriteAOF: rename
//     the rewritten file over aof-{i}.aof; the flusher appends to it from
//     then on. Fsync the directory; delete the logs of generations ≤ g+1
//     other than aof-{i}.aof.
//
// If step 3 or 4 fails (a full disk), the shard simply stays split across
// generations: the flusher keeps appending to the newest log, Open loads
// the chain, and the next SaveSnapshot or RewriteAOF starts a further
// generation and, once it succeeds, deletes all the older logs.
//
// Open, per shard, takes the newest base — the snapshot of generation r,
// or a base=1 log of generation b ≥ r — then replays, in generation order,
// the logs of the following generations: from r for a snapshot, the
// base=1 log whole and then those after b for a log base. A base=0 log of
// the same generation as a base=1 log was copied into it in step 3, and
// logs older than the base are covered by it: both are ignored and
// deleted. A generation missing from the sequence is an error, never a
// silent gap.
//
// # Why a crash loses nothing acknowledged and applies nothing twice
//
// Write the shard's acknowledged history as W = W_0 W_1 ... W_g W_{g+1}
// (W_k the writes of generation k, in order). The files on disk always
// satisfy: (a) a snapshot of generation r holds exactly W_0..W_{r-1}; a
// base=1 log of generation b holds exactly W_0..W_{b-1} followed by a
// prefix of W_b; a base=0 log of generation k holds a prefix of W_k; (b)
// a log of generation k holds all of W_k before any byte of W_{k+1} is
// written anywhere (step 2 writes and fsyncs the end of generation k
// before the flusher touches k+1); (c) the newest base and the logs of
// the generations after it are never deleted or replaced before a newer
// base covering them is durable (renames happen after the fsyncs of
// steps 3 and 4, deletions after the directory fsync).
//
// A crash at any instant leaves: before step 1 completes, the old files
// (the new log is created under a temporary name); between 1 and 3, the
// old base, the generation g log and the (possibly empty) g+1 log, which
// Open replays in order — by (b) the result is a prefix of W; after the
// snapshot's rename, the snapshot of g+1 and the g+1 log (the g log is
// older than the base and ignored); after the rewrite's rename, the
// base=1 log of g+1, which holds everything the g+1 log held and more
// (that log is ignored). In every case Open reads each write of a prefix
// of W exactly once: by (a) the base holds whole generations (or, for a
// base=1 log, is followed in the same file by its own generation), so no
// write is in both the base and a replayed log, and by (b) and (c) no
// write before the end of the prefix is missing. Within a log, a crash
// may tear the last record: Open cuts it off (keeping the bytes in a
// .torn-<unixnano> side file) — it was not acknowledged under FsyncAlways,
// whose writers return only after the fsync covering their record. Each
// shard's history is a prefix of its own writes; a write spanning shards
// (SMOVE, RENAME across shards) is journaled in each and is atomic across
// them only once acknowledged.
//
// # Transactions
//
// A transaction (MULTI/EXEC, Tx, a batch) writes its effects to each
// shard's log between a MULTI record and an EXEC record; Open applies a
// shard's part only once its EXEC is read, and cuts off one left open at
// the end of a log like a torn record. A transaction over several shards
// has an id in its MULTI record (MULTI <id> <shards>): increasing, and
// assigned with every involved shard held, so each shard's transactions are
// in id order. A shard's snapshot or rewritten log records the id of the
// newest such transaction it holds (kevy-tx in the RDB, tx= in the header).
// Open plans every shard first and reads the markers of all their logs; a
// transaction committed only if, on every shard it wrote to, its part is
// complete in the log or its id is at most that shard's base mark (the part
// was folded into the base). One that did not commit — a crash between the
// shards' writes — is skipped on every shard, and the shards that held a
// part of it get a new base at once, so a later Open cannot replay it.
// Folding a transaction into a base must not run ahead of its other parts:
// a snapshot begins under its shard's lock, so every transaction it folds
// in has appended its records to all its shards already; before the new
// base is written, the other shards' logs are flushed and fsynced, so a
// base never holds a transaction whose part on another shard a crash could
// still lose. A kill mid-transaction therefore leaves the transaction
// wholly present or wholly absent (TestTxKill). What this does not undo: a
// later write to one of the shards that was acknowledged (its own fsync
// done) while the transaction still waited for another shard's fsync stays,
// without the transaction.
//
// # Fsync policies and errors
//
// One flusher goroutine per shard drains the shard's journal: under
// SyncAlways it writes and fsyncs whatever accumulated, then wakes the
// waiting writers, so concurrent writers share fsyncs (group commit); under
// SyncEverySec it writes when 1 MiB accumulated and fsyncs about once a
// second; under SyncNo it only writes. With Config.ManualTick (everysec
// and no) there is no goroutine: Tick does the same. A failed write or
// fsync is reported to the journal: SyncAlways writers get an error (not
// acknowledged), and every write is refused with Redis's MISCONF error
// until a later write (write failures) or fsync (fsync failures) succeeds;
// the flusher retries each second.
//
// # Re-sharding
//
// When the manifest's shard count differs from the configured one, Open
// loads the old layout into a scratch engine, moves every key to its new
// shard (engine.ShardIndex), writes each new shard's snapshot and an
// empty log of a generation above all old ones as *.reshard files,
// fsyncs, and commits by rewriting the manifest with a pending-reshard
// line naming the old layout; it then renames the *.reshard files into
// place, deletes the old layout's other files and rewrites the manifest
// without the line. An Open after a crash before the commit deletes the
// *.reshard files and starts over; after it, it finishes the renames.
//
// # Loading mode
//
// A log is replayed later than it was written, so a key whose TTL passed
// in between must not count as expired during the replay (a later write to
// it would otherwise recreate it without its TTL). Open therefore turns on
// the engine's loading mode, (*engine.Engine).SetLoading, if the engine
// has it, as Redis ignores expiry while loading.
package persist
