package persist

import (
	"fmt"
	"strings"

	"github.com/kevy-go/kevy/internal/engine"
)

// reshard loads a directory written with oldN shards into a scratch
// engine of that many shards, moves every key to its shard among the
// store's, writes the new layout's files as *.reshard, and commits by
// rewriting the manifest (with a pending-reshard line), after which
// completeReshard renames them into place. Before the commit an Open
// deletes the *.reshard files and starts over from the old layout; after
// it, an Open finishes the renames.
func (st *Store) reshard(oldN int, oldLog string, stats *LoadStats) ([]*loadedShard, error) {
	d, cfg := st.d, st.cfg
	N := cfg.Shards
	scratch := engine.New(engine.Config{Shards: oldN, ManualReaper: true, Now: st.en.Config().Now})
	defer scratch.Close()
	setLoading(scratch, true)
	ld := &loader{d: d, en: scratch, n: oldN, logName: logNameFunc(oldN, oldLog),
		prefix: cfg.LoadValidPrefix, logger: cfg.Logger, stats: stats}
	loaded, err := ld.loadAll()
	if err != nil {
		return nil, err
	}
	var maxGen uint64
	for _, ls := range loaded {
		maxGen = max(maxGen, ls.maxGen)
	}

	// Move the keys.
	var buf []engine.SnapItem
	for i := range oldN {
		sh := scratch.Shard(i)
		sh.Lock()
		snap := sh.BeginSnapshot()
		sh.Unlock()
		for done := false; !done; {
			buf, done = snap.Next(buf[:0], snapBatch)
			for _, it := range buf {
				dst := st.en.Shard(engine.ShardIndex(it.Key, N))
				dst.Lock()
				dst.LoadObject(it.Key, it.Obj, it.ExpireAt)
				dst.Unlock()
			}
			clear(buf)
		}
		sh.Lock()
		sh.Flush() // release the scratch copy as we go
		sh.Unlock()
	}

	// Write the new layout aside.
	gen := maxGen + 1
	newLog := logNameFunc(N, cfg.AOFFilename)
	out := make([]*loadedShard, N)
	for j := range N {
		sh := st.en.Shard(j)
		sh.Lock()
		snap := sh.BeginSnapshot()
		sh.Unlock()
		if _, _, err := st.writeRDB(dumpName(j)+reshardExt, snap, j, gen, nil); err != nil {
			return nil, err
		}
		h := header{gen: gen, shard: j}
		if err := d.writeAtomic(newLog(j)+reshardExt, h.record()); err != nil {
			return nil, err
		}
		out[j] = &loadedShard{baseGen: gen, maxGen: gen,
			current: &logFile{name: newLog(j), hdr: h, hdrLen: int64(len(h.record())), size: int64(len(h.record()))}}
	}
	if err := d.sync(); err != nil {
		return nil, err
	}
	// Commit.
	m := manifest{shards: N, log: cfg.AOFFilename, pendingFrom: oldN, pendingLog: oldLog}
	if err := d.writeManifest(m); err != nil {
		return nil, err
	}
	if err := d.completeReshard(m); err != nil {
		return nil, err
	}
	stats.Resharded, stats.FromShards = true, oldN
	if lg := cfg.Logger; lg != nil {
		lg.Info("persist: re-sharded the directory", "dir", d.path, "from", oldN, "to", N)
	}
	return out, nil
}

// completeReshard finishes a committed re-shard: renames the *.reshard
// files into place, deletes every other file of the old layout, and
// rewrites the manifest without the pending line. It is idempotent.
func (d dir) completeReshard(m manifest) error {
	newLog := logNameFunc(m.shards, m.log)
	oldLog := logNameFunc(m.pendingFrom, m.pendingLog)
	keep := map[string]bool{}
	for j := range m.shards {
		for _, name := range []string{dumpName(j), newLog(j)} {
			keep[name] = true
			if d.exists(name + reshardExt) {
				if err := d.rename(name+reshardExt, name); err != nil {
					return fmt.Errorf("persist: finishing the re-shard: %w", err)
				}
			}
		}
	}
	entries, err := d.fs.ReadDir(d.path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		drop := false
		for i := range max(m.pendingFrom, m.shards) {
			for _, lg := range []string{oldLog(i), newLog(i)} {
				if _, ok := parseNextName(lg, name); ok {
					drop = true
				}
			}
			if i < m.pendingFrom && (name == dumpName(i) || name == oldLog(i)) && !keep[name] {
				drop = true
			}
		}
		if drop || strings.HasSuffix(name, reshardExt) {
			if err := d.remove(name); err != nil {
				return err
			}
		}
	}
	if err := d.sync(); err != nil {
		return err
	}
	m.pendingFrom, m.pendingLog = 0, ""
	return d.writeManifest(m)
}
