package persist

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/resp"
)

// File names. Per shard i: the snapshot dumpName(i), the log logName(i)
// (with one shard, Config.AOFFilename), and while a snapshot or rewrite is
// in progress (or after one failed) the newer logs nextName(log, gen).
const (
	manifestName = "kevy.manifest"
	lockName     = "LOCK"
	tmpSuffix    = ".tmp"
	reshardExt   = ".reshard"
	nextInfix    = ".next."
	tornInfix    = ".torn-"
	corruptInfix = ".corrupt-"
)

func dumpName(i int) string { return "dump-" + strconv.Itoa(i) + ".rdb" }

func defaultLogName(i int) string { return "aof-" + strconv.Itoa(i) + ".aof" }

// nextName is the file of a log generation started by a snapshot or
// rewrite, until it is renamed to the shard's log.
func nextName(log string, gen uint64) string {
	return log + nextInfix + strconv.FormatUint(gen, 10)
}

// parseNextName returns the generation of a nextName of log.
func parseNextName(log, name string) (uint64, bool) {
	rest, ok := strings.CutPrefix(name, log+nextInfix)
	if !ok || rest == "" {
		return 0, false
	}
	g, err := strconv.ParseUint(rest, 10, 64)
	return g, err == nil && strconv.FormatUint(g, 10) == rest
}

// header is the first record of every log kevy writes: a PING whose
// argument names the log's generation, whether it starts with a base (a
// rewrite's image of the whole shard) and its shard. PING is a real,
// harmless command, so the file stays a plain RESP log that
// redis-check-aof accepts and Redis replays as no-ops.
type header struct {
	gen   uint64
	base  bool
	shard int
	none  bool   // the file has no header (a plain log from elsewhere)
	tx    uint64 // a base's transaction mark (engine.Snapshot.TxMark); 0 when absent
}

const headerPrefix = "kevy-aof "

func (h header) text() string {
	b := 0
	if h.base {
		b = 1
	}
	t := fmt.Sprintf("%sgen=%d base=%d shard=%d", headerPrefix, h.gen, b, h.shard)
	if h.tx != 0 {
		t += " tx=" + engine.FormatTxID(h.tx)
	}
	return t
}

func (h header) record() []byte { return resp.AppendCommand(nil, "PING", h.text()) }

// parseHeader recognises a header record; ok is false for any other
// command.
func parseHeader(args []string) (h header, ok bool, err error) {
	if len(args) != 2 || !strings.EqualFold(args[0], "PING") || !strings.HasPrefix(args[1], headerPrefix) {
		return header{}, false, nil
	}
	seen := 0
	for _, f := range strings.Fields(args[1][len(headerPrefix):]) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "gen":
			h.gen, err = strconv.ParseUint(v, 10, 64)
			seen |= 1
		case "base":
			h.base = v == "1"
			if v != "0" && v != "1" {
				err = fmt.Errorf("bad base %q", v)
			}
			seen |= 2
		case "shard":
			h.shard, err = strconv.Atoi(v)
			seen |= 4
		case "tx":
			var ok bool
			if h.tx, ok = engine.ParseTxID(v); !ok {
				err = fmt.Errorf("bad tx %q", v)
			}
		}
		if err != nil {
			return header{}, true, fmt.Errorf("bad log header %q: %v", args[1], err)
		}
	}
	if seen != 7 {
		return header{}, true, fmt.Errorf("bad log header %q", args[1])
	}
	return h, true, nil
}

// fileError names the file and byte offset a load failed at.
type fileError struct {
	File   string
	Offset int64
	Err    error
}

func (e *fileError) Error() string {
	return fmt.Sprintf("persist: %s at byte offset %d: %v", e.File, e.Offset, e.Err)
}

func (e *fileError) Unwrap() error { return e.Err }

// dir bundles the directory and its FS.
type dir struct {
	fs   FS
	path string
}

func (d dir) join(name string) string { return filepath.Join(d.path, name) }

func (d dir) exists(name string) bool {
	_, err := d.fs.Stat(d.join(name))
	return err == nil
}

// create creates (truncating) name for writing, mode 0600.
func (d dir) create(name string) (File, error) {
	return d.fs.OpenFile(d.join(name), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
}

// remove deletes name; a missing file is not an error.
func (d dir) remove(name string) error {
	err := d.fs.Remove(d.join(name))
	if err != nil && os.IsNotExist(err) {
		return nil
	}
	return err
}

func (d dir) rename(from, to string) error { return d.fs.Rename(d.join(from), d.join(to)) }

func (d dir) sync() error { return d.fs.SyncDir(d.path) }

// writeAtomic replaces name with data: temp file, fsync, rename, fsync the
// directory.
func (d dir) writeAtomic(name string, data []byte) error {
	tmp := name + tmpSuffix
	f, err := d.create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = d.rename(tmp, name)
	}
	if err == nil {
		err = d.sync()
	}
	if err != nil {
		d.remove(tmp)
	}
	return err
}

// newLog creates the log name holding only its header, durably (temp
// file, fsync, rename, fsync the directory), and returns it open for
// appending with its size.
func (d dir) newLog(name string, h header) (File, int64, error) {
	rec := h.record()
	if err := d.writeAtomic(name, rec); err != nil {
		return nil, 0, err
	}
	f, err := d.fs.OpenFile(d.join(name), os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	return f, int64(len(rec)), nil
}

// copyRange copies bytes [from, to) of file name to w.
func (d dir) copyRange(w io.Writer, name string, from, to int64) error {
	if to <= from {
		return nil
	}
	f, err := d.fs.OpenFile(d.join(name), os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return err
	}
	n, err := io.CopyN(w, f, to-from)
	if err == io.EOF || (err == nil && n < to-from) {
		err = fmt.Errorf("persist: %s is shorter than %d bytes", name, to)
	}
	return err
}
