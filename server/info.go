package server

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// INFO: Redis's sections in Redis's order. The engine reports what it
// knows (keyspace, memory, its share of server and stats); the server
// adds connection, persistence and replication figures.

// infoSection is one INFO section; own writes the server's lines.
type infoSection struct {
	name, title string
	dflt        bool
	own         func(s *Server, b *strings.Builder)
}

var infoSections = []infoSection{
	{"server", "Server", true, infoServer},
	{"clients", "Clients", true, infoClients},
	{"memory", "Memory", true, nil},
	{"persistence", "Persistence", true, infoPersistence},
	{"stats", "Stats", true, infoStats},
	{"replication", "Replication", true, infoReplication},
	{"cluster", "Cluster", true, func(_ *Server, b *strings.Builder) { b.WriteString("cluster_enabled:0\r\n") }},
	{"keyspace", "Keyspace", true, nil},
}

func infoCmd(c *conn, args []string) { c.w.WriteBulk(c.s.info(args[1:])) }

// info renders the named sections (none: the default ones).
func (s *Server) info(names []string) string {
	want := map[string]bool{}
	all := len(names) == 0
	for _, n := range names {
		switch n = strings.ToLower(n); n {
		case "default", "all", "everything":
			all = true
		default:
			want[n] = true
		}
	}
	var b strings.Builder
	for _, sec := range infoSections {
		if !(all && sec.dflt) && !want[sec.name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.title + "\r\n")
		if sec.name == "stats" {
			sec.own(s, &b) // Redis lists the connection counters first
			b.WriteString(s.engineSection(sec.name))
			continue
		}
		b.WriteString(s.engineSection(sec.name))
		if sec.own != nil {
			sec.own(s, &b)
		}
	}
	return b.String()
}

// engineSection returns the body of one of the engine's INFO sections,
// without its header; empty if the engine has no such section.
func (s *Server) engineSection(name string) string {
	out := s.en.Info(name)
	if _, body, ok := strings.Cut(out, "\r\n"); ok && strings.HasPrefix(out, "#") {
		return body
	}
	return ""
}

func infoLine(b *strings.Builder, name string, v any) {
	fmt.Fprintf(b, "%s:%v\r\n", name, v)
}

func infoServer(s *Server, b *strings.Builder) {
	exe, _ := os.Executable()
	infoLine(b, "multiplexing_api", "go")
	infoLine(b, "run_id", s.runID)
	infoLine(b, "tcp_port", s.port())
	infoLine(b, "server_time_usec", time.Now().UnixMicro())
	infoLine(b, "executable", exe)
	infoLine(b, "config_file", s.cfg.ConfigFile)
}

func infoClients(s *Server, b *strings.Builder) {
	conns := s.snapshotConns()
	infoLine(b, "connected_clients", len(conns))
	infoLine(b, "cluster_connections", 0)
	infoLine(b, "maxclients", s.p.maxClients.Load())
	infoLine(b, "client_recent_max_input_buffer", 0)
	infoLine(b, "client_recent_max_output_buffer", 0)
	infoLine(b, "blocked_clients", s.en.BlockedClients())
	infoLine(b, "tracking_clients", 0)
	infoLine(b, "clients_in_timeout_table", 0)
}

func infoPersistence(s *Server, b *strings.Builder) {
	if p := s.cfg.Persistence; p != nil {
		b.WriteString(p.Info())
		return
	}
	infoLine(b, "loading", 0)
	infoLine(b, "async_loading", 0)
	infoLine(b, "rdb_changes_since_last_save", 0)
	infoLine(b, "rdb_bgsave_in_progress", 0)
	infoLine(b, "rdb_last_save_time", s.start.Unix())
	infoLine(b, "rdb_last_bgsave_status", "ok")
	infoLine(b, "aof_enabled", 0)
	infoLine(b, "aof_rewrite_in_progress", 0)
	infoLine(b, "aof_rewrite_scheduled", 0)
	infoLine(b, "aof_last_bgrewrite_status", "ok")
	infoLine(b, "aof_last_write_status", "ok")
}

func infoStats(s *Server, b *strings.Builder) {
	t := s.totals()
	ops, in, out := s.stats.rates()
	infoLine(b, "total_connections_received", s.stats.connsReceived.Load())
	infoLine(b, "total_commands_processed", t.cmds)
	infoLine(b, "instantaneous_ops_per_sec", int64(ops))
	infoLine(b, "total_net_input_bytes", t.netIn)
	infoLine(b, "total_net_output_bytes", t.netOut)
	infoLine(b, "instantaneous_input_kbps", fmt.Sprintf("%.2f", in/1024))
	infoLine(b, "instantaneous_output_kbps", fmt.Sprintf("%.2f", out/1024))
	infoLine(b, "rejected_connections", s.stats.rejected.Load())
	infoLine(b, "pubsub_channels", len(s.en.PubSub().Channels("")))
	infoLine(b, "pubsub_patterns", s.en.PubSub().NumPat())
}

func infoReplication(s *Server, b *strings.Builder) {
	infoLine(b, "role", "master")
	infoLine(b, "connected_slaves", 0)
	infoLine(b, "master_failover_state", "no-failover")
	infoLine(b, "master_replid", s.runID)
	infoLine(b, "master_replid2", strings.Repeat("0", 40))
	infoLine(b, "master_repl_offset", 0)
	infoLine(b, "second_repl_offset", -1)
	infoLine(b, "repl_backlog_active", 0)
	infoLine(b, "repl_backlog_size", 1048576)
	infoLine(b, "repl_backlog_first_byte_offset", 0)
	infoLine(b, "repl_backlog_histlen", 0)
}
