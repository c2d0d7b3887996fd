package persist

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kevy-go/kevy/internal/engine"
)

// TestSnapshotAndRewriteWhileWriting runs writers during SaveSnapshot and
// RewriteAOF, then checks that reopening yields exactly the state the
// writers produced.
func TestSnapshotAndRewriteWhileWriting(t *testing.T) {
	t.Parallel()
	for _, shards := range []int{1, 3} {
		for _, pol := range []engine.SyncPolicy{engine.SyncEverySec, engine.SyncAlways} {
			t.Run(fmt.Sprintf("shards=%d/policy=%d", shards, pol), func(t *testing.T) {
				dir := t.TempDir()
				mod := func(c *Config) { c.Sync = pol }
				e := open(t, dir, shards, mod)
				for i := range 3000 {
					e.do("SET", "pre"+strconv.Itoa(i), strconv.Itoa(i))
				}
				writeMix(e, "m", 300)
				var stop atomic.Bool
				var wg sync.WaitGroup
				for w := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := 0; !stop.Load(); i++ {
							k := fmt.Sprintf("w%d:%d", w, i%500)
							var err error
							switch i % 5 {
							case 0:
								_, err = exec(e.en, "RPUSH", "list"+strconv.Itoa(w), strconv.Itoa(i))
							case 1:
								_, err = exec(e.en, "INCR", "ctr"+strconv.Itoa(w))
							case 2:
								_, err = exec(e.en, "SET", k, strconv.Itoa(i), "PX", "100000")
							case 3:
								_, err = exec(e.en, "DEL", fmt.Sprintf("pre%d", (i*7+w)%3000))
							case 4:
								_, err = exec(e.en, "HSET", "h"+strconv.Itoa(w), strconv.Itoa(i%50), strconv.Itoa(i))
							}
							if err != nil {
								t.Error(err)
								return
							}
						}
					}()
				}
				for range 2 {
					if _, err := e.st.SaveSnapshot(); err != nil {
						t.Fatal(err)
					}
					rs, err := e.st.RewriteAOF()
					if err != nil {
						t.Fatal(err)
					}
					if rs.Keys == 0 || rs.Shards != shards {
						t.Errorf("RewriteStats %+v", rs)
					}
				}
				stop.Store(true)
				wg.Wait()
				want := state(e.en)
				e.mustClose()
				e = open(t, dir, shards, mod)
				diffState(t, want, state(e.en))
			})
		}
	}
}

// TestRewriteCatchUp makes a rewrite's new generation grow while the base
// is written, so the rewrite copies it in several rounds.
func TestRewriteCatchUp(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir, 1, func(c *Config) { c.FlushAt = 8 << 10 })
	writeMix(e, "k", 100)
	big := strings.Repeat("x", 200)
	testHookAfterBase = func() {
		for i := range 6000 {
			e.do("SET", "during"+strconv.Itoa(i), big)
			e.do("RPUSH", "dl", strconv.Itoa(i))
		}
		e.st.Flush()
		e.do("RPUSH", "dl", "last-before-copy")
	}
	defer func() { testHookAfterBase = nil }()
	if _, err := e.st.RewriteAOF(); err != nil {
		t.Fatal(err)
	}
	testHookAfterBase = nil
	e.do("RPUSH", "dl", "after")
	want := state(e.en)
	e.mustClose()
	e = open(t, dir, 1, nil)
	diffState(t, want, state(e.en))
	if got := state(e.en)["dl"]; !strings.Contains(got, `"5999" "last-before-copy" "after"]`) {
		t.Errorf("dl = %s", short(got))
	}
}
