// Command hitratio measures how well kevy's Redis-style approximated
// LRU/LFU eviction keeps a cache's hot set, against real redis-server 7 with
// the same policies and samples and against otter v2 and ristretto v2, on
// one seeded Zipf(0.99) trace, and how much a SET flood slows down once
// every write must evict (issue #5).
//
// The replay is cache-aside: for each request GET the key; on a miss SET it
// to a 16-byte value. Every system is given room for the same number of
// entries (-cache × -keys, 100,000 by default): otter and ristretto by
// entry count, kevy and redis-server by a byte budget computed from their
// own accounting — UsedMemory (kevy) or INFO used_memory (redis-server)
// growth per key after inserting that many keys with no limit, plus the
// empty store's baseline. Hit ratio is reported over the whole trace and
// after a warm-up (the first -warmup of the requests).
//
// Run from the bench directory: go run ./hitratio [-quick] [-json path]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/kevy-go/kevy"
)

var (
	nkeys      = flag.Int("keys", 1_000_000, "distinct keys in the trace")
	nrequests  = flag.Int("requests", 5_000_000, "requests in the trace")
	quick      = flag.Bool("quick", false, "smoke run: 100,000 keys and 1,000,000 requests (unless -keys/-requests are given)")
	cacheFrac  = flag.Float64("cache", 0.10, "cache capacity as a fraction of -keys")
	zipfS      = flag.Float64("s", 0.99, "Zipf exponent")
	warmFrac   = flag.Float64("warmup", 0.10, "fraction of the requests treated as warm-up")
	seed       = flag.Uint64("seed", 1, "trace seed")
	batch      = flag.Int("batch", 256, "redis-server pipeline depth")
	shards     = flag.Int("shards", 16, "shard count of the sharded kevy configuration (kevy's default is 1)")
	jsonOut    = flag.String("json", "", "also write the results as JSON to this file")
	redisBin   = flag.String("redis-server", "", "redis-server binary (default: redis-server on PATH)")
	redisExact = flag.Bool("redis-exact", true, "also replay allkeys-lru/5 on redis-server with SET NX GET in exact trace order (checks the batching)")
	floodRuns  = flag.Int("flood-runs", 3, "SET flood: runs per configuration (best is reported)")
	floodKeys  = flag.Int("flood-keys", 0, "SET flood: distinct keys written after the pre-fill (default -keys)")
	systems    = flag.String("systems", "theory,redis,kevy,otter,ristretto,flood", "what to run, comma-separated")
)

// Row is one line of the hit-ratio table.
type Row struct {
	System    string  `json:"system"`
	Policy    string  `json:"policy"`
	Samples   int     `json:"samples,omitempty"`
	Shards    int     `json:"shards,omitempty"`
	Clock     string  `json:"clock,omitempty"` // kevy: real, or paced (virtual clock)
	HitAfter  float64 `json:"hit_ratio_after_warmup"`
	HitAll    float64 `json:"hit_ratio_all"`
	Resident  int     `json:"resident_at_end"` // -1: not applicable
	VsRedis   float64 `json:"vs_redis,omitempty"`
	Seconds   float64 `json:"replay_seconds,omitempty"`
	ReqPerSec float64 `json:"requests_per_sec,omitempty"`
	Budget    string  `json:"budget,omitempty"`
	Note      string  `json:"note,omitempty"`
}

// Report is the JSON output.
type Report struct {
	Meta  map[string]any `json:"meta"`
	Rows  []Row          `json:"rows"`
	Flood []floodResult  `json:"flood,omitempty"`
}

type policyConf struct {
	policy  kevy.EvictionPolicy
	samples int
}

var confs = []policyConf{{kevy.AllKeysLRU, 5}, {kevy.AllKeysLRU, 10}, {kevy.AllKeysLFU, 5}, {kevy.AllKeysLFU, 10}}

func main() {
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick {
		if !set["keys"] {
			*nkeys = 100_000
		}
		if !set["requests"] {
			*nrequests = 1_000_000
		}
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*systems, ",") {
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

	started := time.Now()
	capacity := int(float64(*nkeys)**cacheFrac + 0.5)
	warm := int(float64(*nrequests) * *warmFrac)
	val := makeValue(16)
	rep := &Report{Meta: meta(capacity, warm)}
	fmt.Printf("kevy hit-ratio benchmark — %s, %s, %d cores, load %s\n", runtime.Version(), cpuModel(), runtime.NumCPU(), loadAvg())
	fmt.Printf("trace: Zipf(%.2f) over %d keys, %d requests (seed %d), warm-up %d; capacity %d entries (%.0f%%); 16-byte values\n",
		*zipfS, *nkeys, *nrequests, *seed, warm, capacity, 100**cacheFrac)

	t0 := time.Now()
	keys := make([]string, *nkeys)
	for i := range keys {
		keys[i] = keyName(i)
	}
	trace, prob := zipfTrace(rand.New(rand.NewPCG(*seed, 0x5eed)), *nkeys, *nrequests, *zipfS)
	distinct := map[int32]struct{}{}
	for _, ix := range trace {
		distinct[ix] = struct{}{}
	}
	fmt.Printf("trace generated in %.1f s: %d distinct keys requested (compulsory misses %.4f of requests)\n",
		time.Since(t0).Seconds(), len(distinct), float64(len(distinct))/float64(len(trace)))
	rep.Meta["distinct_keys_requested"] = len(distinct)
	distinct = nil

	progress := func(r Row) {
		extra := ""
		if r.Seconds > 0 {
			extra = fmt.Sprintf(" in %.1f s (%.0f req/s)", r.Seconds, r.ReqPerSec)
		}
		fmt.Printf("  %-34s %-12s samples %-2d  hit %.4f (all %.4f)  resident %d%s\n", label(r), r.Policy, r.Samples, r.HitAfter, r.HitAll, r.Resident, extra)
		rep.Rows = append(rep.Rows, r)
	}
	fromResult := func(r *Row, res replayResult) {
		r.HitAfter = float64(res.hitsAfter) / float64(res.after)
		r.HitAll = float64(res.hits) / float64(res.requests)
		r.Seconds = res.elapsed.Seconds()
		r.ReqPerSec = float64(res.requests) / res.elapsed.Seconds()
	}

	if want["theory"] {
		fmt.Println("\nreference (independent reference model, same probabilities):")
		h := cheLRU(prob, capacity)
		progress(Row{System: "theory: exact LRU (Che approx.)", Policy: "lru", HitAfter: h, HitAll: h, Resident: capacity})
		h = randomRepl(prob, capacity)
		progress(Row{System: "theory: random eviction", Policy: "random", HitAfter: h, HitAll: h, Resident: capacity})
		h = topC(prob, capacity)
		progress(Row{System: "theory: top-C (ideal LFU)", Policy: "lfu", HitAfter: h, HitAll: h, Resident: capacity})
	}
	prob = nil

	// redis-server first: its replay rate paces kevy's virtual clock.
	redisRate := map[policyConf]float64{}
	if want["redis"] {
		fmt.Printf("\nredis-server (loopback, go-redis, pipeline %d; fresh server per configuration):\n", *batch)
		runs := slices.Clone(confs)
		for i, c := range runs {
			exacts := []bool{false}
			if *redisExact && i == 0 {
				exacts = append(exacts, true)
			}
			for _, exact := range exacts {
				rr, err := redisReplay(*redisBin, keys, trace, warm, capacity, *batch, val, string(c.policy), c.samples, exact)
				if err != nil {
					fmt.Printf("  redis-server %s/%d: not measured: %v\n", c.policy, c.samples, err)
					rep.Meta["redis_error"] = err.Error()
					break
				}
				r := Row{System: "redis-server " + rr.version, Policy: string(c.policy), Samples: c.samples, Resident: rr.resident,
					Budget: fmt.Sprintf("maxmemory %d = empty %d + %d × %.1f B/key", rr.maxmemory, rr.emptyUsed, capacity, rr.perKey)}
				fromResult(&r, rr.res)
				if exact {
					r.System += " (SET NX GET)"
					r.Note = fmt.Sprintf("exact trace order, pipelined by %d; evicted %d", *batch, rr.evicted)
				} else {
					r.Note = fmt.Sprintf("GET×%d then SETs of the misses; %d in-batch repeat misses counted as hits; evicted %d; used_memory at end %d", *batch, rr.dupBatchHits, rr.evicted, rr.usedAtEnd)
					redisRate[c] = r.ReqPerSec
				}
				progress(r)
			}
		}
	}

	if want["kevy"] {
		for _, sh := range []int{1, *shards} {
			empty, perKey := kevyBudget(sh, capacity, val)
			maxMem := empty + int64(float64(capacity)*perKey+0.5)
			budget := fmt.Sprintf("MaxMemory %d = empty %d + %d × %.1f B/key", maxMem, empty, capacity, perKey)
			fmt.Printf("\nkevy, %d shard%s (%s):\n", sh, plural(sh), budget)
			for _, c := range confs {
				kc := openKevy(sh, c.policy, c.samples, maxMem, nil, val)
				r := Row{System: "kevy", Policy: string(c.policy), Samples: c.samples, Shards: sh, Clock: "real", Budget: budget}
				fromResult(&r, replay(kc, keys, trace, warm, nil))
				r.Resident = kc.resident()
				r.Note = fmt.Sprintf("evicted %d", kc.s.EvictionsTotal())
				kc.close()
				progress(r)

				// Exact recency: a virtual clock that advances one second
				// (the LRU clock's unit) per request, so the sampled keys'
				// idle times order them exactly. LRU only: under LFU it
				// would decay every counter once per 60 requests.
				if c.policy == kevy.AllKeysLRU {
					clk := &vclock{}
					base := time.Now().UnixMilli()
					clk.ms.Store(base)
					kc = openKevy(sh, c.policy, c.samples, maxMem, clk, val)
					r = Row{System: "kevy", Policy: string(c.policy), Samples: c.samples, Shards: sh, Clock: "1 s/request", Budget: budget}
					fromResult(&r, replay(kc, keys, trace, warm, func(i int) { clk.ms.Store(base + int64(i)*1000) }))
					r.Resident = kc.resident()
					r.Note = fmt.Sprintf("virtual clock, 1 s per request (LRU idle = exact recency); evicted %d", kc.s.EvictionsTotal())
					kc.close()
					progress(r)
				}

				// Paced: a virtual clock that advances with the request
				// count at the rate redis-server replayed this trace, so
				// LRU seconds / LFU minutes cover the same requests.
				rate := redisRate[c]
				if rate == 0 {
					continue
				}
				clk := &vclock{}
				base := time.Now().UnixMilli()
				clk.ms.Store(base)
				last := base
				tick := func(i int) {
					if v := base + int64(float64(i)*1000/rate); v != last {
						last = v
						clk.ms.Store(v)
					}
				}
				kc = openKevy(sh, c.policy, c.samples, maxMem, clk, val)
				r = Row{System: "kevy", Policy: string(c.policy), Samples: c.samples, Shards: sh, Clock: fmt.Sprintf("paced %.0f/s", rate), Budget: budget}
				fromResult(&r, replay(kc, keys, trace, warm, tick))
				r.Resident = kc.resident()
				r.Note = fmt.Sprintf("virtual clock at redis-server's replay rate; evicted %d", kc.s.EvictionsTotal())
				kc.close()
				progress(r)
			}
			debug.FreeOSMemory()
		}
	}

	if want["otter"] || want["ristretto"] {
		fmt.Printf("\nGo caches, capacity %d entries:\n", capacity)
	}
	if want["otter"] {
		oc := newOtter(capacity, val)
		r := Row{System: "otter v2", Policy: "W-TinyLFU", Budget: fmt.Sprintf("MaximumSize %d", capacity)}
		fromResult(&r, replay(oc, keys, trace, warm, nil))
		r.Resident = oc.resident()
		oc.close()
		progress(r)
	}
	if want["ristretto"] {
		rc := newRistretto(capacity, val, keys)
		r := Row{System: "ristretto v2", Policy: "TinyLFU+SLFU", Budget: fmt.Sprintf("MaxCost %d, cost 1, NumCounters %d", capacity, 10*capacity)}
		fromResult(&r, replay(rc, keys, trace, warm, nil))
		r.Resident = rc.resident()
		r.Note = fmt.Sprintf("Wait() after each Set; sets rejected by admission %d, dropped %d", rc.c.Metrics.SetsRejected(), rc.dropped)
		rc.close()
		progress(r)
	}
	trace = nil
	debug.FreeOSMemory()

	if want["flood"] {
		n := *floodKeys
		if n == 0 {
			n = *nkeys
		}
		prefill := keys[:capacity]
		fresh := make([]string, n)
		for i := range fresh {
			fresh[i] = keyName(*nkeys + i) // never in the trace; same width
		}
		fmt.Printf("\nSET flood: %d distinct new keys after a %d-key pre-fill, 1 goroutine, best of %d:\n", n, capacity, *floodRuns)
		for _, sh := range []int{1, *shards} {
			empty, perKey := kevyBudget(sh, capacity, val)
			maxMem := empty + int64(float64(capacity)*perKey+0.5)
			for _, lim := range []int64{maxMem, 0} {
				f := flood(sh, lim, prefill, fresh, val, *floodRuns)
				fmt.Printf("  %-62s %10.0f SET/s  (runs %v; resident %d, evicted %d)\n", f.label(), f.OpsPerSec, f.AllOps, f.ResidentEnd, f.Evicted)
				rep.Flood = append(rep.Flood, f)
			}
			debug.FreeOSMemory()
		}
	}

	setRatios(rep.Rows)
	rep.Meta["elapsed_seconds"] = time.Since(started).Seconds()
	rep.Meta["load_avg_after"] = loadAvg()
	fmt.Println()
	writeTable(os.Stdout, rep)
	fmt.Printf("\ndone in %.0f s; load %s\n", time.Since(started).Seconds(), loadAvg())
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			fatal(err)
		}
	}
}

func label(r Row) string {
	s := r.System
	if r.Shards > 0 {
		s += fmt.Sprintf(" shards=%d", r.Shards)
	}
	if r.Clock != "" {
		s += " clock=" + r.Clock
	}
	return s
}

// setRatios fills VsRedis of the kevy rows: hit ratio after warm-up ÷
// redis-server's (batched replay) with the same policy and samples.
func setRatios(rows []Row) {
	ref := map[string]float64{}
	for _, r := range rows {
		if strings.HasPrefix(r.System, "redis-server") && !strings.Contains(r.System, "SET NX GET") {
			ref[fmt.Sprint(r.Policy, r.Samples)] = r.HitAfter
		}
	}
	for i, r := range rows {
		if r.System == "kevy" || strings.Contains(r.System, "SET NX GET") {
			if h := ref[fmt.Sprint(r.Policy, r.Samples)]; h > 0 {
				rows[i].VsRedis = r.HitAfter / h
			}
		}
	}
}

func writeTable(w io.Writer, rep *Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "system\tshards\tclock\tpolicy\tsamples\thit ratio (after warm-up)\thit ratio (all)\tresident at end\tvs redis\treplay")
	for _, r := range rep.Rows {
		dash := func(v int) string {
			if v <= 0 {
				return "-"
			}
			return fmt.Sprint(v)
		}
		vs := "-"
		if r.VsRedis > 0 {
			vs = fmt.Sprintf("%.3f", r.VsRedis)
		}
		clock := r.Clock
		if clock == "" {
			clock = "-"
		}
		replayed := "-"
		if r.Seconds > 0 {
			replayed = fmt.Sprintf("%.1f s", r.Seconds)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.4f\t%.4f\t%d\t%s\t%s\n", r.System, dash(r.Shards), clock, r.Policy, dash(r.Samples), r.HitAfter, r.HitAll, r.Resident, vs, replayed)
	}
	tw.Flush()
	if len(rep.Flood) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "SET flood (distinct new keys, 16 B values, 1 goroutine)\tSET/s (best)\tvs no limit")
	unlimited := map[int]float64{}
	for _, f := range rep.Flood {
		if !f.Limited {
			unlimited[f.Shards] = f.OpsPerSec
		}
	}
	for _, f := range rep.Flood {
		ratio := "-"
		if u := unlimited[f.Shards]; u > 0 && f.Limited {
			ratio = fmt.Sprintf("%.3f", f.OpsPerSec/u)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\n", f.label(), f.OpsPerSec, ratio)
	}
	tw.Flush()
}

func meta(capacity, warm int) map[string]any {
	m := map[string]any{
		"go": runtime.Version(), "os_arch": runtime.GOOS + "/" + runtime.GOARCH, "cores": runtime.NumCPU(),
		"gomaxprocs": runtime.GOMAXPROCS(0), "cpu": cpuModel(), "date": time.Now().UTC().Format(time.RFC3339),
		"command": command(), "keys": *nkeys, "requests": *nrequests, "zipf_s": *zipfS, "seed": *seed,
		"capacity": capacity, "warmup_requests": warm, "value_bytes": 16, "redis_pipeline": *batch,
		"load_avg_before": loadAvg(),
	}
	return m
}

// command is the command line that reproduces this run.
func command() string {
	c := "cd bench && go run ./hitratio"
	flag.Visit(func(f *flag.Flag) { c += " -" + f.Name + "=" + f.Value.String() })
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

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func fatal(err error) {
	stopLiveRedis()
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
