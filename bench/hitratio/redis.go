package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a real redis-server on a free loopback port with
// persistence off (the approach of bench/peers, copied: this is another
// package main). stop must always be called; main also stops it on
// SIGINT/SIGTERM, and the kernel kills it if this program dies.
type redisServer struct {
	cmd  *exec.Cmd
	addr string
	dir  string
	done chan struct{}
	once sync.Once
}

var (
	liveMu    sync.Mutex
	liveRedis *redisServer
)

func startRedis(bin string) (*redisServer, error) {
	if bin == "" {
		p, err := exec.LookPath("redis-server")
		if err != nil {
			return nil, fmt.Errorf("redis-server not found on PATH")
		}
		bin = p
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "kevy-hitratio-redis-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning",
		"--logfile", filepath.Join(dir, "redis.log"))
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &redisServer{cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir, done: make(chan struct{})}
	go func() { cmd.Wait(); close(r.done) }()
	liveMu.Lock()
	liveRedis = r
	liveMu.Unlock()
	cl := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer cl.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, err := cl.Info(context.Background(), "server").Result()
		if err == nil && infoField(info, "process_id") == strconv.Itoa(cmd.Process.Pid) {
			break
		}
		exited := false
		select {
		case <-r.done:
			exited = true
		default:
		}
		if exited || time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			r.stop()
			return nil, fmt.Errorf("redis-server did not start on %s: %s", r.addr, strings.TrimSpace(string(log)))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r, nil
}

func (r *redisServer) stop() {
	if r == nil {
		return
	}
	r.once.Do(func() {
		r.cmd.Process.Kill()
		select {
		case <-r.done:
		case <-time.After(5 * time.Second):
		}
		os.RemoveAll(r.dir)
		liveMu.Lock()
		if liveRedis == r {
			liveRedis = nil
		}
		liveMu.Unlock()
	})
}

func stopLiveRedis() {
	liveMu.Lock()
	r := liveRedis
	liveMu.Unlock()
	r.stop()
}

func infoField(info, name string) string {
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func infoInt(ctx context.Context, cl *redis.Client, section, field string) int64 {
	info, err := cl.Info(ctx, section).Result()
	if err != nil {
		panic(err)
	}
	v, err := strconv.ParseInt(infoField(info, field), 10, 64)
	if err != nil {
		panic(fmt.Errorf("INFO %s %s: %v", section, field, err))
	}
	return v
}

// redisRun is one configuration's outcome on redis-server.
type redisRun struct {
	res          replayResult
	version      string
	emptyUsed    int64   // used_memory with no keys, after the per-key measurement
	perKey       float64 // used_memory growth per key for capacity keys
	maxmemory    int64
	resident     int
	evicted      int64
	usedAtEnd    int64
	dupBatchHits int // later in-batch repeats of a key that missed earlier in the batch
}

// redisReplay starts a fresh redis-server, measures its used_memory per
// key the way kevyBudget does (capacity keys of the benchmark's shape, no
// limit), sets maxmemory = empty + capacity × bytes/key with the given
// policy and samples, and replays the trace cache-aside over loopback.
//
// batch mode (exact = false): pipelines of `batch` GETs, then one pipeline
// of SETs for the misses. Redis executes commands one at a time in arrival
// order, so eviction decisions are the ones an unpipelined client would
// cause for that command order; what batching changes is the order itself:
// a key's GET may run before the SET (and its evictions) of an earlier miss
// in the same batch. A key that misses twice in one batch is counted as a
// hit the second time and SET once, as the unpipelined client would have
// found it (it was just written).
//
// exact mode: one `SET key value NX GET` per request (Redis >= 7.0), which
// is GET-then-SET-if-missing atomically, pipelined in trace order: the
// command order equals the unpipelined cache-aside order. It differs only
// in that every request (not just misses) is a write that runs Redis's
// pre-command eviction check; a hit updates the LRU/LFU stamp as GET does.
func redisReplay(bin string, keys []string, trace []int32, warm, capacity, batch int, val, policy string, samples int, exact bool) (redisRun, error) {
	var out redisRun
	rs, err := startRedis(bin)
	if err != nil {
		return out, err
	}
	defer rs.stop()
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: rs.addr, Protocol: 2, PoolSize: 1})
	defer cl.Close()
	if out.version, err = cl.Info(ctx, "server").Result(); err != nil {
		return out, err
	}
	out.version = infoField(out.version, "redis_version")
	for _, kv := range [][2]string{{"maxmemory", "0"}, {"maxmemory-policy", policy}, {"maxmemory-samples", strconv.Itoa(samples)}} {
		if err := cl.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
			return out, err
		}
	}

	// Bytes per key, through the same connection and pipeline depth.
	used0 := settledUsed(ctx, cl)
	p := cl.Pipeline()
	for i := range capacity {
		p.Set(ctx, keyName(i), val, 0)
		if (i+1)%batch == 0 || i == capacity-1 {
			if _, err := p.Exec(ctx); err != nil {
				return out, err
			}
		}
	}
	used1 := settledUsed(ctx, cl)
	out.perKey = float64(used1-used0) / float64(capacity)
	if err := cl.FlushAll(ctx).Err(); err != nil { // synchronous
		return out, err
	}
	out.emptyUsed = settledUsed(ctx, cl)
	out.maxmemory = out.emptyUsed + int64(float64(capacity)*out.perKey+0.5)
	if err := cl.ConfigSet(ctx, "maxmemory", strconv.FormatInt(out.maxmemory, 10)).Err(); err != nil {
		return out, err
	}

	var hits, hitsAfter int
	start := time.Now()
	if exact {
		for lo := 0; lo < len(trace); lo += batch {
			hi := min(lo+batch, len(trace))
			cmds := make([]*redis.StatusCmd, 0, hi-lo) // the GET option's bulk reply, or nil
			for _, ix := range trace[lo:hi] {
				cmds = append(cmds, p.SetArgs(ctx, keys[ix], val, redis.SetArgs{Mode: "NX", Get: true}))
			}
			if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
				return out, err
			}
			for j, c := range cmds {
				if c.Err() == nil {
					hits++
					if lo+j >= warm {
						hitsAfter++
					}
				} else if !errors.Is(c.Err(), redis.Nil) {
					return out, c.Err()
				}
			}
		}
	} else {
		missedIn := make([]int32, len(keys)) // batch number + 1 of the key's last miss
		sets := cl.Pipeline()
		for lo, b := 0, int32(1); lo < len(trace); lo, b = lo+batch, b+1 {
			hi := min(lo+batch, len(trace))
			cmds := make([]*redis.StringCmd, 0, hi-lo)
			for _, ix := range trace[lo:hi] {
				cmds = append(cmds, p.Get(ctx, keys[ix]))
			}
			if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
				return out, err
			}
			nset := 0
			for j, c := range cmds {
				ix := trace[lo+j]
				hit := c.Err() == nil
				if !hit && !errors.Is(c.Err(), redis.Nil) {
					return out, c.Err()
				}
				if !hit && missedIn[ix] == b {
					hit = true // SET earlier in this batch: an unpipelined GET finds it
					out.dupBatchHits++
				}
				if hit {
					hits++
					if lo+j >= warm {
						hitsAfter++
					}
					continue
				}
				missedIn[ix] = b
				sets.Set(ctx, keys[ix], val, 0)
				nset++
			}
			if nset > 0 {
				if _, err := sets.Exec(ctx); err != nil {
					return out, err
				}
			}
		}
	}
	out.res = replayResult{hits: hits, hitsAfter: hitsAfter, requests: len(trace), after: len(trace) - warm, elapsed: time.Since(start)}
	n, err := cl.DBSize(ctx).Result()
	if err != nil {
		return out, err
	}
	out.resident = int(n)
	out.evicted = infoInt(ctx, cl, "stats", "evicted_keys")
	out.usedAtEnd = infoInt(ctx, cl, "memory", "used_memory")
	return out, nil
}

// settledUsed returns used_memory once it stops changing. After a burst of
// inserts the main dict may still be rehashing incrementally, holding both
// its old and new bucket arrays (at 100,000 keys the old array alone is
// 512 KiB, ~5 B/key); serverCron finishes the rehash within a few hundred
// milliseconds, and the per-key figure must not include the transient array.
func settledUsed(ctx context.Context, cl *redis.Client) int64 {
	prev := infoInt(ctx, cl, "memory", "used_memory")
	for range 60 {
		time.Sleep(100 * time.Millisecond)
		cur := infoInt(ctx, cl, "memory", "used_memory")
		if cur == prev {
			return cur
		}
		prev = cur
	}
	return prev
}
