package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Logging as redis-server does it: "pid:M 26 Nov 2024 14:57:00.123 * text"
// lines, filtered by loglevel, on standard output or appended to logfile.

// Redis's levels as slog levels: verbose sits between debug and notice.
const levelVerbose = slog.LevelDebug + 2

// logConfig is the logger and the file it writes to, if any.
type logConfig struct {
	logger *slog.Logger
	file   *os.File
}

func (l *logConfig) close() {
	if l.file != nil {
		l.file.Close()
	}
}

// newLog opens the log as loglevel and logfile ask.
func newLog(o *options, stdout io.Writer) (*logConfig, error) {
	lc := &logConfig{}
	w := stdout
	if o.logfile != "" {
		f, err := os.OpenFile(o.logfile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("Can't open the log file: %v", err)
		}
		lc.file, w = f, f
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "verbose": levelVerbose,
		"notice": slog.LevelInfo, "warning": slog.LevelWarn, "nothing": slog.LevelError + 100}[o.loglevel]
	lc.logger = slog.New(&redisHandler{w: w, mu: &sync.Mutex{}, level: level, pid: os.Getpid()})
	return lc, nil
}

// redisHandler formats records as redis-server's log lines.
type redisHandler struct {
	w     io.Writer
	mu    *sync.Mutex
	level slog.Level
	pid   int
	attrs string
}

func (h *redisHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *redisHandler) Handle(_ context.Context, r slog.Record) error {
	mark := "*"
	switch {
	case r.Level >= slog.LevelWarn:
		mark = "#"
	case r.Level >= slog.LevelInfo:
		mark = "*"
	case r.Level >= levelVerbose:
		mark = "-"
	default:
		mark = "."
	}
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d:M %s %s %s%s", h.pid, t.Format("02 Jan 2006 15:04:05.000"), mark, r.Message, h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *redisHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	for _, a := range as {
		n.attrs += fmt.Sprintf(" %s=%v", a.Key, a.Value)
	}
	return &n
}

func (h *redisHandler) WithGroup(string) slog.Handler { return h }

func absPath(p string) (string, error) { return filepath.Abs(p) }
