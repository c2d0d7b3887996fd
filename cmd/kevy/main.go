// Command kevy is a Redis-compatible server backed by the kevy store. Its
// command line is redis-server's:
//
//	kevy [/path/to/redis.conf] [--option value ...]
//	kevy check-aof [--fix] FILE
//	kevy check-rdb FILE
//
// Options use redis-server's names and defaults (port 6379, bind
// 127.0.0.1 -::1, protected mode on); --shards N spreads keys over N lock
// domains; --io-threads N serves connections from N event loops (default 1,
// as redis-server), --io-poll-us N has a loop look for input N µs more
// after a busy round before it sleeps (default 24, 0 off) and --io-loop no
// gives each connection a goroutine
// instead. SIGINT and SIGTERM shut the server down cleanly (exit 0), as does
// the SHUTDOWN command.
//
// Persistence is redis-server's: without --appendonly, the keyspace is
// loaded from --dbfilename (dump.rdb) in --dir at start and written there,
// as an RDB file redis-server reads, by SAVE, BGSAVE, the --save points
// and SHUTDOWN or SIGTERM when save points are set (the default ones are
// Redis's); with --appendonly yes, kevy keeps its per-shard logs and
// snapshots in --dir instead.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "check-aof":
			return checkAOF(args[1:], stdin, stdout)
		case "check-rdb":
			return checkRDB(args[1:], stdout)
		case "-v", "--version":
			fmt.Fprintf(stdout, "kevy server v=%s (Redis %s compatible)\n", version, redisVersion)
			return 0
		case "-h", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	o, err := parseArgs(args, stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return serve(o, stdout, stderr)
}

const (
	version      = "0.1.0"
	redisVersion = "7.0.15"
)

const usage = `Usage: kevy [/path/to/redis.conf] [options] [-]
       kevy - (read config from stdin)
       kevy -v or --version
       kevy -h or --help
       kevy check-aof [--fix] <file.aof>
       kevy check-rdb <file.rdb>

Examples:
       kevy (run the server with default config)
       kevy /etc/redis/6379.conf
       kevy --port 7777
       kevy /etc/myredis.conf --loglevel verbose --shards 4
`
