package main

import (
	"encoding/xml"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestZipfIsSkewed(t *testing.T) {
	const items, n = 100_000, 200_000
	idx := zipf(rand.New(rand.NewPCG(1, 2)), items, n, 0.99)
	counts := make(map[int32]int)
	for _, i := range idx {
		if i < 0 || i >= items {
			t.Fatalf("index %d out of range", i)
		}
		counts[i]++
	}
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	// Zipf(0.99) over 100,000 items: the hottest key takes ~8% of draws;
	// uniform would give each about 2 of 200,000.
	if top < n/50 {
		t.Errorf("hottest key drawn %d times of %d; not Zipfian", top, n)
	}
	if len(counts) < items/10 {
		t.Errorf("only %d distinct keys drawn", len(counts))
	}
}

func TestChartsAreWellFormedSVG(t *testing.T) {
	rows := []Row{
		{Section: "cache", Workload: "GET hit", Config: "c1", Store: "kevy", OpsPerSec: 1e7},
		{Section: "cache", Workload: "GET hit", Config: "c1", Store: "a<b&c", OpsPerSec: 5e6},
		{Section: "cache", Workload: "SET", Config: "c1", Store: "kevy", OpsPerSec: 3e6},
		{Section: "cache", Workload: "SET", Config: "c2", Store: "kevy", OpsPerSec: 2e3},
	}
	for _, log := range []bool{false, true} {
		c := buildChart("t", "s", "ops/s", log, rows, func(r Row) float64 { return r.OpsPerSec })
		if len(c.panels) != 2 || len(c.series) != 2 {
			t.Fatalf("panels %d series %d", len(c.panels), len(c.series))
		}
		checkXML(t, c.svg())
	}
	checkXML(t, hbars("m", "s", "bytes", []string{"kevy", "x&y"}, []float64{100, 250}, []string{"", "<n>"}, func(string) string { return "#000" }))
}

func checkXML(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("invalid SVG: %v", err)
			}
			return
		}
	}
}

func TestSetRatios(t *testing.T) {
	rows := []Row{{Store: "peer", OpsPerSec: 50}, {Store: "kevy", OpsPerSec: 100}}
	setRatios(rows)
	if rows[0].RatioToKevy != 0.5 || rows[1].RatioToKevy != 1 {
		t.Errorf("ratios %v %v", rows[0].RatioToKevy, rows[1].RatioToKevy)
	}
}
