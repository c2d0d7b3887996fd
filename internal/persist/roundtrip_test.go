package persist

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/engine"
)

func TestRoundTrip(t *testing.T) {
	for _, shards := range []int{1, 4} {
		for _, pol := range []engine.SyncPolicy{engine.SyncAlways, engine.SyncEverySec, engine.SyncNo} {
			t.Run(fmt.Sprintf("shards=%d/policy=%d", shards, pol), func(t *testing.T) {
				dir := t.TempDir()
				mod := func(c *Config) { c.Sync = pol; c.FS = OSFS{} } // real fsyncs
				e := open(t, dir, shards, mod)
				writeMix(e, "k", 200)
				want := state(e.en)
				e.mustClose()

				e = open(t, dir, shards, mod)
				diffState(t, want, state(e.en))
				if e.ls.Keys != len(want) || e.ls.Records == 0 {
					t.Errorf("LoadStats = %+v, want %d keys and some records", e.ls, len(want))
				}
				// More writes, a snapshot, more writes, a rewrite, more writes.
				writeMix(e, "a", 50)
				if ok, err := e.st.SaveSnapshot(); !ok || err != nil {
					t.Fatalf("SaveSnapshot: %v %v", ok, err)
				}
				writeMix(e, "b", 50)
				e.do("RPUSH", "k2", "again")
				if _, err := e.st.RewriteAOF(); err != nil {
					t.Fatalf("RewriteAOF: %v", err)
				}
				writeMix(e, "c", 50)
				e.do("RPUSH", "k2", "more")
				want = state(e.en)
				e.mustClose()

				e = open(t, dir, shards, mod)
				diffState(t, want, state(e.en))
				// Snapshot after the rewrite, then reopen again.
				if _, err := e.st.SaveSnapshot(); err != nil {
					t.Fatal(err)
				}
				e.do("RPUSH", "k2", "last")
				want = state(e.en)
				e.mustClose()
				e = open(t, dir, shards, mod)
				diffState(t, want, state(e.en))
				names := files(t, dir)
				for _, n := range names {
					if strings.Contains(n, ".next.") || strings.HasSuffix(n, ".tmp") {
						t.Errorf("leftover file %s in %v", n, names)
					}
				}
			})
		}
	}
}

func TestFilesAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	e := open(t, dir, 2, nil)
	e.do("SET", "a", "1")
	if _, err := e.st.SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	e.mustClose()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", fi.Mode().Perm())
	}
	got := files(t, dir)
	want := []string{"LOCK", "aof-0.aof", "aof-1.aof", "dump-0.rdb", "dump-1.rdb", "kevy.manifest"}
	if !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	for _, n := range got {
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", n, fi.Mode().Perm())
		}
	}
	if m := string(readFile(t, filepath.Join(dir, manifestName))); m != "kevy-manifest 1\nshards 2\n" {
		t.Errorf("manifest %q", m)
	}
}

func TestSecondOpenFails(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir, 1, nil)
	_, err := tryOpen(t, dir, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open: %v, want a lock error", err)
	}
	e.mustClose()
	e = open(t, dir, 1, nil) // released
	e.mustClose()
}

func TestAOFFilename(t *testing.T) {
	dir := t.TempDir()
	mod := func(c *Config) { c.AOFFilename = "appendonly.aof" }
	e := open(t, dir, 1, mod)
	e.do("SET", "a", "1")
	e.mustClose()
	if _, err := os.Stat(filepath.Join(dir, "appendonly.aof")); err != nil {
		t.Fatal(err)
	}
	e = open(t, dir, 1, mod)
	if got := e.do("GET", "a"); got != "$1\r\n1\r\n" {
		t.Errorf("GET a = %q", got)
	}
	e.mustClose()
	if _, err := tryOpen(t, dir, 1, nil); err == nil {
		t.Error("Open with another log name succeeded")
	}
	if _, err := tryOpen(t, t.TempDir(), 2, mod); err == nil {
		t.Error("AOFFilename with 2 shards accepted")
	}
}
