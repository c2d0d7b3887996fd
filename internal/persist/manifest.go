package persist

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// The manifest records the directory's layout: the format version, the
// shard count and, with one shard, the log's file name. Rewriting it is
// the commit point of a re-shard; while the new layout's files are being
// renamed into place it carries a pending-reshard line naming the old
// layout, so an Open after a crash finishes the job.
//
//	kevy-manifest 1
//	shards 4
//	pending-reshard 1 appendonly.aof
type manifest struct {
	shards      int
	log         string // shard 0's log name when shards == 1
	pendingFrom int    // old shard count of an unfinished re-shard; 0 = none
	pendingLog  string // the old layout's single log name (pendingFrom == 1)
}

const manifestVersion = 1

func (m manifest) encode() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "kevy-manifest %d\nshards %d\n", manifestVersion, m.shards)
	if m.shards == 1 {
		fmt.Fprintf(&b, "log %s\n", m.log)
	}
	if m.pendingFrom > 0 {
		fmt.Fprintf(&b, "pending-reshard %d %s\n", m.pendingFrom, m.pendingLog)
	}
	return []byte(b.String())
}

func parseManifest(data []byte) (manifest, error) {
	var m manifest
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) == 0 || lines[0] != "kevy-manifest "+strconv.Itoa(manifestVersion) {
		return m, fmt.Errorf("not a version %d kevy manifest (first line %q)", manifestVersion, lines[0])
	}
	for _, ln := range lines[1:] {
		f := strings.Fields(ln)
		if len(f) == 0 {
			continue
		}
		var err error
		switch {
		case f[0] == "shards" && len(f) == 2:
			m.shards, err = strconv.Atoi(f[1])
		case f[0] == "log" && len(f) == 2:
			m.log = f[1]
		case f[0] == "pending-reshard" && (len(f) == 2 || len(f) == 3):
			m.pendingFrom, err = strconv.Atoi(f[1])
			if len(f) == 3 {
				m.pendingLog = f[2]
			}
		default:
			err = fmt.Errorf("unknown line %q", ln)
		}
		if err != nil {
			return m, err
		}
	}
	if m.shards < 1 {
		return m, fmt.Errorf("bad shard count %d", m.shards)
	}
	if m.shards == 1 && m.log == "" {
		m.log = defaultLogName(0)
	}
	if m.pendingFrom == 1 && m.pendingLog == "" {
		m.pendingLog = defaultLogName(0)
	}
	return m, nil
}

// readManifest returns the manifest, ok false when there is none.
func (d dir) readManifest() (m manifest, ok bool, err error) {
	f, err := d.fs.OpenFile(d.join(manifestName), os.O_RDONLY, 0)
	if err != nil {
		if os.IsNotExist(err) {
			return m, false, nil
		}
		return m, false, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return m, false, err
	}
	m, err = parseManifest(bytes.TrimSpace(data))
	if err != nil {
		return m, false, fmt.Errorf("persist: %s: %v", d.join(manifestName), err)
	}
	return m, true, nil
}

func (d dir) writeManifest(m manifest) error { return d.writeAtomic(manifestName, m.encode()) }
