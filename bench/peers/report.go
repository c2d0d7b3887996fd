package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Row is one store's result for one workload and configuration.
type Row struct {
	Section     string    `json:"section"` // cache, redis, durable, network, memory, coord
	Workload    string    `json:"workload"`
	Config      string    `json:"config"`
	Threads     int       `json:"goroutines"`
	Store       string    `json:"store"`
	OpsPerSec   float64   `json:"ops_per_sec,omitempty"`
	NsPerOp     float64   `json:"ns_per_op,omitempty"`     // wall time / total ops (1 / throughput)
	CPUNsPerOp  float64   `json:"cpu_ns_per_op,omitempty"` // this process's CPU time (all threads) / total ops
	AllocsPerOp float64   `json:"allocs_per_op"`
	BytesPerKey float64   `json:"bytes_per_key,omitempty"`
	RatioToKevy float64   `json:"ratio_to_kevy,omitempty"` // ops/s (or bytes/key) ÷ kevy's in the same cell
	HitRate     float64   `json:"hit_rate,omitempty"`      // lowest over the rounds: found (reads) or accepted (writes)
	OpsPerRound int       `json:"ops_per_round,omitempty"`
	Rounds      []float64 `json:"rounds_ops_per_sec,omitempty"`
	Note        string    `json:"note,omitempty"`
	// coord rows: what ops/s counts (msgs/s: deliveries; hand-offs/s) and,
	// for the hand-off, its latency percentiles in µs
	Unit  string  `json:"unit,omitempty"`
	P50Us float64 `json:"p50_us,omitempty"`
	P99Us float64 `json:"p99_us,omitempty"`
}

type Skip struct {
	Section string `json:"section"`
	What    string `json:"what"`
	Why     string `json:"why"`
}

type Report struct {
	Meta    map[string]any `json:"meta"`
	Rows    []Row          `json:"rows"`
	Skipped []Skip         `json:"skipped,omitempty"`
}

// setRatios fills RatioToKevy against the row named "kevy" in each cell.
func setRatios(rows []Row) {
	var ref *Row
	for i := range rows {
		if rows[i].Store == "kevy" {
			ref = &rows[i]
		}
	}
	if ref == nil {
		return
	}
	for i := range rows {
		r := &rows[i]
		switch {
		case r.Section == "memory" && ref.BytesPerKey > 0:
			r.RatioToKevy = r.BytesPerKey / ref.BytesPerKey
		case ref.OpsPerSec > 0:
			r.RatioToKevy = r.OpsPerSec / ref.OpsPerSec
		}
	}
}

func human(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// spread is (max-min)/median of the rounds, as a percentage.
func spread(r Row) float64 {
	if len(r.Rounds) < 2 || r.OpsPerSec == 0 {
		return 0
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range r.Rounds {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return 100 * (hi - lo) / r.OpsPerSec
}

// writeTable prints one block per cell.
func writeTable(w io.Writer, rows []Row) {
	var last string
	for _, r := range rows {
		head := r.Section + " | " + r.Workload + " | " + r.Config
		if head != last {
			fmt.Fprintf(w, "\n%s — %s — %s\n", strings.ToUpper(r.Section), r.Workload, r.Config)
			switch r.Section {
			case "memory":
				fmt.Fprintf(w, "  %-38s %12s %9s  %s\n", "store", "bytes/key", "vs kevy", "note")
			case "coord":
				fmt.Fprintf(w, "  %-38s %12s %10s %10s %10s %9s %9s %9s %7s  %s\n", "store", r.Unit, "ns/op", "cpu ns/op", "allocs/op", "p50 µs", "p99 µs", "vs kevy", "spread", "note")
			default:
				fmt.Fprintf(w, "  %-38s %12s %10s %10s %10s %9s %7s  %s\n", "store", "ops/s", "ns/op", "cpu ns/op", "allocs/op", "vs kevy", "spread", "note")
			}
			last = head
		}
		ratio := strings.ReplaceAll(ratioText(r.RatioToKevy), "×", "x")
		if r.Section == "memory" {
			fmt.Fprintf(w, "  %-38s %12.1f %9s  %s\n", r.Store, r.BytesPerKey, ratio, r.Note)
			continue
		}
		note := r.Note
		if r.HitRate < 0.999 {
			note = strings.TrimSpace(fmt.Sprintf("%.1f%% found/accepted; %s", 100*r.HitRate, note))
			note = strings.TrimSuffix(note, ";")
		}
		if r.Section == "coord" {
			fmt.Fprintf(w, "  %-38s %12s %10.1f %10.1f %10.2f %9s %9s %9s %6.0f%%  %s\n", r.Store, human(r.OpsPerSec), r.NsPerOp, r.CPUNsPerOp, r.AllocsPerOp, micros(r.P50Us), micros(r.P99Us), ratio, spread(r), note)
			continue
		}
		fmt.Fprintf(w, "  %-38s %12s %10.1f %10.1f %10.2f %9s %6.0f%%  %s\n", r.Store, human(r.OpsPerSec), r.NsPerOp, r.CPUNsPerOp, r.AllocsPerOp, ratio, spread(r), note)
	}
}

func writeJSON(path string, rep *Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// --- SVG: grouped bars, written by hand.

var palette = []string{
	"#1b3a8c", "#4f7fe0", // kevy, kevy-N: blues
	"#e07b39", "#3aa35b", "#b84a9e", "#c9a227", "#7a7a7a", "#222222",
	"#8c564b", "#17becf", "#d62728",
}

// colorOf gives each store the same colour in every chart.
func colorOf(store string, i int) string {
	switch {
	case store == "kevy":
		return "#1b3a8c"
	case strings.HasPrefix(store, "kevy"):
		return "#4f7fe0"
	}
	for name, c := range map[string]string{
		"otter": "#e07b39", "ristretto": "#3aa35b", "freecache": "#b84a9e", "go-cache": "#c9a227",
		"sync.Map": "#7a7a7a", "map+RWMutex": "#222222", "miniredis": "#8c564b", "buntdb": "#17becf",
		"bbolt": "#9467bd", "redis-server (go-redis)": "#d62728", "redis-server (go-redis, pipeline 100)": "#ff9896",
	} {
		if store == name {
			return c
		}
	}
	return palette[2+i%(len(palette)-2)]
}

type panel struct {
	title  string
	groups []string    // x axis: workloads
	values [][]float64 // [series][group], NaN = not measured
}

type chart struct {
	title, subtitle string
	note            string // shown under the subtitle (what was not measured)
	unit            string // y axis label
	series          []string
	colors          []string
	log             bool
	panels          []panel
}

func esc(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}

// textW estimates the width of s at the given font size.
func textW(s string, size float64) int { return int(float64(len([]rune(s))) * size * 0.58) }

func (c *chart) svg() string {
	const (
		barW   = 13
		gapG   = 26
		left   = 70
		right  = 20
		panelH = 300
		top    = 60
		legend = 22
	)
	ns := len(c.series)
	maxGroups := 0
	for _, p := range c.panels {
		maxGroups = max(maxGroups, len(p.groups))
	}
	groupW := ns*barW + gapG
	width := max(left+maxGroups*groupW+right, 760, textW(c.title, 16)+40, textW(c.subtitle, 11)+40, textW(c.note, 11)+40)
	// legend: flow left to right, wrapping at the chart's width
	type item struct{ x, y int }
	items := make([]item, ns)
	lx, ly := 20, top
	if c.note != "" {
		ly += 16
	}
	for i, s := range c.series {
		w := 17 + textW(s, 12) + 18
		if lx+w > width-right && lx > 20 {
			lx, ly = 20, ly+legend
		}
		items[i] = item{lx, ly}
		lx += w
	}
	height := ly + legend + 10 + len(c.panels)*(panelH+70) + 10

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="20" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", esc(c.title))
	fmt.Fprintf(&b, `<text x="20" y="44" font-size="11" fill="#555">%s</text>`+"\n", esc(c.subtitle))
	if c.note != "" {
		fmt.Fprintf(&b, `<text x="20" y="62" font-size="11" fill="#b03030">%s</text>`+"\n", esc(c.note))
	}
	for i, s := range c.series {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`, items[i].x, items[i].y, c.colors[i])
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`+"\n", items[i].x+17, items[i].y+11, esc(s))
	}
	y0 := ly + legend + 10
	for _, p := range c.panels {
		c.drawPanel(&b, p, left, y0, width-left-right, panelH, groupW, barW)
		y0 += panelH + 70
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// hbars is a horizontal bar chart with one bar per label (the memory
// figures), coloured by colorOf.
func hbars(title, subtitle, unit string, labels []string, values []float64, notes []string, colorOf func(string) string) string {
	const (
		left  = 170
		right = 90
		rowH  = 26
		top   = 70
	)
	width := max(760, textW(title, 16)+40, textW(subtitle, 11)+40)
	height := top + len(labels)*rowH + 50
	hi := 0.0
	for _, v := range values {
		hi = math.Max(hi, v)
	}
	step := niceStep(hi / 5)
	axisMax := math.Ceil(hi/step) * step
	plotW := float64(width - left - right)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="20" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", esc(title))
	fmt.Fprintf(&b, `<text x="20" y="44" font-size="11" fill="#555">%s</text>`+"\n", esc(subtitle))
	base := top + len(labels)*rowH
	for t := 0.0; t <= axisMax+step/2; t += step {
		x := float64(left) + plotW*t/axisMax
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e3e3e3"/>`, x, top-6, x, base)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="#555">%s</text>`+"\n", x, base+14, human(t))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#333">%s</text>`+"\n", float64(left)+plotW/2, base+32, esc(unit))
	for i, l := range labels {
		y := top + i*rowH
		w := plotW * values[i] / axisMax
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, left-8, y+14, esc(l))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %.1f — %s</title></rect>`,
			left, y+2, math.Max(w, 1), rowH-8, colorOf(l), esc(l), values[i], esc(notes[i]))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11">%.0f</text>`+"\n", float64(left)+w+5, y+14, values[i])
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func (c *chart) drawPanel(b *strings.Builder, p panel, x0, y0, w, h, groupW, barW int) {
	hi := 0.0
	lo := math.Inf(1)
	for _, s := range p.values {
		for _, v := range s {
			if !math.IsNaN(v) && v > 0 {
				hi = math.Max(hi, v)
				lo = math.Min(lo, v)
			}
		}
	}
	if hi == 0 {
		return
	}
	top := y0 + 22
	plotH := h - 22
	base := top + plotH
	var scale func(v float64) float64
	var ticks []float64
	if c.log {
		a := math.Floor(math.Log10(lo))
		z := math.Log10(hi) + 0.35 // room for the value labels
		if z-a < 1 {
			z = a + 1
		}
		scale = func(v float64) float64 { return float64(plotH) * (math.Log10(v) - a) / (z - a) }
		for e := a; e <= z; e++ {
			ticks = append(ticks, math.Pow(10, e))
		}
	} else {
		step := niceStep(hi * 1.15 / 5)
		top := math.Ceil(hi*1.15/step) * step // room for the value labels
		scale = func(v float64) float64 { return float64(plotH) * v / top }
		for t := 0.0; t <= top+step/2; t += step {
			ticks = append(ticks, t)
		}
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`+"\n", x0, y0+12, esc(p.title))
	for _, t := range ticks {
		y := float64(base) - scale(t)
		if c.log && t == ticks[0] {
			y = float64(base)
		}
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e3e3e3"/>`, x0, y, x0+w, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-size="10" text-anchor="end" fill="#555">%s</text>`+"\n", x0-6, y+3, human(t))
	}
	fmt.Fprintf(b, `<text transform="translate(%d,%d) rotate(-90)" font-size="11" text-anchor="middle" fill="#333">%s</text>`+"\n", x0-52, top+plotH/2, esc(c.unit))
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`+"\n", x0, base, x0+w, base)
	gw := max(groupW, (w-13)/max(len(p.groups), 1))
	for gi, g := range p.groups {
		gx := x0 + 13 + gi*gw + (gw-groupW)/2
		for si := range c.series {
			v := p.values[si][gi]
			if math.IsNaN(v) || v <= 0 {
				continue
			}
			bh := scale(v)
			if bh < 1 {
				bh = 1
			}
			x := gx + si*barW
			fmt.Fprintf(b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s — %s: %s</title></rect>`,
				x, float64(base)-bh, barW-2, bh, c.colors[si], esc(c.series[si]), esc(g), human(v))
			fmt.Fprintf(b, `<text transform="translate(%.1f,%.1f) rotate(-90)" font-size="8" fill="#333">%s</text>`+"\n",
				float64(x)+float64(barW)/2+2.5, float64(base)-bh-3, human(v))
		}
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" text-anchor="middle">%s</text>`+"\n",
			gx+(len(c.series)*barW)/2, base+16, esc(g))
	}
}

func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// buildChart makes a chart from rows: one panel per config, groups are
// workloads, series are stores (in first-seen order).
func buildChart(title, subtitle, unit string, log bool, rows []Row, value func(Row) float64) *chart {
	c := &chart{title: title, subtitle: subtitle, unit: unit, log: log}
	seriesIdx := map[string]int{}
	var configs []string
	groups := map[string][]string{}
	for _, r := range rows {
		if _, ok := seriesIdx[r.Store]; !ok {
			seriesIdx[r.Store] = len(c.series)
			c.series = append(c.series, r.Store)
		}
		if _, ok := groups[r.Config]; !ok {
			configs = append(configs, r.Config)
		}
		gs := groups[r.Config]
		if len(gs) == 0 || gs[len(gs)-1] != r.Workload {
			found := false
			for _, g := range gs {
				found = found || g == r.Workload
			}
			if !found {
				groups[r.Config] = append(gs, r.Workload)
			}
		}
	}
	// kevy's rows first, then the peers in the order they were measured
	order := slices.Clone(c.series)
	slices.SortStableFunc(order, func(a, b string) int {
		ka, kb := strings.HasPrefix(a, "kevy"), strings.HasPrefix(b, "kevy")
		switch {
		case ka && !kb:
			return -1
		case kb && !ka:
			return 1
		}
		return 0
	})
	c.series = order
	for i, name := range c.series {
		seriesIdx[name] = i
		c.colors = append(c.colors, colorOf(name, i))
	}
	for _, cf := range configs {
		p := panel{title: cf, groups: groups[cf]}
		p.values = make([][]float64, len(c.series))
		for s := range p.values {
			p.values[s] = make([]float64, len(p.groups))
			for g := range p.values[s] {
				p.values[s][g] = math.NaN()
			}
		}
		for _, r := range rows {
			if r.Config != cf {
				continue
			}
			for g, name := range p.groups {
				if name == r.Workload {
					p.values[seriesIdx[r.Store]][g] = value(r)
				}
			}
		}
		c.panels = append(c.panels, p)
	}
	return c
}

func writeChart(dir, name string, c *chart) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(c.svg()), 0o644)
}

// writeMarkdown writes the results as Markdown pivot tables (stores down,
// workloads across; ops/s with the ratio to kevy), one per section and
// configuration, for docs/performance.md to quote.
func writeMarkdown(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "<!-- generated by bench/peers; %s -->\n", rep.Meta["date"])
	type key struct{ section, config string }
	var order []key
	byKey := map[key][]Row{}
	for _, r := range rep.Rows {
		k := key{r.Section, r.Config}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	titles := map[string]string{
		"cache": "Cache workloads", "redis": "Redis semantics in-process", "durable": "Durable writes",
		"network": "In-process vs network", "memory": "Memory per key",
		"coord": "Pub/sub and blocking hand-off",
	}
	for _, k := range order {
		rows := byKey[k]
		fmt.Fprintf(w, "\n**%s — %s**\n\n", titles[k.section], k.config)
		if k.section == "memory" {
			fmt.Fprintf(w, "| store | bytes/key | vs kevy | note |\n|---|---:|---:|---|\n")
			for _, r := range rows {
				fmt.Fprintf(w, "| %s | %.1f | %s | %s |\n", r.Store, r.BytesPerKey, ratioText(r.RatioToKevy), r.Note)
			}
			continue
		}
		if k.section == "coord" {
			fmt.Fprintf(w, "| store | %s | p50 µs | p99 µs | vs kevy | note |\n|---|---:|---:|---:|---:|---|\n", rows[0].Unit)
			for _, r := range rows {
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.Store, human(r.OpsPerSec), micros(r.P50Us), micros(r.P99Us), ratioText(r.RatioToKevy), r.Note)
			}
			continue
		}
		var wls, stores []string
		cellOf := map[[2]string]Row{}
		for _, r := range rows {
			if !slicesContains(wls, r.Workload) {
				wls = append(wls, r.Workload)
			}
			if !slicesContains(stores, r.Store) {
				stores = append(stores, r.Store)
			}
			cellOf[[2]string{r.Store, r.Workload}] = r
		}
		fmt.Fprintf(w, "| store |")
		for _, wl := range wls {
			fmt.Fprintf(w, " %s |", wl)
		}
		fmt.Fprintf(w, "\n|---|")
		for range wls {
			fmt.Fprintf(w, "---:|")
		}
		fmt.Fprintln(w)
		for _, s := range stores {
			fmt.Fprintf(w, "| %s |", s)
			for _, wl := range wls {
				r, ok := cellOf[[2]string{s, wl}]
				switch {
				case !ok:
					fmt.Fprintf(w, " – |")
				case s == "kevy":
					fmt.Fprintf(w, " **%s** |", human(r.OpsPerSec))
				default:
					fmt.Fprintf(w, " %s (%s) |", human(r.OpsPerSec), ratioText(r.RatioToKevy))
				}
			}
			fmt.Fprintln(w)
		}
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "\nNot measured: %s — %s: %s\n", s.Section, s.What, s.Why)
	}
}

// micros formats a latency in µs, "–" when not measured.
func micros(us float64) string {
	switch {
	case us == 0:
		return "–"
	case us < 10:
		return fmt.Sprintf("%.2f", us)
	case us < 100:
		return fmt.Sprintf("%.1f", us)
	}
	return fmt.Sprintf("%.0f", us)
}

func ratioText(r float64) string {
	switch {
	case r == 0:
		return "–"
	case r < 0.05:
		return fmt.Sprintf("1/%.0f×", 1/r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
