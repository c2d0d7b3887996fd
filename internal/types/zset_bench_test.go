package types

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

const benchZSetSize = 1_000_000

var (
	benchZSetOnce    sync.Once
	benchZSet        *ZSet
	benchZSetMembers []string
)

// sharedBenchZSet returns a 1M-member set with distinct random scores,
// built once per test binary.
func sharedBenchZSet() (*ZSet, []string) {
	benchZSetOnce.Do(func() {
		rng := rand.New(rand.NewPCG(1, 1))
		benchZSetMembers = make([]string, benchZSetSize)
		benchZSet = NewZSet(nil)
		for i := range benchZSetMembers {
			m := fmt.Sprintf("member:%d", i)
			benchZSetMembers[i] = m
			benchZSet.Add(m, rng.Float64()*1e6)
		}
	})
	return benchZSet, benchZSetMembers
}

func BenchmarkZSetAdd(b *testing.B) {
	b.Run("new members", func(b *testing.B) {
		names := make([]string, benchZSetSize)
		for i := range names {
			names[i] = fmt.Sprintf("member:%d", i)
		}
		rng := rand.New(rand.NewPCG(2, 2))
		z := NewZSet(nil)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%benchZSetSize == 0 && i > 0 {
				b.StopTimer()
				z = NewZSet(nil)
				b.StartTimer()
			}
			z.Add(names[i%benchZSetSize], rng.Float64()*1e6)
		}
	})
	b.Run("update on 1M", func(b *testing.B) {
		z, names := sharedBenchZSet()
		rng := rand.New(rand.NewPCG(3, 3))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			z.Add(names[rng.IntN(len(names))], rng.Float64()*1e6)
		}
	})
}

func BenchmarkZSetScore(b *testing.B) {
	z, names := sharedBenchZSet()
	rng := rand.New(rand.NewPCG(4, 4))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := z.Score(names[rng.IntN(len(names))]); !ok {
			b.Fatal("member missing")
		}
	}
}

func BenchmarkZSetRank(b *testing.B) {
	z, names := sharedBenchZSet()
	rng := rand.New(rand.NewPCG(5, 5))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := z.Rank(names[rng.IntN(len(names))], false); !ok {
			b.Fatal("member missing")
		}
	}
}

func BenchmarkZSetRangeByRank10(b *testing.B) {
	z, _ := sharedBenchZSet()
	rng := rand.New(rand.NewPCG(6, 6))
	n := 0
	fn := func(string, float64) bool { n++; return true }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := rng.IntN(benchZSetSize - 10)
		z.RangeByRank(start, start+9, false, fn)
	}
	if n != 10*b.N {
		b.Fatalf("visited %d members, want %d", n, 10*b.N)
	}
}

func BenchmarkZSetRangeByScore10(b *testing.B) {
	z, _ := sharedBenchZSet()
	rng := rand.New(rand.NewPCG(7, 7))
	fn := func(string, float64) bool { return true }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lo := rng.Float64() * 1e6
		z.RangeByScore(ScoreRange{Min: lo, Max: 1e6}, false, 1000, 10, fn)
	}
}
