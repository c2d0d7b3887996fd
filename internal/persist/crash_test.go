package persist

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/engine"
)

// listOf returns key's list elements as integers (nil if absent).
func listOf(t testing.TB, en *engine.Engine, key string) []int {
	t.Helper()
	st := state(en)
	v, ok := st[key]
	if !ok {
		return nil
	}
	v = strings.TrimPrefix(v[:strings.LastIndex(v, " exp=")], "list:")
	var out []int
	for _, f := range strings.Fields(strings.Trim(v, "[]")) {
		n, err := strconv.Atoi(strings.Trim(f, `"`))
		if err != nil {
			t.Fatalf("list %s: %q", key, v)
		}
		out = append(out, n)
	}
	return out
}

// checkPrefix checks that list is 1..n for some acked <= n <= attempted.
func checkPrefix(t testing.TB, what string, list []int, acked, attempted int) {
	t.Helper()
	for i, v := range list {
		if v != i+1 {
			t.Fatalf("%s: element %d is %d (list %v): not a prefix (applied twice or missing)", what, i, v, list)
		}
	}
	if n := len(list); n < acked || n > attempted {
		t.Fatalf("%s: %d elements, want between %d acknowledged and %d attempted", what, n, acked, attempted)
	}
}

// counter tracks numbered RPUSHes to one key.
type counter struct {
	key       string
	attempted int
	acked     int
}

func (c *counter) push(en *engine.Engine, always bool) {
	c.attempted++
	_, err := exec(en, "RPUSH", c.key, strconv.Itoa(c.attempted))
	if err != nil {
		if strings.HasPrefix(err.Error(), "MISCONF") {
			c.attempted-- // refused before it ran
		}
		return
	}
	if always {
		c.acked = c.attempted
	}
}

// TestCrashAtEveryStep simulates a process crash at every file-system
// operation of SaveSnapshot and RewriteAOF (and the writes around them),
// then reopens and checks that the lists hold a prefix of the pushes,
// with every acknowledged one under FsyncAlways.
func TestCrashAtEveryStep(t *testing.T) {
	t.Parallel()
	type op struct {
		name string
		run  func(*Store) error
	}
	ops := []op{
		{"snapshot", func(s *Store) error { _, err := s.SaveSnapshot(); return err }},
		{"rewrite", func(s *Store) error { _, err := s.RewriteAOF(); return err }},
		{"snapshot+rewrite", func(s *Store) error {
			if _, err := s.SaveSnapshot(); err != nil {
				return err
			}
			_, err := s.RewriteAOF()
			return err
		}},
	}
	for _, shards := range []int{1, 2} {
		for _, pol := range []engine.SyncPolicy{engine.SyncAlways, engine.SyncEverySec} {
			for _, o := range ops {
				t.Run(fmt.Sprintf("%s/shards=%d/policy=%d", o.name, shards, pol), func(t *testing.T) {
					always := pol == engine.SyncAlways
					mod := func(c *Config) { c.Sync = pol; c.ManualTick = true }
					// The starting directory: a snapshot and a log.
					base := t.TempDir()
					e := open(t, base, shards, mod)
					keys := []string{"A", "B", "C{x}", "D{y}"}
					ctrs := make([]*counter, len(keys))
					for i, k := range keys {
						ctrs[i] = &counter{key: k}
						for range 20 {
							ctrs[i].push(e.en, true)
						}
					}
					if _, err := e.st.SaveSnapshot(); err != nil {
						t.Fatal(err)
					}
					for _, c := range ctrs {
						for range 10 {
							c.push(e.en, true)
						}
					}
					e.mustClose()
					start := make([]counter, len(ctrs))
					for i, c := range ctrs {
						c.acked = c.attempted
						start[i] = *c
					}

					steps := 0
					for k := int64(0); ; k++ {
						dir := copyDir(t, base)
						ffs := NewFaultFS(nil)
						ffs.SkipSync = true
						e := open(t, dir, shards, func(c *Config) { mod(c); c.FS = ffs })
						cs := make([]*counter, len(start))
						for i := range start {
							c := start[i]
							cs[i] = &c
						}
						ffs.CrashAfter(k)
						for _, c := range cs {
							c.push(e.en, always)
							c.push(e.en, always)
						}
						e.st.Tick()
						o.run(e.st)
						for _, c := range cs {
							c.push(e.en, always)
						}
						e.st.Tick()
						crashed := ffs.Crashed()
						e.close()
						if !crashed {
							// Past the last step: a clean run, nothing may be lost.
							for _, c := range cs {
								c.acked = c.attempted
							}
						}
						r := open(t, dir, shards, mod)
						for _, c := range cs {
							checkPrefix(t, fmt.Sprintf("crash after %d ops: %s", k, c.key), listOf(t, r.en, c.key), c.acked, c.attempted)
						}
						// The directory must stay usable: write, snapshot, reopen.
						r.do("SET", "after", "1")
						if _, err := r.st.SaveSnapshot(); err != nil {
							t.Fatalf("crash after %d ops: SaveSnapshot after reopening: %v", k, err)
						}
						want := state(r.en)
						r.mustClose()
						r = open(t, dir, shards, mod)
						diffState(t, want, state(r.en))
						r.mustClose()
						if !crashed {
							break
						}
						steps++
					}
					t.Logf("%d crash points", steps)
					if steps < 10 {
						t.Errorf("only %d crash points", steps)
					}
				})
			}
		}
	}
}
