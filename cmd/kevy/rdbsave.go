package main

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/server"
)

// rdbPersistence is redis-server's persistence when the append-only file
// is off (its default): the keyspace is loaded from dbfilename in the
// working directory at start, and written there, as an RDB file real Redis
// reads, by SAVE, BGSAVE, the save points ("save <seconds> <changes>": a
// save once at least that many changes are that old), and SHUTDOWN or
// SIGTERM when save points are set (SHUTDOWN SAVE always, NOSAVE never).
type rdbPersistence struct {
	st     *kevy.Store
	path   string      // dbfilename, relative to the working directory
	points []savePoint // none: saves only on request
	log    *slog.Logger

	mu        sync.Mutex
	saving    bool      // a save runs (SAVE or background)
	bg        bool      // the running save is a background one
	idle      sync.Cond // signalled when saving ends; uses mu
	lastSave  time.Time // of the last successful save, or the start
	lastTry   time.Time // of the last save attempt
	saved     uint64    // Changes() when the last successful save began
	lastErr   error
	mode      server.ShutdownMode // what SHUTDOWN asked for
	shutdown  bool                // SHUTDOWN ran Shutdown
	stopOnce  sync.Once
	stopCron  chan struct{}
	cronEnded chan struct{}
}

// savePoint is one "save <seconds> <changes>" pair.
type savePoint struct{ seconds, changes int64 }

// bgsaveRetry is how long the save points wait after a failed save, as
// Redis's CONFIG_BGSAVE_RETRY_DELAY.
const bgsaveRetry = 5 * time.Second

// errSaveFailed is Redis's reply to a SAVE that failed (the cause is logged).
var errSaveFailed = errors.New("ERR")

// parseSavePoints reads options.save ("3600 1 300 100", or "" for none).
func parseSavePoints(s string) []savePoint {
	f := strings.Fields(s)
	var out []savePoint
	for i := 0; i+1 < len(f); i += 2 {
		sec, err1 := strconv.ParseInt(f[i], 10, 64)
		ch, err2 := strconv.ParseInt(f[i+1], 10, 64)
		if err1 == nil && err2 == nil {
			out = append(out, savePoint{sec, ch})
		}
	}
	return out
}

// newRDBPersistence loads path into st if it exists and starts the save
// points' goroutine (ended by stop).
func newRDBPersistence(st *kevy.Store, path string, points []savePoint, log *slog.Logger) (*rdbPersistence, error) {
	p := &rdbPersistence{st: st, path: path, points: points, log: log, lastSave: time.Now(),
		stopCron: make(chan struct{}), cronEnded: make(chan struct{})}
	p.idle.L = &p.mu
	if err := p.load(); err != nil {
		return nil, err
	}
	p.saved = st.Changes()
	go p.cron()
	return p, nil
}

func (p *rdbPersistence) load() error {
	f, err := os.Open(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Fatal error loading the DB: %v. Exiting.", err)
	}
	defer f.Close()
	t0 := time.Now()
	n, err := p.st.LoadRDB(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return fmt.Errorf("Fatal error loading the DB %s: %v (%d keys read before it). Exiting.", p.path, err, n)
	}
	p.log.Info(fmt.Sprintf("DB loaded from disk: %d keys in %.3f seconds", n, time.Since(t0).Seconds()))
	return nil
}

// write saves the keyspace to p.path through temp-<pid>.rdb: write, fsync,
// rename, fsync the directory, as Redis does. The caller has set saving.
func (p *rdbPersistence) write() error {
	changes := p.st.Changes()
	start := time.Now()
	err := p.writeFile()
	p.mu.Lock()
	p.lastTry, p.lastErr = start, err
	if err == nil {
		p.lastSave, p.saved = time.Now(), changes
	}
	p.mu.Unlock()
	if err != nil {
		p.log.Error("Failed saving the DB: " + err.Error())
		return err
	}
	p.log.Info("DB saved on disk")
	return nil
}

func (p *rdbPersistence) writeFile() (err error) {
	dir := filepath.Dir(p.path)
	tmp := filepath.Join(dir, fmt.Sprintf("temp-%d.rdb", os.Getpid()))
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if _, err = p.st.WriteRDB(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, p.path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// begin marks a save as running; false when one already is.
func (p *rdbPersistence) begin(bg bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.saving {
		return false
	}
	p.saving, p.bg = true, bg
	return true
}

// claim waits for a running save to end and marks one as running. Lock
// held.
func (p *rdbPersistence) claim() {
	for p.saving {
		p.idle.Wait()
	}
	p.saving = true
}

func (p *rdbPersistence) end() {
	p.mu.Lock()
	p.saving, p.bg = false, false
	p.idle.Broadcast()
	p.mu.Unlock()
}

// Save is SAVE.
func (p *rdbPersistence) Save() error {
	if !p.begin(false) {
		return errBGSaveInProgress
	}
	defer p.end()
	if p.write() != nil {
		return errSaveFailed
	}
	return nil
}

// BackgroundSave is BGSAVE.
func (p *rdbPersistence) BackgroundSave() error {
	if !p.begin(true) {
		return errBGSaveInProgress
	}
	go func() {
		defer p.end()
		p.write()
	}()
	return nil
}

// RewriteAOF is BGREWRITEAOF, which needs the append-only file.
func (p *rdbPersistence) RewriteAOF() error {
	return errors.New("ERR kevy rewrites the append-only file only with appendonly yes")
}

// LastSave is LASTSAVE.
func (p *rdbPersistence) LastSave() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastSave
}

// wantsSave reports whether stopping the server in mode saves.
func (p *rdbPersistence) wantsSave(mode server.ShutdownMode) bool {
	return mode == server.ShutdownSave || (mode == server.ShutdownDefault && len(p.points) > 0)
}

// Shutdown is SHUTDOWN's save: after a running background save ends, a
// save unless NOSAVE (or no save points and no SAVE); an error cancels the
// shutdown.
func (p *rdbPersistence) Shutdown(mode server.ShutdownMode) error {
	p.mu.Lock()
	p.mode, p.shutdown = mode, true
	p.claim()
	p.mu.Unlock()
	defer p.end()
	if !p.wantsSave(mode) {
		return nil
	}
	return p.write()
}

// final runs once the server has stopped: it saves what SHUTDOWN's save
// could not include (writes of other connections before they stopped), or,
// after SIGTERM or SIGINT, saves if save points are set, as Redis does.
func (p *rdbPersistence) final() error {
	p.stop()
	p.mu.Lock()
	p.claim()
	mode := server.ShutdownDefault
	if p.shutdown {
		mode = p.mode
	}
	unchanged := p.shutdown && p.lastErr == nil && p.st.Changes() == p.saved
	p.mu.Unlock()
	defer p.end()
	if !p.wantsSave(mode) || unchanged {
		return nil
	}
	return p.write()
}

// stop ends the save points' goroutine.
func (p *rdbPersistence) stop() {
	p.stopOnce.Do(func() { close(p.stopCron) })
	<-p.cronEnded
}

// cron applies the save points, checking once a second.
func (p *rdbPersistence) cron() {
	defer close(p.cronEnded)
	if len(p.points) == 0 {
		<-p.stopCron
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stopCron:
			return
		case <-t.C:
		}
		p.mu.Lock()
		now := time.Now()
		due := false
		if !p.saving && (p.lastErr == nil || now.Sub(p.lastTry) >= bgsaveRetry) {
			changes := p.st.Changes() - p.saved
			for _, sp := range p.points {
				if int64(changes) >= sp.changes && now.Sub(p.lastSave) >= time.Duration(sp.seconds)*time.Second {
					p.log.Info(fmt.Sprintf("%d changes in %d seconds. Saving...", sp.changes, sp.seconds))
					due = true
					break
				}
			}
		}
		p.mu.Unlock()
		if due {
			p.BackgroundSave() // a save that started meanwhile does as well
		}
	}
}

// Info is INFO's Persistence section.
func (p *rdbPersistence) Info() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := statusOf(p.lastErr)
	var b strings.Builder
	fmt.Fprintf(&b, "loading:0\r\nasync_loading:0\r\nrdb_changes_since_last_save:%d\r\nrdb_bgsave_in_progress:%d\r\n",
		p.st.Changes()-p.saved, b2i(p.saving && p.bg))
	fmt.Fprintf(&b, "rdb_last_save_time:%d\r\nrdb_last_bgsave_status:%s\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\n",
		p.lastSave.Unix(), status)
	return b.String()
}
