package persist

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestReshard(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir, 1, func(c *Config) { c.AOFFilename = "appendonly.aof" })
	writeMix(e, "k", 300)
	if _, err := e.st.SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	writeMix(e, "j", 100)
	want := state(e.en)
	e.mustClose()

	for _, n := range []int{4, 2, 1, 3} {
		e = open(t, dir, n, nil)
		if !e.ls.Resharded {
			t.Errorf("to %d shards: not re-sharded", n)
		}
		diffState(t, want, state(e.en))
		e.do("RPUSH", "after"+fmt.Sprint(n), "x")
		want = state(e.en)
		e.mustClose()
		e = open(t, dir, n, nil) // the new layout is stable
		if e.ls.Resharded {
			t.Errorf("%d shards: re-sharded twice", n)
		}
		diffState(t, want, state(e.en))
		e.mustClose()
		got := files(t, dir)
		for i := range 5 {
			has := slices.Contains(got, fmt.Sprintf("dump-%d.rdb", i))
			if has != (i < n) {
				t.Errorf("%d shards: files %v", n, got)
			}
		}
		for _, f := range got {
			if strings.HasSuffix(f, reshardExt) || strings.Contains(f, "appendonly") {
				t.Errorf("%d shards: leftover %s", n, f)
			}
		}
	}
}

// TestReshardCrash crashes 1→4 and 4→2 re-shards at every step: the
// directory must reopen, with every key, under either layout.
func TestReshardCrash(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ from, to int }{{1, 4}, {4, 2}} {
		t.Run(fmt.Sprintf("%d-to-%d", tc.from, tc.to), func(t *testing.T) {
			base := t.TempDir()
			e := open(t, base, tc.from, nil)
			writeMix(e, "k", 60)
			if _, err := e.st.SaveSnapshot(); err != nil {
				t.Fatal(err)
			}
			writeMix(e, "j", 30)
			want := state(e.en)
			e.mustClose()
			steps := 0
			for k := int64(0); ; k++ {
				dir := copyDir(t, base)
				ffs := NewFaultFS(nil)
				ffs.SkipSync = true
				ffs.CrashAfter(k)
				e, err := tryOpen(t, dir, tc.to, func(c *Config) { c.FS = ffs })
				crashed := ffs.Crashed()
				if err == nil {
					e.close()
				} else if !crashed {
					t.Fatalf("Open failed without a crash: %v", err)
				}
				for _, n := range []int{tc.to, tc.from} {
					d2 := copyDir(t, dir)
					r := open(t, d2, n, nil)
					diffState(t, want, state(r.en))
					r.mustClose()
				}
				if !crashed {
					break
				}
				steps++
			}
			t.Logf("%d crash points", steps)
		})
	}
}
