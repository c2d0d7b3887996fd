package types

import (
	"strconv"
	"strings"
	"testing"
)

// benchKeys returns n distinct keys.
func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	return keys
}

const benchTableSize = 100000

func BenchmarkTableSet(b *testing.B) {
	keys := benchKeys(benchTableSize)
	b.ReportAllocs()
	var tab Table[string]
	for i := 0; b.Loop(); i++ {
		if i%benchTableSize == 0 {
			tab = Table[string]{}
		}
		tab.Set(keys[i%benchTableSize], "v")
	}
}

func BenchmarkMapSet(b *testing.B) {
	keys := benchKeys(benchTableSize)
	b.ReportAllocs()
	m := map[string]string{}
	for i := 0; b.Loop(); i++ {
		if i%benchTableSize == 0 {
			m = map[string]string{}
		}
		m[keys[i%benchTableSize]] = "v"
	}
}

func BenchmarkTableGet(b *testing.B) {
	keys := benchKeys(benchTableSize)
	var tab Table[string]
	for _, k := range keys {
		tab.Set(k, "v")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := tab.Get(keys[i%benchTableSize]); !ok {
			b.Fatal("missing key")
		}
	}
}

func BenchmarkMapGet(b *testing.B) {
	keys := benchKeys(benchTableSize)
	m := map[string]string{}
	for _, k := range keys {
		m[k] = "v"
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := m[keys[i%benchTableSize]]; !ok {
			b.Fatal("missing key")
		}
	}
}

// BenchmarkTableUpdate overwrites existing string values (no growth), which
// also checks that the memory accounting does not allocate.
func BenchmarkTableUpdate(b *testing.B) {
	keys := benchKeys(1000)
	var tab Table[string]
	for _, k := range keys {
		tab.Set(k, "v")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tab.Set(keys[i%1000], "value")
	}
}

func BenchmarkTableDeleteInsert(b *testing.B) {
	keys := benchKeys(benchTableSize)
	var tab Table[struct{}]
	for _, k := range keys {
		tab.Set(k, struct{}{})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := keys[i%benchTableSize]
		tab.Delete(k)
		tab.Set(k, struct{}{})
	}
}

func BenchmarkTableRandom(b *testing.B) {
	var tab Table[struct{}]
	for _, k := range benchKeys(benchTableSize) {
		tab.Set(k, struct{}{})
	}
	b.ReportAllocs()
	for b.Loop() {
		tab.Random(nil)
	}
}

func BenchmarkTableScan(b *testing.B) {
	var tab Table[struct{}]
	for _, k := range benchKeys(benchTableSize) {
		tab.Set(k, struct{}{})
	}
	b.ReportAllocs()
	cursor := uint64(0)
	for b.Loop() {
		cursor = tab.Scan(cursor, 10, func(string, struct{}) {})
	}
}

// benchHash returns a hash of n fields, and its field names.
func benchHash(n int) (*Hash, []string) {
	h := NewHash(nil)
	fields := benchKeys(n)
	for _, f := range fields {
		h.Set(f, "value")
	}
	return h, fields
}

func BenchmarkHashGet(b *testing.B) {
	for _, n := range []int{16, 512, 10000} {
		h, fields := benchHash(n)
		b.Run(h.Encoding()+"/"+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, ok := h.Get(fields[i%n]); !ok {
					b.Fatal("missing field")
				}
			}
		})
	}
}

func BenchmarkHashSet(b *testing.B) {
	for _, n := range []int{16, 512, 10000} {
		h, fields := benchHash(n)
		b.Run(h.Encoding()+"/"+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				h.Set(fields[i%n], "other")
			}
		})
	}
	b.Run("listpack-to-hashtable", func(b *testing.B) {
		fields := benchKeys(600)
		long := strings.Repeat("x", 65)
		b.ReportAllocs()
		for b.Loop() {
			h := NewHash(nil)
			for _, f := range fields[:20] {
				h.Set(f, "v")
			}
			h.Set("long", long)
		}
	})
}

func BenchmarkSetAdd(b *testing.B) {
	ints := benchInts(512)
	b.Run("intset", func(b *testing.B) {
		b.ReportAllocs()
		s := NewSet(nil)
		for i := 0; b.Loop(); i++ {
			if i%512 == 0 {
				s = NewSet(nil)
			}
			s.Add(ints[i%512])
		}
	})
	keys := benchKeys(benchTableSize)
	b.Run("hashtable", func(b *testing.B) {
		b.ReportAllocs()
		s := NewSet(nil)
		for i := 0; b.Loop(); i++ {
			if i%benchTableSize == 0 {
				s = NewSet(nil)
			}
			s.Add(keys[i%benchTableSize])
		}
	})
}

// benchInts returns the decimal strings of 0..n-1.
func benchInts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i * 3)
	}
	return out
}

func BenchmarkSetHas(b *testing.B) {
	ints := benchInts(512)
	s := NewSet(nil)
	for _, m := range ints {
		s.Add(m)
	}
	b.Run("intset", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if !s.Has(ints[i%512]) {
				b.Fatal("missing member")
			}
		}
	})
	keys := benchKeys(benchTableSize)
	h := NewSet(nil)
	for _, k := range keys {
		h.Add(k)
	}
	b.Run("hashtable", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if !h.Has(keys[i%benchTableSize]) {
				b.Fatal("missing member")
			}
		}
	})
}

func BenchmarkListPushPop(b *testing.B) {
	b.Run("queue", func(b *testing.B) {
		l := NewList()
		l.PushBack(benchKeys(100)...)
		b.ReportAllocs()
		for b.Loop() {
			l.PushBack("v")
			l.PopFront()
		}
	})
	b.Run("fill-drain-1000", func(b *testing.B) {
		l := NewList()
		b.ReportAllocs()
		for b.Loop() {
			for range 1000 {
				l.PushFront("v")
			}
			for range 1000 {
				l.PopBack()
			}
		}
	})
}

func BenchmarkListIndex(b *testing.B) {
	l := NewList()
	l.PushBack(benchKeys(10000)...)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Index(i%20000 - 10000)
	}
}
