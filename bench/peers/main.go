// Command peers measures kevy against the libraries a Go program would
// otherwise use, in one run, on identical workloads:
//
//   - cache: kevy (1 and N shards) vs otter v2, ristretto v2, freecache,
//     go-cache, sync.Map and a map+sync.RWMutex floor — GET hit, GET miss,
//     SET new key, SET overwrite and a 90/10 GET/SET mix, at 1 and
//     GOMAXPROCS goroutines, 16 B and 1 KiB values, uniform and Zipf(0.99)
//     keys over 100,000 resident keys;
//   - redis: Redis semantics in-process — kevy's typed API and Do vs
//     miniredis's direct Go API (and buntdb for GET/SET);
//   - durable: SET with fsync every second and always, 1 and 64 writers —
//     kevy's append-only file vs buntdb, and bbolt for "always";
//   - network: the same GET/SET through go-redis to a real redis-server on
//     loopback, one command per round trip and pipelined;
//   - memory: live heap growth per key after 1,000,000 keys with 16 B
//     values, and redis-server's INFO used_memory growth;
//   - coord: PUBLISH fan-out to 1 and 50 subscriber goroutines (deliveries
//     per second) and BLPOP/LPUSH hand-off between two goroutines (p50 and
//     p99 latency, hand-offs per second), kevy vs go-redis to redis-server.
//
// Every figure is the median of -rounds measurements taken interleaved
// (round r runs the stores in an order rotated by r), keys and key-index
// sequences are precomputed outside the timed loops, and each measurement
// lasts about -target. Results go to stdout and to -out: results.txt (the
// table), results.json, summary.md (Markdown tables) and SVG charts.
//
// Run from the bench directory: go run ./peers
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

var (
	out       = flag.String("out", "../docs/perf", "directory for results.txt, results.json and the SVG charts")
	rounds    = flag.Int("rounds", 7, "interleaved measurements per figure; the median is reported")
	target    = flag.Duration("target", 30*time.Millisecond, "duration of one in-memory measurement")
	durTarget = flag.Duration("durable-target", 300*time.Millisecond, "duration of one durable-write measurement")
	nkeys     = flag.Int("keys", 100_000, "resident keys for the throughput workloads")
	memKeys   = flag.Int("mem-keys", 1_000_000, "keys loaded for the memory figures")
	shards    = flag.Int("shards", 16, "shard count of the sharded kevy configuration")
	sections  = flag.String("sections", "memory,cache,redis,durable,network,coord", "sections to run, comma-separated")
	handoffs  = flag.Int("handoffs", 20_000, "BLPOP/LPUSH hand-offs per round (coord section)")
	redisBin  = flag.String("redis-server", "", "redis-server binary (default: redis-server on PATH)")
)

func newRng() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }

func main() {
	flag.Parse()
	want := map[string]bool{}
	for _, s := range strings.Split(*sections, ",") {
		want[strings.TrimSpace(s)] = true
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		stopLiveRedis()
		fmt.Fprintln(os.Stderr, "interrupted; redis-server stopped")
		os.Exit(130)
	}()
	defer stopLiveRedis()

	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	started := time.Now()
	cpu0 := sampleCPU()
	rep := &Report{Meta: meta()}
	rep.Meta["load_avg_before"] = loadAvg()
	threads := []int{1}
	if p := runtime.GOMAXPROCS(0); p > 1 {
		threads = append(threads, p)
	}
	fmt.Printf("kevy peer benchmark — %s, %s, %d cores, GOMAXPROCS=%d, load %s\n",
		rep.Meta["go"], rep.Meta["cpu"], runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAvg())
	fmt.Printf("median of %d interleaved rounds of ~%v (durable ~%v); ratio = store ÷ kevy (1 shard)\n",
		*rounds, *target, *durTarget)

	emit := func(rows []Row) {
		setRatios(rows)
		writeTable(os.Stdout, rows)
		rep.Rows = append(rep.Rows, rows...)
	}
	skipped := func(section, what, why string) {
		for _, s := range rep.Skipped {
			if s.Section == section && s.Why == why && s.What == what {
				return
			}
		}
		fmt.Printf("\n%s — %s: %s\n", strings.ToUpper(section), what, why)
		rep.Skipped = append(rep.Skipped, Skip{section, what, why})
	}

	var rs *redisServer
	if want["network"] || want["memory"] || want["coord"] {
		var err error
		rs, err = startRedis(*redisBin)
		if err != nil {
			if want["network"] || want["memory"] {
				skipped("network", "redis-server (network rows and its memory row)", err.Error())
			}
			if want["coord"] {
				skipped("coord", "redis-server rows", err.Error())
			}
			rs = nil
		}
	}
	defer rs.stop()

	if want["memory"] {
		runMemory(*memKeys, *shards, rs, emit, skipped)
		debug.FreeOSMemory()
	}
	if want["cache"] {
		runCaches(cacheOpts{keys: *nkeys, shards: *shards, rounds: *rounds, seqLen: 1 << 21, newKeys: 1 << 19}, threads, emit)
		debug.FreeOSMemory()
	}
	if want["redis"] {
		runInProc(*nkeys, *rounds, emit)
		debug.FreeOSMemory()
	}
	if want["durable"] {
		runDurable(*nkeys, max(3, *rounds-2), *shards, emit, skipped)
	}
	if want["network"] && rs != nil {
		runNetwork(rs, *nkeys, *rounds, threads, emit)
	}
	if want["coord"] {
		runCoord(rs, *rounds, *handoffs, emit)
	}
	rs.stop()

	rep.Meta["load_avg_after"] = loadAvg()
	rep.Meta["elapsed_seconds"] = time.Since(started).Seconds()
	if o := otherLoad(cpu0, sampleCPU(), runtime.NumCPU()); o >= 0 {
		rep.Meta["other_processes_cpu_pct"] = o
	}
	if err := write(rep); err != nil {
		fatal(err)
	}
	fmt.Printf("\ndone in %.0f s; load %s; other processes used %.0f%% of the CPU capacity; results in %s\n",
		time.Since(started).Seconds(), loadAvg(), rep.Meta["other_processes_cpu_pct"], *out)
}

func write(rep *Report) error {
	if err := writeJSON(filepath.Join(*out, "results.json"), rep); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(*out, "results.txt"))
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "kevy peer benchmark — %s, %s, %d cores, GOMAXPROCS=%v\n", rep.Meta["go"], rep.Meta["cpu"], rep.Meta["cores"], rep.Meta["gomaxprocs"])
	fmt.Fprintf(f, "%s; load average before %s, after %s; %.0f s\n", rep.Meta["date"], rep.Meta["load_avg_before"], rep.Meta["load_avg_after"], rep.Meta["elapsed_seconds"])
	if o, ok := rep.Meta["other_processes_cpu_pct"].(float64); ok {
		fmt.Fprintf(f, "other processes used %.0f%% of the machine's CPU capacity during the run\n", o)
	}
	fmt.Fprintf(f, "ops/s: median of interleaved rounds; ns/op = 1/throughput (wall time ÷ total ops); cpu ns/op = this process's CPU time (all threads, GC included; not redis-server's) ÷ ops, median; spread = (max-min)/median of ops/s over the rounds; vs kevy = ops/s ÷ kevy's (1 shard); coord: ops are deliveries (msgs/s) or hand-offs, p50/p99 hand-off latency in µs\n")
	writeTable(f, rep.Rows)
	for _, s := range rep.Skipped {
		fmt.Fprintf(f, "\nnot measured: %s — %s: %s\n", s.Section, s.What, s.Why)
	}
	if err := f.Close(); err != nil {
		return err
	}
	md, err := os.Create(filepath.Join(*out, "summary.md"))
	if err != nil {
		return err
	}
	writeMarkdown(md, rep)
	if err := md.Close(); err != nil {
		return err
	}
	return writeCharts(rep)
}

func writeCharts(rep *Report) error {
	sub := fmt.Sprintf("%s · %s · %v cores · median of %d interleaved rounds · higher is better", rep.Meta["cpu"], rep.Meta["go"], rep.Meta["cores"], *rounds)
	pick := func(f func(Row) bool) []Row {
		var out []Row
		for _, r := range rep.Rows {
			if f(r) {
				out = append(out, r)
			}
		}
		return out
	}
	ops := func(r Row) float64 { return r.OpsPerSec }
	var charts []struct {
		name string
		c    *chart
	}
	add := func(name string, c *chart) {
		if len(c.panels) > 0 {
			charts = append(charts, struct {
				name string
				c    *chart
			}{name, c})
		}
	}
	for _, size := range []string{"16 B", "1 KiB"} {
		for _, dist := range []string{"uniform", "zipf 0.99"} {
			rows := pick(func(r Row) bool {
				return r.Section == "cache" && strings.Contains(r.Config, " "+size+" values") && strings.Contains(r.Config, dist)
			})
			name := fmt.Sprintf("cache-%s-%s.svg", strings.ReplaceAll(strings.ToLower(size), " ", ""), strings.Fields(dist)[0])
			add(name, buildChart(fmt.Sprintf("Cache workloads — %s values, %s keys", size, dist), sub, "operations / s", false, rows, ops))
		}
	}
	add("redis.svg", buildChart("Redis semantics in-process — kevy vs miniredis (direct API)", sub+" · log scale", "operations / s", true, pick(func(r Row) bool { return r.Section == "redis" }), ops))
	add("durable.svg", buildChart("Durable writes — SET, 16 B values", sub+" · log scale", "operations / s", true, pick(func(r Row) bool { return r.Section == "durable" }), ops))
	add("network.svg", buildChart("In-process vs network — kevy vs go-redis → redis-server on loopback", sub+" · log scale", "operations / s", true, pick(func(r Row) bool { return r.Section == "network" }), ops))
	add("coord.svg", buildChart("Pub/sub fan-out and BLPOP hand-off — kevy vs go-redis → redis-server", sub+" · log scale", "deliveries or hand-offs / s", true, pick(func(r Row) bool { return r.Section == "coord" }), ops))
	if mem := pick(func(r Row) bool { return r.Section == "memory" }); len(mem) > 0 {
		var labels, notes []string
		var vals []float64
		for _, r := range mem {
			labels, vals, notes = append(labels, r.Store), append(vals, r.BytesPerKey), append(notes, r.Note)
		}
		msub := fmt.Sprintf("%s · %s · live heap growth (Go stores) or INFO used_memory growth (redis-server) · lower is better", rep.Meta["cpu"], rep.Meta["go"])
		color := func(s string) string {
			switch {
			case strings.HasPrefix(s, "kevy"):
				return palette[0]
			case s == "redis-server":
				return "#d62728"
			}
			return "#8a8a8a"
		}
		svg := hbars("Memory per key — "+mem[0].Config, msub, "bytes per key", labels, vals, notes, color)
		if err := os.WriteFile(filepath.Join(*out, "memory.svg"), []byte(svg), 0o644); err != nil {
			return err
		}
	}
	for _, c := range charts {
		var missing []string
		for _, sk := range rep.Skipped {
			if c.name == sk.Section+".svg" && !slicesContains(missing, sk.Why) {
				missing = append(missing, sk.Why)
			}
		}
		if len(missing) > 0 {
			c.c.note = "Not measured — " + strings.Join(missing, "; ")
		}
		if err := writeChart(*out, c.name, c.c); err != nil {
			return err
		}
	}
	return nil
}

func meta() map[string]any {
	m := map[string]any{
		"go":         runtime.Version(),
		"os_arch":    runtime.GOOS + "/" + runtime.GOARCH,
		"cores":      runtime.NumCPU(),
		"gomaxprocs": runtime.GOMAXPROCS(0),
		"cpu":        cpuModel(),
		"date":       time.Now().UTC().Format(time.RFC3339),
		"command":    command(),
		"rounds":     *rounds,
		"target":     target.String(),
		"keys":       *nkeys,
		"mem_keys":   *memKeys,
		"shards":     *shards,
	}
	if rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		c := strings.TrimSpace(string(rev))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
			c += " (with uncommitted changes)"
		}
		m["kevy_commit"] = c
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		deps := map[string]string{}
		for _, d := range bi.Deps {
			deps[d.Path] = d.Version
		}
		m["modules"] = deps
	}
	return m
}

// command is the command line that reproduces this run; -out only says
// where the files go and is left out.
func command() string {
	c := "cd bench && go run ./peers"
	flag.Visit(func(f *flag.Flag) {
		if f.Name != "out" {
			c += " -" + f.Name + "=" + f.Value.String()
		}
	})
	return c
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

func fatal(err error) {
	stopLiveRedis()
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
