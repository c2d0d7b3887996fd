//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package persist

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// lockDir creates path exclusively and removes it on Close. Unlike flock,
// a crash leaves the file behind: the next Open then fails until the user
// removes it (the error says so).
func lockDir(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%w: %s exists (remove it if no process uses the directory)", ErrLocked, path)
		}
		return nil, err
	}
	f.WriteString(strconv.Itoa(os.Getpid()))
	return &exclLock{f: f, path: path}, nil
}

type exclLock struct {
	f    *os.File
	path string
}

func (l *exclLock) Close() error {
	err := l.f.Close()
	if rerr := os.Remove(l.path); err == nil {
		err = rerr
	}
	return err
}
