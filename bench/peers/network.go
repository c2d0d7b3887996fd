package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/redis/go-redis/v9"
)

// redisServer is a real redis-server on a free loopback port with
// persistence off. Stop must always be called; main also stops it on
// SIGINT/SIGTERM.
type redisServer struct {
	cmd  *exec.Cmd
	addr string
	dir  string
	done chan struct{} // closed when the process has exited
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
	dir, err := os.MkdirTemp("", "kevy-peers-redis-")
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
	// Ready when this very process answers (INFO's process_id), not
	// merely when something listens on the port.
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

func redisVersion(c *redis.Client) string {
	info, err := c.Info(context.Background(), "server").Result()
	if err != nil {
		return ""
	}
	return infoField(info, "redis_version")
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

// runNetwork: the same GET and SET (100,000 keys, 16 B values, uniform)
// in-process on kevy and through go-redis to redis-server on loopback, one
// command per round trip and pipelined by 100.
func runNetwork(r *redisServer, nkeys, rounds int, threadsList []int, emit func([]Row)) {
	ctx := context.Background()
	val := makeValue(16)
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	idx := uniform(newRng(), nkeys, 1<<20)

	ks, err := kevy.Open(nil)
	if err != nil {
		panic(err)
	}
	defer ks.Close()
	cl := redis.NewClient(&redis.Options{Addr: r.addr, PoolSize: 128, Protocol: 2})
	defer cl.Close()
	if err := cl.FlushAll(ctx).Err(); err != nil {
		panic(err)
	}
	pipe := cl.Pipeline()
	for i, k := range keys {
		ks.Set(k, val)
		pipe.Set(ctx, k, val, 0)
		if i%1000 == 999 {
			if _, err := pipe.Exec(ctx); err != nil {
				panic(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		panic(err)
	}

	const depth = 100
	for _, op := range []string{"GET", "SET"} {
		for _, g := range threadsList {
			c := cell{section: "network", workload: op, config: fmt.Sprintf("%d keys, 16 B values, uniform, %d goroutine%s", nkeys, g, plural(g)), threads: g, target: *target}
			get := op == "GET"
			c.entries = append(c.entries, entry{store: "kevy", maxN: len(idx), op: func(w, lo, hi int) int {
				h := 0
				for i := lo; i < hi; i++ {
					if get {
						if _, err := ks.Get(keys[idx[i]]); err == nil {
							h++
						}
					} else if ks.Set(keys[idx[i]], val) == nil {
						h++
					}
				}
				return h
			}})
			c.entries = append(c.entries, entry{store: "redis-server (go-redis)", note: "loopback TCP, one command per round trip", maxN: len(idx), op: func(w, lo, hi int) int {
				h := 0
				for i := lo; i < hi; i++ {
					var err error
					if get {
						err = cl.Get(ctx, keys[idx[i]]).Err()
					} else {
						err = cl.Set(ctx, keys[idx[i]], val, 0).Err()
					}
					if err == nil {
						h++
					}
				}
				return h
			}})
			c.entries = append(c.entries, entry{store: "redis-server (go-redis, pipeline 100)", note: "loopback TCP, 100 commands per round trip", maxN: len(idx), op: func(w, lo, hi int) int {
				h := 0
				p := cl.Pipeline()
				for i := lo; i < hi; i += depth {
					end := min(i+depth, hi)
					for j := i; j < end; j++ {
						if get {
							p.Get(ctx, keys[idx[j]])
						} else {
							p.Set(ctx, keys[idx[j]], val, 0)
						}
					}
					cmds, _ := p.Exec(ctx)
					for _, cmd := range cmds {
						if cmd.Err() == nil {
							h++
						}
					}
				}
				return h
			}})
			emit(c.measure(rounds))
		}
	}
}

// redisBytesPerKey loads n keys (same names and values as the Go peers)
// into redis-server and returns INFO used_memory growth per key.
func redisBytesPerKey(r *redisServer, n int) (float64, string, error) {
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2})
	defer cl.Close()
	if err := cl.FlushAll(ctx).Err(); err != nil {
		return 0, "", err
	}
	used := func() (float64, error) {
		info, err := cl.Info(ctx, "memory").Result()
		if err != nil {
			return 0, err
		}
		return strconv.ParseFloat(infoField(info, "used_memory"), 64)
	}
	before, err := used()
	if err != nil {
		return 0, "", err
	}
	pipe := cl.Pipeline()
	for i := 0; i < n; i++ {
		pipe.Set(ctx, memKey(i), memValue(i), 0)
		if i%1000 == 999 {
			if _, err := pipe.Exec(ctx); err != nil {
				return 0, "", err
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, "", err
	}
	after, err := used()
	if err != nil {
		return 0, "", err
	}
	if got := cl.DBSize(ctx).Val(); got != int64(n) {
		return 0, "", fmt.Errorf("redis-server holds %d keys, want %d", got, n)
	}
	ver := redisVersion(cl)
	cl.FlushAll(ctx)
	return (after - before) / float64(n), ver, nil
}
