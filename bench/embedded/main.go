// Command embedded reproduces the original kevy-embedded benchmarks on the
// same workloads, so the two can be compared figure for figure:
//
//  1. one goroutine, 256 keys k0..k255, 16-byte values, 2,000,000 operations
//     round-robin: SET ops/s, GET ops/s, and GET over keys that all carry a
//     one-hour TTL;
//  2. one shared store, 4,096 keys, 16-byte values, key index
//     (i*31 + g*7) % 4096, 1, 2, 4 and 8 goroutines: GET then SET, aggregate
//     ops/s, and the CPU time each GET costs: on a machine shared with other
//     work, wall-clock scaling says more about the neighbours than about the
//     store, while a CPU cost per GET that stays flat as goroutines are
//     added shows that readers do not contend.
//
// Run: go run ./embedded (from the bench directory). Each figure is the
// median of -rounds runs.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/kevy-go/kevy"
)

var (
	ops    = flag.Int("ops", 2_000_000, "operations per single-goroutine measurement")
	rounds = flag.Int("rounds", 5, "measurements per figure; the median is printed")
	shards = flag.Int("shards", 1, "store shards")
)

const value = "0123456789abcdef" // 16 bytes

func main() {
	flag.Parse()
	fmt.Printf("kevy embedded benchmark — %s, GOMAXPROCS=%d, shards=%d\n\n", runtime.Version(), runtime.GOMAXPROCS(0), *shards)
	single()
	fmt.Println()
	shared()
}

func open() *kevy.Store {
	s, err := kevy.Open(&kevy.Options{Shards: *shards})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return s
}

// median runs f rounds times and returns the median ops/s.
func median(n int, f func() time.Duration) float64 {
	var rates []float64
	for r := 0; r < *rounds; r++ {
		d := f()
		rates = append(rates, float64(n)/d.Seconds())
	}
	slices.Sort(rates)
	return rates[len(rates)/2]
}

// cpuTime returns the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func single() {
	s := open()
	defer s.Close()
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	n := *ops
	set := median(n, func() time.Duration {
		start := time.Now()
		for i := 0; i < n; i++ {
			s.Set(keys[i&255], value)
		}
		return time.Since(start)
	})
	get := median(n, func() time.Duration {
		start := time.Now()
		for i := 0; i < n; i++ {
			if _, err := s.Get(keys[i&255]); err != nil {
				panic(err)
			}
		}
		return time.Since(start)
	})
	for _, k := range keys {
		s.SetWithTTL(k, value, time.Hour)
	}
	getTTL := median(n, func() time.Duration {
		start := time.Now()
		for i := 0; i < n; i++ {
			if _, err := s.Get(keys[i&255]); err != nil {
				panic(err)
			}
		}
		return time.Since(start)
	})
	fmt.Println("1) single goroutine, 256 keys, 16 B values")
	fmt.Printf("   SET          %8.2f M ops/s\n", set/1e6)
	fmt.Printf("   GET          %8.2f M ops/s\n", get/1e6)
	fmt.Printf("   GET (TTL)    %8.2f M ops/s\n", getTTL/1e6)
}

func shared() {
	s := open()
	defer s.Close()
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		s.Set(keys[i], value)
	}
	fmt.Println("2) shared store, 4096 keys, 16 B values, key (i*31 + g*7) % 4096")
	fmt.Println("   goroutines        GET M ops/s   SET M ops/s   GET CPU ns/op")
	var base float64
	for _, g := range []int{1, 2, 4, 8} {
		per := *ops / g
		run := func(op func(k string)) float64 {
			return median(per*g, func() time.Duration {
				var wg sync.WaitGroup
				start := time.Now()
				for w := 0; w < g; w++ {
					wg.Add(1)
					go func(w int) {
						defer wg.Done()
						for i := 0; i < per; i++ {
							op(keys[(i*31+w*7)%4096])
						}
					}(w)
				}
				wg.Wait()
				return time.Since(start)
			})
		}
		cpu0 := cpuTime()
		get := run(func(k string) {
			if _, err := s.Get(k); err != nil {
				panic(err)
			}
		})
		cpuPerOp := float64(cpuTime()-cpu0) / float64(per*g**rounds)
		set := run(func(k string) { s.Set(k, value) })
		if g == 1 {
			base = get
		}
		fmt.Printf("   %-10d  %12.2f  %12.2f  %14.1f   (GET %.2fx of 1 goroutine)\n", g, get/1e6, set/1e6, cpuPerOp, get/base)
	}
}
