package persist

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/engine"
)

func TestAutoRewrite(t *testing.T) {
	for _, manual := range []bool{false, true} {
		t.Run("manual="+strconv.FormatBool(manual), func(t *testing.T) {
			dir := t.TempDir()
			var lb logBuffer
			defer func() {
				if t.Failed() {
					t.Logf("log: %s; files %v", lb.String(), files(t, dir))
				}
			}()
			mod := func(c *Config) {
				c.AutoRewritePercent = 100
				c.AutoRewriteMinSize = 64 << 10
				c.ManualTick = manual
				c.FlushAt = 4 << 10
				c.Sync = engine.SyncEverySec
				c.Logger = newLogger(&lb)
			}
			e := open(t, dir, 1, mod)
			path := filepath.Join(dir, "aof-0.aof")
			head := func() string {
				b := readFile(t, path)
				return string(b[:min(len(b), 80)])
			}
			size := func() int64 {
				fi, err := os.Stat(path)
				if err != nil {
					return -1
				}
				return fi.Size()
			}
			// Overwrite the same few keys: the log grows past the threshold,
			// the data does not; then the rewrite compacts it.
			for i := 0; i < 600; i++ { // 76 KB: past 64 KiB and twice the base
				e.do("SET", "k"+strconv.Itoa(i%10), strings.Repeat("v", 100))
			}
			waitFor(t, "the automatic rewrite", func() bool {
				if manual {
					e.st.Tick()
				}
				return strings.Contains(head(), "base=1") && size() < 16<<10
			})
			want := state(e.en)
			e.mustClose()
			e = open(t, dir, 1, mod)
			diffState(t, want, state(e.en))
		})
	}
}

func TestCloseTwiceAndClosedErrors(t *testing.T) {
	e := open(t, t.TempDir(), 1, nil)
	st := e.st
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	e.st = nil
	if err := st.Close(); err != ErrClosed {
		t.Errorf("second Close: %v", err)
	}
	if _, err := st.SaveSnapshot(); err != ErrClosed {
		t.Errorf("SaveSnapshot after Close: %v", err)
	}
	if err := st.Log("SET", "a", "1"); err != ErrClosed {
		t.Errorf("Log after Close: %v", err)
	}
	if err := st.Tick(); err != ErrClosed {
		t.Errorf("Tick after Close: %v", err)
	}
}
