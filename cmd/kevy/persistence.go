package main

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/server"
)

// persistence adapts a *kevy.Store with Options.Dir to what the server's
// SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE, SHUTDOWN and INFO ask for.
type persistence struct {
	st *kevy.Store

	mu        sync.Mutex // protects the fields below
	lastSave  time.Time
	bgSave    bool
	bgRewrite bool
	lastErr   error
}

func newPersistence(st *kevy.Store) *persistence {
	return &persistence{st: st, lastSave: time.Now()}
}

func (p *persistence) Save() error {
	_, err := p.st.SaveSnapshot()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastErr = err
	if err == nil {
		p.lastSave = time.Now()
	}
	return err
}

func (p *persistence) BackgroundSave() error {
	p.mu.Lock()
	if p.bgSave {
		p.mu.Unlock()
		return errBGSaveInProgress
	}
	p.bgSave = true
	p.mu.Unlock()
	go func() {
		p.Save()
		p.mu.Lock()
		p.bgSave = false
		p.mu.Unlock()
	}()
	return nil
}

func (p *persistence) RewriteAOF() error {
	p.mu.Lock()
	if p.bgRewrite {
		p.mu.Unlock()
		return errors.New("ERR Background append only file rewriting already in progress")
	}
	p.bgRewrite = true
	p.mu.Unlock()
	go func() {
		_, err := p.st.RewriteAOF()
		p.mu.Lock()
		p.bgRewrite, p.lastErr = false, err
		p.mu.Unlock()
	}()
	return nil
}

func (p *persistence) LastSave() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastSave
}

// Shutdown saves a snapshot unless NOSAVE; the logs are flushed and
// fsynced when the store closes after the server stops.
func (p *persistence) Shutdown(mode server.ShutdownMode) error {
	if mode == server.ShutdownNoSave {
		return nil
	}
	return p.Save()
}

func (p *persistence) Info() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := statusOf(p.lastErr)
	var b strings.Builder
	fmt.Fprintf(&b, "loading:0\r\nrdb_bgsave_in_progress:%d\r\nrdb_last_save_time:%d\r\nrdb_last_bgsave_status:%s\r\n",
		b2i(p.bgSave), p.lastSave.Unix(), status)
	fmt.Fprintf(&b, "aof_enabled:1\r\naof_rewrite_in_progress:%d\r\naof_last_bgrewrite_status:%s\r\n", b2i(p.bgRewrite), status)
	return b.String()
}

// errBGSaveInProgress is Redis's reply to SAVE or BGSAVE while a save runs.
var errBGSaveInProgress = errors.New("ERR Background save already in progress")

// statusOf is INFO's word for the outcome of the last save: ok or err.
func statusOf(err error) string {
	if err != nil {
		return "err"
	}
	return "ok"
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
