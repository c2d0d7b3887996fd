//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package persist

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
)

// lockDir takes an exclusive POSIX record lock (fcntl F_SETLK) on path,
// plus an entry in a process-wide table, so a second Open of the same
// directory fails from this process as from another. POSIX locks belong
// to the process and are not inherited by children, so a child forked by
// os/exec while the lock is held cannot keep it after Close (as it could
// an flock); the kernel drops the lock when the process dies, so a crash
// never leaves the directory locked.
func lockDir(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, err
	}
	id := fmt.Sprint(st.Dev, ":", st.Ino)
	heldMu.Lock()
	defer heldMu.Unlock()
	if held[id] {
		f.Close()
		return nil, fmt.Errorf("%w: %s is locked by this process", ErrLocked, path)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	for {
		err = syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
			return nil, fmt.Errorf("%w: %s is locked by another process", ErrLocked, path)
		}
		return nil, fmt.Errorf("persist: locking %s: %w", path, err)
	}
	held[id] = true
	return &posixLock{f: f, id: id}, nil
}

var (
	heldMu sync.Mutex
	held   = map[string]bool{} // dev:ino of the LOCK files this process holds
)

type posixLock struct {
	f  *os.File
	id string
}

// Close releases the lock: closing the only descriptor of the file does.
func (l *posixLock) Close() error {
	heldMu.Lock()
	defer heldMu.Unlock()
	delete(held, l.id)
	return l.f.Close()
}
