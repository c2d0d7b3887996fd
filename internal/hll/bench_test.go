package hll

import (
	"strconv"
	"testing"
)

func BenchmarkAdd(b *testing.B) {
	sparse, _, _ := Add("", false, DefaultSparseMax, elems("b", 300)...)
	dense, _, _ := Add("", false, DefaultSparseMax, elems("b", 20000)...)
	for _, bc := range []struct {
		name string
		v    string
		elem func(i int) string
	}{
		{"sparse/new", sparse, func(i int) string { return "n" + strconv.Itoa(i) }},
		{"sparse/seen", sparse, func(i int) string { return "b" + strconv.Itoa(i%300) }},
		{"dense/new", dense, func(i int) string { return "n" + strconv.Itoa(i) }},
		{"dense/seen", dense, func(i int) string { return "b" + strconv.Itoa(i%20000) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			names := make([]string, 1024)
			for i := range names {
				names[i] = bc.elem(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := Add(bc.v, true, DefaultSparseMax, names[i%len(names)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCount(b *testing.B) {
	sparse, _, _ := Add("", false, DefaultSparseMax, elems("c", 1000)...)
	dense, _, _ := Add("", false, DefaultSparseMax, elems("c", 20000)...)
	other, _, _ := Add("", false, DefaultSparseMax, elems("d", 20000)...)
	_, cached, _ := Count([]string{dense})
	for _, bc := range []struct {
		name string
		vals []string
	}{
		{"cached", []string{cached}},
		{"sparse", []string{sparse}},
		{"dense", []string{dense}},
		{"union3", []string{sparse, dense, other}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := Count(bc.vals); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMerge(b *testing.B) {
	sparse, _, _ := Add("", false, DefaultSparseMax, elems("m", 1000)...)
	dense, _, _ := Add("", false, DefaultSparseMax, elems("m", 20000)...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Merge("", false, DefaultSparseMax, sparse, dense); err != nil {
			b.Fatal(err)
		}
	}
}
