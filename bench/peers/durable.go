package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/tidwall/buntdb"
	bolt "go.etcd.io/bbolt"
)

// The durable-write section: SET of a 16 B value to one of 100,000 keys,
// with 1 and 64 writers, under "fsync about once a second" and "fsync
// before acknowledging" policies: kevy's append-only log (Options.Dir,
// Options.AppendFsync) against buntdb's sync policies, and bbolt (which
// always commits durably) for the "always" case.

type durable struct {
	name  string
	set   func(k, v string) error
	close func()
	note  string
}

func openKevyDurable(root string, policy kevy.FsyncPolicy, shards int) (*durable, string) {
	dir, err := os.MkdirTemp(root, "kevy-")
	if err != nil {
		panic(err)
	}
	s, err := kevy.Open(&kevy.Options{Shards: shards, Dir: dir, AppendFsync: policy})
	if err != nil {
		return nil, "kevy persistence: Open: " + err.Error()
	}
	name := "kevy"
	if shards > 1 {
		name = fmt.Sprintf("kevy-%d", shards)
	}
	return &durable{name: name, set: s.Set, close: func() { s.Close() }}, ""
}

func openBunt(root string, policy buntdb.SyncPolicy) *durable {
	path := filepath.Join(root, "bunt-"+strconv.Itoa(int(policy))+".db")
	db, err := buntdb.Open(path)
	if err != nil {
		panic(err)
	}
	var cfg buntdb.Config
	if err := db.ReadConfig(&cfg); err != nil {
		panic(err)
	}
	cfg.SyncPolicy = policy
	if err := db.SetConfig(cfg); err != nil {
		panic(err)
	}
	return &durable{
		name: "buntdb",
		set: func(k, v string) error {
			return db.Update(func(tx *buntdb.Tx) error { _, _, err := tx.Set(k, v, nil); return err })
		},
		close: func() { db.Close() },
	}
}

// openBolt: bbolt commits (and fsyncs) once per Update. With one writer
// that is one fsync per SET; with many, DB.Batch coalesces concurrent
// writers into one commit, as a user of bbolt would do.
func openBolt(root string, batch bool) *durable {
	db, err := bolt.Open(filepath.Join(root, fmt.Sprintf("bolt-%v.db", batch)), 0o600, nil)
	if err != nil {
		panic(err)
	}
	bucket := []byte("b")
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bucket); return err }); err != nil {
		panic(err)
	}
	run, note := db.Update, "Update per SET"
	if batch {
		run, note = db.Batch, "DB.Batch (concurrent writers share a commit)"
		db.MaxBatchDelay = time.Millisecond
	}
	return &durable{
		name: "bbolt",
		set: func(k, v string) error {
			return run(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(bytesOf(k), bytesOf(v)) })
		},
		close: func() { db.Close() },
		note:  note,
	}
}

func runDurable(nkeys, rounds int, shards int, emit func([]Row), skipped func(section, what, why string)) {
	root, err := os.MkdirTemp("", "kevy-peers-durable-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(root)
	val := makeValue(16)
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	for _, pol := range []struct {
		name  string
		kevy  kevy.FsyncPolicy
		bunt  buntdb.SyncPolicy
		bolt  bool
		label string
	}{
		{"everysec", kevy.FsyncEverySec, buntdb.EverySecond, false, "fsync every second"},
		{"always", kevy.FsyncAlways, buntdb.Always, true, "fsync always"},
	} {
		for _, g := range []int{1, 64} {
			var stores []*durable
			for _, sh := range []int{1, shards} {
				if g == 1 && sh > 1 {
					continue
				}
				d, why := openKevyDurable(root, pol.kevy, sh)
				if d == nil {
					skipped("durable", fmt.Sprintf("kevy SET, %s, %d writer%s", pol.label, g, plural(g)), why)
					break
				}
				stores = append(stores, d)
			}
			stores = append(stores, openBunt(root, pol.bunt))
			if pol.bolt {
				stores = append(stores, openBolt(root, g > 1))
			}
			c := cell{section: "durable", workload: "SET, " + pol.label, config: fmt.Sprintf("%d keys, 16 B values, %d writer%s", nkeys, g, plural(g)), threads: g, target: *durTarget}
			for _, d := range stores {
				c.entries = append(c.entries, entry{store: d.name, note: d.note, op: func(w, lo, hi int) int {
					for i := lo; i < hi; i++ {
						if err := d.set(keys[(i*7919)%nkeys], val); err != nil {
							panic(fmt.Sprintf("%s: %v", d.name, err))
						}
					}
					return hi - lo
				}})
			}
			emit(c.measure(rounds))
			for _, d := range stores {
				d.close()
			}
		}
	}
}
