package persist

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/redistest"
)

var benchKeys = func() []string {
	k := make([]string, 256)
	for i := range k {
		k[i] = "key:" + strconv.Itoa(i)
	}
	return k
}()

// BenchmarkSet is the core issue's workload: one goroutine SETting 256
// keys, in memory and with each fsync policy.
func BenchmarkSet(b *testing.B) {
	for _, mode := range []string{"memory", "everysec", "no"} {
		b.Run(mode, func(b *testing.B) {
			en := engine.New(engine.Config{})
			defer en.Close()
			if mode != "memory" {
				pol := engine.SyncEverySec
				if mode == "no" {
					pol = engine.SyncNo
				}
				st, _, err := Open(en, Config{Dir: b.TempDir(), Sync: pol, AutoRewritePercent: -1})
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := en.Set(benchKeys[i&255], "value"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSetAlways measures FsyncAlways SETs with 1 and 64 concurrent
// writers (group commit): compare the ns/op figures.
func BenchmarkSetAlways(b *testing.B) {
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			en := engine.New(engine.Config{})
			defer en.Close()
			st, _, err := Open(en, Config{Dir: b.TempDir(), Sync: engine.SyncAlways, AutoRewritePercent: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			b.ResetTimer()
			var wg sync.WaitGroup
			per := (b.N + writers - 1) / writers
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						if err := en.Set(benchKeys[(w*per+i)&255], "value"); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}

// bigDir returns a directory holding a single-shard snapshot of n keys.
func bigDir(tb testing.TB, n int) string {
	dir := tb.TempDir()
	en := engine.New(engine.Config{ManualReaper: true})
	defer en.Close()
	st, _, err := Open(en, Config{Dir: dir, Sync: engine.SyncNo, AutoRewritePercent: -1})
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		en.Set("key:"+strconv.Itoa(i), "value:"+strconv.Itoa(i))
	}
	if _, err := st.SaveSnapshot(); err != nil {
		tb.Fatal(err)
	}
	st.Close()
	return dir
}

// BenchmarkLoadSnapshot1M loads a snapshot of 1,000,000 keys, and reports
// how long a real redis-server takes to start on the same dump-0.rdb
// (minus its start-up time on an empty directory).
func BenchmarkLoadSnapshot1M(b *testing.B) {
	dir := bigDir(b, 1_000_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := filepath.Join(b.TempDir(), "d")
		os.MkdirAll(d, 0o700)
		os.Link(filepath.Join(dir, "dump-0.rdb"), filepath.Join(d, "dump-0.rdb"))
		os.Link(filepath.Join(dir, manifestName), filepath.Join(d, manifestName))
		en := engine.New(engine.Config{ManualReaper: true})
		st, ls, err := Open(en, Config{Dir: d, Sync: engine.SyncNo, AutoRewritePercent: -1})
		if err != nil {
			b.Fatal(err)
		}
		if ls.Keys != 1_000_000 {
			b.Fatalf("loaded %d keys", ls.Keys)
		}
		b.StopTimer()
		st.Close()
		en.Close()
		b.StartTimer()
	}
	b.StopTimer()
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		t0 := time.Now()
		redistest.Start(b, "--dir", b.TempDir())
		empty := time.Since(t0)
		t0 = time.Now()
		srv := redistest.Start(b, "--dir", dir, "--dbfilename", "dump-0.rdb")
		full := time.Since(t0)
		v, _ := srv.Dial(b).Do("DBSIZE")
		b.ReportMetric(float64((full - empty).Milliseconds()), "redis-load-ms")
		b.Logf("redis-server: %d keys, start %v (empty dir: %v)", v.Int, full, empty)
	}
}

// TestRewriteStall measures the longest SET latency while RewriteAOF runs
// over 1,000,000 keys (set KEVY_STALL=1; slow).
func TestRewriteStall(t *testing.T) {
	if os.Getenv("KEVY_STALL") == "" {
		t.Skip("set KEVY_STALL=1 to measure the write stall of a rewrite of 1,000,000 keys")
	}
	dir := bigDir(t, 1_000_000)
	for _, op := range []string{"none", "rewrite", "snapshot"} {
		en := engine.New(engine.Config{})
		st, _, err := Open(en, Config{Dir: dir, Sync: engine.SyncEverySec, AutoRewritePercent: -1})
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var worst time.Duration
		var n int
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				en.Set("key:"+strconv.Itoa(i%1_000_000), "w")
				worst = max(worst, time.Since(t0))
				n++
			}
		}()
		t0 := time.Now()
		var rs RewriteStats
		switch op {
		case "rewrite":
			rs, err = st.RewriteAOF()
		case "snapshot":
			rs, err = st.SaveSnapshotStats()
		default: // the noise floor: the same writes with no rewrite
			time.Sleep(1500 * time.Millisecond)
		}
		took := time.Since(t0)
		close(stop)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s of 1,000,000 keys: %v; %d concurrent SETs, longest %v; MaxPause %v", op, took, n, worst, rs.MaxPause)
		st.Close()
		en.Close()
	}
}
