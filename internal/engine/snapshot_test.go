package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/rdb"
)

// normObject renders an object canonically (set members and hash fields
// sorted) so two snapshots can be compared.
func normObject(o rdb.Object) string {
	switch o.Kind {
	case rdb.KindSet:
		m := slices.Clone(o.Set)
		sort.Strings(m)
		return fmt.Sprintf("set%q", m)
	case rdb.KindHash:
		var pairs []string
		for i := 0; i+1 < len(o.Hash); i += 2 {
			pairs = append(pairs, o.Hash[i]+"\x00"+o.Hash[i+1])
		}
		sort.Strings(pairs)
		return fmt.Sprintf("hash%q", pairs)
	}
	return fmt.Sprintf("%v", o)
}

// TestSnapshotIsPointInTime takes snapshots while writers run random
// commands and checks each equals the keyspace at its start.
func TestSnapshotIsPointInTime(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	sh := en.shards[0]
	gens := []func(*rand.Rand) diffCmd{genString}
	if Lookup("sadd") != nil && Lookup("hset") != nil {
		gens = append(gens, func(r *rand.Rand) diffCmd {
			k := fmt.Sprint("c", r.IntN(200))
			return cmd(pick(r, "SADD", "SREM", "HSET", "HDEL", "RPUSH", "LPOP", "ZADD", "DEL"), k, member(r), member(r))
		})
	}
	// Seed a keyspace big enough that the walk takes many batches.
	for i := 0; i < 5000; i++ {
		en.Exec(&Ctx{Args: []string{"SET", fmt.Sprint("s", i), fmt.Sprint(i)}, W: &RESPWriter{}})
		en.Exec(&Ctx{Args: []string{"RPUSH", fmt.Sprint("l", i%300), fmt.Sprint(i)}, W: &RESPWriter{}})
	}
	captured := 0
	for round := 0; round < 5; round++ {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, 1))
				for {
					select {
					case <-stop:
						return
					default:
					}
					c := gens[r.IntN(len(gens))](r)
					if len(c.Args) > 1 && r.IntN(3) == 0 {
						c.Args[1] = fmt.Sprint("s", r.IntN(5000)) // hit pre-existing keys
					}
					en.Exec(&Ctx{Args: c.Args, W: &RESPWriter{}})
				}
			}(uint64(round*10 + g))
		}
		// P: take the snapshot and a reference copy in one critical section.
		sh.Lock()
		snap := sh.BeginSnapshot()
		want := map[string]string{}
		now := en.Now()
		sh.dict.All(func(e *keyspace.Entry) bool {
			if x := e.Exp(); x == 0 || x >= now {
				want[e.Key] = normObject(objectFromEntry(e)) + fmt.Sprint("@", e.Exp())
			}
			return true
		})
		sh.Unlock()
		got := map[string]string{}
		var items []SnapItem
		for done := false; !done; {
			items, done = snap.Next(items[:0], 64)
			for _, it := range items {
				if _, dup := got[it.Key]; dup {
					t.Fatalf("round %d: snapshot emitted %q twice", round, it.Key)
				}
				got[it.Key] = normObject(it.Obj) + fmt.Sprint("@", it.ExpireAt)
			}
		}
		close(stop)
		wg.Wait()
		captured += snap.Captured
		if len(got) != len(want) {
			t.Errorf("round %d: snapshot has %d keys, the keyspace at P had %d", round, len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("round %d: key %q: snapshot %s, at P %s", round, k, got[k], w)
				break
			}
		}
	}
	if captured == 0 {
		t.Error("no writer touched an unvisited key during any snapshot: the test exercised nothing")
	}
	t.Logf("writers preserved %d keys for the snapshots", captured)
}
