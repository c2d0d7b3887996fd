package persist

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
)

// ErrCrashed is what every operation of a FaultFS returns after its
// simulated crash.
var ErrCrashed = errors.New("faultfs: simulated crash")

// FaultFS wraps an FS and injects faults, for tests:
//
//   - FailWritesAfter(n): file writes succeed for n more bytes, then fail
//     with ENOSPC (a write crossing the limit is short).
//   - FailSync(err): fsyncs of files fail with err until FailSync(nil).
//   - CrashAfter(n): after n more mutating operations (file creation,
//     write, fsync, truncate, rename, remove, directory fsync) the process
//     "dies": the operation at the crash point does not happen (a write
//     writes the first half of its bytes, as a torn append), and every
//     later operation fails with ErrCrashed, so the directory is frozen
//     exactly as a process killed at that instant would leave it.
//
// Match, when set, limits FailWritesAfter and FailSync to files whose
// base name it accepts. It counts file fsyncs and writes.
type FaultFS struct {
	Inner FS
	Match func(name string) bool
	// SkipSync makes fsyncs (of files and directories) succeed without
	// reaching the disk: for tests that simulate process crashes, not
	// power loss, and need not wait for the device.
	SkipSync bool

	mu         sync.Mutex
	budget     int64 // bytes writable before ENOSPC; < 0: unlimited
	syncErr    error
	crashAfter int64 // mutating ops left; < 0: never
	crashed    bool
	syncs      int64
	writes     int64
	ops        int64
}

// NewFaultFS returns a FaultFS over inner (nil: OSFS) with no fault set.
func NewFaultFS(inner FS) *FaultFS {
	if inner == nil {
		inner = OSFS{}
	}
	return &FaultFS{Inner: inner, budget: -1, crashAfter: -1}
}

// FailWritesAfter makes file writes fail with ENOSPC after n more bytes;
// n < 0 removes the limit.
func (f *FaultFS) FailWritesAfter(n int64) {
	f.mu.Lock()
	f.budget = n
	f.mu.Unlock()
}

// FailSync makes file fsyncs fail with err; nil makes them succeed again.
func (f *FaultFS) FailSync(err error) {
	f.mu.Lock()
	f.syncErr = err
	f.mu.Unlock()
}

// CrashAfter arms the simulated crash after n more mutating operations;
// n < 0 disarms it.
func (f *FaultFS) CrashAfter(n int64) {
	f.mu.Lock()
	f.crashAfter = n
	f.mu.Unlock()
}

// Crashed reports whether the simulated crash happened.
func (f *FaultFS) Crashed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.crashed
}

// Syncs returns how many file fsyncs succeeded.
func (f *FaultFS) Syncs() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.syncs
}

// Writes returns how many file writes were made.
func (f *FaultFS) Writes() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// Ops returns how many mutating operations were made.
func (f *FaultFS) Ops() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ops
}

// step accounts one mutating operation; it reports whether the operation
// may run and, for the operation at the crash point, crashNow.
func (f *FaultFS) step() (crashNow bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.crashed {
		return false, ErrCrashed
	}
	f.ops++
	if f.crashAfter == 0 {
		f.crashed = true
		return true, ErrCrashed
	}
	if f.crashAfter > 0 {
		f.crashAfter--
	}
	return false, nil
}

func (f *FaultFS) alive() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.crashed {
		return ErrCrashed
	}
	return nil
}

func (f *FaultFS) matches(name string) bool {
	if f.Match == nil {
		return true
	}
	i := strings.LastIndexAny(name, `/\`)
	return f.Match(name[i+1:])
}

// OpenFile opens name; creating or truncating counts as a mutation.
func (f *FaultFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	if flag&(os.O_CREATE|os.O_TRUNC) != 0 {
		if _, err := f.step(); err != nil {
			return nil, err
		}
	} else if err := f.alive(); err != nil {
		return nil, err
	}
	in, err := f.Inner.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: in, fs: f, match: f.matches(name)}, nil
}

// Rename renames.
func (f *FaultFS) Rename(oldpath, newpath string) error {
	if _, err := f.step(); err != nil {
		return err
	}
	return f.Inner.Rename(oldpath, newpath)
}

// Remove removes.
func (f *FaultFS) Remove(name string) error {
	if _, err := f.step(); err != nil {
		return err
	}
	return f.Inner.Remove(name)
}

// Stat stats.
func (f *FaultFS) Stat(name string) (fs.FileInfo, error) {
	if err := f.alive(); err != nil {
		return nil, err
	}
	return f.Inner.Stat(name)
}

// ReadDir lists a directory.
func (f *FaultFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := f.alive(); err != nil {
		return nil, err
	}
	return f.Inner.ReadDir(name)
}

// MkdirAll creates directories.
func (f *FaultFS) MkdirAll(path string, perm fs.FileMode) error {
	if _, err := f.step(); err != nil {
		return err
	}
	return f.Inner.MkdirAll(path, perm)
}

// SyncDir fsyncs a directory.
func (f *FaultFS) SyncDir(dir string) error {
	if _, err := f.step(); err != nil {
		return err
	}
	if f.SkipSync {
		return nil
	}
	return f.Inner.SyncDir(dir)
}

// Lock takes the inner lock; the lock works (and releases) even after the
// simulated crash, as the kernel releases a dead process's locks.
func (f *FaultFS) Lock(dir string) (io.Closer, error) { return f.Inner.Lock(dir) }

type faultFile struct {
	File
	fs    *FaultFS
	match bool
}

func (ff *faultFile) Write(p []byte) (int, error) {
	f := ff.fs
	crashNow, err := f.step()
	if err != nil {
		if crashNow && len(p) > 1 {
			n, _ := ff.File.Write(p[:len(p)/2])
			return n, err
		}
		return 0, err
	}
	f.mu.Lock()
	f.writes++
	limit := -1
	if ff.match && f.budget >= 0 {
		if int64(len(p)) > f.budget {
			limit = int(f.budget)
		}
		f.budget = max(f.budget-int64(len(p)), 0)
	}
	f.mu.Unlock()
	if limit >= 0 {
		n, err := ff.File.Write(p[:limit])
		if err == nil {
			err = &fs.PathError{Op: "write", Path: "faultfs", Err: syscall.ENOSPC}
		}
		return n, err
	}
	return ff.File.Write(p)
}

func (ff *faultFile) Sync() error {
	f := ff.fs
	if _, err := f.step(); err != nil {
		return err
	}
	f.mu.Lock()
	err := f.syncErr
	if !ff.match {
		err = nil
	}
	if err == nil {
		f.syncs++
	}
	f.mu.Unlock()
	if err != nil || f.SkipSync {
		return err
	}
	return ff.File.Sync()
}

func (ff *faultFile) Truncate(size int64) error {
	if _, err := ff.fs.step(); err != nil {
		return err
	}
	return ff.File.Truncate(size)
}

func (ff *faultFile) Read(p []byte) (int, error) {
	if err := ff.fs.alive(); err != nil {
		return 0, err
	}
	return ff.File.Read(p)
}
