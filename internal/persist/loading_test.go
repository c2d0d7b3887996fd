package persist

import (
	"sync/atomic"
	"testing"

	"github.com/kevy-go/kevy/internal/engine"
)

// TestReplayAfterDeadline replays a log after a key's deadline passed: the
// writes made while the key was alive must not resurrect it without its
// TTL. This needs the engine's loading mode.
func TestReplayAfterDeadline(t *testing.T) {
	if _, ok := any(&engine.Engine{}).(loadingSetter); !ok {
		t.Skip("engine has no SetLoading(bool): replay treats keys whose TTL passed since as expired (see the package doc)")
	}
	var now atomic.Int64
	now.Store(1_700_000_000_000)
	dir := t.TempDir()
	openAt := func() (*engine.Engine, *Store) {
		en := engine.New(engine.Config{ManualReaper: true, Now: now.Load})
		st, _, err := Open(en, Config{Dir: dir, Sync: engine.SyncEverySec, AutoRewritePercent: -1})
		if err != nil {
			t.Fatal(err)
		}
		return en, st
	}
	en, st := openAt()
	for _, c := range [][]string{
		{"SET", "s", "v", "PX", "1000"},
		{"RPUSH", "l", "a"}, {"PEXPIRE", "l", "1000"},
		{"HSET", "h", "f", "1"}, {"PEXPIRE", "h", "1000"},
	} {
		if _, err := exec(en, c...); err != nil {
			t.Fatal(err)
		}
	}
	now.Add(500)
	for _, c := range [][]string{{"APPEND", "s", "x"}, {"RPUSH", "l", "b"}, {"HINCRBY", "h", "f", "1"}} {
		if _, err := exec(en, c...); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	en.Close()
	now.Add(10_000)
	en, st = openAt()
	defer en.Close()
	defer st.Close()
	if got := state(en); len(got) != 0 {
		t.Errorf("after the deadline, keys %v came back", got)
	}
	now.Add(-10_000) // not a real clock: just check what was stored
	got := state(en)
	for _, k := range []string{"s", "l", "h"} {
		if got[k] == "" {
			t.Errorf("key %s missing; state %v", k, got)
		}
	}
}
